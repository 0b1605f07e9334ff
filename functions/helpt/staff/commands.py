"""What each `helpt` command does, from its parsed arguments: thin, over the modules that hold the work.

Each function takes the context and the arguments, prints what a coordinator needs to read, and returns
the exit status. Problems the staff member can fix are raised as StaffProblem (the command line prints them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from helpt.forms import FORMS, HELP_REQUEST
from helpt.staff.answer_commands import correct, intake
from helpt.staff.answers import CHANNELS, FORM_NAMES, STATUSES, labelled, local_time, named, record_lines
from helpt.staff.casework_commands import claim, confirm, match, note, pause, propose, release, resume, undo, worklist
from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.privacy_commands import KEEP_SAFE, access, erase, purge
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.staff.verify_commands import card, unverify
from helpt.staff.verify_commands import check_code as check
from helpt.staff.verify_commands import verify_volunteer as verify
from helpt.stores import Event

# Every command, for the command line to find by name; those that hold more than a few lines live apart.
__all__ = ["access", "card", "check", "claim", "confirm", "correct", "erase", "export", "exports", "figures", "handout",
           "intake", "match", "note", "pause", "propose", "purge", "release", "resume", "show", "slip", "status",
           "undo", "unverify", "verify", "worklist"]  # fmt: skip

ACTIONS = {
    "export": N_("export"),
    "handout": N_("hand-out"),
    "slip": N_("task slip"),
    "card": N_("personal card"),
    "access": N_("access request"),
    "erase": N_("erasure"),
    "purge": N_("purge"),
}
ONE_REQUEST = N_("one help request")


def _say(text: str = "") -> None:
    print(text, flush=True)


def _day_start(day: dt.date, context: StaffContext) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), ZoneInfo(context.city.timezone)).astimezone(dt.UTC)


def _period(context: StaffContext, args: argparse.Namespace) -> tuple[dt.datetime | None, dt.datetime | None]:
    since = _day_start(args.date_from, context) if args.date_from else None
    until = _day_start(args.date_to + dt.timedelta(days=1), context) if args.date_to else None
    return since, until


def status(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.casework import set_status

    set_status(context.store, args.reference, args.status, args.reason, context.who, context.now())
    text = context.texts.gettext("%(reference)s is now: %(status)s.")
    _say(text % {"reference": args.reference, "status": named(STATUSES, args.status, context.texts)})
    return 0


def show(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import live_record
    from helpt.staff.worklist import case_state

    _, city, texts = context.texts.gettext, context.city, context.texts
    record = live_record(context.store, args.reference, context.now())
    history = context.store.events(record.reference)
    state = case_state(record, history)
    expires = dt.datetime.fromtimestamp(record.expires_at, dt.UTC)
    _say(f"{named(FORM_NAMES, record.form, texts)} {record.reference}")
    received = f"{local_time(record.created_at, city)} ({named(CHANNELS, record.channel, texts)})"
    _say(labelled(_("Received"), received, indent=2))
    _say(labelled(_("Status"), named(STATUSES, record.status, texts), indent=2))
    case = [
        (_("Claimed by"), state.claimed_by),
        (_("Call back"), local_time(state.call_back_at, city) if state.call_back_at else ""),
        (_("Proposed"), ", ".join(state.proposals)),
        (_("Matched with"), ", ".join(state.confirmed)),
        (_("Paused"), state.pause_reason if state.paused else ""),
    ]
    for label, text in case:
        if text:
            _say(labelled(label, text, indent=2))
    _say(labelled(_("Deleted after"), local_time(expires, city), indent=2))
    for label, text in record_lines(record, texts, city):
        _say(f"  {label}: {text}")
    shown = [event for number, event in enumerate(history) if not _repeats(history, number)]
    if shown:
        _say(_("History:"))
    for event in shown:
        _say("  " + history_line(event, record.form, context))
    return 0


def _repeats(history: list[Event], number: int) -> bool:
    """A "match" recorded with its "confirm" (for the stores' `last_matched`) is the same step: shown once."""
    event, before = history[number], history[number - 1] if number else None
    return event.kind == "match" and before is not None and (before.kind, before.other, before.at) == (
        "confirm", event.other, event.at,
    )  # fmt: skip


# What staff did, in words; %(other)s is the other side's reference (or, for a claim, the colleague).
_EVENT_WORDS = {
    "match": N_("matched with %(other)s"),
    "confirm": N_("match confirmed with %(other)s (both agreed)"),
    "undo": N_("proposal or match with %(other)s undone"),
    "pause": N_("paused"),
    "resume": N_("suggested again"),
    "verify": N_("verified: identity checked, personal card with a new check code"),
    "unverify": N_("verification withdrawn"),
}


def history_line(event: Event, form_name: str, context: StaffContext) -> str:
    """One event as staff read it: when, who, and what (a correction with the answer it replaced)."""
    from helpt.staff.answers import question_label, replaced_answer
    from helpt.staff.casework import HANDED_OVER

    _, texts, city = context.texts.gettext, context.texts, context.city
    if event.kind == "correction":
        form = FORMS[form_name]
        old = replaced_answer(form, event.other, event.reason, texts, city)
        text = _("corrected %(question)s on %(date)s by %(who)s, was: %(old)s")
        values = {"question": question_label(form, event.other, texts), "date": local_time(event.at, city)}
        return text % {**values, "who": event.by, "old": old}
    reason, what = event.reason, ""
    if event.kind in _EVENT_WORDS:
        what = _(_EVENT_WORDS[event.kind]) % {"other": event.other}
    elif event.kind == "proposal":
        proposed = _("proposed for %(other)s") if form_name == "volunteer_signup" else _("proposed %(other)s")
        what = proposed % {"other": event.other}
    elif event.kind == "claim":
        reason = ""
        if event.reason.startswith(HANDED_OVER):
            handed = _("handed over by %(from)s to %(other)s")
            what = handed % {"from": event.reason.removeprefix(HANDED_OVER), "other": event.other}
        else:
            what = _("claimed by %(other)s") % {"other": event.other} if event.other else _("released")
    elif event.kind == "answer":  # the volunteer's answer by the links in their message (answer_views)
        # `by` is the volunteer; on the volunteer's own history `other` is the request they answered for.
        said = _("yes, I can") if event.reason == "yes" else _("not this time")
        if form_name == "volunteer_signup":
            what = _("answered the proposal for %(other)s by its link: %(answer)s")
        else:
            what = _("answered the proposal by its link: %(answer)s")
        what = what % {"other": event.other, "answer": said}
        reason = ""
    elif event.kind == "note":
        what = labelled(_("note"), event.reason)
        when = local_time(dt.datetime.fromisoformat(event.other), city) if event.other else ""
        reason = _("call back %(time)s") % {"time": when} if when else ""
    change = named(STATUSES, event.status, texts) if event.status else ""
    details = ", ".join(part for part in (what, change, reason) if part)
    return f"{local_time(event.at, city)}  {event.by}: {details}"


def digest(context: StaffContext, args: argparse.Namespace) -> int:
    """`helpt digest`: tell the help mailbox which requests wait longer than the city promises (run it each
    morning; on AWS the schedule calls helpt.app.digest_handler, the same core)."""
    from helpt.notify.triggers import run_digest

    _ = context.texts.gettext
    overdue = run_digest(context.store, context.city, context.notifier, context.now())
    hours = {"hours": f"{context.city.staff.promise_hours:g}"}
    if not overdue:
        print(_("No request waits longer than %(hours)s hours: no digest sent.") % hours)
        return 0
    print(_("Waiting longer than %(hours)s hours: %(references)s") % {**hours, "references": ", ".join(overdue)})
    if context.notifier is None:
        print(_("Messages are not set up here: nothing was sent."))
    return 0


def slip(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.casework import matched_volunteer
    from helpt.staff.matching import live_record
    from helpt.staff.slip import slip_pdf

    _ = context.texts.gettext
    request = live_record(context.store, args.reference, context.now(), HELP_REQUEST.name)
    volunteer_reference = matched_volunteer(context.store, request)
    if volunteer_reference is None:
        raise StaffProblem(
            N_("Match a volunteer first: helpt match %(reference)s V-REFERENCE"), reference=request.reference
        )
    volunteer = context.store.get(volunteer_reference, now=context.now())
    pdf = slip_pdf(request, volunteer, context.texts, context.city, args.paper)
    with private_file(Path(args.output)) as temporary:
        temporary.write_bytes(pdf)
        context.log("slip", ONE_REQUEST, 1)
    _say(_("Wrote the task slip to %(file)s.") % {"file": args.output})
    _say(_("It holds the person's first name, address and a phone number: give it to the matched volunteer only."))
    return 0


def handout(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.handout import handout_text
    from helpt.staff.matching import live_record

    request = live_record(context.store, args.reference, context.now(), HELP_REQUEST.name)
    text = handout_text(request, context.texts, context.city)
    if args.output:
        with private_file(Path(args.output)) as temporary:
            temporary.write_text(text, encoding="utf-8")
            context.log("handout", ONE_REQUEST, 1)
        _say(context.texts.gettext("Wrote the hand-out to %(file)s.") % {"file": args.output})
    else:
        context.log("handout", ONE_REQUEST, 1)
        _say(text.rstrip("\n"))
    return 0


def export(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.export import run_export
    from helpt.staff.export_selection import SEPARATORS, ExportFilters, ExportOrder

    filters = ExportFilters(
        form=args.form or "", date_from=args.date_from, date_to=args.date_to, status=args.status or "",
        neighbourhood=args.neighbourhood or "", postcode=args.postcode or "", vacancy=args.vacancy or "",
    )  # fmt: skip
    output = Path(args.output)
    file_format = args.format or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    order = ExportOrder(filters, file_format, SEPARATORS[args.separator])
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress
    rows = run_export(context, order, output, show_progress)
    exported = context.texts.ngettext("Exported %(rows)d row to %(file)s.", "Exported %(rows)d rows to %(file)s.", rows)
    _say(exported % {"rows": rows, "file": output})
    _say(context.texts.gettext(KEEP_SAFE))
    return 0


def exports(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    entries = list(context.store.log_entries())
    if not entries:
        _say(_("Nothing was exported or erased yet."))
    for entry in entries:
        action = named(ACTIONS, entry.action, context.texts)
        _say(f"{local_time(entry.at, context.city)}  {entry.who}  {action}  {_(entry.filter)}  ({entry.rows})")
    return 0


def figures(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.figures import chart_png, count, figures_text
    from helpt.staff.figures_charts import per_day_chart
    from helpt.staff.figures_public import public_counts, write_public

    _ = context.texts.gettext
    since, until = _period(context, args)
    counted = count(context.store, context.city, context.now(), since, until)
    _say(figures_text(counted, context.texts, context.city).rstrip("\n"))
    if args.chart:
        with private_file(Path(args.chart)) as temporary:
            if Path(args.chart).suffix.lower() == ".svg":
                temporary.write_text(per_day_chart(counted, context.texts, context.city).svg(file=True),
                                     encoding="utf-8")  # fmt: skip
            else:
                temporary.write_bytes(chart_png(counted, context.texts, context.city))
        _say(_("Wrote the chart to %(file)s.") % {"file": args.chart})
    if args.public:
        made_at = context.now().astimezone(ZoneInfo(context.city.timezone))
        with private_file(Path(args.public)) as temporary:
            write_public(temporary, public_counts(counted, context.city, made_at, args.date_from, args.date_to))
        _say(_("Wrote the public figures to %(file)s: build the site to show them.") % {"file": args.public})
    return 0
