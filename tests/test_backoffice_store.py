"""What the web back office needs from a store, on every backend: accounts, sessions, the audit log, and a
form's records with their history in one read.

The same checks on SQLite, on moto's DynamoDB server and on dynalite (DynamoDB stores read in pages of 2
here, so every read crosses page boundaries), as in test_stores.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from dynamodb_servers import REGION, dynamodb_store
from test_stores import FilterlessClient

from helpt.stores import Account, AuditEntry, Event, StaffSession, StoreError
from helpt.stores.dynamodb import FORM_CREATED_INDEX, TTL_ATTRIBUTE, DynamoDBStore, listing_keys
from helpt.stores.sqlite import _SCHEMA, SQLiteStore
from helpt.stores.sqlite_backoffice import BACKOFFICE_SCHEMA
from helpt.submissions import Submission

pytest_plugins = ["dynamodb_servers"]
NOW = dt.datetime(2020, 3, 16, 9, 30, tzinfo=dt.UTC)
NOW_UNIX = int(NOW.timestamp())
LATER = NOW_UNIX + 90 * 86400

Store = SQLiteStore | DynamoDBStore
BACKENDS = ["sqlite", "dynamodb-moto", "dynamodb-dynalite"]
DYNAMODB_BACKENDS = ["dynamodb-moto", "dynamodb-dynalite"]

ANNA = Account(
    name="anna.peeters@leuven.be",
    role="coordinator",
    display_name="Anna Peeters",
    password_hash="scrypt$16384$8$1$" + "ab" * 16 + "$" + "cd" * 64,
    link_hash="e3" * 32,
    link_expires_at=NOW_UNIX + 3600,
    failed_signins=2,
    locked_until=NOW_UNIX + 900,
    active=True,
)
SESSION = StaffSession(
    id_hash="5f" * 32,
    account=ANNA.name,
    role="coordinator",
    created_at=NOW_UNIX - 600,
    last_seen=NOW_UNIX - 60,
    csrf_token="q8Xv-csrf-token",
    lang="nl",
)


def volunteer(reference: str, minutes: int, **changes: Any) -> Submission:
    fields: dict[str, Any] = {
        "reference": reference,
        "form": "volunteer_signup",
        "lang": "nl",
        "created_at": NOW + dt.timedelta(minutes=minutes),
        "expires_at": LATER,
        "answers": {"name": f"Volunteer {reference}", "skills": ("groceries", "pharmacy")},
        "channel": "web",
        "status": "new",
    }
    return Submission(**(fields | changes))


def event(minutes: int, kind: str, **fields: str) -> Event:
    return Event(at=NOW + dt.timedelta(minutes=minutes), kind=kind, by="anna.peeters@leuven.be", **fields)


def entry(minutes: int, action: str, reference: str = "", expires_at: int = LATER) -> AuditEntry:
    return AuditEntry(NOW + dt.timedelta(minutes=minutes), "anna.peeters@leuven.be", action, reference, expires_at)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    return dynamodb_store(request, request.param)


@pytest.fixture(params=DYNAMODB_BACKENDS)
def dynamodb(request: pytest.FixtureRequest) -> DynamoDBStore:
    return dynamodb_store(request, request.param)


def stored_rows(store: SQLiteStore, table: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(store.path)) as connection:
        return connection.execute(f"SELECT * FROM {table}").fetchall()


def stored_items(store: DynamoDBStore, prefix: str) -> list[dict[str, Any]]:
    items = store.client.scan(TableName=store.table_name, ConsistentRead=True)["Items"]
    return [item for item in items if item["pk"]["S"].startswith(prefix)]


# Accounts ---------------------------------------------------------------------------------------------------


def test_an_account_round_trips_with_every_field(store: Store) -> None:
    store.put_account(ANNA)

    assert store.get_account(ANNA.name) == ANNA
    assert store.get_account("someone.else@leuven.be") is None
    assert store.get_account(ANNA.name.upper()) is None, "names are kept as given: the caller lower-cases"


def test_an_organisations_account_keeps_its_organisation_and_a_new_role_can_drop_it(store: Store) -> None:
    kar = Account(name="kar@volle-kar.example", role="organisation", display_name="De Volle Kar",
                  organisation="volle-kar")  # fmt: skip
    store.put_account(kar)
    store.put_account(ANNA)

    assert store.get_account(kar.name) == kar and store.accounts() == [ANNA, kar]
    store.put_account(dataclasses.replace(kar, role="coordinator", organisation=""))
    assert store.get_account(kar.name) == dataclasses.replace(kar, role="coordinator", organisation="")
    assert store.get_account(ANNA.name).organisation == ""


def test_put_account_replaces_the_account_and_accounts_come_by_name(store: Store) -> None:
    store.put_account(ANNA)
    jan = Account(name="jan@leuven.be", role="call_centre")
    bert = Account(name="bert@leuven.be", role="privacy_officer", display_name="Bert")
    store.put_account(jan)
    store.put_account(bert)
    withdrawn = dataclasses.replace(ANNA, role="call_centre", password_hash="", link_hash="", failed_signins=0,
                                    locked_until=0, link_expires_at=0, active=False)  # fmt: skip

    store.put_account(withdrawn)

    assert store.get_account(ANNA.name) == withdrawn
    assert store.accounts() == [withdrawn, bert, jan]


# Sessions ---------------------------------------------------------------------------------------------------


def test_a_session_round_trips_and_is_replaced_to_move_last_seen(store: Store) -> None:
    store.put_session(SESSION, expires_at=NOW_UNIX + 3600)
    assert store.get_session(SESSION.id_hash, now=NOW) == SESSION

    moved = dataclasses.replace(SESSION, last_seen=NOW_UNIX, lang="en")
    store.put_session(moved, expires_at=NOW_UNIX + 7200)

    assert store.get_session(SESSION.id_hash, now=NOW) == moved
    assert store.get_session(SESSION.id_hash, now=NOW + dt.timedelta(seconds=7199)) == moved
    assert store.get_session("00" * 32, now=NOW) is None


def test_a_session_is_gone_at_its_expiry_and_after_sign_out(store: Store) -> None:
    store.put_session(SESSION, expires_at=NOW_UNIX + 3600)
    other = dataclasses.replace(SESSION, id_hash="6a" * 32)
    store.put_session(other, expires_at=NOW_UNIX + 3600)

    # At expires_at itself it is gone, as for submissions.
    assert store.get_session(SESSION.id_hash, now=NOW + dt.timedelta(seconds=3600)) is None
    store.delete_session(SESSION.id_hash)
    store.delete_session(SESSION.id_hash)  # signing out twice (two tabs) is not an error

    assert store.get_session(SESSION.id_hash, now=NOW) is None
    assert store.get_session(other.id_hash, now=NOW) == other, "signing out one browser leaves the others"


def test_purge_deletes_expired_sessions_from_sqlite_and_dynamodb_leaves_them_to_ttl(store: Store) -> None:
    store.put_session(SESSION, expires_at=NOW_UNIX)
    live = dataclasses.replace(SESSION, id_hash="6a" * 32)
    store.put_session(live, expires_at=NOW_UNIX + 1)

    assert store.purge_expired(NOW) == 0, "sessions are not records"

    earlier = NOW - dt.timedelta(seconds=1)
    if isinstance(store, SQLiteStore):
        assert [row[0] for row in stored_rows(store, "sessions")] == [live.id_hash], "deleted, not just hidden"
        assert store.get_session(SESSION.id_hash, now=earlier) is None
    else:
        # The staff credentials cannot delete sessions: TTL does, by `expires_at`.
        items = {item["pk"]["S"]: item for item in stored_items(store, "SESSION#")}
        assert items["SESSION#" + SESSION.id_hash][TTL_ATTRIBUTE] == {"N": str(NOW_UNIX)}
        assert store.get_session(SESSION.id_hash, now=earlier) == SESSION
    assert store.get_session(live.id_hash, now=NOW) == live


# The audit log ----------------------------------------------------------------------------------------------


def test_audit_entries_come_oldest_first_without_the_expired_ones(store: Store) -> None:
    written = [
        entry(5, "status", "V-2"),
        entry(-30, "signin"),
        entry(1, "view", "V-1", expires_at=NOW_UNIX),  # expires_at <= now: gone at that very second
        entry(0, "view", "V-2"),
        entry(2, "claim", "V-2", expires_at=NOW_UNIX - 86400),
        entry(3, "note", "V-3"),
    ]
    for line in written:
        store.audit(line)

    assert list(store.audit_entries(now=NOW)) == [written[1], written[3], written[5], written[0]]
    earlier = NOW - dt.timedelta(days=2)
    assert list(store.audit_entries(now=earlier)) == sorted(written, key=lambda line: line.at)


def test_the_same_audit_entry_twice_is_kept_twice(store: Store) -> None:
    store.audit(entry(0, "view", "V-1"))
    store.audit(entry(0, "view", "V-1"))  # the same page opened twice in one microsecond: two views

    assert list(store.audit_entries(now=NOW)) == [entry(0, "view", "V-1")] * 2


def test_purge_deletes_expired_audit_entries_from_sqlite_and_dynamodb_leaves_them_to_ttl(store: Store) -> None:
    store.audit(entry(0, "view", "V-1", expires_at=NOW_UNIX))
    store.audit(entry(1, "view", "V-2"))

    assert store.purge_expired(NOW) == 0, "audit entries are not records"

    earlier = NOW - dt.timedelta(days=2)
    if isinstance(store, SQLiteStore):
        assert [row[4] for row in stored_rows(store, "audit_log")] == ["V-2"], "deleted, not just hidden"
        assert list(store.audit_entries(now=earlier)) == [entry(1, "view", "V-2")]
    else:
        # The staff credentials cannot delete audit entries: TTL does, by `expires_at`.
        expiries = sorted(item[TTL_ATTRIBUTE]["N"] for item in stored_items(store, "AUDIT#"))
        assert expiries == [str(NOW_UNIX), str(LATER)]
    assert list(store.audit_entries(now=NOW)) == [entry(1, "view", "V-2")]


def test_erase_leaves_the_audit_entries_about_the_record(store: Store) -> None:
    assert store.add(volunteer("V-1", 0))
    assert store.record_event("V-1", event(1, "status", status="contacted"), now=NOW)
    lines = [entry(1, "view", "V-1"), entry(2, "status", "V-1"), entry(3, "erase", "V-1")]
    for line in lines:
        store.audit(line)

    assert store.erase("V-1") == 1

    assert store.get("V-1", now=NOW) is None
    assert list(store.records(form="volunteer_signup", now=NOW)) == []
    assert list(store.audit_entries(now=NOW)) == lines


# Records with their history ---------------------------------------------------------------------------------


def test_records_of_a_form_come_oldest_first_with_their_history_in_order(store: Store) -> None:
    two_hours_east = dt.timezone(dt.timedelta(hours=2))  # only real time order sorts it right
    for record in (
        volunteer("V-3", 30),
        volunteer("V-1", -20),
        volunteer("V-2", 10, created_at=(NOW + dt.timedelta(minutes=10)).astimezone(two_hours_east)),
        volunteer("V-4", 40),
        volunteer("H-1", 0, form="help_request"),
        volunteer("V-OLD", -40, expires_at=NOW_UNIX),
    ):
        assert store.add(record)
    store.quarantine(volunteer("V-BOT", 5))
    store.quarantine(volunteer("V-1", -20, answers={"name": "bot"}))
    history = {
        "V-1": [event(1, "status", status="contacted", reason="called"),
                event(2, "correction", other="name", reason="Volunteer V-1"),
                event(3, "match", other="H-1", status="matched")],
        "V-3": [event(4, "pause", reason="on holiday"), event(5, "resume")],
    }  # fmt: skip
    assert store.record_event("V-1", history["V-1"][0], now=NOW)
    assert store.correct("V-1", {"name": "Volunteer One"}, [history["V-1"][1]], now=NOW)
    assert store.record_event("V-1", history["V-1"][2], now=NOW)
    for kept in history["V-3"]:
        assert store.record_event("V-3", kept, now=NOW)
    assert store.record_event("H-1", event(6, "status", status="contacted"), now=NOW)
    store.audit(entry(7, "view", "V-1"))
    store.put_account(ANNA)
    store.put_session(SESSION, expires_at=LATER)

    records = list(store.records(form="volunteer_signup", now=NOW))

    assert [(record.reference, events) for record, events in records] == [
        ("V-1", history["V-1"]),
        ("V-2", []),
        ("V-3", history["V-3"]),
        ("V-4", []),
    ]
    first = records[0][0]
    assert first.status == "matched" and first.answers["name"] == "Volunteer One"
    assert records == [(record, store.events(record.reference)) for record in store.submissions(
        form="volunteer_signup", now=NOW)]  # fmt: skip
    assert list(store.records(form="vacancy_response", now=NOW)) == []


def test_records_read_the_form_in_one_go_not_once_per_record(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(7):
        assert store.add(volunteer(f"V-{number}", number))
        assert store.record_event(f"V-{number}", event(number, "status", status="contacted"), now=NOW)
    calls: list[str] = []
    if isinstance(store, SQLiteStore):
        taken = store._connect  # each operation's connection, kept or new

        def traced() -> sqlite3.Connection:
            connection = taken()
            connection.set_trace_callback(calls.append)
            return connection

        monkeypatch.setattr(store, "_connect", traced)
    else:
        store.client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    records = list(store.records(form="volunteer_signup", now=NOW))

    assert [len(events) for _record, events in records] == [1] * 7
    if isinstance(store, SQLiteStore):
        assert [call.split()[0] for call in calls] == ["BEGIN", "SELECT", "SELECT", "COMMIT"]
    else:
        assert set(calls) == {"Query"}, "no GetItem per record"
        # One Query per shard of the index (docs/DATA.md), each read in pages of 2: a fixed number, whatever
        # the count of records, and never a read per record.
        shards = len(listing_keys("volunteer_signup"))
        assert shards <= len(calls) <= shards + 7 // 2, "a Query per shard, in pages of 2 (7 records)"


def test_dynamodb_reads_skip_expired_and_quarantined_items_even_unfiltered(dynamodb: DynamoDBStore) -> None:
    store = dynamodb
    assert store.add(volunteer("V-LIVE", 0))
    assert store.add(volunteer("V-DUE", 1, expires_at=NOW_UNIX))  # as if TTL had not got round to it yet
    store.quarantine(volunteer("V-BOT", 2))
    store.audit(entry(0, "view", "V-LIVE", expires_at=NOW_UNIX))
    store.put_session(SESSION, expires_at=NOW_UNIX)
    unfiltered = DynamoDBStore(store.table_name, region=REGION, client=FilterlessClient(store.client))
    unfiltered.page_size = 1

    assert [record.reference for record, _events in unfiltered.records(form="volunteer_signup", now=NOW)] == ["V-LIVE"]
    assert list(unfiltered.audit_entries(now=NOW)) == []
    assert unfiltered.get_session(SESSION.id_hash, now=NOW) is None


# Text and storage -------------------------------------------------------------------------------------------

LONE_SURROGATE = "half \ud83d of an emoji"


@pytest.mark.parametrize(
    "where",
    ["account name", "display name", "organisation", "session hash", "csrf token", "audit who", "audit reference",
     "get_account", "get_session", "records form"],
)  # fmt: skip
def test_text_that_is_not_unicode_is_refused_with_store_error(store: Store, where: str) -> None:
    writes = {
        "account name": lambda: store.put_account(dataclasses.replace(ANNA, name=LONE_SURROGATE)),
        "display name": lambda: store.put_account(dataclasses.replace(ANNA, display_name=LONE_SURROGATE)),
        "organisation": lambda: store.put_account(dataclasses.replace(ANNA, organisation=LONE_SURROGATE)),
        "session hash": lambda: store.put_session(
            dataclasses.replace(SESSION, id_hash=LONE_SURROGATE), expires_at=LATER
        ),
        "csrf token": lambda: store.put_session(
            dataclasses.replace(SESSION, csrf_token=LONE_SURROGATE), expires_at=LATER
        ),
        "audit who": lambda: store.audit(dataclasses.replace(entry(0, "view"), who=LONE_SURROGATE)),
        "audit reference": lambda: store.audit(entry(0, "view", LONE_SURROGATE)),
        "get_account": lambda: store.get_account(LONE_SURROGATE),
        "get_session": lambda: store.get_session(LONE_SURROGATE, now=NOW),
        "records form": lambda: list(store.records(form=LONE_SURROGATE, now=NOW)),
    }

    with pytest.raises(StoreError) as refused:
        writes[where]()

    assert "half" not in str(refused.value) and "\ud83d" not in str(refused.value)
    assert store.accounts() == [] and list(store.audit_entries(now=NOW)) == [], "nothing half-written"
    assert store.get_session(SESSION.id_hash, now=NOW) is None


def test_back_office_items_are_never_read_as_records_or_log_lines(store: Store) -> None:
    store.put_account(ANNA)
    store.put_session(SESSION, expires_at=LATER)
    store.audit(entry(0, "signin"))

    assert list(store.submissions(now=NOW)) == []
    assert list(store.stream(forms=("help_request", "volunteer_signup"), now=NOW)) == []
    assert list(store.quarantined(now=NOW)) == []
    assert list(store.log_entries()) == []
    assert store.last_matched(now=NOW) == {}
    assert store.purge_expired(NOW + dt.timedelta(days=365)) == 0


def test_sqlite_keeps_each_kind_in_its_own_table(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    store.put_account(ANNA)
    store.put_session(SESSION, expires_at=LATER)
    store.audit(entry(0, "view", "V-1"))

    assert stored_rows(store, "accounts") == [
        (ANNA.name, "coordinator", "Anna Peeters", ANNA.password_hash, ANNA.link_hash, ANNA.link_expires_at, 2,
         ANNA.locked_until, 1, "")
    ]  # fmt: skip
    assert stored_rows(store, "sessions") == [
        (SESSION.id_hash, ANNA.name, "coordinator", NOW_UNIX - 600, NOW_UNIX - 60, "q8Xv-csrf-token", "nl", LATER)
    ]
    assert stored_rows(store, "audit_log") == [(1, "2020-03-16T09:30:00.000000+00:00", ANNA.name, "view", "V-1", LATER)]


def test_sqlite_a_database_from_before_the_back_office_gains_its_tables(tmp_path: Path) -> None:
    path = tmp_path / "helpt.sqlite3"
    assert "accounts" not in _SCHEMA and "accounts" in BACKOFFICE_SCHEMA
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(_SCHEMA)  # the tables as they were
        connection.execute(
            "INSERT INTO submissions VALUES ('V-1', 'volunteer_signup', 'nl', ?, ?, 'web', 'new', ?)",
            ("2020-03-16T09:30:00.000000+00:00", LATER, '{"name":"Jan"}'),
        )

    store = SQLiteStore(path)
    store.put_account(ANNA)

    assert store.get_account(ANNA.name) == ANNA
    assert [(record.answers, events) for record, events in store.records(form="volunteer_signup", now=NOW)] == [
        ({"name": "Jan"}, [])
    ]


# The accounts table as it was before accounts had an organisation.
ACCOUNTS_BEFORE_ORGANISATIONS = """
CREATE TABLE accounts (
    name TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL, display_name TEXT NOT NULL, password_hash TEXT NOT NULL,
    link_hash TEXT NOT NULL, link_expires_at INTEGER NOT NULL, failed_signins INTEGER NOT NULL,
    locked_until INTEGER NOT NULL, active INTEGER NOT NULL
);
"""


def test_sqlite_an_accounts_table_from_before_organisations_gains_the_column_and_keeps_its_accounts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "helpt.sqlite3"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(ACCOUNTS_BEFORE_ORGANISATIONS)
        connection.execute(
            "INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ANNA.name, ANNA.role, ANNA.display_name, ANNA.password_hash, ANNA.link_hash, ANNA.link_expires_at,
             ANNA.failed_signins, ANNA.locked_until, 1),
        )  # fmt: skip

    store = SQLiteStore(path)
    assert store.get_account(ANNA.name) == ANNA, "read as no organisation"
    kar = Account(name="kar", role="organisation", organisation="volle-kar")
    store.put_account(kar)
    assert SQLiteStore(path).accounts() == [ANNA, kar], "kept, and read back by a store opened afterwards"
    with closing(sqlite3.connect(path)) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(accounts)")]
    assert columns[-1] == "organisation" and columns.count("organisation") == 1


def test_sqlite_two_stores_on_one_old_file_both_add_the_column_without_failing(tmp_path: Path) -> None:
    path = tmp_path / "helpt.sqlite3"
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.executescript(ACCOUNTS_BEFORE_ORGANISATIONS)
    first, second = SQLiteStore(path), SQLiteStore(path)  # two processes that opened the file before either wrote
    first.put_account(Account(name="kar", role="organisation", organisation="volle-kar"))
    second.put_account(Account(name="hof", role="organisation", organisation="hof-ter-beuken"))
    assert [account.organisation for account in first.accounts()] == ["hof-ter-beuken", "volle-kar"]


def test_dynamodb_an_account_item_from_before_organisations_reads_as_no_organisation(dynamodb: DynamoDBStore) -> None:
    store = dynamodb
    store.put_account(Account(name="kar", role="organisation", organisation="volle-kar"))
    (item,) = stored_items(store, "ACCOUNT#")
    assert item["organisation"] == {"S": "volle-kar"}
    store.put_account(ANNA)
    (anna,) = [item for item in stored_items(store, "ACCOUNT#") if item["name"]["S"] == ANNA.name]
    del anna["organisation"]
    store.client.put_item(TableName=store.table_name, Item=anna)  # as an earlier version wrote it
    assert store.get_account(ANNA.name) == ANNA and [a.organisation for a in store.accounts()] == ["", "volle-kar"]


def test_dynamodb_items_have_the_documented_keys_and_stay_out_of_the_index(dynamodb: DynamoDBStore) -> None:
    store = dynamodb
    store.put_account(ANNA)
    store.put_session(SESSION, expires_at=LATER)
    store.audit(entry(0, "view", "V-1"))

    (account,) = stored_items(store, "ACCOUNT#")
    assert account["pk"] == {"S": "ACCOUNT#anna.peeters@leuven.be"}
    assert account["active"] == {"BOOL": True} and account["failed_signins"] == {"N": "2"}
    (session,) = stored_items(store, "SESSION#")
    assert session["pk"] == {"S": "SESSION#" + SESSION.id_hash}
    assert session[TTL_ATTRIBUTE] == {"N": str(LATER)}
    (audit,) = stored_items(store, "AUDIT#")
    assert audit["pk"]["S"].startswith("AUDIT#2020-03-16T09:30:00.000000+00:00#")
    assert audit[TTL_ATTRIBUTE] == {"N": str(LATER)}
    for item in (account, session, audit):
        assert "form" not in item and "created_at" not in item, "not in the form-created index"
    indexed = store.client.scan(TableName=store.table_name, IndexName=FORM_CREATED_INDEX)["Items"]
    assert indexed == []
