"""Fail fast, never bare (F7, S2): a DynamoDB endpoint that stalls, refuses or restarts, in front of the form
handler's real store and client (moto in server mode behind a fault proxy, tests/store_faults.py).

A stalled store is answered within seconds with the page that keeps every answer and gives the phone line;
after a couple of failures the breaker answers at once without calling the store, so a stall cannot hold the
function's instances; once the store is back, the next try stores again.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlparse

import pytest
from conftest import BuiltSite
from dynamodb_servers import DUMMY_CREDENTIALS, REGION
from forms_support import VALID, event, form_body, make_intake
from store_faults import PASS, REFUSE, STALL, FaultProxy

from helpt.breaker import THRESHOLD, Breaker
from helpt.intake import Intake
from helpt.stores.dynamodb import CLIENT_CONFIG, DynamoDBStore

pytest_plugins = ["dynamodb_servers"]


@pytest.fixture
def proxy(moto_endpoint: str) -> FaultProxy:
    target = urlparse(moto_endpoint)
    with FaultProxy(str(target.hostname), int(target.port or 80)) as running:
        yield running


@pytest.fixture
def intake(leuven_site: BuiltSite, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch) -> Intake:
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name.upper(), value)
    # The store as the Lambda function builds it: its own client, with CLIENT_CONFIG's time-outs and retries.
    store = DynamoDBStore(f"helpt-{uuid.uuid4().hex[:12]}", region=REGION, endpoint_url=proxy.endpoint,
                          config=CLIENT_CONFIG)  # fmt: skip
    store.create_table()
    built = make_intake(leuven_site.root, store)  # type: ignore[arg-type]
    built.breaker = Breaker(cool_off=1.0)  # the deployed 5 s, shortened so the test waits less
    return built


def post(intake: Intake) -> tuple[dict, float]:
    started = time.perf_counter()
    answer = intake.handle(event("volunteer", form_body(VALID["volunteer"], "en")))
    return answer, time.perf_counter() - started


def kept_answers_and_phone(answer: dict) -> bool:
    return answer["statusCode"] == 503 and "Ann Janssens" in answer["body"] and "016/27.27.72" in answer["body"]


def test_a_stalled_store_is_answered_in_seconds_then_at_once_then_stored_again(
    intake: Intake, proxy: FaultProxy
) -> None:
    assert post(intake)[0]["statusCode"] == 303, "stored while the store answers"
    proxy.mode = STALL
    for _ in range(THRESHOLD):
        answer, seconds = post(intake)
        assert kept_answers_and_phone(answer) and seconds < 4, f"{seconds:.1f} s"
    connections = proxy.connections
    answer, seconds = post(intake)
    assert kept_answers_and_phone(answer) and seconds < 0.2, "the breaker is open: no call, no wait"
    assert proxy.connections == connections and intake.breaker.is_open
    proxy.mode = PASS
    time.sleep(1.1)
    answer, _seconds = post(intake)
    assert answer["statusCode"] == 303 and not intake.breaker.is_open, "the store is back: stored, breaker closed"


def test_a_refusing_or_restarting_store_gets_the_page_and_nothing_accepted_is_lost(
    intake: Intake, proxy: FaultProxy
) -> None:
    accepted = []
    outcomes = []
    for round_ in range(12):
        proxy.mode = REFUSE if round_ in (3, 4, 5) else PASS
        if round_ == 6:
            time.sleep(1.1)  # the breaker's cool-off: the restarted store is tried again
        answer, seconds = post(intake)
        outcomes.append(answer["statusCode"])
        assert seconds < 4
        if answer["statusCode"] == 303:
            accepted.append(answer["headers"]["location"].split("ref=")[1].split("&")[0])
        else:
            assert kept_answers_and_phone(answer)
    assert outcomes[:3] == [303] * 3 and set(outcomes[3:6]) == {503} and outcomes[6:] == [303] * 6
    stored = {record.reference for record in intake.store.submissions(form="volunteer_signup")}
    assert set(accepted) <= stored, "every reference given out is stored"
