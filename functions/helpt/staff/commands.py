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
from helpt.intake import make_reference
from helpt.staff.answers import CHANNELS, FORM_NAMES, STATUSES, labelled, local_time, named, record_lines
from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.submissions import Submission, expiry

ACTIONS = {
    "export": N_("export"),
    "handout": N_("hand-out"),
    "slip": N_("task slip"),
    "access": N_("access request"),
    "erase": N_("erasure"),
    "purge": N_("purge"),
}
ONE_REQUEST = N_("one help request")
EXPIRED = N_("expired records")
KEEP_SAFE = N_("It holds personal data: keep it in your own folder, never e-mail it, and delete it when you are done.")


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
    for event in context.store.events(record.reference):
        what = _("matched with %(other)s") % {"other": event.other} if event.kind == "match" else ""
        change = named(STATUSES, event.status, texts) if event.status else ""
        details = ", ".join(part for part in (what, change, event.reason) if part)
        _say(f"  {local_time(event.at, city)}  {event.by}: {details}")
    return 0


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
    _say(_("It holds the person's first name and address: give it to the matched volunteer only."))
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


def intake(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.intake_prompts import IntakeStopped, PhoneIntake

    _, city = context.texts.gettext, context.city
    _say(_("A help request taken by phone. Type the caller's answers; type stop to stop without saving."))
    prompts = PhoneIntake(city, context.texts, ask=input, say=_say)
    try:
        answers = prompts.run()
        created_at = context.now()
        lang = context.texts.lang if context.texts.lang in city.languages else city.default_language
        request = Submission(
            reference=make_reference(HELP_REQUEST, lang, answers, created_at),
            form=HELP_REQUEST.name,
            lang=lang,
            created_at=created_at,
            expires_at=expiry(created_at, city.retention_days),
            answers=answers,
            channel="phone",
            status="new",
        )
        _say("")
        _say(_("The request:"))
        for label, text in record_lines(request, context.texts, city):
            _say(f"  {label}: {text}")
        if not prompts.confirm(_("Save this request?")):
            raise IntakeStopped
    except IntakeStopped:
        _say(_("Stopped: nothing was saved."))
        return 1
    if context.store.add(request):
        _say(_("Saved. Give the caller this reference: %(reference)s") % {"reference": request.reference})
    else:
        _say(
            _("This request was already saved today, with reference %(reference)s.") % {"reference": request.reference}
        )
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


def purge(context: StaffContext, args: argparse.Namespace) -> int:
    deleted = _purge(context)
    text = context.texts.ngettext("Deleted %(count)d expired record.", "Deleted %(count)d expired records.", deleted)
    _say(text % {"count": deleted})
    return 0


def _purge(context: StaffContext) -> int:
    deleted = context.store.purge_expired(context.now())
    context.log("purge", EXPIRED, deleted)
    return deleted


def erase(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.intake_prompts import confirm
    from helpt.staff.privacy import Person, records_of

    _, now = context.texts.gettext, context.now()
    _purge(context)
    if args.reference:
        references, found_by = [args.reference], N_("by reference")
    else:
        person = Person(email=args.email or "", phone=args.phone or "", country_code=context.city.phone_country_code)
        kept, quarantined = records_of(context.store, person, now)
        references, found_by = list(dict.fromkeys(s.reference for s in kept + quarantined)), person.found_by
        if not references:
            context.log("erase", found_by, 0)
            _say(_("Nothing found: no record holds this e-mail address or phone number."))
            return 0
    _say(_("To erase: %(references)s") % {"references": ", ".join(references)})
    if not args.yes and not confirm(context.texts, input, _say, _("Erase these records for good?")):
        _say(_("Nothing was erased."))
        return 1
    erased = sum(context.store.erase(reference) for reference in references)
    context.log("erase", found_by, erased)
    _say(context.texts.ngettext("Erased %(count)d record.", "Erased %(count)d records.", erased) % {"count": erased})
    _say(_("Delete any file exported before that holds them too (see helpt exports for which were made)."))
    return 0


def access(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.privacy import Person, access_data, access_json, access_text, records_of

    _, now = context.texts.gettext, context.now()
    _purge(context)
    person = Person(email=args.email or "", phone=args.phone or "", country_code=context.city.phone_country_code)
    kept, quarantined = records_of(context.store, person, now)
    data = access_data(context.store, kept, quarantined, context.city, now)
    output = Path(args.output)
    as_json = (args.format or ("json" if output.suffix.lower() == ".json" else "text")) == "json"
    text = access_json(data) if as_json else access_text(data, kept, quarantined, context.texts, context.city)
    with private_file(output) as temporary:
        temporary.write_text(text, encoding="utf-8")
        context.log("access", person.found_by, len(kept) + len(quarantined))
    found = len(kept) + len(quarantined)
    wrote = context.texts.ngettext("Wrote %(count)d record to %(file)s.", "Wrote %(count)d records to %(file)s.", found)
    _say(wrote % {"count": found, "file": output})
    _say(_(KEEP_SAFE))
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
