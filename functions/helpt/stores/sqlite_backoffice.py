"""The web back office's half of the SQLite store: accounts, sessions, the audit log, records with history.

`SQLiteStore` (helpt.stores.sqlite) inherits it; import the store from there. Three tables of their own:

- `accounts`: one row per account, every field of `Account`. Passwords and sign-in links only as hashes.
  A file from before `organisation` existed gains that column when the store first touches an account.
- `sessions`: one row per signed-in browser, keyed by the SHA-256 of its cookie token, with `expires_at`.
- `audit_log`: who viewed or did what, on which record. No personal data, so erasing a record leaves its
  entries (they are the privacy officer's proof); they expire by their own `expires_at`, which the back
  office sets to the record's. `purge_expired` deletes expired sessions and entries with the records.

Every read skips what has expired, whether or not a purge has deleted it yet, as for submissions.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from helpt.stores import Account, AuditEntry, Event, StaffSession
from helpt.submissions import Submission

if TYPE_CHECKING:
    from helpt.stores.sqlite import _Operation

# Run with the rest of the schema (CREATE ... IF NOT EXISTS), so a database made before the back office
# existed gains these tables the next time a store opens it.
BACKOFFICE_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY NOT NULL,
    role TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    link_hash TEXT NOT NULL,
    link_expires_at INTEGER NOT NULL,
    failed_signins INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    active INTEGER NOT NULL,  -- 1 or 0
    organisation TEXT NOT NULL DEFAULT ''  -- role "organisation": the Organisation-id of its vacancies
);
-- A signed-in browser, under the SHA-256 of its cookie token: the token itself is never stored.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    account TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,  -- Unix seconds, like last_seen (StaffSession keeps both so)
    last_seen INTEGER NOT NULL,
    csrf_token TEXT NOT NULL,
    lang TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
-- Who viewed or did what in the back office. Never personal data; not erased with the record it names.
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,  -- ISO 8601 in UTC, fixed width, like submissions.created_at
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    reference TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_by_expiry ON audit_log (expires_at);
"""
_ACCOUNT_COLUMNS = (
    "name, role, display_name, password_hash, link_hash, link_expires_at, failed_signins, locked_until, active, "
    "organisation"
)
# A database made before accounts had an organisation: CREATE TABLE IF NOT EXISTS leaves its table as it was,
# so the column is added the first time this store reads or writes an account (SQLite has no ADD COLUMN IF
# NOT EXISTS). Existing accounts get '' (no organisation), which is right for every role made before then.
_ADD_ORGANISATION = "ALTER TABLE accounts ADD COLUMN organisation TEXT NOT NULL DEFAULT ''"
_SESSION_COLUMNS = "id_hash, account, role, created_at, last_seen, csrf_token, lang"


class SQLiteBackOffice:
    """The `BackOfficeStore` methods of `SQLiteStore`, which provides `_operation` (one connection each)."""

    if TYPE_CHECKING:

        def _operation(self, name: str) -> _Operation: ...

    def put_account(self, account: Account) -> None:
        """Create or replace the account with this name."""
        with self._operation("put_account") as connection:
            _migrate_accounts(self, connection)
            connection.execute(
                f"INSERT OR REPLACE INTO accounts ({_ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (account.name, account.role, account.display_name, account.password_hash, account.link_hash,
                 int(account.link_expires_at), int(account.failed_signins), int(account.locked_until),
                 int(bool(account.active)), account.organisation),
            )  # fmt: skip

    def get_account(self, name: str) -> Account | None:
        """The account with this name, or None."""
        with self._operation("get_account") as connection:
            _migrate_accounts(self, connection)
            row = connection.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts WHERE name = ?", (name,)).fetchone()
        return None if row is None else _account(row)

    def accounts(self) -> list[Account]:
        """Every account, by name."""
        with self._operation("accounts") as connection:
            _migrate_accounts(self, connection)
            rows = connection.execute(f"SELECT {_ACCOUNT_COLUMNS} FROM accounts ORDER BY name").fetchall()
        return [_account(row) for row in rows]

    def put_session(self, session: StaffSession, *, expires_at: int) -> None:
        """Create or replace a session (also to move `last_seen`); invisible, then purged, after `expires_at`."""
        with self._operation("put_session") as connection:
            connection.execute(
                f"INSERT OR REPLACE INTO sessions ({_SESSION_COLUMNS}, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (session.id_hash, session.account, session.role, int(session.created_at), int(session.last_seen),
                 session.csrf_token, session.lang, int(expires_at)),
            )  # fmt: skip

    def get_session(self, id_hash: str, *, now: dt.datetime | None = None) -> StaffSession | None:
        """The session with this hash, or None (also past its `expires_at`)."""
        with self._operation("get_session") as connection:
            row = connection.execute(
                f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id_hash = ? AND expires_at > ?",
                (id_hash, sqlite._unix(now)),
            ).fetchone()
        return None if row is None else _session(row)

    def delete_session(self, id_hash: str) -> None:
        """Sign a session out: its row is deleted, so the cookie finds nothing."""
        with self._operation("delete_session") as connection:
            connection.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    def audit(self, entry: AuditEntry) -> None:
        """Add an entry to the audit log. No method changes or deletes one; only expiry does."""
        with self._operation("audit") as connection:
            connection.execute(
                "INSERT INTO audit_log (at, who, action, reference, expires_at) VALUES (?, ?, ?, ?, ?)",
                (sqlite.created_at_text(entry.at), entry.who, entry.action, entry.reference, int(entry.expires_at)),
            )

    def audit_entries(self, *, now: dt.datetime | None = None) -> Iterator[AuditEntry]:
        """The audit log, oldest first (entries written in the same microsecond in the order written)."""
        with self._operation("audit_entries") as connection:
            rows = connection.execute(
                "SELECT at, who, action, reference, expires_at FROM audit_log WHERE expires_at > ? ORDER BY at, id",
                (sqlite._unix(now),),
            ).fetchall()
        return (
            AuditEntry(dt.datetime.fromisoformat(at), who, action, reference, int(expires_at))
            for at, who, action, reference, expires_at in rows
        )

    def records(self, *, form: str, now: dt.datetime | None = None) -> Iterator[tuple[Submission, list[Event]]]:
        """Every live submission of this form with its history, oldest first, in two reads.

        One read for the submissions and one for all their events, in one read transaction so both see the
        same moment (WAL: no writer waits for it). Measured with 2,000 volunteers and 3 events each: about
        55 ms, where one join (each record's columns repeated on every event) took 100 ms, a read per record 1 s.
        """
        moment = sqlite._unix(now)
        live = "FROM submissions WHERE form = ? AND expires_at > ?"
        with self._operation("records") as connection:
            connection.execute("BEGIN")
            rows = connection.execute(
                f"SELECT {sqlite._COLUMNS} {live} ORDER BY created_at, reference", (form, moment)
            ).fetchall()
            event_rows = connection.execute(
                f"SELECT reference, {sqlite._EVENT_COLUMNS} FROM events "
                f"WHERE reference IN (SELECT reference {live}) ORDER BY at, rowid",
                (form, moment),
            ).fetchall()
            connection.execute("COMMIT")
        history: dict[str, list[Event]] = {}
        for reference, *event in event_rows:
            history.setdefault(reference, []).append(sqlite._event(event))
        return ((record, history.get(record.reference, [])) for record in map(sqlite._submission, rows))


def _migrate_accounts(store: object, connection: sqlite3.Connection) -> None:
    """Give an accounts table from before `organisation` the column, once per store object and file.

    Checked on the connection of the operation at hand, so it holds for a file deleted and made again while
    the store is open (made with the column). Two processes adding it at once: the second finds it there."""
    path = getattr(store, "path", None)
    if getattr(store, "_accounts_checked", None) == path:
        return
    columns = {row[1] for row in connection.execute("PRAGMA table_info(accounts)")}
    if "organisation" not in columns:
        try:
            connection.execute(_ADD_ORGANISATION)
        except sqlite3.OperationalError as error:
            if "duplicate column" not in str(error):
                raise
    store._accounts_checked = path  # type: ignore[attr-defined]


def _account(row: tuple[Any, ...]) -> Account:
    name, role, display_name, password_hash, link_hash, link_expires_at, failed, locked_until, active, organisation = (
        row
    )
    return Account(
        name=name,
        role=role,
        display_name=display_name,
        password_hash=password_hash,
        link_hash=link_hash,
        link_expires_at=int(link_expires_at),
        failed_signins=int(failed),
        locked_until=int(locked_until),
        active=bool(active),
        organisation=organisation,
    )


def _session(row: tuple[Any, ...]) -> StaffSession:
    id_hash, account, role, created_at, last_seen, csrf_token, lang = row
    return StaffSession(id_hash, account, role, int(created_at), int(last_seen), csrf_token, lang)


# Imported last, as a module: sqlite.py imports this one to define SQLiteStore, so its helpers are looked up
# when a method runs. Importing names from it at the top would fail whichever of the two is loaded first.
from helpt.stores import sqlite  # noqa: E402
