"""Verified volunteers in the back office: verifying, withdrawing, the personal card, and the phone check.

POST /staff/volunteers/{reference}/verify             verify      how, by whom and when the identity was checked
POST /staff/volunteers/{reference}/unverify           verify      withdraw it, with a reason
GET  /staff/volunteers/{reference}/card/{variant}     card        the personal card (A6 or the home sheet), PDF
GET  /staff/check, POST /staff/check                  card_check  a resident reads a card's code on the phone
GET  /staff/card?token=...[&variant=]                (open)      the volunteer's own card, by the signed link
                                                                  in their welcome message

The operations are helpt.staff.verifying's, which `helpt verify`, `helpt check` and `helpt card` use too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from helpt.forms import VOLUNTEER_SIGNUP
from helpt.notify.links import CARD_PATH, BadLink
from helpt.staff import verifying
from helpt.staff.answers import first_name
from helpt.staff.personal_cards import CardUnavailable, card_file_name, personal_card_pdf
from helpt.staff.texts import N_
from helpt.staff.web.casework_views import Refused, act, not_found, record_or_none, typed, when
from helpt.staff.web.file_answers import file_response, private_temporary_file
from helpt.staff.web.routing import Visit, routes
from helpt.staff.web.volunteer_views import show_volunteer, volunteer_path
from helpt.stores import LogEntry
from helpt.verification import METHODS, display_code, valid_until

VARIANTS = {"card-a6": N_("Personal card, A6, for a print shop (PDF)"),
            "sheet-a4": N_("Four personal cards on one A4 sheet, to print at home (PDF)")}  # fmt: skip
VERIFY_FIELDS = ("verify-method", "verify-checked-by", "verify-checked-on", "verify-name")
_ANCHORS = {
    "Choose how the identity was checked.": "verify-method-in_person",
    "Say who checked the identity: your name, or the organisation.": "verify-checked-by",
    "Give the day the identity was checked, for example %(date)s.": "verify-checked-on",
    "The day of the check cannot be in the future.": "verify-checked-on",
    "Give the name for the card: the volunteer's first name.": "verify-name",
    "Use at most %(max)d characters (you used %(count)d).": "verify-name",
    "Remove the invisible control characters from the text (they cannot be stored).": "verify-name",
}


def verification_section(visit: Visit, record: Any) -> dict[str, Any]:
    """What the volunteer's page shows of their verification, and the forms the role may use."""
    _, city = visit.gettext, visit.office.city
    verification = visit.store.verification(record.reference, now=visit.now())
    found: dict[str, Any] = {"verification": None, "methods": [(m, _(verifying.METHOD_NAMES[m]), "") for m in METHODS],
                             "today": visit.now().astimezone(ZoneInfo(city.timezone)).date().isoformat(),
                             "first_name": first_name(str(record.answers.get("name", "")))}  # fmt: skip
    if verification is not None:
        holds = verification.holds(visit.now())
        found["verification"] = {
            "holds": holds, "code": display_code(verification.code), "name": verification.first_name,
            "method": _(verifying.METHOD_NAMES.get(verification.method, verification.method)),
            "checked_by": verification.checked_by, "checked_on": verification.checked_on.isoformat(),
            "verified": f"{when(visit, verification.verified_at)}, {verification.verified_by}",
            "valid_until": _local_day(verification.expires_at, visit),
            "withdrawn": when(visit, verification.withdrawn_at) if verification.withdrawn_at else "",
            "withdrawn_by": verification.withdrawn_by, "withdrawn_reason": verification.withdrawn_reason,
            "cards": [(f"{volunteer_path(record.reference)}/card/{name}?lang={lang}", _(label), lang)
                      for name, label in VARIANTS.items() for lang in city.languages] if holds else [],
        }  # fmt: skip
    return found


@routes.post("/staff/volunteers/{reference}/verify", action="verify")
def verify(visit: Visit) -> dict:
    reference = visit.params["reference"]

    def step() -> None:
        checked_on = _day(visit.field("verify-checked-on"))
        verifying.verify(
            visit.store, visit.office.city, reference, method=visit.field("verify-method"),
            checked_by=visit.field("verify-checked-by"), checked_on=checked_on, card_name=visit.field("verify-name"),
            who=_me(visit), now=visit.now(),
        )  # fmt: skip

    return act(
        visit, "verify", step, page=show_volunteer, path=volunteer_path(reference), anchor="verify-method-in_person",
        done="verified", kept=typed(visit, *VERIFY_FIELDS), anchors=_ANCHORS,
    )  # fmt: skip


@routes.post("/staff/volunteers/{reference}/unverify", action="verify")
def unverify(visit: Visit) -> dict:
    reference, reason = visit.params["reference"], visit.field("unverify-reason")

    def step() -> None:
        if not reason.strip():
            raise Refused(
                "unverify-reason", visit.gettext("Say why you withdraw it, for example: stopped volunteering.")
            )
        verifying.withdraw(visit.store, reference, reason, _me(visit), visit.now())

    return act(
        visit, "unverify", step, page=show_volunteer, path=volunteer_path(reference), anchor="unverify-reason",
        done="unverified", kept=typed(visit, "unverify-reason"),
        anchors=dict.fromkeys(("Use at most %(max)d characters (you used %(count)d).",
                               "Remove the invisible control characters from the text (they cannot be stored).",
                               "%(reference)s has no verification in force."), "unverify-reason"),
    )  # fmt: skip


@routes.get("/staff/volunteers/{reference}/card/{variant}", action="card")
def card(visit: Visit) -> dict:
    record = record_or_none(visit, visit.params["reference"], VOLUNTEER_SIGNUP.name)
    variant = visit.params["variant"]
    if record is None or variant not in VARIANTS:
        return not_found(visit)
    lang = visit.request.query_value("lang")
    lang = lang if lang in visit.office.city.languages else visit.office.city.default_language
    verification = visit.store.verification(record.reference, now=visit.now())
    if verification is None or not verification.holds(visit.now()):
        return _no_card(visit, 409, record.reference)
    try:
        pdf = personal_card_pdf(visit.office.city, verification, variant, lang, visit.office.theme_translations)
    except CardUnavailable:
        return _no_card(visit, 503, record.reference, printing=False)
    visit.audit("card", record.reference)
    visit.store.log(LogEntry(at=visit.now(), who=_me(visit), action="card", filter=record.reference, rows=1))
    path = private_temporary_file(".pdf")
    path.write_bytes(pdf)
    filename = card_file_name(visit.office.city, record.reference, variant, lang)
    return file_response(path, filename, "application/pdf", secure=visit.office.secure)


def _no_card(visit: Visit, status: int, reference: str, *, printing: bool = True) -> dict:
    _ = visit.gettext
    if printing:
        advice = _("Only a volunteer whose verification holds has a personal card. Verify them first.")
    else:
        advice = _(
            "Personal cards cannot be made here: this back office has no PDF printing. Make it with "
            "`helpt card %(reference)s` on a computer where Helpt is installed."
        ) % {"reference": reference}
    return visit.page("error.html", title=_("No personal card"), status=status, advice=advice)


@routes.get(CARD_PATH, action=None)
def own_card(visit: Visit) -> dict:
    """The volunteer's own card, by the link in their welcome message: the token is the proof (signed, for this
    volunteer only). A GET only reads, so a mail scanner opening the link changes nothing."""
    _, now = visit.gettext, visit.now()
    token = visit.request.query_value("token")
    try:
        reference = visit.office.links.read_card(token)
    except BadLink:
        advice = _("The link is not complete or was changed. Open it again from the message, or call us.")
        return _own_card_page(visit, _("This link does not work"), advice, 400)
    record = visit.store.get(reference, now=now)
    verification = visit.store.verification(reference, now=now) if record else None
    if verification is None or not verification.holds(now):
        return _own_card_page(visit, _("Your personal card is not ready yet"), _(
            "Once the city has checked who you are, your personal card is here. Until then you can print the "
            "blank neighbour card on the site, or call us."))  # fmt: skip
    variant = visit.request.query_value("variant")
    if variant in VARIANTS:
        try:
            pdf = personal_card_pdf(visit.office.city, verification, variant, visit.lang,
                                    visit.office.theme_translations)  # fmt: skip
        except CardUnavailable:
            return _own_card_page(visit, _("No personal card"), _("Your card cannot be made here right now. Call us: "
                                                                  "we send it to you."), 503)  # fmt: skip
        visit.office.audit(reference, "own_card", reference)
        path = private_temporary_file(".pdf")
        path.write_bytes(pdf)
        filename = card_file_name(visit.office.city, reference, variant, visit.lang)
        return file_response(path, filename, "application/pdf", secure=visit.office.secure)
    cards = [(f"{CARD_PATH}?{urlencode({'token': token, 'lang': visit.lang, 'variant': name})}", _(label))
             for name, label in VARIANTS.items()]  # fmt: skip
    return _own_card_page(visit, _("Your personal neighbour card"), _(
        "The city knows you as a volunteer. Print your card and put it in your neighbours' mailboxes: they can "
        "check its code on the site or by phone before they open the door."), cards=cards)  # fmt: skip


def _own_card_page(visit: Visit, title: str, paragraph: str, status: int = 200, cards: list | None = None) -> dict:
    return visit.page("answer.html", title=title, status=status, paragraphs=[paragraph], facts=[], button="",
                      cards=cards or [], language_links=[])  # fmt: skip


@routes.get("/staff/check", action="card_check", nav=N_("Check a card"))
def check_form(visit: Visit) -> dict:
    return _check_page(visit)


@routes.post("/staff/check", action="card_check")
def check(visit: Visit) -> dict:
    typed_code = visit.field("code")
    if not typed_code.strip():
        return _check_page(visit, problem=visit.gettext("Type the code the caller reads from the back of the card."))
    found = verifying.check(visit.store, typed_code, visit.now())
    visit.audit("card_check")  # who checked, when: never the caller's number nor the code
    result = {"known": found is not None}
    if found is not None:
        result.update(name=found.first_name, neighbourhood=found.neighbourhood,
                      valid_until=_local_day(found.expires_at, visit))  # fmt: skip
    return _check_page(visit, typed_code=typed_code[:64], result=result)


def _check_page(visit: Visit, *, typed_code: str = "", result: dict | None = None, problem: str = "") -> dict:
    _ = visit.gettext
    return visit.page(
        "check.html", title=_("Check a card"), status=422 if problem else 200,
        errors=[("code", problem)] if problem else [], typed_code=typed_code, result=result,
        phone=visit.office.city.phone,
    )  # fmt: skip


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _local_day(expires_at: int, visit: Visit) -> str:
    return valid_until(expires_at, visit.office.city.timezone).isoformat()


def _me(visit: Visit) -> str:
    return visit.account.name if visit.account else ""
