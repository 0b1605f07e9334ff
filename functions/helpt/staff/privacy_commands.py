"""The privacy commands: `helpt access`, `helpt erase` and `helpt purge` (what they hold: `privacy.py`).

Each first deletes what is past its retention period, so that what is reported or erased is everything the
city holds, and each is recorded in the export log without the address or number the person was found by.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.privacy import Person
from helpt.staff.texts import N_
from helpt.submissions import Submission

EXPIRED = N_("expired records")
KEEP_SAFE = N_("It holds personal data: keep it in your own folder, never e-mail it, and delete it when you are done.")


def _say(text: str = "") -> None:
    print(text, flush=True)


def purge(context: StaffContext, args: argparse.Namespace) -> int:
    deleted = purge_expired(context)
    text = context.texts.ngettext("Deleted %(count)d expired record.", "Deleted %(count)d expired records.", deleted)
    _say(text % {"count": deleted})
    return 0


def purge_expired(context: StaffContext) -> int:
    deleted = context.store.purge_expired(context.now())
    context.log("purge", EXPIRED, deleted)
    return deleted


def _person(context: StaffContext, args: argparse.Namespace) -> Person:
    return Person(email=args.email or "", phone=args.phone or "", country_code=context.city.phone_country_code)


def erase(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.privacy import erasure_line, records_of
    from helpt.staff.prompts import confirm

    _, now, texts = context.texts.gettext, context.now(), context.texts
    purge_expired(context)
    found: list[tuple[Submission, tuple[str, ...]]]
    if args.reference:
        found_by = N_("by reference")
        live = context.store.get(args.reference, now=now)
        apart = [record for record in context.store.quarantined(now=now) if record.reference == args.reference]
        found = [(record, ()) for record in ([live] if live else []) + apart]
        nothing = _("Nothing found: there is no record with reference %(reference)s.") % {"reference": args.reference}
    else:
        person = _person(context, args)
        kept, quarantined = records_of(context.store, person, now)
        found = [(record, person.found_as(record)) for record in kept + quarantined]
        found_by, nothing = person.found_by, _("Nothing found: no record holds this e-mail address or phone number.")
    if not found:
        context.log("erase", found_by, 0)
        _say(nothing)
        return 0
    # Staff check each record against what the person told them before anything goes for good.
    _say(_("To erase:"))
    for record, roles in found:
        _say(erasure_line(record, texts, context.city, roles))
    if any(roles == ("asker",) for _record, roles in found):
        _say(_("Note: a request found by the asker's details is erased whole, with the details of the person "
               "who needs help. Check with the coordinator whether that request is still being handled."))  # fmt: skip
    if not args.yes and not confirm(texts, input, _say, _("Erase these records for good?")):
        _say(_("Nothing was erased."))
        return 1
    references = list(dict.fromkeys(record.reference for record, _roles in found))
    erased = sum(context.store.erase(reference) for reference in references)
    context.log("erase", found_by, erased)
    _say(texts.ngettext("Erased %(count)d record.", "Erased %(count)d records.", erased) % {"count": erased})
    _say(_("Delete any file exported before that holds them too (see helpt exports for which were made)."))
    return 0


def access(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.privacy import access_data, access_json, access_text, records_of

    _, now = context.texts.gettext, context.now()
    purge_expired(context)
    person = _person(context, args)
    kept, quarantined = records_of(context.store, person, now)
    data = access_data(context.store, person, kept, quarantined, context.city, now)
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
