"""What the notification half of a store reads back: log entries and queued messages (plain data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# What became of a message, as the log says it. Never the address or the content.
OUTCOMES = ("queued", "sent", "suppressed", "deferred", "failed", "gave_up", "invalid", "not_queued")


@dataclass(frozen=True)
class NotifyLogEntry:
    at: dt.datetime
    kind: str
    reference: str
    channel: str
    outcome: str  # one of OUTCOMES, optionally ":" and a word (suppressed:bounced)
    expires_at: int


@dataclass(frozen=True)
class QueuedNotification:
    """A message waiting in the local queue: its id, the JSON of the Message, and the deliveries tried."""

    id: int
    body: str
    attempts: int
