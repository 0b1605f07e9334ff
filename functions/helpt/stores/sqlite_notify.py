"""The notification half of the SQLite store: the local queue, the message log, address marks, rate counts.

`SQLiteStore` (helpt.stores.sqlite) inherits it. Four tables:

- `notify_queue`: messages waiting to be sent on the preview (on AWS an SQS queue holds them). A row holds the
  message, address and values included, only until it is sent or given up; then it is deleted.
- `notify_log`: kind, reference, channel, outcome and time of every message: no address, no content.
- `notify_marks`: a hash of the normalised address (helpt.notify.addresses) -> bounced, complained or
  unsubscribed, with the time. Kept until staff remove it: an unsubscribe must hold.
- `notify_rate`: messages per address hash per clock hour, for the per-recipient limit; expire after the hour.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from helpt.notify.addresses import MARKS, address_hash
from helpt.notify.records import NotifyLogEntry, QueuedNotification

if TYPE_CHECKING:
    from helpt.stores.sqlite import _Operation

NOTIFY_SCHEMA = """
CREATE TABLE IF NOT EXISTS notify_queue (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,  -- JSON of a helpt.notify.Message
    attempts INTEGER NOT NULL,
    not_before INTEGER NOT NULL  -- Unix seconds: not taken before (backoff, rate limit, a sender's lease)
);
CREATE INDEX IF NOT EXISTS notify_queue_by_time ON notify_queue (not_before);
CREATE TABLE IF NOT EXISTS notify_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notify_log_by_expiry ON notify_log (expires_at);
CREATE TABLE IF NOT EXISTS notify_marks (
    address_hash TEXT PRIMARY KEY NOT NULL,
    mark TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notify_rate (
    address_hash TEXT NOT NULL,
    window_start INTEGER NOT NULL,  -- Unix seconds of the window's start
    count INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (address_hash, window_start)
);
"""


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


class SQLiteNotify:
    """The notification methods of `SQLiteStore`, which provides `_operation` (one connection each)."""

    if TYPE_CHECKING:

        def _operation(self, name: str) -> _Operation: ...

    # The local queue -------------------------------------------------------------------------------------------

    def queue_notification(self, body: str, *, not_before: int) -> int:
        """Add a message (its JSON) to the queue; its id."""
        with self._operation("queue_notification") as connection:
            cursor = connection.execute(
                "INSERT INTO notify_queue (body, attempts, not_before) VALUES (?, 0, ?)", (body, int(not_before))
            )
            return int(cursor.lastrowid or 0)

    def due_notifications(self, *, now: int, limit: int, lease_seconds: int) -> list[QueuedNotification]:
        """Take up to `limit` due messages, oldest first, and lease them: no other sender takes them for
        `lease_seconds` (a sender that dies mid-way leaves them to be taken again then, never lost)."""
        with self._operation("due_notifications") as connection:
            connection.execute("BEGIN IMMEDIATE")
            rows = connection.execute(
                "SELECT id, body, attempts FROM notify_queue WHERE not_before <= ? ORDER BY not_before, id LIMIT ?",
                (int(now), int(limit)),
            ).fetchall()
            connection.executemany(
                "UPDATE notify_queue SET not_before = ? WHERE id = ?", [(int(now) + lease_seconds, r[0]) for r in rows]
            )
            connection.execute("COMMIT")
        return [QueuedNotification(int(row[0]), str(row[1]), int(row[2])) for row in rows]

    def reschedule_notification(self, id_: int, *, not_before: int, attempts: int) -> None:
        """Put a message back to be taken again at `not_before`, with the deliveries tried so far."""
        with self._operation("reschedule_notification") as connection:
            connection.execute(
                "UPDATE notify_queue SET not_before = ?, attempts = ? WHERE id = ?", (int(not_before), attempts, id_)
            )

    def delete_notification(self, id_: int) -> None:
        """Remove a message from the queue (sent, not to be sent, or given up)."""
        with self._operation("delete_notification") as connection:
            connection.execute("DELETE FROM notify_queue WHERE id = ?", (id_,))

    def queued_notifications(self) -> int:
        """How many messages wait in the queue (for the preview's and the tests' eyes)."""
        with self._operation("queued_notifications") as connection:
            return int(connection.execute("SELECT COUNT(*) FROM notify_queue").fetchone()[0])

    # The log, the marks, the rate ------------------------------------------------------------------------------

    def log_notification(self, entry: NotifyLogEntry) -> None:
        """Add an entry to the message log (kind, reference, channel, outcome: never address or content)."""
        with self._operation("log_notification") as connection:
            connection.execute(
                "INSERT INTO notify_log (at, kind, reference, channel, outcome, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"), entry.kind, entry.reference,
                 entry.channel, entry.outcome, int(entry.expires_at)),
            )  # fmt: skip

    def notification_log(self, *, now: dt.datetime | None = None) -> list[NotifyLogEntry]:
        """The message log, oldest first, without what has expired."""
        moment = int(_now(now).timestamp())
        with self._operation("notification_log") as connection:
            rows = connection.execute(
                "SELECT at, kind, reference, channel, outcome, expires_at FROM notify_log WHERE expires_at > ? "
                "ORDER BY at, id",
                (moment,),
            ).fetchall()
        return [NotifyLogEntry(dt.datetime.fromisoformat(row[0]), *row[1:5], int(row[5])) for row in rows]

    def mark_address(self, address: str, mark: str, *, now: dt.datetime | None = None) -> None:
        """Remember that this address bounced, complained or asked to stop: nothing more is sent to it."""
        if mark not in MARKS:
            raise ValueError(f"unknown mark: {mark}")
        with self._operation("mark_address") as connection:
            connection.execute(
                "INSERT INTO notify_marks (address_hash, mark, at) VALUES (?, ?, ?) "
                "ON CONFLICT (address_hash) DO UPDATE SET mark = excluded.mark, at = excluded.at",
                (address_hash(address), mark, _now(now).astimezone(dt.UTC).isoformat(timespec="seconds")),
            )

    def clear_address_mark(self, address: str) -> None:
        """Forget a mark (staff, when a person gives a working address again or wants messages again)."""
        with self._operation("clear_address_mark") as connection:
            connection.execute("DELETE FROM notify_marks WHERE address_hash = ?", (address_hash(address),))

    def address_mark(self, address: str) -> str | None:
        """ "bounced", "complained" or "unsubscribed" when this address is marked, else None."""
        with self._operation("address_mark") as connection:
            row = connection.execute(
                "SELECT mark FROM notify_marks WHERE address_hash = ?", (address_hash(address),)
            ).fetchone()
        return None if row is None else str(row[0])

    def take_rate(self, address: str, *, window: int, limit: int, expires_at: int) -> bool:
        """Count one message to this address in this window, unless `limit` are counted already: False then."""
        key = address_hash(address)
        with self._operation("take_rate") as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("DELETE FROM notify_rate WHERE expires_at <= ?", (int(window),))
            row = connection.execute(
                "SELECT count FROM notify_rate WHERE address_hash = ? AND window_start = ?", (key, window)
            ).fetchone()
            if row is not None and int(row[0]) >= limit:
                connection.execute("COMMIT")
                return False
            connection.execute(
                "INSERT INTO notify_rate (address_hash, window_start, count, expires_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (address_hash, window_start) DO UPDATE SET count = count + 1",
                (key, int(window), int(expires_at)),
            )
            connection.execute("COMMIT")
        return True
