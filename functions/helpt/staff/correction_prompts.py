"""Correcting a stored record in the terminal: pick a question, type the new answer, checked as the form checks.

The questions are asked exactly as in the phone intake (`prompts.py`). What is checked is what the
correction changes (`rules.new_problems`): a record from before today's rules can still be corrected, and a
correction that makes another answer needed (a request now for someone else needs the asker's name) asks
for that answer too. The operation itself is `corrections.correct`, which the command calls afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from helpt.forms import FORMS
from helpt.settings import CitySettings
from helpt.staff.answers import CONSENT_READ_ALOUD
from helpt.staff.prompts import Prompter
from helpt.staff.rules import changed, corrected, new_problems
from helpt.staff.texts import Texts
from helpt.submissions import Answer, Submission
from helpt.validation import Problem


class RecordCorrection(Prompter):
    """Asks the questions staff pick of one record; `run` returns the answers they typed."""

    def __init__(
        self,
        record: Submission,
        city: CitySettings,
        texts: Texts,
        ask: Callable[[str], str],
        say: Callable[[str], None],
    ) -> None:
        super().__init__(FORMS[record.form], city, texts, ask, say, record.answers)
        self.original = dict(record.answers)

    def changes(self) -> dict[str, Answer]:
        names = [*self.asked, CONSENT_READ_ALOUD]
        typed = {name: self.answers[name] for name in names if name in self.answers}
        return {name: typed[name] for name in changed({n: self.original.get(n, "") for n in typed}, typed)}

    def problems(self) -> list[Problem]:
        after = corrected(self.form, self.original, self.changes())
        return new_problems(self.form, self.original, after, self.city)

    def run(self) -> dict[str, Answer]:
        prompt = self.texts.gettext("Which answer do you want to correct? Type its number, or Enter when done.")
        while (question := self.pick_question(prompt)) is not None:
            self.ask_question(question)
            self.fix_problems()
        return self.changes()
