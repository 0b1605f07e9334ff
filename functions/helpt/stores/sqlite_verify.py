"""The verified-volunteer half of the SQLite store: one row per verified volunteer, found by reference or code.

`SQLiteStore` (helpt.stores.sqlite) inherits it. Table `verifications`: the volunteer's reference (one
verification each: verifying again replaces it, with a new code), the card's code (unique), what the card
says, how the identity was checked, and whether it was withdrawn. It expires with the volunteer's record and
goes with it on erasure. A check by code reads only the three columns a card may tell.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import TYPE_CHECKING

from helpt.stores import ReferenceTaken
from helpt.verification import CardCheck, Verification

if TYPE_CHECKING:
    from helpt.stores.sqlite import _Operation

VERIFY_SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    reference TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    neighbourhood TEXT NOT NULL,
    kinds TEXT NOT NULL,  -- JSON list of help kinds
    method TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    verified_by TEXT NOT NULL,
    verified_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by TEXT NOT NULL DEFAULT '',
    withdrawn_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS verifications_by_expiry ON verifications (expires_at);
"""
_COLUMNS = ("reference, code, first_name, neighbourhood, kinds, method, checked_by, checked_on, verified_by, "
            "verified_at, expires_at, withdrawn_at, withdrawn_by, withdrawn_reason")  # fmt: skip


def _now(now: dt.datetime | None) -> int:
    return int((now or dt.datetime.now(dt.UTC)).timestamp())


def _time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class SQLiteVerify:
    """The verification methods of `SQLiteStore`, which provides `_operation` (a connection each)."""

    if TYPE_CHECKING:

        def _operation(self, name: str) -> _Operation: ...

    def put_verification(self, verification: Verification) -> None:
        """Keep a volunteer's verification, replacing an earlier one (and its code). ReferenceTaken if the code
        is another volunteer's (the caller draws a new one)."""
        v = verification
        row = (v.reference, v.code, v.first_name, v.neighbourhood, json.dumps(list(v.kinds)), v.method,
               v.checked_by, v.checked_on.isoformat(), v.verified_by, _time(v.verified_at), int(v.expires_at),
               _time(v.withdrawn_at), v.withdrawn_by, v.withdrawn_reason)  # fmt: skip
        with self._operation("put_verification") as connection:
            try:
                connection.execute(
                    f"INSERT INTO verifications ({_COLUMNS}) VALUES ({', '.join('?' * 14)}) "
                    "ON CONFLICT (reference) DO UPDATE SET "
                    + ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS.split(", ")[1:]),
                    row,
                )
            except sqlite3.IntegrityError:
                raise ReferenceTaken("check code in use") from None

    def verification(self, reference: str, *, now: dt.datetime | None = None) -> Verification | None:
        """The volunteer's verification, withdrawn or not; None when there is none or it has expired."""
        with self._operation("verification") as connection:
            row = connection.execute(
                f"SELECT {_COLUMNS} FROM verifications WHERE reference = ? AND expires_at > ?",
                (reference, _now(now)),
            ).fetchone()
        if row is None:
            return None
        return Verification(
            reference=row[0], code=row[1], first_name=row[2], neighbourhood=row[3], kinds=tuple(json.loads(row[4])),
            method=row[5], checked_by=row[6], checked_on=dt.date.fromisoformat(row[7]), verified_by=row[8],
            verified_at=dt.datetime.fromisoformat(row[9]), expires_at=int(row[10]),
            withdrawn_at=dt.datetime.fromisoformat(row[11]) if row[11] else None, withdrawn_by=row[12],
            withdrawn_reason=row[13],
        )  # fmt: skip

    def withdraw_verification(self, reference: str, *, at: dt.datetime, by: str, reason: str) -> bool:
        """Withdraw it: the card's code no longer checks. False when there is no verification in force."""
        with self._operation("withdraw_verification") as connection:
            changed = connection.execute(
                "UPDATE verifications SET withdrawn_at = ?, withdrawn_by = ?, withdrawn_reason = ? "
                "WHERE reference = ? AND withdrawn_at IS NULL AND expires_at > ?",
                (_time(at), by, reason, reference, _now(at)),
            ).rowcount
        return changed == 1

    def card_check(self, code: str, *, now: dt.datetime | None = None) -> CardCheck | None:
        """What a card with this code may tell, if its verification holds; None for any other code."""
        with self._operation("card_check") as connection:
            row = connection.execute(
                "SELECT first_name, neighbourhood, expires_at FROM verifications "
                "WHERE code = ? AND withdrawn_at IS NULL AND expires_at > ?",
                (code, _now(now)),
            ).fetchone()
        return None if row is None else CardCheck(row[0], row[1], int(row[2]))
