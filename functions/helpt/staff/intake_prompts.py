"""Phone intake: the help-request form asked question by question in the terminal, for a caller.

The questions, choices, checks and messages are the web form's own (`helpt.forms`, `helpt.validation`), so a
request taken by phone is the same record as one sent online. The consent is read aloud to the caller, and
the worker confirms that explicitly: the record keeps that confirmation as the answer `consent_read_aloud`.

Questions that only apply in some cases are asked only when they apply, as the form's rules say
(`staff/rules.py`): the asker's own questions only when the help is for someone else, the medicine consent
that fits who gives it. At the end the worker sees the whole request and saves it, or changes any answer and
sees it again: nothing typed is lost, and only `stop`, confirmed, drops the answers.
"""

from __future__ import annotations

from collections.abc import Callable

from helpt.forms import HELP_REQUEST, Section
from helpt.settings import CitySettings
from helpt.staff.answers import answer_lines
from helpt.staff.prompts import Prompter, Stopped
from helpt.staff.rules import applies, kept
from helpt.staff.texts import Texts
from helpt.submissions import Answer
from helpt.validation import Problem, validate

IntakeStopped = Stopped
SAVE_WORDS = {"y", "yes", "j", "ja"}
CHANGE_WORDS = {"n", "no", "nee", "neen", "change", "wijzig", "wijzigen", "c"}


class PhoneIntake(Prompter):
    """The help request, asked of a caller: `run` returns the answers to keep once the worker saves."""

    def __init__(self, city: CitySettings, texts: Texts, ask: Callable[[str], str], say: Callable[[str], None]) -> None:
        super().__init__(HELP_REQUEST, city, texts, ask, say)

    def problems(self) -> list[Problem]:
        return validate(self.form, kept(self.form, self.answers), self.city)

    def run(self) -> dict[str, Answer]:
        """Every question that applies, the whole form checked, then the summary until the worker saves."""
        self.ask_missing()
        self.fix_problems()
        while not self._save_or_change():
            question = self.pick_question(
                self.texts.gettext("Which answer do you want to change? Type its number, or Enter for the summary.")
            )
            if question is not None:
                self.ask_question(question)
                self.ask_missing()  # a changed "for whom" or kind of help brings questions of its own
                self.fix_problems()
        return kept(self.form, self.answers)

    def ask_missing(self) -> None:
        """Ask, in the form's order, every question that applies and was not asked yet."""
        shown: Section | None = None
        for question in self.form.fields:
            if question.name in self.asked or not applies(self.form, question, self.answers):
                continue
            section = self.form.section_of(question.name)
            if section is not None and section is not shown:
                self.say("")
                self.say(f"== {self.texts.form(section.legend)} ==")
            shown = section
            self.ask_question(question)

    def summary(self) -> list[str]:
        lines = [self.texts.gettext("The request:")]
        for label, text in answer_lines(self.form, kept(self.form, self.answers), self.texts, self.city):
            lines.append(f"  {label}: {text}")
        return lines

    def _save_or_change(self) -> bool:
        _ = self.texts.gettext
        self.say("")
        for line in self.summary():
            self.say(line)
        while True:
            self.say("  " + _("Save this request? Type y to save it, n to change an answer, or stop."))
            answer = self.line().strip().casefold()
            if answer in SAVE_WORDS:
                return True
            if answer in CHANGE_WORDS:
                return False
            self.say(_("Type y to save, n to change an answer."))
