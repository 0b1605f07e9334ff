"""A person's privacy requests as operations: finding their records, the access report, erasure and purging.

One core for both faces: `helpt access`, `helpt erase` and `helpt purge` (privacy_commands.py) and the
privacy officer's pages of the back office (web/privacy_views.py) call these functions with the store, the
city, the staff member's texts, who they are and the time; neither has its own copy of the steps.

    found = find_records(store, Search(person=person), now)        # what the search shows
    found = records_to_erase(store, search, who, now)              # purged first, to confirm one by one
    erase_records(store, search, confirmed, who, now)              # only what still is the person's
    report = access_report(store, person, city, texts, who, now, as_json=False)  # purged first
    log_access(store, who, now, report)                            # once the report is written or sent
    purge_expired(store, who, now)

Access and erasure first delete what is past its retention period: DynamoDB's TTL may not have deleted it
yet, and "everything we hold" must include it or erase it too.

Each step that takes data out or deletes it is in the export log: who, when, how the person was found
("by e-mail", "by phone", "by reference") and how many records; never the address, number or reference.
What the records are and whose is in privacy.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from helpt.settings import CitySettings
from helpt.staff.privacy import FOUND_AS, Person, access_data, access_json, access_text, records_of
from helpt.staff.texts import N_, Texts
from helpt.stores import LogEntry, StaffStore
from helpt.submissions import Submission

EXPIRED = N_("expired records")  # the export log's "which records" for a purge
BY_REFERENCE = N_("by reference")
# As whom a person was found in a form about one person, where privacy.FOUND_AS has no section to name.
FOUND_IN_FORM = {
    "volunteer_signup": N_("as a volunteer"),
    "vacancy_response": N_("as the person who responded to a vacancy"),
}


@dataclass(frozen=True)
class Search:
    """How a person's records are looked for: by their e-mail address or phone number, or by one record's
    reference (exactly as stored, e.g. H-ABCD-EFGH)."""

    person: Person | None = None
    reference: str = ""

    def __post_init__(self) -> None:
        if (self.person is None) == (not self.reference):
            raise ValueError("a search is by a person or by a reference, not both or neither")

    @property
    def found_by(self) -> str:
        """For the export log: how, never by what."""
        return self.person.found_by if self.person else BY_REFERENCE


@dataclass(frozen=True)
class Found:
    """One record of the person's, and as whom they are in it."""

    record: Submission
    # FOUND_AS's keys ("person", "asker"), "" in a form about one person; () when found by reference.
    roles: tuple[str, ...]
    kept_apart: bool  # what was kept apart as probably sent by a bot

    @property
    def reference(self) -> str:
        return self.record.reference

    @property
    def by_asker_only(self) -> bool:
        """Found by the asker's details alone: erasing it also erases the person who needs help."""
        return self.roles == ("asker",)


def find_records(store: StaffStore, search: Search, now: dt.datetime) -> list[Found]:
    """Every live record the search finds: the submissions (oldest first), then what was kept apart."""
    if search.person is None:
        live = store.get(search.reference, now=now)
        apart = [record for record in store.quarantined(now=now) if record.reference == search.reference]
        return [Found(record, (), False) for record in [live] if record] + [Found(r, (), True) for r in apart]
    person = search.person
    kept, quarantined = records_of(store, person, now)
    return [Found(record, person.found_as(record), False) for record in kept] + [
        Found(record, person.found_as(record), True) for record in quarantined
    ]


def records_to_erase(store: StaffStore, search: Search, who: str, now: dt.datetime) -> list[Found]:
    """What an erasure would delete, to show staff before they confirm: expired records are purged first."""
    purge_expired(store, who, now)
    return find_records(store, search, now)


def purge_expired(store: StaffStore, who: str, now: dt.datetime) -> int:
    """Delete every record past its retention now (DynamoDB's TTL may take two days); logged; how many."""
    deleted = store.purge_expired(now)
    _log(store, who, now, "purge", EXPIRED, deleted)
    return deleted


@dataclass(frozen=True)
class AccessReport:
    """Everything held about a person (GDPR article 15), ready to write or download."""

    body: str
    as_json: bool
    records: int
    found_by: str

    @property
    def suffix(self) -> str:
        return ".json" if self.as_json else ".txt"

    @property
    def content_type(self) -> str:
        return "application/json; charset=utf-8" if self.as_json else "text/plain; charset=utf-8"


def access_report(
    store: StaffStore, person: Person, city: CitySettings, texts: Texts, who: str, now: dt.datetime, *,
    as_json: bool,
) -> AccessReport:  # fmt: skip
    """The person's access report, expired records purged first: JSON for computers, or text in the staff
    member's language (`texts`). Not yet in the export log: see log_access."""
    purge_expired(store, who, now)
    kept, quarantined = records_of(store, person, now)
    data = access_data(store, person, kept, quarantined, city, now)
    body = access_json(data) if as_json else access_text(data, kept, quarantined, texts, city)
    return AccessReport(body, as_json, len(kept) + len(quarantined), person.found_by)


def log_access(store: StaffStore, who: str, now: dt.datetime, report: AccessReport) -> None:
    """Record in the export log that a report was handed out: once it is written (or sent), not before."""
    _log(store, who, now, "access", report.found_by, report.records)


@dataclass(frozen=True)
class Erasure:
    """What an erasure deleted: the references that were still the person's, and how many records went (a
    reference can hold a submission and what was kept apart)."""

    references: tuple[str, ...]
    records: int


def erase_records(store: StaffStore, search: Search, confirmed: Iterable[str], who: str, now: dt.datetime) -> Erasure:
    """Erase the confirmed references that the search still finds, with their history; logged.

    Staff confirm a list they were shown. Between showing it and confirming, a record may have been added
    (not shown, so not erased), corrected to another address, or erased already: only references that are
    still the person's go, whatever was sent back. An empty list logs that the request found nothing.
    Expired records are not the caller's to confirm: purge them first (records_to_erase, purge_expired)."""
    wanted = list(dict.fromkeys(confirmed))
    still = {found.reference for found in find_records(store, search, now)} if wanted else set()
    references = tuple(reference for reference in wanted if reference in still)
    erased = sum(store.erase(reference) for reference in references)
    _log(store, who, now, "erase", search.found_by, erased)
    return Erasure(references, erased)


def found_as_words(found: Found) -> list[str]:
    """As whom the person is in a record, as message ids: FOUND_AS's, or the form's for a one-person form."""
    words = [FOUND_AS[role] for role in found.roles if role in FOUND_AS]
    if "" in found.roles and found.record.form in FOUND_IN_FORM:
        words.append(FOUND_IN_FORM[found.record.form])
    return words


def _log(store: StaffStore, who: str, now: dt.datetime, action: str, description: str, rows: int) -> None:
    store.log(LogEntry(at=now, who=who, action=action, filter=description, rows=rows))
