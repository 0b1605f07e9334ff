"""Finding a help request or a volunteer: GET /staff/find?q=...

One search box, for what a caller gives on the phone: a reference ("h abcd efgh" finds H-ABCD-EFGH: case,
spaces and dashes do not matter, but every character does), a phone number (compared in international form,
as a person's rights requests compare them: `0470 12 34 56` finds `+32 470/12.34.56`), or part of a name
(without regard to case). A help request holds two people when someone asked for another: either is found,
and the list says as whom. Expired records are not found.

The audit log says that someone searched, never what for: the query is a name or a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpt.forms import FORMS, HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.staff.answers import FORM_NAMES, STATUSES, local_time, named
from helpt.staff.privacy import FOUND_AS, contact_questions, normalise_phone
from helpt.staff.texts import N_
from helpt.staff.web.routing import Visit, routes
from helpt.submissions import Submission
from helpt.validation import _PHONE, PHONE_DIGITS

SHOWN = 50
QUERY_LIMIT = 100
SEARCHED = (HELP_REQUEST.name, VOLUNTEER_SIGNUP.name)
PAGES = {HELP_REQUEST.name: "/staff/requests/", VOLUNTEER_SIGNUP.name: "/staff/volunteers/"}
_REFERENCE = re.compile(r"^[A-Z][A-Z2-7]{8}$")  # a reference without its dashes
BY = {"reference": N_("by reference"), "tel": N_("by phone number"), "name": N_("by name")}
EMPTY = N_("Type a reference, a phone number or part of a name, for example H-ABCD-EFGH, 0470 12 34 56 or Peeters")
TOO_LONG = N_("Use at most %(max)d characters (you used %(count)d).")  # as casework.py says it


@dataclass(frozen=True)
class Found:
    record: Submission
    # How it was found: ("reference", ""), or ("tel" or "name", as whom: FOUND_AS's keys, "" for a volunteer).
    ways: tuple[tuple[str, str], ...]

    @property
    def by_reference(self) -> bool:
        return self.ways == (("reference", ""),)


def reference_key(text: str) -> str:
    """A reference as typed, without case, spaces or dashes: how references are compared.

    >>> reference_key(" h-abcd efgh "), reference_key("H-ABCD-EFGH")
    ('HABCDEFGH', 'HABCDEFGH')
    """
    return re.sub(r"[\s-]", "", text).upper()


def name_questions(form_name: str) -> dict[str, str]:
    """A form's name questions, each with whose name it is (FOUND_AS's keys; "" in a form about one person).

    >>> name_questions("help_request"), name_questions("volunteer_signup")
    ({'name': 'person', 'asker_name': 'asker'}, {'name': ''})
    """
    form = FORMS[form_name]
    found = {}
    for item in form.fields:
        if item.autocomplete.split()[-1:] == ["name"]:
            section = form.section_of(item.name)
            found[item.name] = section.name if section else ""
    return found


def is_phone_number(query: str) -> bool:
    """Whether the query reads as a phone number, as the forms accept one (so a name is never taken for one)."""
    digits = len(re.sub(r"\D", "", query))
    return bool(_PHONE.match(query)) and PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]


def find(records: list[Submission], query: str, country_code: str) -> list[Found]:
    """The records the query finds: the one with this reference first, then the newest first."""
    key = reference_key(query)
    phone = normalise_phone(query, country_code) if is_phone_number(query) else ""
    text = query.strip().casefold()

    def same_number(given: str) -> bool:
        return normalise_phone(given, country_code) == phone

    def in_name(given: str) -> bool:
        return text in given.casefold()

    found = []
    for record in records:
        if _REFERENCE.match(key) and reference_key(record.reference) == key:
            found.append(Found(record, (("reference", ""),)))
            continue
        ways: list[tuple[str, str]] = []
        for kind, questions, matches in (
            ("tel", contact_questions(record.form, "tel") if phone else {}, same_number),
            ("name", name_questions(record.form) if text else {}, in_name),
        ):
            for name, role in questions.items():
                given = record.answers.get(name, "")
                if isinstance(given, str) and given.strip() and matches(given) and (kind, role) not in ways:
                    ways.append((kind, role))
        if ways:
            found.append(Found(record, tuple(ways)))
    found.sort(key=lambda item: item.record.created_at, reverse=True)
    found.sort(key=lambda item: not item.by_reference)  # stable: the newest first within each
    return found


@routes.get("/staff/find", action="find", nav=N_("Find"))
def find_page(visit: Visit) -> dict:
    _ = visit.gettext
    searched = "q" in visit.request.query
    query = visit.request.query_value("q")
    problem = ""
    if searched and not query.strip():
        problem = _(EMPTY)
    elif len(query) > QUERY_LIMIT:
        problem = _(TOO_LONG) % {"max": QUERY_LIMIT, "count": len(query)}
    if problem or not searched:
        return visit.page(
            "find.html", title=_("Find"), status=422 if problem else 200, query=query, problem=problem,
            errors=[("f-q", problem)] if problem else [], results=None,
        )  # fmt: skip
    now, city = visit.now(), visit.office.city
    records = [record for form in SEARCHED for record in visit.store.submissions(form=form, now=now)]
    found = find(records, query, city.phone_country_code)
    visit.audit("find")  # never the query: it is a name or a number
    rows = [_row(visit, item) for item in found[:SHOWN]]
    return visit.page(
        "find.html", title=_("Find"), query=query, problem="", errors=[], results=rows, total=len(found), shown=SHOWN,
    )  # fmt: skip


def _row(visit: Visit, item: Found) -> dict[str, str]:
    _, texts, record = visit.gettext, visit.texts, item.record
    name = str(record.answers.get("name", "")).strip() or "-"
    asker = str(record.answers.get("asker_name", "")).strip()
    if asker:
        name += " (" + _("asked for by %(asker)s") % {"asker": asker} + ")"
    how = [_(BY[kind]) + (" " + _(FOUND_AS[role]) if role in FOUND_AS else "") for kind, role in item.ways]
    return {
        "reference": record.reference,
        "href": PAGES[record.form] + record.reference,
        "form": named(FORM_NAMES, record.form, texts),
        "name": name,
        "found": "; ".join(how),
        "status": named(STATUSES, record.status, texts),
        "received": local_time(record.created_at, visit.office.city),
    }
