"""A submission: what one form sent, as every store keeps it.

The same record comes from the web forms (channel "web") and, later, from staff taking a request by phone
(channel "phone"). `expires_at` is the moment the record must be gone (the retention from the city
settings); DynamoDB's TTL deletes on it, and every read skips what is past it, because TTL is lazy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

Answer = str | tuple[str, ...]


@dataclass(frozen=True)
class Submission:
    reference: str
    form: str
    lang: str
    created_at: dt.datetime  # timezone-aware, UTC
    expires_at: int  # Unix seconds: the DynamoDB TTL attribute
    answers: dict[str, Answer] = field(default_factory=dict)
    channel: str = "web"
    status: str = "new"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        moment = now or dt.datetime.now(dt.UTC)
        return self.expires_at <= int(moment.timestamp())


def expiry(created_at: dt.datetime, retention_days: int) -> int:
    """The TTL value for a record created at `created_at` and kept `retention_days` days.

    >>> expiry(dt.datetime(2020, 3, 16, 9, 0, tzinfo=dt.UTC), 90)
    1592125200
    """
    return int((created_at + dt.timedelta(days=retention_days)).timestamp())
