"""The privacy officer's pages: a person's requests to see their data (access) or have it erased, and purging.

GET  /staff/privacy                  privacy  the search form: an e-mail address, a phone number or a reference
POST /staff/privacy                  privacy  everything found, and as whom the person was found in each record
POST /staff/privacy/access           access   the access report (GDPR art. 15) as a download: text, or JSON
POST /staff/privacy/erase            erase    what an erasure would delete, to confirm record by record
POST /staff/privacy/erase/confirm    erase    erase the confirmed references that are still the person's
GET  /staff/privacy/purge            purge    what purging does, and its button
POST /staff/privacy/purge            purge    delete the expired records now

Searching is a POST, as is every step after it: e-mail addresses and phone numbers must not go into a URL,
the browser's history or an access log. Each page carries the search back in the form's body (`q`), and
each step reads it again: nothing about the person is kept between requests. A search by reference shows
that record and a button for each address or number in it, which posts the record's reference and the
question's name (never the value) to find everything about that person.

Every step is the core's (helpt.staff.privacy_requests), the same as `helpt access`, `helpt erase` and
`helpt purge`: the export log and the audit log say what was done, how the person was found, and how many
records, never the address, the number or the name.
"""

from __future__ import annotations

import re
from typing import Any

from helpt.staff.answers import FORM_NAMES, local_date, local_time, named
from helpt.staff.privacy import Person, contact_questions, record_name
from helpt.staff.privacy_requests import (
    BY_REFERENCE,
    Found,
    Search,
    access_report,
    erase_records,
    find_records,
    found_as_words,
    log_access,
    purge_expired,
    records_to_erase,
)
from helpt.staff.texts import N_
from helpt.staff.web.find_views import _REFERENCE, is_phone_number, reference_key  # read as Find reads them
from helpt.staff.web.pages import download_response
from helpt.staff.web.routing import Visit, routes

PRIVACY_PATH = "/staff/privacy"
QUERY_LIMIT = 254  # the longest e-mail address there can be
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")  # the forms checked the rest when it was given: find it as it is

EMPTY = N_(
    "Type the person's e-mail address, phone number or a reference, for example maria@example.com, 0470 12 34 56 "
    "or H-ABCD-EFGH"
)
UNREADABLE = N_(
    "This is not an e-mail address, a phone number or a reference. Type one of those, for example "
    "maria@example.com, 0470 12 34 56 or H-ABCD-EFGH"
)
CONTROL = N_("Remove the invisible control characters from what you typed.")
TOO_LONG = N_("Use at most %(max)d characters (you used %(count)d).")
NO_CONTACT = N_("That record no longer holds this address or number. Search again with what the person gives you.")
KEPT_APART = N_("kept apart: probably sent by a computer program")
# A button that finds everything about one person of a record, by the address or number they gave in it.
FIND_BY = {
    ("tel", "person"): N_("Everything by the phone number of the person who needs help: %(value)s"),
    ("email", "person"): N_("Everything by the e-mail address of the person who needs help: %(value)s"),
    ("tel", "asker"): N_("Everything by the phone number of the person who asked: %(value)s"),
    ("email", "asker"): N_("Everything by the e-mail address of the person who asked: %(value)s"),
    ("tel", ""): N_("Everything by their phone number: %(value)s"),
    ("email", ""): N_("Everything by their e-mail address: %(value)s"),
}
_WHOSE_ORDER = ("person", "", "asker")


class Unreadable(Exception):
    """What was typed is no search: the message to show beside the box."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_search(typed: str, country_code: str) -> Search:
    """The search in the box: an e-mail address (has an @), a reference (H-ABCD-EFGH, written any way), or a
    phone number (as the forms accept one). Raises Unreadable with the message id to show.

    >>> read_search(" h abcd efgh ", "+32").reference, read_search("Ann@Example.com", "+32").person.email
    ('H-ABCD-EFGH', 'Ann@Example.com')
    >>> read_search("0470 12 34 56", "+32").person.phone
    '0470 12 34 56'
    """
    text = typed.strip()
    if len(typed) > QUERY_LIMIT:
        raise Unreadable(TOO_LONG)
    if not text:
        raise Unreadable(EMPTY)
    if _CONTROL.search(typed):
        raise Unreadable(CONTROL)
    if "@" in text:
        if not _EMAIL.match(text):
            raise Unreadable(UNREADABLE)
        return Search(person=Person(email=text, country_code=country_code))
    key = reference_key(text)
    if _REFERENCE.match(key):
        return Search(reference=f"{key[0]}-{key[1:5]}-{key[5:]}")
    if is_phone_number(text):
        return Search(person=Person(phone=text, country_code=country_code))
    raise Unreadable(UNREADABLE)


def _search_of(visit: Visit, typed: str) -> Search | dict:
    """The posted search, or the search page again with the message and what was typed (422)."""
    try:
        return read_search(typed, visit.office.city.phone_country_code)
    except Unreadable as problem:
        return _search_page(visit, typed, problem=_message(visit, problem.message, typed))


def _message(visit: Visit, message: str, typed: str) -> str:
    text = visit.gettext(message)
    return text % {"max": QUERY_LIMIT, "count": len(typed)} if message == TOO_LONG else text


@routes.get(PRIVACY_PATH, action="privacy", nav=N_("Privacy requests"))
def privacy_page(visit: Visit) -> dict:
    return _search_page(visit, "")


@routes.post(PRIVACY_PATH, action="privacy")
def privacy_search(visit: Visit) -> dict:
    typed = visit.field("q")
    if visit.field("from"):  # a button of a record found by reference: that person's address or number
        contact = _contact(visit, visit.field("from"), visit.field("question"))
        if contact is None:
            return _search_page(visit, typed, problem=visit.gettext(NO_CONTACT))
        typed = contact
    search = _search_of(visit, typed)
    if isinstance(search, dict):
        return search
    found = find_records(visit.store, search, visit.now())
    visit.audit("privacy")  # never what for: an address, a number, or a record's reference
    return _search_page(visit, typed, search=search, found=found)


def _contact(visit: Visit, reference: str, question: str) -> str | None:
    """The address or number a record holds for this question, if it is one of its contact questions."""
    if not _REFERENCE.match(reference_key(reference)) or len(reference) > 20:
        return None
    for item in find_records(visit.store, Search(reference=reference), visit.now()):
        kinds = {**contact_questions(item.record.form, "email"), **contact_questions(item.record.form, "tel")}
        given = item.record.answers.get(question, "")
        if question in kinds and isinstance(given, str) and given.strip():
            return given.strip()
    return None


def _search_page(
    visit: Visit, typed: str, *, problem: str = "", search: Search | None = None, found: list[Found] | None = None
) -> dict:
    _ = visit.gettext
    by_reference = bool(search and search.reference)
    return visit.page(
        "privacy.html", title=_("Privacy requests"), status=422 if problem else 200, query=typed, problem=problem,
        errors=[("f-q", problem)] if problem else [], searched=found is not None, by_reference=by_reference,
        reference=search.reference if search else "", rows=[_row(visit, item) for item in found or ()],
        contacts=_contacts(visit, found or ()) if by_reference else [], may=visit.may,
    )  # fmt: skip


def _row(visit: Visit, item: Found) -> dict[str, Any]:
    _, texts, record = visit.gettext, visit.texts, item.record
    found = [_(words) for words in found_as_words(item)] if item.roles else [_(BY_REFERENCE)]
    return {
        "reference": record.reference,
        "form": named(FORM_NAMES, record.form, texts),
        "kept_apart": _(KEPT_APART) if item.kept_apart else "",
        "received": local_time(record.created_at, visit.office.city),
        "name": record_name(record, texts),
        "found": "; ".join(found) or "–",
    }


def _contacts(visit: Visit, found: list[Found]) -> list[tuple[str, list[tuple[str, str]]]]:
    """For each record found by reference: (its reference, [(question, button label)]), the person who needs
    help first, then the asker."""
    contacts = []
    for item in found:
        buttons = []
        for kind in ("tel", "email"):
            for question, whose in contact_questions(item.record.form, kind).items():
                given = item.record.answers.get(question, "")
                if isinstance(given, str) and given.strip() and (kind, whose) in FIND_BY:
                    label = visit.gettext(FIND_BY[kind, whose]) % {"value": given.strip()}
                    buttons.append((_WHOSE_ORDER.index(whose), question, label))
        buttons.sort(key=lambda button: button[0])  # stable: the phone number before the e-mail address
        contacts.append((item.reference, [(question, label) for _order, question, label in buttons]))
    return [(reference, buttons) for reference, buttons in contacts if buttons]


# Access (GDPR article 15) -----------------------------------------------------------------------------------


@routes.post(f"{PRIVACY_PATH}/access", action="access")
def access_download(visit: Visit) -> dict:
    typed = visit.field("q")
    search = _search_of(visit, typed)
    if isinstance(search, dict):
        return search
    if search.person is None:  # a report is a person's, not a record's: find them by their own details
        return _search_page(visit, typed, problem=visit.gettext(
            "An access report is made for a person: find them by their e-mail address or phone number."
        ))  # fmt: skip
    city, who, now = visit.office.city, _who(visit), visit.now()
    as_json = visit.field("format") == "json"
    report = access_report(visit.store, search.person, city, visit.texts, who, now, as_json=as_json)
    answer = download_response(
        f"access-{local_date(now, city).isoformat()}{report.suffix}", report.content_type, report.body,
        secure=visit.office.secure,
    )  # fmt: skip
    log_access(visit.store, who, visit.now(), report)
    visit.audit("access")
    return answer


# Erasure (GDPR article 17) ----------------------------------------------------------------------------------


@routes.post(f"{PRIVACY_PATH}/erase", action="erase")
def erase_confirmation(visit: Visit) -> dict:
    """What would go, record by record, with the button that sends exactly these references back."""
    _, typed = visit.gettext, visit.field("q")
    search = _search_of(visit, typed)
    if isinstance(search, dict):
        return search
    found = records_to_erase(visit.store, search, _who(visit), visit.now())
    visit.audit("privacy")
    return visit.page(
        "privacy_erase.html", title=_("Erase these records?"), query=typed, rows=[_row(visit, item) for item in found],
        references=[item.reference for item in found], asker_note=any(item.by_asker_only for item in found),
    )  # fmt: skip


@routes.post(f"{PRIVACY_PATH}/erase/confirm", action="erase")
def erase_confirmed(visit: Visit) -> dict:
    _, typed = visit.gettext, visit.field("q")
    search = _search_of(visit, typed)
    if isinstance(search, dict):
        return search
    confirmed = [reference for reference in visit.fields.get("reference", []) if len(reference) <= 20]
    who = _who(visit)
    purge_expired(visit.store, who, visit.now())
    erasure = erase_records(visit.store, search, confirmed, who, visit.now())
    for reference in erasure.references or ("",):
        visit.audit("erase", reference)  # a reference is no personal data, and the record is gone
    return visit.page(
        "privacy_erased.html", title=_("Erased"), erased=erasure.records,
        left=len(set(confirmed)) - len(erasure.references), may=visit.may,
    )  # fmt: skip


# Retention --------------------------------------------------------------------------------------------------


@routes.get(f"{PRIVACY_PATH}/purge", action="purge")
def purge_page(visit: Visit) -> dict:
    return visit.page("privacy_purge.html", title=visit.gettext("Delete expired records"), deleted=None,
                      days=visit.office.city.retention_days)  # fmt: skip


@routes.post(f"{PRIVACY_PATH}/purge", action="purge")
def purge_now(visit: Visit) -> dict:
    deleted = purge_expired(visit.store, _who(visit), visit.now())
    visit.audit("purge")
    return visit.page("privacy_purge.html", title=visit.gettext("Delete expired records"), deleted=deleted,
                      days=visit.office.city.retention_days)  # fmt: skip


def _who(visit: Visit) -> str:
    return visit.account.name if visit.account else ""
