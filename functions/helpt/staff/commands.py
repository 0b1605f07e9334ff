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
from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.privacy_commands import KEEP_SAFE, access, erase, purge
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.stores import Event

# Every command, for the command line to find by name; those that hold more than a few lines live apart.
__all__ = ["access", "correct", "erase", "export", "exports", "figures", "handout", "intake", "match", "purge",
           "show", "slip", "status", "worklist"]  # fmt: skip

ACTIONS = {
    "export": N_("export"),
    "handout": N_("hand-out"),
    "slip": N_("task slip"),
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


def worklist(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import worklist as make_worklist
    from helpt.staff.matching import worklist_text

    items = make_worklist(context.store, context.city, context.now(), limit=max(args.suggestions, 0))
    _say(worklist_text(items, context.texts, context.city).rstrip("\n"))
    return 0


def match(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import match as record_match

    _ = context.texts.gettext
    fits = record_match(context.store, args.request, args.volunteer, context.who, context.now())
    _say(_("Recorded: %(volunteer)s takes %(request)s.") % {"volunteer": args.volunteer, "request": args.request})
    if not fits:
        _say(_("Note: this volunteer did not sign up for this kind of help in this language."))
    _say(_("Next: print the task slip with: helpt slip %(request)s --output slip.pdf") % {"request": args.request})
    return 0


def status(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import set_status

    set_status(context.store, args.reference, args.status, args.reason, context.who, context.now())
    text = context.texts.gettext("%(reference)s is now: %(status)s.")
    _say(text % {"reference": args.reference, "status": named(STATUSES, args.status, context.texts)})
    return 0


def show(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import live_record

    _, city, texts = context.texts.gettext, context.city, context.texts
    record = live_record(context.store, args.reference, context.now())
    expires = dt.datetime.fromtimestamp(record.expires_at, dt.UTC)
    _say(f"{named(FORM_NAMES, record.form, texts)} {record.reference}")
    received = f"{local_time(record.created_at, city)} ({named(CHANNELS, record.channel, texts)})"
    _say(labelled(_("Received"), received, indent=2))
    _say(labelled(_("Status"), named(STATUSES, record.status, texts), indent=2))
    _say(labelled(_("Deleted after"), local_time(expires, city), indent=2))
    for label, text in record_lines(record, texts, city):
        _say(f"  {label}: {text}")
    history = context.store.events(record.reference)
    if history:
        _say(_("History:"))
    for event in history:
        _say("  " + history_line(event, record.form, context))
    return 0


def history_line(event: Event, form_name: str, context: StaffContext) -> str:
    """One event as staff read it: when, who, and what (a correction with the answer it replaced)."""
    from helpt.staff.answers import question_label, replaced_answer

    _, texts, city = context.texts.gettext, context.texts, context.city
    if event.kind == "correction":
        form = FORMS[form_name]
        old = replaced_answer(form, event.other, event.reason, texts, city)
        text = _("corrected %(question)s on %(date)s by %(who)s, was: %(old)s")
        values = {"question": question_label(form, event.other, texts), "date": local_time(event.at, city)}
        return text % {**values, "who": event.by, "old": old}
    what = _("matched with %(other)s") % {"other": event.other} if event.kind == "match" else ""
    change = named(STATUSES, event.status, texts) if event.status else ""
    details = ", ".join(part for part in (what, change, event.reason) if part)
    return f"{local_time(event.at, city)}  {event.by}: {details}"


def slip(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.matching import live_record, matched_volunteer
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
    from helpt.staff.export import Selection, run_export

    _, city = context.texts.gettext, context.city
    since, until = _period(context, args)
    postcodes = None
    described = [f"form={args.form}"] if args.form else []
    described += [f"from={args.date_from}"] if args.date_from else []
    described += [f"to={args.date_to}"] if args.date_to else []
    described += [f"status={args.status}"] if args.status else []
    if args.neighbourhood:
        hood = next((h for h in city.neighbourhoods if h.name.casefold() == args.neighbourhood.casefold()), None)
        if hood is None:
            names = ", ".join(h.name for h in city.neighbourhoods)
            raise StaffProblem(N_("There is no neighbourhood called %(name)s; choose from: %(names)s."),
                               name=args.neighbourhood, names=names)  # fmt: skip
        postcodes, described = frozenset(hood.postcodes), [*described, f"neighbourhood={hood.name}"]
    if args.postcode:
        postcodes, described = frozenset({args.postcode}), [*described, f"postcode={args.postcode}"]
    selection = Selection(
        forms=(args.form,) if args.form else tuple(FORMS), since=since, until=until, status=args.status,
        postcodes=postcodes, description=" ".join(described) or "all",
    )  # fmt: skip
    output = Path(args.output)
    file_format = args.format or ("xlsx" if output.suffix.lower() == ".xlsx" else "csv")
    separator = "\t" if args.separator == "tab" else args.separator
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress
    rows = run_export(context, selection, output, file_format, separator, show_progress)
    exported = context.texts.ngettext("Exported %(rows)d row to %(file)s.", "Exported %(rows)d rows to %(file)s.", rows)
    _say(exported % {"rows": rows, "file": output})
    _say(_(KEEP_SAFE))
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

    since, until = _period(context, args)
    counted = count(context.store, context.city, context.now(), since, until)
    _say(figures_text(counted, context.texts).rstrip("\n"))
    if args.chart:
        with private_file(Path(args.chart)) as temporary:
            temporary.write_bytes(chart_png(counted, context.texts, context.city))
        _say(context.texts.gettext("Wrote the chart to %(file)s.") % {"file": args.chart})
    return 0
