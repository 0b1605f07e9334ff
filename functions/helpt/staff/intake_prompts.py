"""Phone intake: the help-request form asked question by question in the terminal, for a caller.

The questions, choices, checks and messages are the web form's own (`helpt.forms`, `helpt.validation`), so a
request taken by phone is the same record as one sent online: channel "phone", status "new", a reference and
an expiry made the same way. Choices are shown as numbers; an answer with a problem is asked again with the
form's message. The consent is read aloud to the caller, and the staff member confirms that explicitly: the
record keeps that confirmation as the answer `consent_read_aloud`.

Questions that only apply in some cases (how you know the person, their agreement, consent for medicines)
are asked only when they apply, as the web form's own rules say. Typing `stop` stops without saving.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from helpt.forms import HELP_REQUEST, Field, choices
from helpt.settings import CitySettings
from helpt.staff.answers import CONSENT_READ_ALOUD
from helpt.staff.texts import N_, Texts
from helpt.submissions import Answer
from helpt.validation import NOT_A_CHOICE, Problem, read_answers, validate

STOP_WORDS = {"stop", "stoppen"}
# The form's messages for these speak to someone at a screen ("tick the box"); on the phone it is this:
SCREEN_MESSAGES = ("consent", "health_consent")
NO_AGREEMENT = N_("Without this agreement the request cannot be recorded. Type y once the caller agrees, or stop.")
YES = {"y", "yes", "j", "ja"}
NO = {"n", "no", "nee", "neen"}


class IntakeStopped(Exception):
    """The staff member typed stop (or the input ended): nothing is saved."""


class PhoneIntake:
    """Asks the help-request questions through `ask` (a prompt in, a line out) and `say` (a line out)."""

    def __init__(self, city: CitySettings, texts: Texts, ask: Callable[[str], str], say: Callable[[str], None]):
        self.city, self.texts, self._ask, self.say = city, texts, ask, say
        self.form = HELP_REQUEST
        self.answers: dict[str, Answer] = {}

    def run(self) -> dict[str, Answer]:
        """Every question, then the whole form checked again (problems across questions asked once more)."""
        for question in self.form.fields:
            if self._applies(question):
                self._ask_until_valid(question)
            else:
                self.answers[question.name] = () if question.is_multiple else ""
        while problems := validate(self.form, self.answers, self.city):
            problem = problems[0]
            self.say(self._message(problem))
            self._ask_until_valid(self.form.get(problem.field), whole_form=True)
        return self.answers

    def _applies(self, question: Field) -> bool:
        # A conditional question is only asked when its condition holds, like the web form's own rules. The
        # free-text "tell us more" is asked always: it is where the caller's shopping list goes.
        return question.required_if is None or question.kind == "textarea" or self._condition_holds(question)

    def _condition_holds(self, question: Field) -> bool:
        if question.required_if is None:
            return False
        other, wanted = question.required_if
        given = self.answers.get(other, "")
        return wanted in given if isinstance(given, tuple) else given == wanted

    def _required(self, question: Field) -> bool:
        return question.required or self._condition_holds(question)

    def _ask_until_valid(self, question: Field, whole_form: bool = False) -> None:
        while True:
            value = self._ask_once(question)
            if value is None:
                self.say("  ! " + self.texts.form(NOT_A_CHOICE))
                continue
            self.answers[question.name] = value
            problems = [
                problem
                for problem in validate(self.form, self.answers, self.city)
                if problem.field == question.name and (whole_form or problem.message != self.form.one_of_message)
            ]
            if not problems:
                return
            if question.name in SCREEN_MESSAGES:
                self.say("  ! " + self.texts.gettext(NO_AGREEMENT))
            else:
                self.say(self._message(problems[0]))

    def _ask_once(self, question: Field) -> Answer | None:
        _, form = self.texts.gettext, self.texts.form
        self.say("")
        optional = _("optional: Enter to skip")
        self.say(form(question.label) + ("" if self._required(question) else f" ({optional})"))
        if question.hint and question.kind != "consent":
            self.say("  " + form(question.hint))
        if question.kind == "consent":
            return "yes" if self._consent(question) else ""
        options = choices(question, self.city)
        if not options:
            # Read like the web reads a posted answer (single-line answers trimmed), then checked the same way.
            return read_answers(self.form, {question.name: [self._line()]})[question.name]
        for number, option in enumerate(options, start=1):
            self.say(f"  {number}. {option.label if option.lang else form(option.label)}")
        if question.is_multiple:
            self.say("  " + _("Type the numbers, with spaces between them, for example: 1 3"))
        else:
            self.say("  " + _("Type one number."))
        numbers = re.split(r"[\s,;]+", self._line().strip())
        picked = [int(number) for number in numbers if number.isdigit()]
        if any(not number.isdigit() for number in numbers if number) or any(
            not 1 <= number <= len(options) for number in picked
        ):
            return None
        values = tuple(dict.fromkeys(options[number - 1].value for number in picked))
        if question.is_multiple:
            return values
        return values[0] if len(values) == 1 else ("" if not values else None)

    def _consent(self, question: Field) -> bool:
        _, form = self.texts.gettext, self.texts.form
        agreement = form(question.choices[0].label)
        if question.name == "consent":
            self.say("  " + _("Read this aloud to the caller:"))
            self.say(f"  \u201c{form(question.hint)} {agreement}?\u201d")
            agreed = self._yes_no(_("I read the consent text aloud and the caller agreed"))
            self.answers[CONSENT_READ_ALOUD] = "yes" if agreed else ""
            return agreed
        if question.hint:
            self.say("  " + form(question.hint))
        return self._yes_no(_("Did the caller agree: \u201c%(agreement)s\u201d?") % {"agreement": agreement})

    def _yes_no(self, prompt: str) -> bool:
        return read_yes_no(self.texts, self._line, self.say, prompt)

    def confirm(self, prompt: str) -> bool:
        """A last yes or no (save this request?); stop or the end of the input stop the intake."""
        return self._yes_no(prompt)

    def _line(self) -> str:
        try:
            line = self._ask("> ")
        except EOFError:
            raise IntakeStopped from None
        if line.strip().casefold() in STOP_WORDS:
            raise IntakeStopped
        return line

    def _message(self, problem: Problem) -> str:
        return "  ! " + self.texts.form(problem.message) % problem.params


def read_yes_no(texts: Texts, read_line: Callable[[], str], say: Callable[[str], None], prompt: str) -> bool:
    """Ask until the answer is yes or no, in either language (y, yes, j, ja / n, no, nee)."""
    while True:
        yes_no = texts.gettext("y/n")
        say(f"  {prompt} ({yes_no})")
        answer = read_line().strip().casefold()
        if answer in YES:
            return True
        if answer in NO:
            return False
        say(texts.gettext("Type y for yes or n for no."))


def confirm(texts: Texts, ask: Callable[[str], str], say: Callable[[str], None], prompt: str) -> bool:
    """A yes or no before something that cannot be undone; no answer (end of input, stop) is no."""

    def line() -> str:
        try:
            answer = ask("> ")
        except EOFError:
            return "n"
        return "n" if answer.strip().casefold() in STOP_WORDS else answer

    return read_yes_no(texts, line, say, prompt)
