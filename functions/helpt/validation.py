"""Reading and checking a form's answers with the form definitions: the server is the source of truth.

Every problem is a message id that says what to do, with the values to fill in; the page renders it in
the visitor's language beside the question and in the summary at the top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from helpt.forms import N_, Field, Form, choices
from helpt.settings import CitySettings
from helpt.submissions import Answer

# Tab, line feed and carriage return are text; the other C0 controls and DEL are not, and NUL cannot be
# stored everywhere (PostgreSQL, some CSV readers). Everything else, from emoji to right-to-left marks,
# is kept exactly as typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ./()-]*$")
_SINGLE_LINE = ("text", "email", "tel", "postcode")

TOO_LONG = N_("Use at most %(max)s characters (you used %(count)s)")
CONTROL_CHARACTERS = N_("Remove the invisible control characters from this answer (they cannot be stored)")
NOT_A_CHOICE = N_("Choose one of the options shown")
PHONE_DIGITS = (6, 15)  # a short landline number has 9 digits; an international one at most 15 (E.164)
PHONE_LENGTH = N_(
    "Check the number: a phone number has 6 to 15 digits, this one has %(count)s. For example 0470 12 34 56"
)


@dataclass(frozen=True)
class Problem:
    """One question's problem: a message id and what to fill into it."""

    field: str
    message: str
    params: dict[str, str] = field(default_factory=dict)


def read_answers(form: Form, raw: Mapping[str, Sequence[str]]) -> dict[str, Answer]:
    """The form's own questions from a parsed body: unknown names are ignored, nothing else is dropped.

    >>> from helpt.forms import VACANCY_RESPONSE
    >>> answers = read_answers(VACANCY_RESPONSE, {"name": ["  Ann "], "hack": ["x"], "consent": ["yes"]})
    >>> answers["name"], answers["consent"], "hack" in answers
    ('Ann', 'yes', False)
    """
    answers: dict[str, Answer] = {}
    for question in form.fields:
        values = [str(value) for value in raw.get(question.name, ())]
        if question.is_multiple:
            answers[question.name] = tuple(dict.fromkeys(value for value in values if value))
        else:
            value = values[0] if values else ""
            # Spaces around a one-line answer are typing accidents; inside a text everything is kept.
            answers[question.name] = value.strip() if question.kind in _SINGLE_LINE else value
    return answers


def validate(form: Form, answers: Mapping[str, Answer], city: CitySettings) -> list[Problem]:
    """Every problem with the answers, in the order of the questions."""
    problems: list[Problem] = []
    for question in form.fields:
        value = answers.get(question.name, "")
        if not value:
            if is_required(question, answers):
                problems.append(Problem(question.name, question.missing, _params(question, city)))
            continue
        problem = _check(question, value, city)
        if problem is not None:
            problems.append(problem)
    for rule in form.one_of:
        if rule.applies(answers) and not any(answers.get(name) for name in rule.fields):
            problems.append(Problem(rule.fields[0], rule.message))
    problems.sort(key=lambda problem: form.names.index(problem.field))
    return problems


def is_required(question: Field, answers: Mapping[str, Answer]) -> bool:
    """Whether this question must be answered, given the other answers (its `required_if` conditions)."""
    return question.required or question.condition_holds(answers)


def _check(question: Field, value: Answer, city: CitySettings) -> Problem | None:
    values = value if isinstance(value, tuple) else (value,)
    if any(_CONTROL.search(item) for item in values):
        return Problem(question.name, CONTROL_CHARACTERS)
    if question.kind in ("radios", "checkboxes", "consent"):
        allowed = {choice.value for choice in choices(question, city)}
        return None if set(values) <= allowed else Problem(question.name, NOT_A_CHOICE)
    text = values[0]
    if len(text) > question.max_length:
        return Problem(question.name, TOO_LONG, {"max": str(question.max_length), "count": str(len(text))})
    if question.kind == "email" and not _EMAIL.match(text):
        return Problem(question.name, question.wrong)
    if question.kind == "tel":
        if not _PHONE.match(text):
            return Problem(question.name, question.wrong)
        digits = len(re.sub(r"\D", "", text))
        if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
            return Problem(question.name, PHONE_LENGTH, {"count": str(digits)})
    if question.kind == "postcode" and text not in city.postcodes:
        message = question.outside if _shape(text) in {_shape(code) for code in city.postcodes} else question.wrong
        return Problem(question.name, message, _params(question, city))
    return None


def _shape(postcode: str) -> str:
    """A postcode's shape: "3000" -> "9999", "1011 AB" -> "9999 AA", so that "30010" is a typing mistake
    rather than a postcode of another place."""
    return re.sub(r"[^\W\d_]", "A", re.sub(r"\d", "9", postcode.upper()))


def _params(question: Field, city: CitySettings) -> dict[str, str]:
    if question.kind != "postcode":
        return {}
    codes = list(city.postcodes)
    return {"example": codes[0], "city": city.name, "postcodes": ", ".join(codes), "phone": city.phone}
