"""Verified volunteers, in every store (SQLite, DynamoDB on moto and on dynalite): verifying records how, by
whom and when, and gives a new code; a check by code tells only what the card may say; withdrawing, expiry
and erasure make the code unknown; verifying again retires the old code. And the code itself: its alphabet,
its length, and how typed codes are read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from dynamodb_servers import dynamodb_store
from test_backoffice_store import BACKENDS, stored_items, stored_rows

from helpt.settings import load_city
from helpt.staff import verifying
from helpt.staff.problems import StaffProblem
from helpt.stores import ReferenceTaken
from helpt.stores.dynamodb import DynamoDBStore
from helpt.stores.dynamodb_verify import CARD_CODE_PREFIX, VERIFY_PREFIX
from helpt.stores.sqlite import SQLiteStore
from helpt.submissions import Submission
from helpt.verification import CODE_ALPHABET, CODE_LENGTH, display_code, new_code, normalise_code

pytest_plugins = ["dynamodb_servers"]
NOW = dt.datetime(2020, 3, 20, 10, 0, tzinfo=dt.UTC)
LATER = int(NOW.timestamp()) + 90 * 86400
CITY = load_city()
LOOK_ALIKES = "0O1IL2Z5S8B6GQV"


def volunteer(reference: str = "V-ABCD-EFGH", **answers: Any) -> Submission:
    fields = {"name": "Zoë Wąsik-Quaix", "postcode": "3001", "help": ("groceries", "dog")} | answers
    return Submission(reference=reference, form="volunteer_signup", lang="nl", created_at=NOW - dt.timedelta(days=2),
                      expires_at=LATER, answers=fields)  # fmt: skip


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    return dynamodb_store(request, request.param)


def verify(store: Any, reference: str = "V-ABCD-EFGH", **changes: Any) -> Any:
    options = {"method": "in_person", "checked_by": "An Peeters", "checked_on": NOW.date(), "card_name": "",
               "who": "coordinator@leuven.be", "now": NOW} | changes  # fmt: skip
    return verifying.verify(store, CITY, reference, **options)


def test_a_verification_records_how_by_whom_and_when_and_its_code_checks(store: Any) -> None:
    store.add(volunteer())
    done = verify(store, method="video_call", checked_on=NOW.date() - dt.timedelta(days=1))
    kept = store.verification("V-ABCD-EFGH", now=NOW)
    assert kept == done
    assert (kept.method, kept.checked_by, kept.checked_on, kept.verified_by) == (
        "video_call", "An Peeters", dt.date(2020, 3, 19), "coordinator@leuven.be")  # fmt: skip
    assert (kept.first_name, kept.neighbourhood, kept.kinds) == ("Zoë", "Heverlee", ("groceries", "dog"))
    assert kept.expires_at == LATER, "it ends with the volunteer's record"
    found = store.card_check(done.code, now=NOW)
    assert (found.first_name, found.neighbourhood, found.expires_at) == ("Zoë", "Heverlee", LATER)
    assert [event.kind for event in store.events("V-ABCD-EFGH")] == ["verify"]
    assert verifying.check(store, display_code(done.code).lower(), NOW) == found, "typed as read aloud"


def test_any_script_is_kept_exactly_as_the_coordinator_confirmed_it(store: Any) -> None:
    store.add(volunteer(name="Олена Шевченко"))
    for name in ("Олена", "Ελένη", "فاطمة", "美玲", "Zoë Wąsik-Quaix", "𝒵𝑜ë"):
        done = verify(store, card_name=name)
        assert store.card_check(done.code, now=NOW).first_name == name


def test_withdrawn_expired_erased_and_replaced_codes_are_unknown(store: Any) -> None:
    store.add(volunteer())
    first = verify(store)
    second = verify(store)  # verifying again: a new card, and the old one's code checks no more
    assert first.code != second.code
    assert store.card_check(first.code, now=NOW) is None
    assert store.card_check(second.code, now=NOW) is not None
    verifying.withdraw(store, "V-ABCD-EFGH", "stopped volunteering", "coordinator@leuven.be", NOW)
    assert store.card_check(second.code, now=NOW) is None
    kept = store.verification("V-ABCD-EFGH", now=NOW)
    assert (kept.withdrawn_by, kept.withdrawn_reason, kept.holds(NOW)) == ("coordinator@leuven.be",
                                                                         "stopped volunteering", False)  # fmt: skip
    with pytest.raises(StaffProblem, match="no verification in force"):
        verifying.withdraw(store, "V-ABCD-EFGH", "again", "coordinator@leuven.be", NOW)
    third = verify(store)
    assert store.card_check(third.code, now=dt.datetime.fromtimestamp(LATER - 1, dt.UTC)) is not None
    expired = dt.datetime.fromtimestamp(LATER, dt.UTC)
    assert store.card_check(third.code, now=expired) is None, "expired with the record, before TTL gets to it"
    assert store.verification("V-ABCD-EFGH", now=expired) is None
    store.erase("V-ABCD-EFGH")
    assert store.card_check(third.code, now=NOW) is None
    assert store.verification("V-ABCD-EFGH", now=NOW) is None


def test_erasure_leaves_nothing_of_the_verification_behind(store: Any) -> None:
    store.add(volunteer())
    verify(store)
    store.erase("V-ABCD-EFGH")
    if isinstance(store, SQLiteStore):
        assert stored_rows(store, "verifications") == []
    else:
        assert stored_items(store, VERIFY_PREFIX) == stored_items(store, CARD_CODE_PREFIX) == []


def test_a_code_in_use_is_never_given_to_another_volunteer(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    store.add(volunteer("V-AAAA-AAAA"))
    store.add(volunteer("V-BBBB-BBBB", name="Jan"))
    taken = verify(store, "V-AAAA-AAAA").code
    with pytest.raises(ReferenceTaken):
        store.put_verification(dataclasses.replace(store.verification("V-AAAA-AAAA", now=NOW), reference="V-BBBB-BBBB"))
    draws = iter([taken, taken, "KFM7XRT9AC"])
    monkeypatch.setattr(verifying, "new_code", lambda: next(draws))
    assert verify(store, "V-BBBB-BBBB").code == "KFM7XRT9AC", "a taken code is drawn again"
    assert store.card_check(taken, now=NOW).first_name == "Zoë", "the first volunteer's card still checks"


def test_verifying_refuses_what_cannot_be_right(store: Any) -> None:
    store.add(volunteer())
    store.add(dataclasses.replace(volunteer("H-ABCD-EFGH"), form="help_request"))
    cases = [
        ({"method": "phoned"}, "Choose how the identity was checked"),
        ({"checked_by": "  "}, "Say who checked the identity"),
        ({"checked_on": None}, "Give the day the identity was checked"),
        ({"checked_on": NOW.date() + dt.timedelta(days=2)}, "cannot be in the future"),
        ({"card_name": "x" * 61}, "at most 60 characters"),
        ({"card_name": "Zoë\u202eevil"}, "control characters"),
        ({"card_name": "Zo\ud800"}, "control characters"),
    ]
    for changes, message in cases:
        with pytest.raises(StaffProblem, match=message):
            verify(store, **changes)
    with pytest.raises(StaffProblem):
        verify(store, "H-ABCD-EFGH")
    with pytest.raises(StaffProblem):
        verify(store, "V-NONE-NONE")
    assert store.verification("V-ABCD-EFGH", now=NOW) is None, "nothing was kept"


def test_the_dynamodb_code_item_holds_only_what_a_check_may_tell(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dynamodb: DynamoDBStore = dynamodb_store(request, "dynamodb-moto")
    dynamodb.add(volunteer())
    done = verify(dynamodb)
    (item,) = stored_items(dynamodb, CARD_CODE_PREFIX)
    assert sorted(item) == ["expires_at", "first_name", "neighbourhood", "pk"]
    assert item["pk"]["S"] == CARD_CODE_PREFIX + done.code


def test_codes_are_ten_characters_that_cannot_be_taken_for_one_another() -> None:
    assert not set(CODE_ALPHABET) & set(LOOK_ALIKES)
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 21
    codes = {new_code() for _ in range(20_000)}
    assert len(codes) == 20_000, "no repeat in 20,000 draws"
    assert all(re.fullmatch(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}", code) for code in codes)
    used = {char for code in codes for char in code}
    assert used == set(CODE_ALPHABET), "every character is drawn"
    assert len(CODE_ALPHABET) ** CODE_LENGTH == 16_679_880_978_201


@pytest.mark.parametrize(
    ("typed", "read"),
    [("KFM7X RT9AC", "KFM7XRT9AC"), ("kfm7x-rt9ac", "KFM7XRT9AC"), (" KFM7X.RT9AC\t", "KFM7XRT9AC"),
     ("KFM7XRT9A", ""), ("KFM7XRT9ACC", ""), ("KFM7XRT9A0", ""), ("KFM7XRT9AÇ", ""), ("=KFM7XRT9A", ""),
     ("\ud800" * 10, ""), ("K" * 100_000, ""), ("", "")],
)  # fmt: skip
def test_a_typed_code_is_read_as_one_or_not_at_all(typed: str, read: str) -> None:
    assert normalise_code(typed) == read
