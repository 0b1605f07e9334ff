"""The commands that write answers: `helpt intake` (a request taken by phone) and `helpt correct`.

Both ask questions through `prompts.py` and keep every typed answer until the worker saves or confirms
that they may go. A phone request is always a new record: it is never taken for a repeat of another.
"""

from __future__ import annotations

import argparse
import sys

from helpt.forms import FORMS
from helpt.intake import new_reference
from helpt.staff.answers import FORM_NAMES, answer_text, named, question, question_label
from helpt.staff.context import StaffContext
from helpt.staff.corrections import Change, CorrectionRefused, parse_setting, plan
from helpt.staff.corrections import correct as store_correction
from helpt.staff.intake_record import save_phone_request
from helpt.staff.problems import StaffProblem
from helpt.staff.prompts import Stopped, worker_message
from helpt.staff.texts import N_
from helpt.stores import StoreError
from helpt.submissions import Answer


def _say(text: str = "") -> None:
    print(text, flush=True)


def intake(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.intake_prompts import IntakeStopped, PhoneIntake

    _ = context.texts.gettext
    _say(_("A help request taken by phone. Type the caller's answers; at the end you can change any of them."))
    prompts = PhoneIntake(context.city, context.texts, ask=input, say=_say)
    try:
        answers = prompts.run()
        while True:
            try:
                reference = _save(context, answers)
                break
            except StoreError as error:
                # The answers are on the screen and still in memory: try again rather than lose them.
                _say(_("The store did not answer as expected: %(error)s") % {"error": error})
                if not prompts.yes_no(_("Nothing was saved yet. Try to save again?")):
                    raise IntakeStopped from None
    except IntakeStopped:
        _say(_("Stopped: nothing was saved."))
        return 1
    _say(_("Saved. Give the caller this reference: %(reference)s") % {"reference": reference})
    return 0


def _save(context: StaffContext, answers: dict[str, Answer]) -> str:
    """Keep the request under a new reference (intake_record.py: the same code as the web's phone intake).
    The references are drawn through this module's `new_reference`, which tests replace."""
    return save_phone_request(context.store, answers, city=context.city, lang=context.texts.lang,
                              clock=context.now, draw=new_reference).reference  # fmt: skip


def correct(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.correction_prompts import RecordCorrection
    from helpt.staff.matching import live_record

    _, texts, city = context.texts.gettext, context.texts, context.city
    record = live_record(context.store, args.reference, context.now())
    form = FORMS[record.form]
    if args.set:
        changes = dict(parse_setting(form, setting) for setting in args.set)
    else:
        _say(f"{named(FORM_NAMES, record.form, texts)} {record.reference}")
        prompts = RecordCorrection(record, city, texts, ask=input, say=_say)
        try:
            changes = prompts.run()
            planned = plan(record, changes, city)
            if planned:
                _say(_("The corrections:"))
                _show(context, form.name, planned)
            if planned and not prompts.yes_no(_("Save these corrections?")):
                raise Stopped
        except Stopped:
            _say(_("Stopped: nothing was changed."))
            return 1
    try:
        applied = store_correction(context.store, record.reference, changes, city=city, who=context.who,
                                   now=context.now())  # fmt: skip
    except CorrectionRefused as refused:
        for problem in refused.problems:
            label = question_label(refused.form, problem.field, texts)
            print(f"{label}: {worker_message(refused.form, problem, texts)}", file=sys.stderr)
        raise StaffProblem(N_("Nothing was changed: correct the answers above.")) from None
    if not applied:
        _say(_("Nothing to change: the record already holds these answers."))
        return 0
    _say(_("Corrected %(reference)s:") % {"reference": record.reference})
    _show(context, form.name, applied)
    _say(_("The old answers are kept in its history: helpt show %(reference)s") % {"reference": record.reference})
    return 0


def _show(context: StaffContext, form_name: str, changes: list[Change]) -> None:
    form, texts, city = FORMS[form_name], context.texts, context.city
    for change in changes:
        shown = question(form, change.question)
        old = answer_text(shown, change.old, texts, city) or "-"
        new = answer_text(shown, change.new, texts, city) or "-"
        _say(f"  {question_label(form, change.question, texts)}: {old} \u2192 {new}")
