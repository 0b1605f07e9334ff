"""The embedded store: one SQLite file in a local data folder, the default when no cloud database is set up.

It serves a city that runs Helpt on one machine (and every developer's preview). Several threads, or several
processes, may write at once: the database is in WAL mode, so readers never wait for a writer, and writers
wait for each other (busy timeout) instead of failing with "database is locked".

Answers are stored as one JSON text column, not a table of their own: a record is always written and read
whole, and JSON keeps the difference between a single answer (a string) and several (a list, read back as a
tuple) without a schema change when a form gains a field.

For the staff tool: `events` holds each submission's history (statuses, matches) with the submission's
expiry, and `export_log` what staff exported or erased (no personal data). Exports read page by page.

For the web back office: `accounts`, `sessions` and `audit_log`, and the working list's one read of a form's
records with their history; that half of the store is in helpt.stores.sqlite_backoffice.

For notifications: the local queue, the message log, address marks and rate counts, in
helpt.stores.sqlite_notify.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

from helpt.stores import FINISHED_STATUSES, Event, LogEntry, ReferenceTaken, StoreError, current_matches
from helpt.stores.sqlite_backoffice import BACKOFFICE_SCHEMA, SQLiteBackOffice
from helpt.stores.sqlite_notify import NOTIFY_SCHEMA, SQLiteNotify
from helpt.stores.sqlite_verify import VERIFY_SCHEMA, SQLiteVerify
from helpt.submissions import Answer, Submission

PROJECT_DIR = Path(__file__).resolve().parents[3]
PATH_VARIABLE = "HELPT_SQLITE_PATH"
DEFAULT_PATH = PROJECT_DIR / "data" / "helpt.sqlite3"

# How long a writer waits for another writer to finish before giving up. A write takes milliseconds; this
# only runs out when something holds the database for far too long, and a form POST should not hang longer.
BUSY_TIMEOUT_SECONDS = 10.0
# Idle connections a store keeps: as many as requests that write at once on a busy preview; more are closed.
IDLE_CONNECTIONS = 8

_COLUMNS = "reference, form, lang, created_at, expires_at, channel, status, answers"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    reference TEXT PRIMARY KEY NOT NULL,
    form TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TEXT NOT NULL,  -- ISO 8601 in UTC, fixed width, so text order is time order
    expires_at INTEGER NOT NULL,  -- Unix seconds
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL  -- JSON object: field name -> string, or list of strings
);
CREATE INDEX IF NOT EXISTS submissions_by_form ON submissions (form, created_at);
CREATE INDEX IF NOT EXISTS submissions_by_expiry ON submissions (expires_at);
-- What bots sent (a filled honeypot): kept apart, so no query on `submissions` can ever return it.
CREATE TABLE IF NOT EXISTS quarantine (
    reference TEXT PRIMARY KEY NOT NULL,
    form TEXT NOT NULL,
    lang TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    answers TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_by_expiry ON quarantine (expires_at);
-- Exports of several forms read in time order, page by page: this index gives each page without a sort.
CREATE INDEX IF NOT EXISTS submissions_by_created ON submissions (created_at, reference);
-- What staff did with a submission; deleted with it (same expiry, and by reference on erasure).
CREATE TABLE IF NOT EXISTS events (
    reference TEXT NOT NULL,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    other TEXT NOT NULL,
    staff TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_reference ON events (reference, at);
CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind, reference);
-- How a repeat of the same answers is recognised (a double click, a reload): a SHA-256 of the answers and
-- the city's day, pointing at the request they made. Kept only until the end of that day.
CREATE TABLE IF NOT EXISTS fingerprints (
    fingerprint TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fingerprints_by_reference ON fingerprints (reference);
-- Who exported or erased what, when; never personal data, so it outlives the submissions.
CREATE TABLE IF NOT EXISTS export_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    selection TEXT NOT NULL,
    row_count INTEGER NOT NULL
);
"""
_EVENT_COLUMNS = "at, kind, status, reason, other, staff"
# Rows per page of an export: small enough to keep memory flat, large enough that a page costs little.
STREAM_PAGE_ROWS = 1000
_INSERT = "INSERT INTO {table} (" + _COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"


def default_path() -> Path:
    """Where the database lives unless told otherwise: $HELPT_SQLITE_PATH, else `data/helpt.sqlite3`."""
    configured = os.environ.get(PATH_VARIABLE)
    return Path(configured) if configured else DEFAULT_PATH


class SQLiteStore(SQLiteBackOffice, SQLiteNotify, SQLiteVerify):
    """Submissions in one SQLite file; see the module docstring for why it is shaped this way.

    Connections are kept and used again: opening one costs about 1 ms (WAL's shared memory, the schema,
    the pragmas), more than a whole write on a kept connection (0.3 ms with a durable commit). They are kept
    in a small pool rather than one per thread: the local server starts a thread for every request, so a
    connection per thread would still be opened once per request. Each operation takes an idle connection
    (or opens one), uses it on its thread alone, and gives it back; one left inside a transaction by an error
    is rolled back, or closed when that fails. The pool is let go when the file was deleted or replaced (the
    next operation makes the file again), and in a child process after a fork.

    Store modules (sqlite_backoffice.py, sqlite_notify.py, and any new one) get their connection the same way:
    `with self._operation("name") as connection:`, which also turns SQLite's errors into StoreError.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()  # guards the idle connections
        # This process's writers take turns here, where a thread waits for the one before it and starts the
        # moment it is done. Left to SQLite (its busy timeout) they would poll the file's lock and sleep 1, 2,
        # 5, 10 ms between tries: 20 form posts at once then spend most of their time asleep. Writers in other
        # processes (`helpt` beside the preview) still meet at SQLite's lock. Re-entrant: an operation may
        # call another on its thread.
        self._writing = threading.RLock()
        self._file: tuple[int, int, int] | None = None  # (process, device, inode) the idle connections belong to
        self._create()

    def _create(self) -> None:
        """Make the folder, the file and the schema, private to the account that runs the server.

        Run again whenever the file is found missing (deleted while the server runs): sqlite3 would otherwise
        make a new one with the default permissions, readable by every account on the machine.
        """
        try:
            # The file holds residents' personal data. SQLite gives its -wal and -shm files the file's mode.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
            with closing(self._open()) as connection:
                # WAL is a property of the file: set once here, it holds for every later connection.
                mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                if mode != "wal":
                    raise StoreError(f"SQLite store: WAL journal mode unavailable (got {mode!r})")
                connection.executescript(_SCHEMA + BACKOFFICE_SCHEMA + NOTIFY_SCHEMA + VERIFY_SCHEMA)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"SQLite store: cannot open the database ({type(error).__name__}: {error})") from error

    def add(self, submission: Submission) -> bool:
        """Keep a submission once: False, and nothing written, if its reference is kept already."""
        row = _row(submission)
        with self._operation("add") as connection:
            # ON CONFLICT DO NOTHING, never INSERT OR REPLACE: a replayed POST must not overwrite the first.
            return connection.execute(_INSERT.format(table="submissions"), row).rowcount == 1

    def add_once(
        self, submission: Submission, fingerprint: str, *, fingerprint_expires_at: int, now: dt.datetime | None = None
    ) -> str:
        """Keep a submission unless these answers made a live, unfinished request today: the reference kept.

        One write transaction, so two identical POSTs at the same moment store one record; ReferenceTaken
        when the new reference is another record's (the caller draws again).
        """
        row = _row(submission)
        moment = _unix(now)
        with self._operation("add_once") as connection:
            connection.execute("BEGIN IMMEDIATE")
            earlier = connection.execute(
                "SELECT s.reference FROM fingerprints f JOIN submissions s ON s.reference = f.reference "
                "WHERE f.fingerprint = ? AND f.expires_at > ? AND s.expires_at > ? AND s.status NOT IN (?, ?)",
                (fingerprint, moment, moment, *FINISHED_STATUSES),
            ).fetchone()
            if earlier is not None:
                connection.execute("COMMIT")
                return str(earlier[0])
            if connection.execute(_INSERT.format(table="submissions"), row).rowcount != 1:
                connection.execute("ROLLBACK")
                raise ReferenceTaken("SQLite store: the reference is taken")
            connection.execute(
                "INSERT INTO fingerprints (fingerprint, reference, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (fingerprint) DO UPDATE SET reference = excluded.reference, "
                "expires_at = excluded.expires_at",
                (fingerprint, submission.reference, fingerprint_expires_at),
            )
            connection.execute("COMMIT")
        return submission.reference

    def correct(
        self, reference: str, answers: Mapping[str, Answer], events: Sequence[Event], *, now: dt.datetime | None = None
    ) -> bool:
        """Replace these answers of a live submission and add the events to its history, in one transaction."""
        with self._operation("correct") as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute(
                f"SELECT {_COLUMNS} FROM submissions WHERE reference = ? AND expires_at > ?", (reference, _unix(now))
            ).fetchone()
            if row is None:
                connection.execute("ROLLBACK")
                return False
            current = _submission(row)
            corrected = _row(replace(current, answers={**current.answers, **answers}))
            connection.execute("UPDATE submissions SET answers = ? WHERE reference = ?", (corrected[-1], reference))
            for event in events:
                _insert_event(connection, reference, event, current.expires_at)
            connection.execute("COMMIT")
        return True

    def quarantine(self, submission: Submission) -> None:
        """Keep what a bot sent in its own table, never read as a submission; the first copy is kept."""
        row = _row(submission)
        with self._operation("quarantine") as connection:
            connection.execute(_INSERT.format(table="quarantine"), row)

    def get(self, reference: str, *, now: dt.datetime | None = None) -> Submission | None:
        """One submission by reference, or None when there is none or it has expired."""
        with self._operation("get", reading=True) as connection:
            row = connection.execute(
                f"SELECT {_COLUMNS} FROM submissions WHERE reference = ? AND expires_at > ?",
                (reference, _unix(now)),
            ).fetchone()
        return None if row is None else _submission(row)

    def submissions(self, *, form: str | None = None, now: dt.datetime | None = None) -> Iterator[Submission]:
        """Every submission that has not expired, oldest first (then by reference), optionally of one form.

        The rows are fetched before the first one is returned, so the read transaction is short and the
        connection closed whatever the caller does with the iterator; the retention keeps the table small.
        """
        query = f"SELECT {_COLUMNS} FROM submissions WHERE expires_at > ?"
        parameters: tuple[object, ...] = (_unix(now),)
        if form is not None:
            query += " AND form = ?"
            parameters += (form,)
        with self._operation("submissions", reading=True) as connection:
            rows = connection.execute(query + " ORDER BY created_at, reference", parameters).fetchall()
        return (_submission(row) for row in rows)

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete every expired record, submissions and quarantined ones alike; return how many were deleted.

        Expired history, fingerprints, back-office sessions and audit entries go too, uncounted: they are
        not records.
        """
        moment = _unix(now)
        with self._operation("purge_expired") as connection:
            # One transaction for every table; if anything fails, closing the connection rolls it back.
            connection.execute("BEGIN IMMEDIATE")
            deleted = connection.execute("DELETE FROM submissions WHERE expires_at <= ?", (moment,)).rowcount
            deleted += connection.execute("DELETE FROM quarantine WHERE expires_at <= ?", (moment,)).rowcount
            connection.execute("DELETE FROM events WHERE expires_at <= ?", (moment,))
            connection.execute("DELETE FROM fingerprints WHERE expires_at <= ?", (moment,))
            connection.execute("DELETE FROM sessions WHERE expires_at <= ?", (moment,))
            connection.execute("DELETE FROM audit_log WHERE expires_at <= ?", (moment,))
            connection.execute("DELETE FROM verifications WHERE expires_at <= ?", (moment,))
            connection.execute("COMMIT")
            _checkpoint(connection)
        return deleted

    def stream(
        self,
        *,
        forms: Sequence[str],
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        now: dt.datetime | None = None,
        page_rows: int = STREAM_PAGE_ROWS,
    ) -> Iterator[Submission]:
        """Live submissions of these forms created in [since, until), oldest first, read a page at a time.

        Each page is its own short read that starts after the last row of the one before (keyset paging),
        so memory stays flat, no read transaction stays open while the caller writes a file, and a
        submission arriving meanwhile does not shift the pages.
        """
        # One form: its index gives the rows in time order. Several: the time index does, filtering the forms;
        # left to itself the planner picks the form index and sorts every remaining row again for each page.
        table = "submissions" if len(forms) == 1 else "submissions INDEXED BY submissions_by_created"
        query = f"SELECT {_COLUMNS} FROM {table} WHERE expires_at > ? AND form IN ({', '.join('?' * len(forms))})"
        parameters: list[object] = [_unix(now), *forms]
        if since is not None:
            query += " AND created_at >= ?"
            parameters.append(created_at_text(since))
        if until is not None:
            query += " AND created_at < ?"
            parameters.append(created_at_text(until))
        return self._pages(query, parameters, page_rows) if forms else iter(())

    def _pages(self, query: str, parameters: list[object], page_rows: int) -> Iterator[Submission]:
        after: tuple[str, str] | None = None
        while True:
            page_query = query + (" AND (created_at, reference) > (?, ?)" if after else "")
            with self._operation("stream", reading=True) as connection:
                rows = connection.execute(
                    page_query + " ORDER BY created_at, reference LIMIT ?", [*parameters, *(after or ()), page_rows]
                ).fetchall()
            yield from (_submission(row) for row in rows)
            if len(rows) < page_rows:
                return
            after = (rows[-1][3], rows[-1][0])

    def quarantined(self, *, now: dt.datetime | None = None) -> Iterator[Submission]:
        """What bots sent and has not expired, oldest first: only read to answer a person's own request."""
        with self._operation("quarantined", reading=True) as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM quarantine WHERE expires_at > ? ORDER BY created_at, reference", (_unix(now),)
            ).fetchall()
        return (_submission(row) for row in rows)

    def record_event(self, reference: str, event: Event, *, now: dt.datetime | None = None) -> bool:
        """Add to a live submission's history (and set its status); False if there is no such submission."""
        with self._operation("record_event") as connection:
            connection.execute("BEGIN IMMEDIATE")
            row = connection.execute(
                "SELECT expires_at FROM submissions WHERE reference = ? AND expires_at > ?", (reference, _unix(now))
            ).fetchone()
            if row is None:
                connection.execute("ROLLBACK")
                return False
            if event.status:
                connection.execute("UPDATE submissions SET status = ? WHERE reference = ?", (event.status, reference))
            _insert_event(connection, reference, event, row[0])
            connection.execute("COMMIT")
        return True

    def events(self, reference: str) -> list[Event]:
        """A submission's history, oldest first."""
        with self._operation("events", reading=True) as connection:
            rows = connection.execute(
                f"SELECT {_EVENT_COLUMNS} FROM events WHERE reference = ? ORDER BY at, rowid", (reference,)
            ).fetchall()
        return [_event(row) for row in rows]

    def last_matched(self, *, now: dt.datetime | None = None) -> dict[str, dt.datetime]:
        """Reference to the time of its latest match, for every live submission ever matched."""
        with self._operation("last_matched", reading=True) as connection:
            rows = connection.execute(
                "SELECT reference, MAX(at) FROM events WHERE kind = 'match' AND expires_at > ? GROUP BY reference",
                (_unix(now),),
            ).fetchall()
        return {reference: dt.datetime.fromisoformat(at) for reference, at in rows}

    def matches(self, *, now: dt.datetime | None = None) -> dict[str, tuple[str, ...]]:
        """Reference to what it is matched with now, for every live submission with a match: only the match
        events are read (the `events_by_kind` index), in history order, and folded record by record."""
        with self._operation("matches", reading=True) as connection:
            rows = connection.execute(
                "SELECT reference, kind, other FROM events WHERE kind IN ('confirm', 'match', 'undo') "
                "AND expires_at > ? ORDER BY reference, at, rowid",
                (_unix(now),),
            ).fetchall()
        found = {}
        for reference, group in itertools.groupby(rows, key=lambda row: row[0]):
            if matched := current_matches((kind, other) for _reference, kind, other in group):
                found[reference] = matched
        return found

    def erase(self, reference: str) -> int:
        """Delete the submission and quarantined record with this reference and their history (a volunteer's
        verification too); return how many.

        The audit log keeps its entries about the record: they hold no personal data, and show what was done.
        """
        with self._operation("erase") as connection:
            connection.execute("BEGIN IMMEDIATE")
            deleted = connection.execute("DELETE FROM submissions WHERE reference = ?", (reference,)).rowcount
            deleted += connection.execute("DELETE FROM quarantine WHERE reference = ?", (reference,)).rowcount
            connection.execute("DELETE FROM events WHERE reference = ?", (reference,))
            connection.execute("DELETE FROM fingerprints WHERE reference = ?", (reference,))
            connection.execute("DELETE FROM verifications WHERE reference = ?", (reference,))
            connection.execute("COMMIT")
            _checkpoint(connection)
        return deleted

    def log(self, entry: LogEntry) -> None:
        """Add a line to the export log."""
        with self._operation("log") as connection:
            connection.execute(
                "INSERT INTO export_log (at, who, action, selection, row_count) VALUES (?, ?, ?, ?, ?)",
                (created_at_text(entry.at), entry.who, entry.action, entry.filter, entry.rows),
            )

    def log_entries(self) -> Iterator[LogEntry]:
        """The export log, oldest first."""
        with self._operation("log_entries", reading=True) as connection:
            rows = connection.execute(
                "SELECT at, who, action, selection, row_count FROM export_log ORDER BY at, id"
            ).fetchall()
        return (LogEntry(dt.datetime.fromisoformat(at), *rest) for at, *rest in rows)

    def _connect(self) -> sqlite3.Connection:
        """An idle connection to the file as it is now, or a new one."""
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            self._create()
            found = os.stat(self.path)
        file = (os.getpid(), found.st_dev, found.st_ino)
        with self._lock:
            if file != self._file:
                # Another file at the path, or another process: the idle connections are not to it, or not ours.
                stale, previous = self._idle, self._file
                self._idle, self._file = [], file
                if previous is not None and previous[0] == file[0]:  # after a fork they are the parent's: left be
                    for connection in stale:
                        connection.close()
            if self._idle:
                return self._idle.pop()
        return self._open()

    def _release(self, connection: sqlite3.Connection) -> None:
        """Give a connection back once its operation is done: kept if it is clean, else closed."""
        try:
            if connection.in_transaction:  # an operation stopped half-way: nothing of it may be committed later
                connection.execute("ROLLBACK")
        except sqlite3.Error:
            connection.close()
            return
        with self._lock:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def _open(self) -> sqlite3.Connection:
        # isolation_level=None: autocommit. Each write is one statement, committed when it returns, so no
        # forgotten commit() can lose a submission and no transaction is left open holding the write lock.
        # `timeout` is SQLite's busy timeout: a writer waits for the one holding the lock instead of failing.
        # check_same_thread=False: a kept connection serves one operation at a time, on any thread.
        connection = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        # Deleted records are overwritten with zeros, not left in free pages: upstream SQLite builds have this
        # off (Debian's has it on), and an erasure must not depend on how SQLite was compiled.
        connection.execute("PRAGMA secure_delete = ON")
        # FULL: each commit is on disk before it returns, power cut or not. In WAL mode NORMAL is consistent but
        # may lose the last commits on a power cut, and a resident told "we have your request" must not lose it.
        # Set here, not left to how SQLite was compiled (its WAL default can be NORMAL).
        connection.execute("PRAGMA synchronous = FULL")
        return connection

    def _operation(self, name: str, *, reading: bool = False) -> _Operation:
        """A connection for one operation. `reading=True` for one that only reads: it need not wait for the
        writers of this process, WAL lets it read beside them."""
        return _Operation(self, name, reading)


class _Operation:
    """A connection for one store operation, given back afterwards (SQLiteStore), its errors as StoreError."""

    def __init__(self, store: SQLiteStore, name: str, reading: bool = False) -> None:
        self.store = store
        self.name = name
        self.connection: sqlite3.Connection | None = None
        self.lock = None if reading else store._writing

    def __enter__(self) -> sqlite3.Connection:
        if self.lock is not None:
            self.lock.acquire()
        try:
            self.connection = self.store._connect()
        except BaseException as error:
            if self.lock is not None:
                self.lock.release()
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"SQLite store: {self.name} failed ({type(error).__name__}: {error})") from error
            raise
        return self.connection

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: object) -> None:
        try:
            if self.connection is not None:
                self.store._release(self.connection)
        finally:
            if self.lock is not None:
                self.lock.release()
        # SQLite's messages name the statement's problem ("database is locked"), never the bound values.
        if isinstance(error, sqlite3.Error):
            raise StoreError(f"SQLite store: {self.name} failed ({type(error).__name__}: {error})") from error
        if isinstance(error, UnicodeEncodeError):
            # A lone surrogate cannot be written as UTF-8. Its message would quote the text: drop the cause.
            raise StoreError(f"SQLite store: {self.name} failed (text that is not valid Unicode)") from None


def _insert_event(connection: sqlite3.Connection, reference: str, event: Event, expires_at: int) -> None:
    connection.execute(
        f"INSERT INTO events (reference, {_EVENT_COLUMNS}, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (reference, created_at_text(event.at), event.kind, event.status, event.reason, event.other, event.by,
         expires_at),
    )  # fmt: skip


def _event(row: Sequence[Any]) -> Event:
    at, *rest = row  # in the order of _EVENT_COLUMNS
    return Event(dt.datetime.fromisoformat(at), *rest)


# How often an erasure tries to empty the write-ahead log while a reader holds it open; each try already
# waits up to the busy timeout for readers to finish.
CHECKPOINT_TRIES = 3


def _checkpoint(connection: sqlite3.Connection) -> None:
    """Copy the write-ahead log into the database and truncate it, so that erased answers are not left in it.

    With secure_delete the database's own pages are zeroed; the log, though, still holds the frames that
    wrote the record in the first place until a checkpoint runs. TRUNCATE waits for readers to finish.
    """
    for _try in range(CHECKPOINT_TRIES):
        busy, _frames, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
        time.sleep(0.05)
    raise StoreError("SQLite store: the write-ahead log could not be emptied (a reader kept it open)")


def _row(submission: Submission) -> tuple[object, ...]:
    if not all(isinstance(name, str) for name in submission.answers):
        raise TypeError("answer names must be text")
    answers = {name: _answer_json(value) for name, value in submission.answers.items()}
    return (
        submission.reference,
        submission.form,
        submission.lang,
        created_at_text(submission.created_at),
        submission.expires_at,
        submission.channel,
        submission.status,
        # ensure_ascii=False keeps every script as itself (UTF-8) in the file, readable by any SQLite tool.
        # Control characters, NUL included, are still written as \u escapes: they round-trip exactly.
        json.dumps(answers, ensure_ascii=False, separators=(",", ":")),
    )


def _answer_json(value: Answer) -> str | list[str]:
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list) and all(isinstance(part, str) for part in value):
        return list(value)
    # Checked on the way in: JSON would take a number or None, and the record could then never be read back.
    raise TypeError("an answer must be text or a tuple of text")


def _submission(row: tuple[Any, ...]) -> Submission:
    reference, form, lang, created_at, expires_at, channel, status, answers = row
    try:
        decoded = _decode(str(answers))
        if decoded.__class__ is not dict:
            raise TypeError("the answers are not an object")
        for name, value in decoded.items():  # most answers are text; a list becomes a tuple
            if value.__class__ is not str:
                decoded[name] = _answer(value)
        return Submission(
            str(reference), str(form), str(lang), dt.datetime.fromisoformat(str(created_at)), int(expires_at),
            decoded, str(channel), str(status),
        )  # fmt: skip
    except (ValueError, TypeError, AttributeError) as error:
        raise StoreError(f"SQLite store: unreadable record ({type(error).__name__})") from None


_decode = json.JSONDecoder().decode  # json.loads without its checks of the argument, for every record read


def _answer(value: object) -> Answer:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise TypeError("an answer is neither text nor a list of text")


def created_at_text(moment: dt.datetime) -> str:
    """`moment` as fixed-width ISO 8601 in UTC, so that sorting the text sorts by time.

    >>> created_at_text(dt.datetime(2020, 3, 16, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    '2020-03-16T09:00:00.000000+00:00'
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive time is a bug in the caller: guessing the machine's zone would misdate the record.
        raise ValueError("created_at must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _unix(now: dt.datetime | None) -> int:
    """The moment reads compare `expires_at` with, the same way `Submission.is_expired` does."""
    return int((now or dt.datetime.now(dt.UTC)).timestamp())
