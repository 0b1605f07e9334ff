"""Where submissions are kept: one small interface, an SQLite store (the local default) and DynamoDB.

`SubmissionStore` is what the form handler needs. `StaffStore` adds what the staff tool needs (streaming
exports, statuses and matches, erasure, the export log); both stores implement both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from helpt.submissions import Answer, Submission


class StoreError(RuntimeError):
    """The store could not do what was asked (unreachable, full, refused). Never a duplicate."""


class ReferenceTaken(StoreError):
    """Another record already has this reference (random references can meet): draw a new one and retry."""


# A request with one of these statuses is finished: the same answers sent again start a new request.
FINISHED_STATUSES = ("done", "closed")


class SubmissionStore(Protocol):
    def add(self, submission: Submission) -> bool:
        """Keep a submission under its reference: False, and nothing written, if that reference is taken."""

    def add_once(
        self, submission: Submission, fingerprint: str, *, fingerprint_expires_at: int, now: dt.datetime | None = None
    ) -> str:
        """Keep a submission unless the same answers (`fingerprint`) were kept already and that record is
        still live and not finished: return the reference the request is kept under, the new one or the
        earlier one. Raises ReferenceTaken if the new reference is another record's, StoreError on failure.
        The fingerprint itself is kept until `fingerprint_expires_at` (Unix seconds), then forgotten."""

    def quarantine(self, submission: Submission) -> None:
        """Keep what a bot sent (a filled honeypot) apart from real submissions: never read as one."""

    def get(self, reference: str, *, now: dt.datetime | None = None) -> Submission | None:
        """One submission by reference, or None (also when it has expired)."""

    def submissions(self, *, form: str | None = None, now: dt.datetime | None = None) -> Iterator[Submission]:
        """Every submission that has not expired, oldest first, optionally of one form only."""


@dataclass(frozen=True)
class Event:
    """Something staff did with one submission: a status change, or a match with another submission.

    Events are kept with their submission and share its expiry, so erasing or purging the submission
    takes its history with it (a closing reason may say something personal).
    """

    at: dt.datetime  # timezone-aware
    kind: str  # "status", "match" or "correction"
    status: str = ""  # the submission's new status; empty: unchanged
    reason: str = ""  # for a correction: the answer as it was before, as text
    other: str = ""  # for a match: the other side's reference; for a correction: the question's name
    by: str = ""  # the staff member (OS user or AWS identity)


def current_matches(history: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The other sides a record is matched with, from its history's (kind, other) in order: a "confirm" (or
    the older "match") adds one, an "undo" takes it back, as the working list reads a history.

    >>> current_matches([("proposal", "V-1"), ("confirm", "V-1"), ("match", "V-1"), ("undo", "V-1"),
    ...                  ("confirm", "V-2")])
    ('V-2',)
    """
    matched: dict[str, None] = {}
    for kind, other in history:
        if kind in ("confirm", "match"):
            matched[other] = None
        elif kind == "undo":
            matched.pop(other, None)
    return tuple(matched)


@dataclass(frozen=True)
class LogEntry:
    """One line of the export log: who took what out of the store, or erased it. Never personal data.

    `filter` describes the selection in words ("form=help_request from=2020-03-01"); erasures and access
    requests say how the person was found ("by e-mail"), never the address itself.
    """

    at: dt.datetime
    who: str
    action: str  # export, handout, slip, access, erase, purge
    filter: str
    rows: int


class StaffStore(SubmissionStore, Protocol):
    def stream(
        self,
        *,
        forms: Sequence[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        now: dt.datetime | None = None,
    ) -> Iterator[Submission]:
        """Live submissions of these forms, oldest first, created in [since, until): read page by page,
        so that memory stays flat however many there are."""

    def quarantined(self, *, now: dt.datetime | None = None) -> Iterator[Submission]:
        """What bots sent and has not expired (only for a person's access and erasure requests)."""

    def record_event(self, reference: str, event: Event, *, now: dt.datetime | None = None) -> bool:
        """Add an event to a live submission's history, and set its status if the event has one.
        False if there is no live submission with this reference."""

    def correct(
        self, reference: str, answers: Mapping[str, Answer], events: Sequence[Event], *, now: dt.datetime | None = None
    ) -> bool:
        """Replace these answers of a live submission (the others stay) and add the correction events to its
        history, in one step. False if there is no live submission with this reference."""

    def events(self, reference: str) -> list[Event]:
        """A submission's history, oldest first."""

    def last_matched(self, *, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
        """Reference to the time of its latest match, for every live submission ever matched."""

    def matches(self, *, now: dt.datetime | None = None) -> dict[str, tuple[str, ...]]:
        """Reference to the references it is matched with now (confirmed and not undone, oldest first), for
        every live submission that has such a match: one small entry per match, whatever the store holds."""

    def erase(self, reference: str) -> int:
        """Delete the submission and the quarantined record with this reference, expired or not, with their
        history; return how many records were deleted."""

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete every expired record now; return how many."""

    def log(self, entry: LogEntry) -> None:
        """Add a line to the export log."""

    def log_entries(self) -> Iterator[LogEntry]:
        """The export log, oldest first."""


# The web back office ----------------------------------------------------------------------------------------

ROLES = ("call_centre", "coordinator", "privacy_officer", "organisation")


@dataclass(frozen=True)
class Account:
    """Someone who may use the back office, and in which role.

    A local account (the preview, a city without an identity provider) signs in with a password it set
    itself after a one-time sign-in link. An account from the city's identity provider (OpenID Connect:
    Cognito, Entra ID) has no password here: `name` is the e-mail address the provider vouches for, and the
    account only says which role that person has. Secrets are kept as hashes only.
    """

    name: str  # the sign-in name: lower case; for the city's identity provider, the e-mail address
    role: str  # one of ROLES
    display_name: str = ""
    password_hash: str = ""  # hashlib.scrypt, "scrypt$n$r$p$salt$hash" (hex); empty: no password
    link_hash: str = ""  # SHA-256 (hex) of a one-time sign-in token; empty: none
    link_expires_at: int = 0  # Unix seconds
    failed_signins: int = 0  # in a row; reset by a good sign-in
    locked_until: int = 0  # Unix seconds: no sign-in before then (too many failures)
    active: bool = True  # False: access withdrawn, every session refused
    organisation: str = ""  # role "organisation" only: the Organisation-id of the vacancies it may read


@dataclass(frozen=True)
class StaffSession:
    """A signed-in browser. The cookie holds a random token; only its SHA-256 (`id_hash`) is stored."""

    id_hash: str
    account: str  # Account.name
    role: str
    created_at: int  # Unix seconds: the absolute time-out counts from here
    last_seen: int  # Unix seconds: the idle time-out counts from here
    csrf_token: str  # random; every form of this session carries it
    lang: str  # the staff member's choice of language for the back office


@dataclass(frozen=True)
class AuditEntry:
    """One view or action in the back office: who, when, what, on which record. Never personal data.

    It expires like the history of the record it is about (`expires_at`), and staff cannot change it.
    """

    at: dt.datetime
    who: str  # Account.name
    action: str  # e.g. "view", "claim", "note", "status", "match", "intake", "signin"
    reference: str  # the record's reference, "" for actions on no record
    expires_at: int  # Unix seconds


class BackOfficeStore(StaffStore, Protocol):
    def put_account(self, account: Account) -> None:
        """Create or replace the account with this name."""

    def get_account(self, name: str) -> Account | None:
        """The account with this name, or None."""

    def accounts(self) -> list[Account]:
        """Every account, by name."""

    def put_session(self, session: StaffSession, *, expires_at: int) -> None:
        """Create or replace a session (also to move `last_seen`); gone by itself after `expires_at`."""

    def get_session(self, id_hash: str, *, now: dt.datetime | None = None) -> StaffSession | None:
        """The session with this hash, or None (also past its `expires_at`)."""

    def delete_session(self, id_hash: str) -> None:
        """Sign a session out: it cannot be used again."""

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit log (append only)."""

    def audit_entries(self, *, now: dt.datetime | None = None) -> Iterator[AuditEntry]:
        """The audit log, oldest first, without what has expired."""

    def records(self, *, form: str, now: dt.datetime | None = None) -> Iterator[tuple[Submission, list[Event]]]:
        """Every live submission of this form with its history (oldest event first), oldest first: the working
        list and the suggestions are made from this one read, without a query per record."""
