"""Asking a form's questions in the terminal, one at a time, with the web form's choices and checks.

The phone intake and a correction of a stored record both ask this way. Choices are shown as numbers; an
answer with a problem is asked again with the form's message, or, where the form's message speaks to a
person at a screen ("tick the box", "call us"), with one meant for the call-centre worker. Typing `stop`
stops only after the worker confirmed that the answers typed so far may go: no answer is lost by accident.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from helpt.forms import Field, Form, choices
from helpt.settings import CitySettings
from helpt.staff.answers import CONSENT_READ_ALOUD, answer_text, question_label
from helpt.staff.rules import applies, one_of_partners
from helpt.staff.texts import N_, Texts
from helpt.submissions import Answer
from helpt.validation import NOT_A_CHOICE, Problem, is_required, read_answers

STOP_WORDS = {"stop", "stoppen"}
YES = {"y", "yes", "j", "ja"}
NO = {"n", "no", "nee", "neen"}
# The form's messages for these speak to someone at a screen ("tick the box"); on the phone it is this.
SCREEN_MESSAGES = ("consent", "health_consent", "health_consent_other")
NO_AGREEMENT = N_("Without this agreement the request cannot be recorded. Type y once the caller agrees, or stop.")
# The web form tells a visitor outside the city to call the city's line: the worker is on that line.
OUTSIDE = N_(
    "%(city)s can only help in %(postcodes)s. Check the postcode with the caller. If they live elsewhere, "
    "tell them the city cannot help there and ask the coordinator where to send them, or type stop."
)


class Stopped(Exception):
    """The worker typed stop and confirmed it, or the input ended: nothing is saved."""


class Prompter:
    """Asks questions of `form` through `ask` (a prompt in, a line out) and `say` (a line out), into
    `answers`, which may start from a stored record's answers."""

    def __init__(
        self,
        form: Form,
        city: CitySettings,
        texts: Texts,
        ask: Callable[[str], str],
        say: Callable[[str], None],
        answers: Mapping[str, Answer] | None = None,
    ) -> None:
        self.form, self.city, self.texts, self._ask, self.say = form, city, texts, ask, say
        self.answers: dict[str, Answer] = dict(answers or {})
        self.asked: set[str] = set()

    def problems(self) -> list[Problem]:
        """What still has to be fixed before the answers can be kept (each flow says what that is)."""
        raise NotImplementedError

    def ask_question(self, question: Field) -> None:
        """Ask until the answer has no problem of its own; problems across questions (one of phone or
        e-mail) are left for `fix_problems`, once every question was asked."""
        self.asked.add(question.name)
        while True:
            value = self._ask_once(question)
            if value is None:
                self.say("  ! " + self.texts.form(NOT_A_CHOICE))
                continue
            self.answers[question.name] = value
            own = [p for p in self.problems() if p.field == question.name and not self._is_one_of(p)]
            if not own:
                return
            self.say(self.problem_text(own[0]))

    def fix_problems(self) -> None:
        """Ask again, one by one, the questions that still have a problem; for "a phone number or an
        e-mail address", each of them in turn until one is given."""
        while problems := self.problems():
            problem = problems[0]
            self.say(self.problem_text(problem))
            rule = next((rule for rule in self.form.one_of if rule.message == problem.message), None)
            for name in rule.fields if rule else (problem.field,):
                self.ask_question(self.form.get(name))
                if self.answers.get(name):
                    break

    def pick_question(self, prompt: str) -> Field | None:
        """The numbered list of the questions that apply, with their answers; the one picked, or None."""
        _ = self.texts.gettext
        shown = [question for question in self.form.fields if applies(self.form, question, self.answers)]
        while True:
            self.say("")
            for number, question in enumerate(shown, start=1):
                value = answer_text(question, self.answers.get(question.name, ""), self.texts, self.city)
                label = question_label(self.form, question.name, self.texts)
                self.say(f"  {number}. {label}: {value or '-'}")
            self.say("  " + prompt)
            line = self.line().strip()
            if not line:
                return None
            if line.isdigit() and 1 <= int(line) <= len(shown):
                return shown[int(line) - 1]
            self.say("  ! " + _("Type one of the numbers shown, or press Enter."))

    def _is_one_of(self, problem: Problem) -> bool:
        return any(problem.message == rule.message for rule in self.form.one_of)

    def _ask_once(self, question: Field) -> Answer | None:
        _, form = self.texts.gettext, self.texts.form
        self.say("")
        self.say(form(question.label) + self._marker(question))
        if question.hint and question.kind != "consent":
            self.say("  " + form(question.hint))
        if question.kind == "consent":
            return "yes" if self._consent(question) else ""
        options = choices(question, self.city)
        if not options:
            # Read like the web reads a posted answer (single-line answers trimmed), then checked the same way.
            return read_answers(self.form, {question.name: [self.line()]})[question.name]
        for number, option in enumerate(options, start=1):
            self.say(f"  {number}. {option.label if option.lang else form(option.label)}")
        if question.is_multiple:
            self.say("  " + _("Type the numbers, with spaces between them, for example: 1 3"))
        else:
            self.say("  " + _("Type one number."))
        numbers = [number for number in re.split(r"[\s,;]+", self.line().strip()) if number]
        if not all(number.isdigit() and 1 <= int(number) <= len(options) for number in numbers):
            return None
        values = tuple(dict.fromkeys(options[int(number) - 1].value for number in numbers))
        if question.is_multiple:
            return values
        return values[0] if len(values) == 1 else ("" if not values else None)

    def _marker(self, question: Field) -> str:
        """After the label: nothing when the answer is needed, else when it may be skipped."""
        _ = self.texts.gettext
        if is_required(question, self.answers):
            return ""
        partners = one_of_partners(self.form, question, self.answers)
        if partners:
            others = ", ".join(self.texts.form(self.form.get(name).label) for name in partners)
            return " (" + _("Enter to skip if the caller gives this instead: %(others)s") % {"others": others} + ")"
        return " (" + _("optional: Enter to skip") + ")"

    def _consent(self, question: Field) -> bool:
        _, form = self.texts.gettext, self.texts.form
        agreement = form(question.choices[0].label)
        if question.name == "consent":
            self.say("  " + _("Read this aloud to the caller:"))
            # The form's own words end with the box's "I agree"; on the phone the caller is asked.
            question_to_caller = _("Do you agree?")
            self.say(f"  \u201c{form(question.hint)} {question_to_caller}\u201d")
            agreed = self.yes_no(_("I read the consent text aloud and the caller agreed"))
            self.answers[CONSENT_READ_ALOUD] = "yes" if agreed else ""
            return agreed
        if question.hint:
            self.say("  " + form(question.hint))
        return self.yes_no(_("Did the caller agree: \u201c%(agreement)s\u201d?") % {"agreement": agreement})

    def yes_no(self, prompt: str) -> bool:
        return read_yes_no(self.texts, self.line, self.say, prompt)

    def line(self) -> str:
        """One typed line; `stop` stops only once confirmed, and the question is asked again otherwise."""
        _ = self.texts.gettext
        while True:
            try:
                line = self._ask("> ")
            except EOFError:
                raise Stopped from None
            if line.strip().casefold() not in STOP_WORDS:
                return line
            if self._stop_confirmed():
                raise Stopped
            self.say("  " + _("Carry on: type the answer to the question above."))

    def _stop_confirmed(self) -> bool:
        _ = self.texts.gettext
        typed = sum(1 for name, value in self.answers.items() if value and name in self.asked)
        if not typed:
            return True
        warning = self.texts.ngettext(
            "Nothing is saved yet: the %(count)d answer typed so far will be lost.",
            "Nothing is saved yet: the %(count)d answers typed so far will be lost.",
            typed,
        )
        self.say("  " + warning % {"count": typed})

        def answer() -> str:
            try:
                text = self._ask("> ")
            except EOFError:
                return "y"
            return "y" if text.strip().casefold() in STOP_WORDS else text

        return read_yes_no(self.texts, answer, self.say, _("Stop and lose them?"))

    def problem_text(self, problem: Problem) -> str:
        return "  ! " + worker_message(self.form, problem, self.texts)


def worker_message(form: Form, problem: Problem, texts: Texts) -> str:
    """A problem as the form says it, unless the form's words are meant for a person at a screen."""
    question = form.get(problem.field)
    if question.name in SCREEN_MESSAGES:
        return texts.gettext(NO_AGREEMENT)
    if question.outside and problem.message == question.outside:
        return texts.gettext(OUTSIDE) % problem.params
    return texts.form(problem.message) % problem.params


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
