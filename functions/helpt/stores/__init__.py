"""Where submissions are kept: one small interface, an SQLite store (the local default) and DynamoDB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Protocol

from helpt.submissions import Submission


class StoreError(RuntimeError):
    """The store could not do what was asked (unreachable, full, refused). Never a duplicate."""


class SubmissionStore(Protocol):
    def add(self, submission: Submission) -> bool:
        """Keep a submission once: False if one with this reference is kept already. StoreError on failure."""

    def quarantine(self, submission: Submission) -> None:
        """Keep what a bot sent (a filled honeypot) apart from real submissions: never read as one."""

    def get(self, reference: str, *, now: dt.datetime | None = None) -> Submission | None:
        """One submission by reference, or None (also when it has expired)."""

    def submissions(self, *, form: str | None = None, now: dt.datetime | None = None) -> Iterator[Submission]:
        """Every submission that has not expired, oldest first, optionally of one form only."""
