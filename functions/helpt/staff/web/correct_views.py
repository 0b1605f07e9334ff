"""Correcting a help request's answers on its page, through `helpt.staff.corrections` (kept in the history).

GET  /staff/requests/{reference}?correct=<question>   the request's page with that question's own control
POST /staff/requests/{reference}/correct              correct   the new answer, checked as the form checks it

A question is corrected with the control the form gives it (radios, tick boxes, a text field), filled with
the answer it holds. When the change makes another answer needed ("for someone else" needs the asker's
name), the page comes back with that question too, every typed answer kept and the form's own messages in
the error summary (QUALITY.md F4, B5); nothing is written until all of it is right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from helpt.forms import HELP_REQUEST, Form, choices
from helpt.staff import corrections
from helpt.staff.answers import question_label
from helpt.staff.corrections import CorrectionRefused
from helpt.staff.matching import NOT_FOUND
from helpt.staff.problems import StaffProblem
from helpt.staff.prompts import SCREEN_MESSAGES
from helpt.staff.texts import N_
from helpt.staff.web.casework_views import Failed, not_found, problem_text
from helpt.staff.web.routing import Visit, routes
from helpt.submissions import Answer, Submission
from helpt.validation import Problem, read_answers

# The form's words for these speak to the person at their screen ("tick the box, or call us").
NO_AGREEMENT = N_("Without this agreement the request cannot be kept: tick the box only once the person agreed.")
OUTSIDE = N_(
    "%(city)s can only help in %(postcodes)s. Check the postcode with the person; if they live elsewhere, ask "
    "the coordinator where to send them."
)
CHOOSE = N_("Choose the answer you want to correct.")


@dataclass(frozen=True)
class Correction:
    """The questions being corrected, what was posted for them, and the form's problems as (anchor, message)."""

    names: tuple[str, ...] = ()
    posted: Mapping[str, Sequence[str]] = field(default_factory=dict)
    problems: tuple[tuple[str, str], ...] = ()


def asked(visit: Visit) -> Correction:
    """The question the page's "Correct" picker asked for (`?correct=phone`), if it is one of the form's."""
    name = visit.request.query_value("correct")
    return Correction((name,)) if name in HELP_REQUEST.names else Correction()


def editor(visit: Visit, record: Submission, correction: Correction) -> dict[str, Any]:
    """What the page's correction part shows: the question picker, and the chosen questions' controls."""
    form = HELP_REQUEST
    problems = dict(correction.problems)
    return {
        "questions": [(name, question_label(form, name, visit.texts), "") for name in form.names],
        "names": correction.names,
        "controls": [
            _control(visit, form, name, correction.posted.get(name), record.answers.get(name, ""), problems)
            for name in correction.names
        ],
    }


def _control(
    visit: Visit, form: Form, name: str, posted: Sequence[str] | None, stored: Answer, problems: Mapping[str, str]
) -> dict[str, Any]:
    texts, question = visit.texts, form.get(name)
    options = [
        (choice.value, choice.label if choice.lang else texts.form(choice.label), choice.lang)
        for choice in (choices(question, visit.office.city) if question.is_group else ())
    ]
    kind = {"radios": "radio", "checkboxes": "checkbox", "consent": "checkbox", "textarea": "textarea"}.get(
        question.kind, question.input_type
    )
    values = tuple(posted) if posted is not None else stored if isinstance(stored, tuple) else (stored,)
    anchor = _anchor(form, name, visit)
    return {
        "id": f"c-{name}", "name": f"c_{name}", "anchor": anchor, "kind": kind, "options": options,
        "label": question_label(form, name, texts), "hint": texts.form(question.hint) if question.hint else "",
        "optional": form.is_optional(question), "checked": values, "value": values[0] if values else "",
        "problem": problems.get(anchor, ""),
    }  # fmt: skip


def _anchor(form: Form, name: str, visit: Visit) -> str:
    """The control an error summary links to: the field, or a group's first option (as the public forms do)."""
    question = form.get(name)
    if question.is_group:
        return f"c-{name}-{choices(question, visit.office.city)[0].value}"
    return f"c-{name}"


def _message(visit: Visit, form: Form, problem: Problem) -> str:
    question = form.get(problem.field)
    if question.name in SCREEN_MESSAGES:
        return visit.gettext(NO_AGREEMENT)
    if question.outside and problem.message == question.outside:
        return visit.gettext(OUTSIDE) % problem.params
    return visit.texts.form(problem.message) % problem.params


@routes.post("/staff/requests/{reference}/correct", action="correct")
def correct(visit: Visit) -> dict:
    from helpt.staff.web.request_views import request_path, show_request  # the page imports this module

    reference, form = visit.params["reference"], HELP_REQUEST
    names = tuple(dict.fromkeys(name for name in visit.fields.get("question", []) if name in form.names))
    if not names:
        return show_request(visit, reference, failure=Failed("c-question", visit.gettext(CHOOSE)))
    posted = {name: visit.fields.get(f"c_{name}", []) for name in names}
    read = read_answers(form, posted)  # as the form reads a post: one-line answers trimmed
    changes = {name: read[name] for name in names}
    try:
        applied = corrections.correct(
            visit.store, reference, changes, city=visit.office.city, who=visit.account.name if visit.account else "",
            now=visit.now(),
        )  # fmt: skip
    except CorrectionRefused as refused:
        problems = tuple((_anchor(form, p.field, visit), _message(visit, form, p)) for p in refused.problems)
        more = tuple(dict.fromkeys(p.field for p in refused.problems if p.field not in names))
        return show_request(visit, reference, correction=Correction(names + more, posted, problems))
    except StaffProblem as problem:
        if problem.message == NOT_FOUND:
            return not_found(visit)
        return show_request(visit, reference, failure=Failed("correct", problem_text(visit, problem), 409))
    visit.audit("correct", reference)
    return visit.redirect(f"{request_path(reference)}?done={'corrected' if applied else 'unchanged'}")
