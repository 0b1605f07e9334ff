"""The verified-volunteer commands: `helpt verify`, `helpt unverify`, `helpt check` and `helpt card`.

The same operations as the back office's volunteer page and phone check (helpt.staff.verifying), for scripts
and for a coordinator printing many personal cards at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_, THEME_TRANSLATIONS, Texts
from helpt.staff.verifying import METHOD_NAMES, check, verify, withdraw
from helpt.verification import METHODS, display_code, valid_until

__all__ = ["card", "check_code", "unverify", "verify_volunteer"]


def _say(text: str = "") -> None:
    print(text, flush=True)


def verify_volunteer(context: StaffContext, args: argparse.Namespace) -> int:
    _ = context.texts.gettext
    done = verify(
        context.store, context.city, args.reference, method=args.method, checked_by=args.checked_by,
        checked_on=args.checked_on or context.now().date(), card_name=args.name or "", who=context.who,
        now=context.now(),
    )  # fmt: skip
    _say(_("%(reference)s is verified. The code on their personal card: %(code)s")
         % {"reference": done.reference, "code": display_code(done.code)})  # fmt: skip
    _say(_("Print the card with: helpt card %(reference)s --output card.pdf") % {"reference": done.reference})
    return 0


def unverify(context: StaffContext, args: argparse.Namespace) -> int:
    withdraw(context.store, args.reference, args.reason, context.who, context.now())
    _say(context.texts.gettext("The verification of %(reference)s is withdrawn: their card's code no longer checks.")
         % {"reference": args.reference})  # fmt: skip
    return 0


def check_code(context: StaffContext, args: argparse.Namespace) -> int:
    """Exit 0 for a code the city knows, 1 for any other."""
    _ = context.texts.gettext
    found = check(context.store, args.code, context.now())
    if found is None:
        _say(_("Not known: the city does not know this code. Tell the caller not to open the door."))
        return 1
    _say(_("Known: a volunteer the city knows, first name %(name)s, %(neighbourhood)s, valid until %(date)s.")
         % {"name": found.first_name, "neighbourhood": found.neighbourhood or "?",
            "date": valid_until(found.expires_at, context.city.timezone).isoformat()})  # fmt: skip
    return 0


def card(context: StaffContext, args: argparse.Namespace) -> int:
    from helpt.staff.personal_cards import personal_card_pdf

    _ = context.texts.gettext
    verification = context.store.verification(args.reference, now=context.now())
    if verification is None or not verification.holds(context.now()):
        raise StaffProblem(N_("%(reference)s has no verification in force: verify them first (helpt verify)."),
                           reference=args.reference)  # fmt: skip
    lang = args.card_language or context.texts.lang
    if lang not in context.city.languages:
        lang = context.city.default_language
    pdf = personal_card_pdf(context.city, verification, args.design, lang, THEME_TRANSLATIONS)
    with private_file(Path(args.output)) as temporary:
        temporary.write_bytes(pdf)
        context.log("card", args.reference, 1)  # it leaves the store on paper, as a task slip does
    _say(_("Wrote the personal card of %(reference)s to %(file)s.") % {"reference": args.reference,
                                                                       "file": args.output})  # fmt: skip
    return 0


def add_arguments(
    built: dict[str, argparse.ArgumentParser], texts: Texts, languages: tuple[str, ...], day: Callable[[str], dt.date]
) -> None:
    _ = texts.gettext
    verify_parser = built["verify"]
    verify_parser.add_argument("reference", metavar="V-REFERENCE", help=_("the volunteer"))
    verify_parser.add_argument(
        "--method", required=True, choices=METHODS,
        help=_("how the identity was checked: %(methods)s")
        % {"methods": "; ".join(f"{m} = {_(METHOD_NAMES[m])}" for m in METHODS)},
    )  # fmt: skip
    verify_parser.add_argument("--checked-by", required=True, metavar=_("NAME"),
                               help=_("who checked it: a staff member, or the partner organisation"))  # fmt: skip
    verify_parser.add_argument("--checked-on", type=day, metavar=_("DAY"),
                               help=_("the day it was checked, as 2020-03-16 (default: today)"))  # fmt: skip
    verify_parser.add_argument("--name", metavar=_("NAME"),
                               help=_("the name on the card (default: the first word of their name)"))  # fmt: skip
    built["unverify"].add_argument("reference", metavar="V-REFERENCE", help=_("the volunteer"))
    built["unverify"].add_argument("--reason", required=True, metavar=_("REASON"), help=_("why, in a few words"))
    built["check"].add_argument("code", help=_("the code on the card, e.g. KFM7X RT9AC (in quotes if it has a space)"))
    card_parser = built["card"]
    card_parser.add_argument("reference", metavar="V-REFERENCE", help=_("the verified volunteer"))
    card_parser.add_argument("--output", required=True, metavar=_("FILE"), help=_("the PDF to write"))
    card_parser.add_argument("--design", choices=("card-a6", "sheet-a4"), default="sheet-a4",
                             help=_("card-a6 for a print shop, sheet-a4 to print at home (default)"))  # fmt: skip
    card_parser.add_argument("--card-language", choices=languages, help=_("the card's language (default: yours)"))
