"""Correcting a stored record's answers: checked with the form's own validation, and kept in its history.

One operation, called by the command line (`helpt correct`) and, next, by the web back office: nothing here
reads or prints. A correction replaces the answers it changes in one step with the history events that
say, per question, when, by whom, and what the answer was before (`Event(kind="correction")`), so a
mistake in a correction can itself be corrected. Questions the correction makes inapplicable (the asker's
details, once "for someone else" became "for myself") are emptied in the same step, with their own events.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from helpt.forms import FORMS, Form
from helpt.settings import CitySettings
from helpt.staff.answers import CONSENT_READ_ALOUD, stored_text
from helpt.staff.matching import NOT_FOUND, live_record
from helpt.staff.problems import StaffProblem
from helpt.staff.rules import changed, corrected, new_problems
from helpt.staff.texts import N_
from helpt.stores import Event, StaffStore
from helpt.submissions import Answer, Submission
from helpt.validation import Problem, read_answers

CORRECTION = "correction"
NOT_A_QUESTION = N_("%(name)s is not a question of this form; choose from: %(names)s.")


@dataclass(frozen=True)
class Change:
    """One corrected answer: the question's name, the answer before and after."""

    question: str
    old: Answer
    new: Answer


class CorrectionRefused(Exception):
    """The corrected answers have problems (the form's own messages): nothing was changed."""

    def __init__(self, form: Form, problems: list[Problem]) -> None:
        super().__init__(", ".join(problem.field for problem in problems))
        self.form, self.problems = form, problems


def correctable(form: Form) -> tuple[str, ...]:
    """The answers staff may correct: the form's questions, and for a consent corrected on the phone,
    that it was read aloud."""
    return (*form.names, CONSENT_READ_ALOUD)


def plan(record: Submission, changes: Mapping[str, Answer], city: CitySettings) -> list[Change]:
    """What correcting the record with these answers changes, checked; raises CorrectionRefused with the
    form's messages if the corrected record would have a problem it did not have."""
    form = FORMS[record.form]
    for name in changes:
        if name not in correctable(form):
            raise StaffProblem(NOT_A_QUESTION, name=name, names=", ".join(form.names))
    after = corrected(form, record.answers, changes)
    problems = new_problems(form, record.answers, after, city)
    if problems:
        raise CorrectionRefused(form, problems)
    return [Change(name, record.answers.get(name, ""), after[name]) for name in changed(record.answers, after)]


def correct(
    store: StaffStore,
    reference: str,
    changes: Mapping[str, Answer],
    *,
    city: CitySettings,
    who: str,
    now: dt.datetime,
) -> list[Change]:
    """Correct a live record's answers and record each change in its history; return what changed
    (nothing, when the answers were already so)."""
    record = live_record(store, reference, now)
    planned = plan(record, changes, city)
    if not planned:
        return []
    events = [Event(at=now, kind=CORRECTION, other=c.question, reason=stored_text(c.old), by=who) for c in planned]
    if not store.correct(record.reference, {c.question: c.new for c in planned}, events, now=now):
        raise StaffProblem(NOT_FOUND, reference=reference)
    return planned


def parse_setting(form: Form, setting: str) -> tuple[str, Answer]:
    """`question=value` from the command line, as the form would have received it: a one-line answer
    trimmed, several choices separated by commas (`help=groceries,pharmacy`), and nothing after `=` to
    empty an answer.

    >>> from helpt.forms import HELP_REQUEST
    >>> parse_setting(HELP_REQUEST, "phone= 0470 12 34 56 "), parse_setting(HELP_REQUEST, "help=groceries, dog")
    (('phone', '0470 12 34 56'), ('help', ('groceries', 'dog')))
    """
    name, equals, value = setting.partition("=")
    name = name.strip()
    if not equals or name not in correctable(form):
        raise StaffProblem(NOT_A_QUESTION, name=name or setting, names=", ".join(form.names))
    if name not in form.names:
        return name, value.strip()
    question = form.get(name)
    values = [item for item in re.split(r"[\s,;]+", value) if item] if question.is_multiple else [value]
    return name, read_answers(form, {name: values})[name]
