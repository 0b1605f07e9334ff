"""The privacy commands: `helpt access`, `helpt erase` and `helpt purge` (what they hold: `privacy.py`).

Each first deletes what is past its retention period, so that what is reported or erased is everything the
city holds, and each is recorded in the export log without the address or number the person was found by.
The steps are the core's (privacy_requests.py), which the back office's privacy pages call too; this module
only reads the options, asks for the confirmation and says what happened.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.privacy import Person, erasure_line
from helpt.staff.privacy_requests import (
    Search,
    access_report,
    erase_records,
    log_access,
    purge_expired,
    records_to_erase,
)
from helpt.staff.texts import N_

KEEP_SAFE = N_("It holds personal data: keep it in your own folder, never e-mail it, and delete it when you are done.")


def _say(text: str = "") -> None:
    print(text, flush=True)


def purge(context: StaffContext, args: argparse.Namespace) -> int:
    deleted = purge_expired(context.store, context.who, context.now())
    text = context.texts.ngettext("Deleted %(count)d expired record.", "Deleted %(count)d expired records.", deleted)
    _say(text % {"count": deleted})
    return 0


def _person(context: StaffContext, args: argparse.Namespace) -> Person:
    return Person(email=args.email or "", phone=args.phone or "", country_code=context.city.phone_country_code)


def erase(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.prompts import confirm

    # The clock is read again for each step: the export log keeps the purge before the erasure.
    _, texts = context.texts.gettext, context.texts
    search = Search(reference=args.reference) if args.reference else Search(person=_person(context, args))
    found = records_to_erase(context.store, search, context.who, context.now())
    if not found:
        erase_records(context.store, search, (), context.who, context.now())
        if args.reference:
            _say(_("Nothing found: there is no record with reference %(reference)s.") % {"reference": args.reference})
        else:
            _say(_("Nothing found: no record holds this e-mail address or phone number."))
        return 0
    # Staff check each record against what the person told them before anything goes for good.
    _say(_("To erase:"))
    for item in found:
        _say(erasure_line(item.record, texts, context.city, item.roles))
    if any(item.by_asker_only for item in found):
        _say(_("Note: a request found by the asker's details is erased whole, with the details of the person "
               "who needs help. Check with the coordinator whether that request is still being handled."))  # fmt: skip
    if not args.yes and not confirm(texts, input, _say, _("Erase these records for good?")):
        _say(_("Nothing was erased."))
        return 1
    references = [item.reference for item in found]
    erased = erase_records(context.store, search, references, context.who, context.now()).records
    _say(texts.ngettext("Erased %(count)d record.", "Erased %(count)d records.", erased) % {"count": erased})
    _say(_("Delete any file exported before that holds them too (see helpt exports for which were made)."))
    return 0


def access(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    output = Path(args.output)
    as_json = (args.format or ("json" if output.suffix.lower() == ".json" else "text")) == "json"
    report = access_report(
        context.store, _person(context, args), context.city, context.texts, context.who, context.now(),
        as_json=as_json,
    )  # fmt: skip
    with private_file(output) as temporary:
        temporary.write_text(report.body, encoding="utf-8")
        log_access(context.store, context.who, context.now(), report)
    found = report.records
    wrote = context.texts.ngettext("Wrote %(count)d record to %(file)s.", "Wrote %(count)d records to %(file)s.", found)
    _say(wrote % {"count": found, "file": output})
    _say(_(KEEP_SAFE))
    return 0
