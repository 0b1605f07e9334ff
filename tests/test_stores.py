"""One contract for every submission store, run against each backend the kit ships.

The same tests run on the SQLite store (a file in a temporary folder), on the DynamoDB store against moto's
server over real HTTP, and on the DynamoDB store against dynalite, a second independent DynamoDB
implementation: behaviour that only one emulator gets right shows up as a difference. When a server cannot
start, its tests are skipped with the reason on a developer's machine, and fail in CI (CI=true).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from dynamodb_servers import PROJECT_DIR, REGION, dynamodb_store, free_port

from helpt.forms import HELP_REQUEST
from helpt.intake import new_reference
from helpt.stores import StoreError
from helpt.stores.dynamodb import (
    FORM_CREATED_INDEX,
    LISTING_SHARDS,
    TTL_ATTRIBUTE,
    DynamoDBStore,
    _item,
    listing_key,
    listing_keys,
)
from helpt.stores.sqlite import PATH_VARIABLE, SQLiteStore, default_path
from helpt.submissions import Answer, Submission

# The moto and dynalite servers are started once per test session, for every test module that uses them.
pytest_plugins = ["dynamodb_servers"]
NOW = dt.datetime(2020, 3, 16, 9, 30, tzinfo=dt.UTC)
LATER = int(NOW.timestamp()) + 90 * 86400

Store = SQLiteStore | DynamoDBStore  # the SubmissionStore contract, and purge_expired for staff

BACKENDS = ["sqlite", "dynamodb-moto", "dynamodb-dynalite"]
DYNAMODB_BACKENDS = ["dynamodb-moto", "dynamodb-dynalite"]

# Text people really type, and text that breaks naive code. Each entry is one answer.
HARD_TEXT = {
    "arabic_rtl": "\u200fمرحبا، أحتاج إلى مساعدة في التسوق\u200f",
    "hebrew_rtl": "\u202bשלום, אני צריך עזרה\u202c \u200eabc\u200e",
    "mixed_direction": "Naam: \u2067محمد\u2069 (Leuven)",
    "cjk": "你好，我需要帮助。こんにちは、助けてください。안녕하세요 도와주세요",
    "devanagari": "नमस्ते, मुझे किराने का सामान चाहिए। क्षत्रिय",
    "thai_tamil_ethiopic_georgian": "สวัสดีครับ வணக்கம் ሰላም გამარჯობა",
    "cyrillic_greek_armenian": "Здравствуйте Γειά σου Բարեւ",
    "emoji_zwj_skin_tones": "👩🏽‍⚕️ 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏿 🧑🏻‍🦯 🇧🇪",
    "astral_plane": "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 𓀀 \U0010ffff",
    "combining_marks": "e\u0301 n\u0303 a\u0308\u0304 Z\u0351\u0352\u0353\u0354",
    "precomposed_and_decomposed": "\u00e9 e\u0301",  # must NOT be normalised into each other
    "zero_width": "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffjoiner",
    "nul_and_controls": "a\x00b\x01\x07\x08\t\n\r\x0b\x0c\x1b[31m\x1f\x7f\x85",
    "line_and_paragraph_separators": "one\u2028two\u2029three",
    "noncharacters_and_replacement": "\ufffe\uffff\ufffd",
    "spreadsheet_formulas": '=HYPERLINK("http://x")',
    "plus": "+32 16 27 20 00",
    "minus": "-1+1",
    "at": "@SUM(A1:A2)",
    "sql": "'; DROP TABLE submissions; --",
    "sql_quotes": "Robert'); DELETE FROM quarantine WHERE ('1'='1",
    "html": '<script>alert("x")</script><img src=x onerror=alert(1)>&amp;&lt;',
    "json_like": '{"answers": {"$ne": null}, "\\u0000": "\\"}',
    "dynamodb_like": '{"S": "x"} SUB#other QUARANTINE#x',
    "whitespace_only": " \t \u00a0\u3000",
    "empty": "",
    "long_latin": "Leuven helpt. " * 714 + "abcd",  # 10,000 characters
    "long_arabic": "م" * 10_000,
    "long_emoji": "👩🏽‍⚕️" * 2_000,  # 10,000 code points, 4 of them astral each time
}
HARD_TUPLES: dict[str, Answer] = {
    "several": ("groceries", "pharmacy", "dog walking"),
    "with_empty": ("", "x", ""),
    "none_chosen": (),
    "one": ("only",),
    "hard_parts": ("مرحبا", "👨‍👩‍👧‍👦", "'; --", "=1+1", "\x00"),
}


def submission(reference: str = "LH-0001", **changes: Any) -> Submission:
    fields: dict[str, Any] = {
        "reference": reference,
        "form": "ask",
        "lang": "nl",
        "created_at": NOW,
        "expires_at": LATER,
        "answers": {"name": "An", "postcode": "3000", "needs": ("groceries", "pharmacy")},
        "channel": "web",
        "status": "new",
    }
    return Submission(**(fields | changes))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    return dynamodb_store(request, request.param)


@pytest.fixture(params=DYNAMODB_BACKENDS)
def dynamodb(request: pytest.FixtureRequest) -> DynamoDBStore:
    return dynamodb_store(request, request.param)


# The contract -----------------------------------------------------------------------------------------------


def test_add_then_get_returns_an_equal_submission(store: Store) -> None:
    kept = submission(
        "LH-7Q2X",
        form="volunteer",
        lang="en",
        created_at=dt.datetime(2020, 3, 16, 10, 15, 30, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        channel="phone",
        status="in progress",
        answers={"name": "Jan Peeters", "skills": ("driving", "shopping"), "remarks": ""},
    )

    assert store.add(kept) is True
    found = store.get("LH-7Q2X", now=NOW)

    assert found == kept
    assert found is not None
    assert (found.form, found.lang, found.channel, found.status) == ("volunteer", "en", "phone", "in progress")
    assert found.created_at == dt.datetime(2020, 3, 16, 9, 15, 30, 123456, tzinfo=dt.UTC)
    assert found.created_at.utcoffset() == dt.timedelta(0), "read back in UTC"
    assert found.expires_at == LATER and isinstance(found.expires_at, int)
    assert found.answers == {"name": "Jan Peeters", "skills": ("driving", "shopping"), "remarks": ""}
    assert isinstance(found.answers["skills"], tuple)
    assert store.get("LH-NONE", now=NOW) is None
    assert list(store.submissions(now=NOW)) == [kept]


def test_a_reference_is_kept_once_and_never_overwritten(store: Store) -> None:
    first = submission("LH-DUP1", answers={"name": "Eerste", "needs": ("groceries",)})
    second = submission("LH-DUP1", answers={"name": "Tweede", "needs": ("pharmacy",)}, status="done")

    assert store.add(first) is True
    assert store.add(second) is False
    assert store.add(first) is False, "an identical replay is a duplicate too"

    assert store.get("LH-DUP1", now=NOW) == first
    assert list(store.submissions(now=NOW)) == [first]


def test_expired_records_are_invisible_and_purged(store: Store) -> None:
    now = int(NOW.timestamp())
    live = submission("LH-LIVE", expires_at=now + 1)
    due = submission("LH-DUE", expires_at=now)  # expires_at <= now: gone at that very second
    old = submission("LH-OLD", expires_at=now - 86400, created_at=NOW - dt.timedelta(days=91))
    for record in (live, due, old):
        assert store.add(record)
    store.quarantine(submission("LH-BOT", expires_at=now - 1))

    assert store.get("LH-DUE", now=NOW) is None
    assert store.get("LH-OLD", now=NOW) is None
    assert store.get("LH-LIVE", now=NOW) == live
    assert [s.reference for s in store.submissions(now=NOW)] == ["LH-LIVE"]
    assert [s.reference for s in store.submissions(form="ask", now=NOW)] == ["LH-LIVE"]
    # Before they expired they were there: hidden by the reads, not lost by the writes.
    earlier = NOW - dt.timedelta(days=200)
    assert {s.reference for s in store.submissions(now=earlier)} == {"LH-LIVE", "LH-DUE", "LH-OLD"}

    assert store.purge_expired(NOW) == 3, "two submissions and the quarantined record"

    assert [s.reference for s in store.submissions(now=earlier)] == ["LH-LIVE"], "deleted, not just hidden"
    assert store.get("LH-OLD", now=earlier) is None
    assert store.get("LH-LIVE", now=NOW) == live
    assert store.purge_expired(NOW) == 0


def test_submissions_filter_by_form_and_come_oldest_first(store: Store) -> None:
    def at(minutes: int) -> dt.datetime:
        return NOW + dt.timedelta(minutes=minutes)

    # Added out of order; one created in another time zone, so only real time order sorts it right.
    records = [
        submission("LH-A3", form="ask", created_at=at(30)),
        submission("LH-V2", form="volunteer", created_at=at(20)),
        submission("LH-A1", form="ask", created_at=at(-5)),
        submission("LH-A4", form="ask", created_at=at(45).astimezone(dt.timezone(dt.timedelta(hours=-5)))),
        submission("LH-V1", form="volunteer", created_at=at(0)),
        submission("LH-A2", form="ask", created_at=at(10)),
        submission("LH-X1", form="asks", created_at=at(1)),
    ]
    for record in records:
        assert store.add(record)

    assert [s.reference for s in store.submissions(form="ask", now=NOW)] == ["LH-A1", "LH-A2", "LH-A3", "LH-A4"]
    assert [s.reference for s in store.submissions(form="volunteer", now=NOW)] == ["LH-V1", "LH-V2"]
    assert [s.reference for s in store.submissions(now=NOW)] == [
        "LH-A1",
        "LH-V1",
        "LH-X1",
        "LH-A2",
        "LH-V2",
        "LH-A3",
        "LH-A4",
    ]
    assert list(store.submissions(form="nothing", now=NOW)) == []


def test_quarantined_records_are_never_read_as_submissions(store: Store) -> None:
    bot = submission("LH-BOT1", answers={"name": "bot", "website": "http://spam.example"})
    store.quarantine(bot)
    store.quarantine(bot)  # a bot that retries is not an error

    assert store.get("LH-BOT1", now=NOW) is None
    assert list(store.submissions(now=NOW)) == []
    assert list(store.submissions(form="ask", now=NOW)) == []

    # Quarantine does not take the reference away from a real submission, nor the other way round.
    real = submission("LH-BOT1", answers={"name": "Real person"})
    assert store.add(real) is True
    assert store.get("LH-BOT1", now=NOW) == real
    assert list(store.submissions(form="ask", now=NOW)) == [real]


def test_hard_text_round_trips_exactly(store: Store) -> None:
    # One record per text, so each is also a field value, a tuple item and a field name of its own.
    kept = {
        name: submission(
            f"LH-TEXT-{number:02}",
            created_at=NOW + dt.timedelta(seconds=number),
            answers={name: text, "also": (text, text[:1]), f"{text[:20]} as a field name": "x"},
        )
        for number, (name, text) in enumerate(HARD_TEXT.items())
    }
    for record in kept.values():
        assert store.add(record) is True

    for name, record in kept.items():
        found = store.get(record.reference, now=NOW)
        assert found == record, name
        found_text = found.answers[name]
        assert isinstance(found_text, str) and found_text.encode() == HARD_TEXT[name].encode(), name
    assert list(store.submissions(form="ask", now=NOW)) == list(kept.values())
    assert list(store.submissions(now=NOW)) == list(kept.values())


def test_every_hard_text_in_one_record(store: Store) -> None:
    answers: dict[str, Answer] = {**HARD_TEXT, **HARD_TUPLES}
    kept = submission("LH-ALL", answers=answers)

    assert store.add(kept) is True
    found = store.get("LH-ALL", now=NOW)

    assert found is not None
    assert found.answers == answers
    for name, value in HARD_TUPLES.items():
        assert type(found.answers[name]) is tuple and found.answers[name] == value


@pytest.mark.parametrize("where", ["answer", "tuple item", "field name", "reference"])
def test_text_that_is_not_unicode_is_refused_with_store_error(store: Store, where: str) -> None:
    lone_surrogate = "half \ud83d of an emoji"
    answers: dict[str, Answer] = {"name": "Ok"}
    reference = "LH-SURR"
    if where == "answer":
        answers["name"] = lone_surrogate
    elif where == "tuple item":
        answers["needs"] = ("ok", lone_surrogate)
    elif where == "field name":
        answers[lone_surrogate] = "x"
    else:
        reference = "LH-\udc80"

    with pytest.raises(StoreError) as refused:
        store.add(submission(reference, answers=answers))

    assert "half" not in str(refused.value) and "\ud83d" not in str(refused.value)
    assert list(store.submissions(now=NOW)) == [], "nothing half-written"


def test_a_naive_created_at_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.add(submission(created_at=dt.datetime(2020, 3, 16, 9, 30)))


def test_answers_of_another_type_are_refused_before_writing(store: Store) -> None:
    with pytest.raises(TypeError):
        store.add(submission(answers={"age": 42}))  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        store.add(submission(answers={"needs": ("groceries", None)}))  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        store.add(submission(answers={1: "one"}))  # type: ignore[dict-item]
    assert list(store.submissions(now=NOW)) == []


# SQLite -----------------------------------------------------------------------------------------------------


def test_sqlite_keeps_every_add_from_20_threads(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    threads, adds = 20, 25
    start_together = threading.Barrier(threads)
    failures: list[BaseException] = []

    def add_many(thread: int) -> None:
        try:
            start_together.wait()
            for number in range(adds):
                created = NOW + dt.timedelta(microseconds=thread * adds + number)
                record = submission(f"LH-{thread:02}-{number:02}", created_at=created, answers={"n": str(number)})
                if not store.add(record):
                    raise AssertionError(f"add {thread}/{number} reported a duplicate")
        except BaseException as error:
            failures.append(error)

    workers = [threading.Thread(target=add_many, args=(thread,)) for thread in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    kept = list(store.submissions(now=NOW))
    assert len(kept) == threads * adds
    assert {s.reference for s in kept} == {f"LH-{t:02}-{n:02}" for t in range(threads) for n in range(adds)}
    assert all(store.get(s.reference, now=NOW) == s for s in kept[::50])


# A writer in another process: a second server worker, or a staff tool next to the running server.
ADD_FROM_PROCESS = """
import datetime as dt, sys
from pathlib import Path
from helpt.stores.sqlite import SQLiteStore
from helpt.submissions import Submission

path, process, adds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = SQLiteStore(path)
sys.stdin.read()  # wait for the go, so the processes write at the same time
created = dt.datetime(2020, 3, 16, 9, 30, tzinfo=dt.UTC)
added = sum(store.add(Submission(f"LH-P{process}-{n:03}", "ask", "nl", created, 2**31 - 1)) for n in range(adds))
print(added)
"""


def test_sqlite_keeps_every_add_from_4_processes(tmp_path: Path) -> None:
    path = tmp_path / "helpt.sqlite3"
    processes, adds = 4, 50
    SQLiteStore(path)
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_FROM_PROCESS, str(path), str(process), str(adds)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for process in range(processes)
    ]
    results = [writer.communicate(input="go", timeout=60) for writer in writers]

    for writer, (stdout, stderr) in zip(writers, results, strict=True):
        assert writer.returncode == 0, stderr[-1000:]
        assert int(stdout) == adds, "every add from every process kept"
    assert len(list(SQLiteStore(path).submissions(now=NOW))) == processes * adds


def test_sqlite_file_is_private_in_wal_mode_with_utf8_text(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "helpt.sqlite3"
    store = SQLiteStore(path)
    store.add(submission(answers={"name": HARD_TEXT["arabic_rtl"], "nul": "a\x00b", "needs": ("🙂",)}))
    store.quarantine(submission("LH-BOT"))

    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "personal data: owner only"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        (answers,) = connection.execute("SELECT answers FROM submissions").fetchone()
        (bot,) = connection.execute("SELECT reference FROM quarantine").fetchone()
    connection.close()
    # Stored as the script itself (readable in any SQLite tool), not as \u escapes; NUL escaped in the JSON.
    assert HARD_TEXT["arabic_rtl"] in answers and "🙂" in answers
    assert json.loads(answers) == {"name": HARD_TEXT["arabic_rtl"], "nul": "a\x00b", "needs": ["🙂"]}
    assert "\x00" not in answers
    assert bot == "LH-BOT"


def test_sqlite_store_reopens_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "helpt.sqlite3"
    SQLiteStore(path).add(submission())

    assert SQLiteStore(path).get("LH-0001", now=NOW) == submission()


def test_sqlite_failure_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")

    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(blocker / "helpt.sqlite3")

    path = tmp_path / "helpt.sqlite3"
    store = SQLiteStore(path)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE submissions")
    connection.close()
    with pytest.raises(StoreError, match="add failed") as failed:
        store.add(submission(answers={"name": "Private Name"}))
    assert "Private Name" not in str(failed.value)


def test_sqlite_default_path_is_in_the_project_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(PATH_VARIABLE, raising=False)
    assert default_path() == PROJECT_DIR / "data" / "helpt.sqlite3"

    monkeypatch.setenv(PATH_VARIABLE, str(tmp_path / "elsewhere.sqlite3"))
    assert default_path() == tmp_path / "elsewhere.sqlite3"


# DynamoDB ---------------------------------------------------------------------------------------------------


def test_dynamodb_table_has_the_documented_key_design(dynamodb: DynamoDBStore) -> None:
    table = dynamodb.client.describe_table(TableName=dynamodb.table_name)["Table"]

    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == FORM_CREATED_INDEX
    assert index["KeySchema"] == [
        {"AttributeName": "form", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    assert index["Projection"]["ProjectionType"] == "ALL"
    assert dynamodb.create_table() in (True, False), "running set-up again is harmless"


def test_dynamodb_items_have_the_documented_shape(dynamodb: DynamoDBStore) -> None:
    dynamodb.add(submission("LH-SHAPE", answers={"name": "", "needs": ("a", "")}))
    dynamodb.quarantine(submission("LH-SHAPE"))

    items = dynamodb.client.scan(TableName=dynamodb.table_name, ConsistentRead=True)["Items"]
    by_pk = {item["pk"]["S"]: item for item in items}

    assert set(by_pk) == {"SUB#LH-SHAPE", "QUARANTINE#LH-SHAPE"}
    item = by_pk["SUB#LH-SHAPE"]
    assert item[TTL_ATTRIBUTE] == {"N": str(LATER)}
    assert item["created_at"] == {"S": "2020-03-16T09:30:00.000000+00:00"}
    assert item["answers"] == {"M": {"name": {"S": ""}, "needs": {"L": [{"S": "a"}, {"S": ""}]}}}
    assert {name: item[name] for name in ("form", "lang", "channel", "status")} == {
        "form": {"S": listing_key("ask", "LH-SHAPE")},
        "lang": {"S": "nl"},
        "channel": {"S": "web"},
        "status": {"S": "new"},
    }


def test_dynamodb_spreads_a_forms_listing_over_its_shards_and_still_lists_older_unsharded_items(
    dynamodb: DynamoDBStore,
) -> None:
    """No hot partition (docs/DATA.md): a form's index key is one of LISTING_SHARDS, drawn from the random
    reference, and a listing merges them all, with items written before sharding (the bare form name), in order."""
    references = [new_reference(HELP_REQUEST) for _ in range(LISTING_SHARDS * 20)]
    shards = Counter(listing_key("help_request", reference) for reference in references)
    assert set(shards) == set(listing_keys("help_request")[1:]), "every shard is used"
    assert max(shards.values()) <= 2 * len(references) / LISTING_SHARDS, "none takes twice its share"
    when = dt.datetime(2020, 3, 16, 9, 0, tzinfo=dt.UTC)
    for minute, reference in enumerate(references[:12]):
        dynamodb.add(submission(reference, form="help_request", created_at=when + dt.timedelta(minutes=minute)))
    legacy = _item(submission("LH-LEGACY", form="help_request", created_at=when + dt.timedelta(seconds=90)), "SUB#")
    dynamodb.client.put_item(TableName=dynamodb.table_name, Item={**legacy, "form": {"S": "help_request"}})
    listed = [record.reference for record in dynamodb.submissions(form="help_request", now=when)]
    assert listed == [*references[:2], "LH-LEGACY", *references[2:12]], "oldest first, across shards"
    assert [record.reference for record, _ in dynamodb.records(form="help_request", now=when)] == listed
    assert {record.form for record in dynamodb.submissions(form="help_request", now=when)} == {"help_request"}


def test_dynamodb_ttl_is_on_expires_at(dynamodb: DynamoDBStore, request: pytest.FixtureRequest) -> None:
    if "dynalite" in request.node.callspec.id:
        assert dynamodb.create_table() is False, "dynalite grew TTL support: drop this skip"
        pytest.skip("dynalite does not implement UpdateTimeToLive (its DescribeTimeToLive always says DISABLED)")

    assert dynamodb.create_table() is True
    ttl = dynamodb.client.describe_time_to_live(TableName=dynamodb.table_name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == TTL_ATTRIBUTE
    assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING")


class FilterlessClient:
    """A client that drops FilterExpression: shows the store does not rely on the server's filter alone."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def scan(self, **request: Any) -> Any:
        return self.real.scan(**self._without_filter(request))

    def query(self, **request: Any) -> Any:
        return self.real.query(**self._without_filter(request))

    @staticmethod
    def _without_filter(request: dict[str, Any]) -> dict[str, Any]:
        request = dict(request)
        del request["FilterExpression"]
        used = request.get("KeyConditionExpression", "")
        request["ExpressionAttributeNames"] = {
            k: v for k, v in request["ExpressionAttributeNames"].items() if k in used
        }
        request["ExpressionAttributeValues"] = {
            k: v for k, v in request["ExpressionAttributeValues"].items() if k in used
        }
        for empty in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            if not request[empty]:
                del request[empty]
        return request


def test_dynamodb_reads_skip_expired_and_quarantined_items_even_unfiltered(dynamodb: DynamoDBStore) -> None:
    now = int(NOW.timestamp())
    dynamodb.add(submission("LH-LIVE"))
    dynamodb.add(submission("LH-DUE", expires_at=now))  # as if TTL had not got round to it yet
    dynamodb.quarantine(submission("LH-BOT"))
    unfiltered = DynamoDBStore(dynamodb.table_name, region=REGION, client=FilterlessClient(dynamodb.client))
    unfiltered.page_size = 1

    assert [s.reference for s in unfiltered.submissions(now=NOW)] == ["LH-LIVE"]
    assert [s.reference for s in unfiltered.submissions(form="ask", now=NOW)] == ["LH-LIVE"]
    assert unfiltered.get("LH-DUE", now=NOW) is None


def test_dynamodb_item_too_large_is_a_store_error_without_the_answers(dynamodb: DynamoDBStore) -> None:
    too_large = submission(answers={"remarks": "Private remark " + "x" * 420_000})

    with pytest.raises(StoreError, match="add failed") as refused:
        dynamodb.add(too_large)

    assert "Private remark" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_dynamodb_down_is_a_quick_store_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The store's own client (its timeouts and retries), as a handler would build it, credentials from the env.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    down = DynamoDBStore("helpt", region=REGION, endpoint_url=f"http://127.0.0.1:{free_port()}")
    record = submission(answers={"name": "Private Name"})
    operations = {
        "add": lambda: down.add(record),
        "quarantine": lambda: down.quarantine(record),
        "get": lambda: down.get("LH-0001"),
        "submissions": lambda: list(down.submissions()),
        "submissions of a form": lambda: list(down.submissions(form="ask")),
        "purge_expired": lambda: down.purge_expired(),
        "create_table": lambda: down.create_table(),
    }
    for name, operation in operations.items():
        started = time.monotonic()
        with pytest.raises(StoreError) as failed:
            operation()
        assert time.monotonic() - started < 10, f"{name} took too long to fail"
        assert "Private Name" not in str(failed.value)


def test_dynamodb_client_config_bounds_a_silent_server_to_10_seconds() -> None:
    # A server that accepts connections and never answers costs a full read timeout per attempt. Measuring
    # it takes 9 s, so the bound is checked on the configuration instead.
    config = DynamoDBStore("helpt", region=REGION, client=None).client.meta.config
    attempts = config.retries["total_max_attempts"]

    assert config.retries["mode"] == "standard"
    assert attempts * max(config.connect_timeout, config.read_timeout) <= 10


# Keeping a request once, and corrections -------------------------------------------------------------------

DAY_END = int(NOW.timestamp()) + 86400


def test_add_once_recognises_the_same_answers_and_gives_the_first_reference(store: Store) -> None:
    first = submission("LH-ONCE1")
    assert store.add_once(first, "f" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-ONCE1"
    assert store.add_once(submission("LH-ONCE2"), "f" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-ONCE1"
    assert [kept.reference for kept in store.submissions(now=NOW)] == ["LH-ONCE1"], "the repeat left nothing behind"
    other = submission("LH-ONCE3", answers={"name": "Other"})
    assert store.add_once(other, "e" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-ONCE3"
    assert len(list(store.submissions(now=NOW))) == 2


def test_add_once_starts_a_new_request_when_the_first_is_finished_or_gone(store: Store) -> None:
    from helpt.stores import Event

    store.add_once(submission("LH-FIN1"), "a" * 64, fingerprint_expires_at=DAY_END, now=NOW)
    store.record_event("LH-FIN1", Event(at=NOW, kind="status", status="closed", reason="geholpen"), now=NOW)
    assert store.add_once(submission("LH-FIN2"), "a" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-FIN2"
    assert store.add_once(submission("LH-FIN3"), "a" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-FIN2"
    store.erase("LH-FIN2")
    assert store.add_once(submission("LH-FIN4"), "a" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-FIN4"
    assert sorted(kept.reference for kept in store.submissions(now=NOW)) == ["LH-FIN1", "LH-FIN4"]


def test_add_once_forgets_a_fingerprint_after_its_day(store: Store) -> None:
    past = int(NOW.timestamp()) - 1
    store.add_once(submission("LH-OLD1"), "b" * 64, fingerprint_expires_at=past, now=NOW)
    assert store.add_once(submission("LH-OLD2"), "b" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-OLD2"


def test_add_once_refuses_a_taken_reference_without_touching_the_first(store: Store) -> None:
    from helpt.stores import ReferenceTaken

    store.add_once(submission("LH-TAKEN"), "c" * 64, fingerprint_expires_at=DAY_END, now=NOW)
    with pytest.raises(ReferenceTaken):
        store.add_once(submission("LH-TAKEN", answers={"name": "Iemand anders"}), "d" * 64,
                       fingerprint_expires_at=DAY_END, now=NOW)  # fmt: skip
    assert store.get("LH-TAKEN", now=NOW).answers["name"] == "An"


def test_correct_replaces_answers_and_keeps_the_old_ones_in_the_history(store: Store) -> None:
    from helpt.stores import Event

    store.add(submission("LH-FIX1"))
    change = Event(at=NOW, kind="correction", other="postcode", reason="3000", by="anna")
    assert store.correct("LH-FIX1", {"postcode": "3010", "needs": ("dog",)}, [change], now=NOW)
    kept = store.get("LH-FIX1", now=NOW)
    assert kept.answers == {"name": "An", "postcode": "3010", "needs": ("dog",)}
    assert store.events("LH-FIX1") == [change]
    assert store.correct("LH-NONE", {"postcode": "3010"}, [change], now=NOW) is False


def test_erase_forgets_the_fingerprint_too(store: Store) -> None:
    store.add_once(submission("LH-GONE"), "9" * 64, fingerprint_expires_at=DAY_END, now=NOW)
    store.erase("LH-GONE")
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as connection:
            assert connection.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0] == 0
    else:
        items = store.client.scan(TableName=store.table_name)["Items"]
        assert not [item for item in items if item["pk"]["S"].startswith("FINGERPRINT#")]


# SQLite: erased means gone from the file ---------------------------------------------------------------------


def _file_bytes(path: Path) -> bytes:
    return b"".join(candidate.read_bytes() for candidate in path.parent.glob(path.name + "*"))


@pytest.mark.parametrize("how", ["erase", "purge"])
def test_sqlite_erase_and_purge_leave_nothing_in_the_file_or_the_wal(tmp_path: Path, how: str) -> None:
    from helpt.stores import Event

    path = tmp_path / "data" / "helpt.sqlite3"
    store = SQLiteStore(path)
    marker = "Zoë-Wąsik-Quaix-0470998877"
    reader = sqlite3.connect(path)  # another connection, as the preview server keeps around
    store.add(submission("LH-SECRET", answers={"name": marker}, expires_at=int(time.time()) + 3600))
    store.record_event("LH-SECRET", Event(at=NOW, kind="status", status="closed", reason=f"call {marker}"), now=NOW)
    store.add_once(submission("LH-KEEP", answers={"name": "Keep"}), "k" * 64, fingerprint_expires_at=DAY_END, now=NOW)
    assert marker.encode() in _file_bytes(path)
    if how == "erase":
        assert store.erase("LH-SECRET") == 1
    else:
        assert store.purge_expired(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)) >= 1
    reader.close()
    assert marker.encode() not in _file_bytes(path)
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the write-ahead log was emptied"


def test_sqlite_erased_bytes_are_gone_on_a_build_with_secure_delete_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upstream SQLite builds have secure_delete off (Debian's has it on, so this machine cannot show it
    unaided): every connection starts as such a build's would, and the store must still zero what it erases."""
    import helpt.stores.sqlite as sqlite_module

    plain_connect = sqlite3.connect

    def upstream_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = plain_connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete = OFF")
        return connection

    monkeypatch.setattr(sqlite_module.sqlite3, "connect", upstream_connect)
    path = tmp_path / "data" / "helpt.sqlite3"
    store = SQLiteStore(path)
    marker = "Unieke-Naam-Om-Te-Wissen-0470112233"
    store.add(submission("LH-GONE1", answers={"name": marker}, expires_at=int(time.time()) + 3600))
    for number in range(20):  # other records on the same pages, so the page stays and only the row goes
        store.add(
            submission(f"LH-KEEP{number}", answers={"name": f"Keep {number}"}, expires_at=int(time.time()) + 3600)
        )
    with store._operation("check") as connection:
        assert connection.execute("PRAGMA secure_delete").fetchone()[0] == 1
    store.erase("LH-GONE1")
    monkeypatch.setattr(sqlite_module.sqlite3, "connect", plain_connect)
    assert marker.encode() not in _file_bytes(path)


def test_sqlite_keeps_durable_connections_and_rolls_back_what_a_stopped_operation_began(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    store.add(submission("LH-1"))
    with store._operation("look") as first:
        assert first.execute("PRAGMA synchronous").fetchone()[0] == 2, "FULL: on disk before the commit returns"
    with store._operation("look again") as again:
        assert again is first, "the connection is kept and used again, not opened anew"

    with pytest.raises(RuntimeError), store._operation("stopped") as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM submissions")
        raise RuntimeError("stopped half-way")

    assert not connection.in_transaction
    assert store.get("LH-1", now=NOW) is not None, "nothing of the stopped operation was committed"
    assert SQLiteStore(tmp_path / "helpt.sqlite3").add(submission("LH-2")), "and it holds no lock"


def test_sqlite_a_recreated_file_and_folder_are_private_too(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "data"
    store = SQLiteStore(folder / "helpt.sqlite3")
    shutil.rmtree(folder)  # someone cleans up while the server runs
    assert store.add(submission("LH-NEW")) is True
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "helpt.sqlite3").stat().st_mode) == 0o600
    for side in folder.glob("helpt.sqlite3-*"):
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0, side.name
    assert store.get("LH-NEW", now=NOW) is not None


def test_add_once_from_eight_threads_at_once_keeps_one(store: Store) -> None:
    references: list[str] = []
    barrier = threading.Barrier(8)

    def add(number: int) -> None:
        barrier.wait()
        kept = store.add_once(submission(f"LH-TH{number:02d}"), "7" * 64, fingerprint_expires_at=DAY_END, now=NOW)
        references.append(kept)

    threads = [threading.Thread(target=add, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(references)) == 1
    assert [kept.reference for kept in store.submissions(now=NOW)] == references[:1]


def test_dynamodb_a_claim_left_pending_by_a_crash_never_hands_out_another_persons_reference(
    dynamodb: DynamoDBStore,
) -> None:
    dynamodb.add(submission("LH-OTHER", answers={"name": "Iemand anders"}))
    # A crash between the claim and the record: the claim points at a reference that is not this request's.
    dynamodb.client.put_item(TableName=dynamodb.table_name, Item={
        "pk": {"S": "FINGERPRINT#" + "5" * 64}, "reference": {"S": "LH-OTHER"}, "state": {"S": "pending"},
        TTL_ATTRIBUTE: {"N": str(DAY_END)},
    })  # fmt: skip
    kept = dynamodb.add_once(submission("LH-MINE"), "5" * 64, fingerprint_expires_at=DAY_END, now=NOW)
    assert kept == "LH-MINE" and dynamodb.get("LH-MINE", now=NOW).answers["name"] == "An"
    assert dynamodb.add_once(submission("LH-AGAIN"), "5" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-MINE"


def test_dynamodb_finishing_a_request_lets_the_same_answers_start_a_new_one(dynamodb: DynamoDBStore) -> None:
    from helpt.stores import Event

    dynamodb.add_once(submission("LH-DONE1"), "6" * 64, fingerprint_expires_at=DAY_END, now=NOW)
    dynamodb.record_event("LH-DONE1", Event(at=NOW, kind="status", status="done"), now=NOW)
    assert dynamodb.add_once(submission("LH-DONE2"), "6" * 64, fingerprint_expires_at=DAY_END, now=NOW) == "LH-DONE2"
