"""What the staff tool needs from a store, on every backend: streaming in order, history, erasure, the log.

The same checks on SQLite, on moto's DynamoDB server and on dynalite (DynamoDB stores read in pages of 2
here, so every read crosses page boundaries).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from test_staff_support import NOW, Staff, expired, help_request, vacancy_response, volunteer

from helpt.stores import Event, LogEntry, StaffStore
from helpt.stores.sqlite import SQLiteStore

pytest_plugins = ["dynamodb_servers", "test_staff_support"]
FORMS = ("help_request", "volunteer_signup", "vacancy_response")


@pytest.fixture
def store(staff: Staff) -> StaffStore:
    return staff.store


def test_stream_merges_the_forms_oldest_first_and_skips_expired(store: StaffStore) -> None:
    records = [
        help_request("H-3", minutes_ago=10),
        volunteer("V-1", minutes_ago=50),
        help_request("H-1", minutes_ago=40),
        vacancy_response("R-1", minutes_ago=30),
        volunteer("V-2", minutes_ago=20),
        help_request("H-2", minutes_ago=25),
    ]
    for record in [*records, expired(help_request("H-OLD", minutes_ago=45))]:
        assert store.add(record)
    store.quarantine(help_request("H-BOT", minutes_ago=35))

    streamed = [s.reference for s in store.stream(forms=FORMS, now=NOW)]

    assert streamed == ["V-1", "H-1", "R-1", "H-2", "V-2", "H-3"]
    assert [s.reference for s in store.stream(forms=("help_request",), now=NOW)] == ["H-1", "H-2", "H-3"]
    assert list(store.stream(forms=(), now=NOW)) == []


def test_stream_takes_a_period_from_inclusive_to_exclusive(store: StaffStore) -> None:
    for minutes in (50, 40, 30, 20):
        assert store.add(help_request(f"H-{minutes}", minutes_ago=minutes))
    since, until = NOW - dt.timedelta(minutes=40), NOW - dt.timedelta(minutes=20)

    between = store.stream(forms=FORMS, since=since, until=until, now=NOW)
    assert [s.reference for s in between] == ["H-40", "H-30"]
    assert [s.reference for s in store.stream(forms=FORMS, since=since, now=NOW)] == ["H-40", "H-30", "H-20"]
    assert [s.reference for s in store.stream(forms=FORMS, until=until, now=NOW)] == ["H-50", "H-40", "H-30"]


def test_sqlite_stream_reads_page_by_page_in_order(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    # Same second for several: the order within a moment is by reference, across page boundaries too.
    references = [f"H-{number:02}" for number in range(11)]
    for reference in reversed(references):
        assert store.add(help_request(reference, minutes_ago=5))
    pages = store.stream(forms=FORMS, now=NOW, page_rows=3)

    assert next(pages).reference == "H-00"
    assert [s.reference for s in pages] == references[1:]


def test_events_set_the_status_and_are_kept_in_order(store: StaffStore) -> None:
    store.add(help_request("H-1"))
    at = NOW - dt.timedelta(minutes=5)

    assert store.record_event("H-1", Event(at, "status", "contacted", by="coordinator"), now=NOW)
    assert store.record_event("H-1", Event(at + dt.timedelta(minutes=1), "match", "matched", other="V-1"), now=NOW)
    assert store.record_event("H-1", Event(at + dt.timedelta(minutes=2), "status", "closed", reason="moved"), now=NOW)

    assert store.get("H-1", now=NOW).status == "closed"
    assert [(e.kind, e.status, e.reason, e.other) for e in store.events("H-1")] == [
        ("status", "contacted", "", ""),
        ("match", "matched", "", "V-1"),
        ("status", "closed", "moved", ""),
    ]
    assert store.events("H-1")[0].by == "coordinator" and store.events("H-1")[0].at == at
    assert store.record_event("H-NONE", Event(at, "status", "done"), now=NOW) is False
    store.add(expired(help_request("H-OLD")))
    assert store.record_event("H-OLD", Event(at, "status", "done"), now=NOW) is False, "expired: not live"


def test_a_match_without_a_status_keeps_the_status_and_counts_as_last_matched(store: StaffStore) -> None:
    store.add(volunteer("V-1"))
    store.add(volunteer("V-2"))
    first, second = NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=1)
    store.record_event("V-1", Event(first, "match", other="H-1"), now=NOW)
    store.record_event("V-1", Event(second, "match", other="H-2"), now=NOW)
    store.record_event("V-2", Event(second, "status", "contacted"), now=NOW)

    assert store.get("V-1", now=NOW).status == "new"
    assert store.last_matched(now=NOW) == {"V-1": second}


def test_erase_deletes_the_record_its_quarantined_twin_and_history(store: StaffStore) -> None:
    store.add(help_request("H-1"))
    store.add(help_request("H-2"))
    store.quarantine(help_request("H-1"))
    store.record_event("H-1", Event(NOW, "status", "contacted"), now=NOW)

    assert store.erase("H-1") == 2
    assert store.get("H-1", now=NOW) is None and store.events("H-1") == []
    assert [s.reference for s in store.quarantined(now=NOW)] == []
    assert [s.reference for s in store.stream(forms=FORMS, now=NOW)] == ["H-2"]
    assert store.erase("H-1") == 0
    store.add(expired(help_request("H-OLD")))
    assert store.erase("H-OLD") == 1, "erasure does not wait for expiry"


def test_quarantined_records_are_read_only_for_privacy_requests(store: StaffStore) -> None:
    store.quarantine(help_request("H-BOT", email="someone@example.com"))
    store.quarantine(expired(help_request("H-BOT-OLD")))

    (kept,) = store.quarantined(now=NOW)
    assert kept.reference == "H-BOT" and kept.answers["email"] == "someone@example.com"
    assert store.get("H-BOT", now=NOW) is None


def test_the_export_log_keeps_its_entries_in_order_apart_from_submissions(store: StaffStore) -> None:
    entries = [
        LogEntry(NOW - dt.timedelta(minutes=2), "coordinator", "export", "form=help_request format=csv", 12),
        LogEntry(NOW - dt.timedelta(minutes=1), "coordinator", "erase", "by e-mail", 2),
    ]
    for entry in reversed(entries):
        store.log(entry)

    assert list(store.log_entries()) == entries
    assert list(store.stream(forms=FORMS, now=NOW)) == [] and list(store.submissions(now=NOW)) == []
    assert store.purge_expired(NOW) == 0, "log entries never expire with the submissions"
    assert list(store.log_entries()) == entries


def test_sqlite_purge_takes_the_history_of_expired_records_with_them(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    store.add(help_request("H-1", expires_at=int(NOW.timestamp()) + 60))
    store.record_event("H-1", Event(NOW, "status", "contacted", reason="private reason"), now=NOW)

    assert store.purge_expired(NOW + dt.timedelta(minutes=2)) == 1
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM events").fetchone() == (0,)
    connection.close()
    assert "private reason" not in json.dumps([e.__dict__ for e in store.events("H-1")], default=str)
