"""The preview's way out, end to end: a Message handed to the LocalNotifier, queued in the SQLite store, taken
by the LocalSender and written to the outbox folder as an .eml file (parsed back here), or sent to a real SMTP
server (aiosmtpd, started by the test). And the rules every sender keeps: a marked address is not sent to, the
per-recipient rate limit keeps a message for later, a failing delivery is retried with backoff and given up
after the city's number of attempts, a store outage loses nothing. The store's notification half is checked on
SQLite, moto's DynamoDB server and dynalite alike.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import sqlite3
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import LEUVEN
from dynamodb_servers import dynamodb_store, free_port

from helpt.notify import Message
from helpt.notify.delivery import DeliveryError, OutboxFolder, SmtpDelivery
from helpt.notify.local import local_sender, outbox_folder
from helpt.notify.queue import LocalNotifier, from_json, to_json
from helpt.notify.records import NotifyLogEntry
from helpt.notify.render import Renderer
from helpt.notify.sender import LocalSender, Sender, backoff
from helpt.settings import NotificationSettings, load_city
from helpt.stores import StoreError
from helpt.stores.sqlite import SQLiteStore

pytest_plugins = ["dynamodb_servers"]
PROJECT_DIR = Path(__file__).resolve().parents[1]
TRANSLATIONS = PROJECT_DIR / "theme" / "translations"
CITY = load_city(LEUVEN)
UNSUBSCRIBE = "https://www.leuvenhelpt.be/stop?t=abc"


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def welcome(to: str = "Anna@Example.org", reference: str = "V-AAAA-BBBB") -> Message:
    return Message(kind="volunteer_welcome", channel="email", to=to, lang="en", reference=reference,
                   values={"name": "Anna", "safety_link": "https://www.leuvenhelpt.be/veilig",
                           "unsubscribe": UNSUBSCRIBE})  # fmt: skip


def outbox_files(folder: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        found.append(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
    return found


@pytest.fixture
def local(tmp_path: Path) -> tuple[SQLiteStore, LocalNotifier, LocalSender, Clock]:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    clock = Clock()
    notifier = LocalNotifier(store, clock=clock)
    runner = local_sender(CITY, store, tmp_path, TRANSLATIONS, notifier)
    runner.sender.clock = clock
    return store, notifier, runner, clock


def test_a_message_goes_from_the_notifier_through_the_queue_into_an_eml_file(tmp_path: Path, local) -> None:
    store, notifier, runner, _clock = local
    notifier.send(welcome())
    assert store.queued_notifications() == 1
    assert runner.run_once() == 1
    assert store.queued_notifications() == 0
    (sent,) = outbox_files(outbox_folder(tmp_path))
    assert sent["To"] == "Anna@Example.org"
    assert sent["From"].addresses[0].addr_spec == CITY.sender_email == "corona@leuven.be"
    assert sent["Subject"] == "Welcome as a volunteer"
    assert sent["Message-ID"].endswith("@leuven.be>") and sent["Date"]
    assert sent["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert "Dear Anna," in text and text.rstrip().endswith(UNSUBSCRIBE)
    assert f'href="{UNSUBSCRIBE}"' in html
    log = store.notification_log()
    assert [(e.kind, e.reference, e.channel, e.outcome) for e in log] == [
        ("volunteer_welcome", "V-AAAA-BBBB", "email", "sent")
    ]
    # The log keeps no address and no content; the queue no longer holds the message.
    with sqlite3.connect(tmp_path / "helpt.sqlite3") as connection:
        dump = "\n".join(connection.iterdump())
    assert "anna@example.org" not in dump.lower() and "Dear Anna" not in dump


def test_a_marked_address_is_not_sent_to_and_the_mark_is_kept_as_a_hash(tmp_path: Path, local) -> None:
    store, notifier, runner, _clock = local
    store.mark_address(" anna@EXAMPLE.org ", "bounced")
    assert store.address_mark("Anna@Example.org") == "bounced"
    notifier.send(welcome())
    runner.run_once()
    assert not outbox_files(outbox_folder(tmp_path))
    assert store.queued_notifications() == 0
    assert store.notification_log()[-1].outcome == "suppressed:bounced"
    store.clear_address_mark("anna@example.org")
    assert store.address_mark("anna@example.org") is None


def test_over_the_rate_limit_a_message_waits_for_the_next_hour_and_is_then_sent(tmp_path: Path, local) -> None:
    store, notifier, runner, clock = local
    limit = CITY.notifications.per_recipient_per_hour
    for number in range(limit + 2):
        notifier.send(welcome(reference=f"V-{number:04d}"))
    runner.run_once()
    assert len(outbox_files(outbox_folder(tmp_path))) == limit
    assert store.queued_notifications() == 2
    assert [e.outcome for e in store.notification_log()].count("deferred") == 2
    runner.run_once()  # still the same hour: nothing more
    assert len(outbox_files(outbox_folder(tmp_path))) == limit
    clock.now += 3600
    runner.run_once()
    assert len(outbox_files(outbox_folder(tmp_path))) == limit + 2
    assert store.queued_notifications() == 0
    # Another address is counted on its own.
    notifier.send(welcome(to="bert@example.org"))
    runner.run_once()
    assert len(outbox_files(outbox_folder(tmp_path))) == limit + 3


class Failing:
    def __init__(self, times: int) -> None:
        self.times = times
        self.sent: list[EmailMessage] = []

    def deliver(self, message: EmailMessage) -> str:
        if self.times > 0:
            self.times -= 1
            raise DeliveryError("smtp: ConnectionRefusedError")
        self.sent.append(message)
        return "ok"


def sender_with(store: SQLiteStore, delivery: object, clock: Clock, city=CITY) -> Sender:
    return Sender(city, store, Renderer(city, TRANSLATIONS), delivery, clock=clock)  # type: ignore[arg-type]


def test_a_failing_delivery_is_retried_with_backoff_then_sent(tmp_path: Path) -> None:
    store, clock = SQLiteStore(tmp_path / "s.sqlite3"), Clock()
    delivery = Failing(times=2)
    runner = LocalSender(sender_with(store, delivery, clock), store)
    LocalNotifier(store, clock=clock).send(welcome())
    runner.run_once()
    assert not delivery.sent and store.queued_notifications() == 1
    clock.now += backoff(1) - 1
    assert runner.run_once() == 0  # not due yet
    clock.now += 1
    runner.run_once()
    clock.now += backoff(2)
    runner.run_once()
    assert len(delivery.sent) == 1 and store.queued_notifications() == 0
    assert [e.outcome for e in store.notification_log()] == ["failed", "failed", "sent"]
    assert backoff(1) == 30 and backoff(2) == 60 and backoff(20) == 3600


def test_a_message_that_never_goes_is_given_up_after_the_citys_attempts_and_logged(tmp_path: Path) -> None:
    store, clock = SQLiteStore(tmp_path / "s.sqlite3"), Clock()
    city = dataclasses.replace(CITY, notifications=NotificationSettings(max_attempts=3))
    runner = LocalSender(sender_with(store, Failing(times=99), clock, city), store)
    LocalNotifier(store, clock=clock).send(welcome())
    for _round in range(5):
        runner.run_once()
        clock.now += 3600
    assert store.queued_notifications() == 0
    assert [e.outcome for e in store.notification_log()] == ["failed", "failed", "failed", "gave_up"]


class Outage:
    """The SQLite store with its file made unreachable for a while (as a locked or missing disk would)."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store, self.down = store, False

    def __getattr__(self, name: str):
        method = getattr(self.store, name)

        def call(*args, **kwargs):
            if self.down:
                raise StoreError("SQLite store: the database is locked")
            return method(*args, **kwargs)

        return call


def test_a_store_outage_while_a_message_is_queued_loses_nothing(tmp_path: Path) -> None:
    real, clock = SQLiteStore(tmp_path / "s.sqlite3"), Clock()
    store = Outage(real)
    notifier = LocalNotifier(store, clock=clock)  # type: ignore[arg-type]
    outbox = OutboxFolder(tmp_path / "outbox")
    runner = LocalSender(sender_with(store, outbox, clock), store, notifier)  # type: ignore[arg-type]
    store.down = True
    notifier.send(welcome())  # never raises: the form is answered
    assert runner.run_once() == 0
    store.down = False
    runner.run_once()
    assert len(outbox_files(tmp_path / "outbox")) == 1
    # Down while a queued message is being looked at: it stays in the queue, leased, and goes later.
    notifier.send(welcome(to="bert@example.org"))
    original = real.address_mark
    real.address_mark = lambda address: (_ for _ in ()).throw(StoreError("SQLite store: locked"))  # type: ignore[method-assign]
    runner.run_once()
    assert real.queued_notifications() == 1
    real.address_mark = original  # type: ignore[method-assign]
    clock.now += LocalSender.LEASE_SECONDS
    runner.run_once()
    assert real.queued_notifications() == 0 and len(outbox_files(tmp_path / "outbox")) == 2


def test_sms_is_off_unless_the_city_turns_it_on(tmp_path: Path, local) -> None:
    store, notifier, runner, _clock = local
    values = {"name": "An", "safety_link": "https://x.be/v", "unsubscribe": UNSUBSCRIBE}
    notifier.send(Message(kind="volunteer_welcome", channel="sms", to="0470 12 34 56", lang="nl", values=values))
    runner.run_once()
    assert store.notification_log()[-1].outcome == "suppressed:sms_off"


def test_a_bad_address_or_queue_entry_is_refused_not_retried(tmp_path: Path, local) -> None:
    store, notifier, runner, _clock = local
    notifier.send(welcome(to="anna@example.org\r\nBcc: all@example.org"))
    store.queue_notification('{"kind": "nonsense"}', not_before=0)
    runner.run_once()
    assert store.queued_notifications() == 0
    assert [e.outcome for e in store.notification_log()] == ["invalid"]
    assert not outbox_files(outbox_folder(tmp_path))
    assert from_json(to_json(welcome())) == welcome()


def test_hostile_values_are_queued_and_sent_cleaned(tmp_path: Path, local) -> None:
    _store, notifier, runner, _clock = local
    hostile = "=cmd|' /C calc'!A0\ud800\x00" + "\u202e" + "x" * 20000
    values = {"name": hostile, "safety_link": "https://x.be/v", "unsubscribe": UNSUBSCRIBE}
    notifier.send(Message(kind="volunteer_welcome", channel="email", to="anna@example.org", lang="en", values=values))
    runner.run_once()
    (sent,) = outbox_files(outbox_folder(tmp_path))
    text = sent.get_body(("plain",)).get_content()
    assert "\x00" not in text and "\ud800" not in text and len(text) < 2000


class Collecting:
    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def test_a_real_smtp_server_receives_the_same_message_as_the_outbox(tmp_path: Path, monkeypatch) -> None:
    handler = Collecting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("HELPT_SMTP", f"127.0.0.1:{port}")
        store = SQLiteStore(tmp_path / "helpt.sqlite3")
        runner = local_sender(CITY, store, tmp_path, TRANSLATIONS)
        LocalNotifier(store).send(welcome())
        runner.run_once()
    finally:
        controller.stop()
    ((mail_from, rcpt_tos, content),) = handler.received
    assert mail_from == "corona@leuven.be" and rcpt_tos == ["Anna@Example.org"]
    received = email.message_from_bytes(content, policy=email.policy.default)
    (written,) = outbox_files(tmp_path / "outbox")
    assert received["Message-ID"] == written["Message-ID"]
    assert "Dear Anna," in received.get_body(("plain",)).get_content()
    # A server that is not there is a failure to retry, not a crash.
    with pytest.raises(DeliveryError):
        SmtpDelivery(f"127.0.0.1:{port}", timeout=2).deliver(written)


# The store's notification half, on every store ------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "dynamodb-moto", "dynalite"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "sqlite":
        return SQLiteStore(tmp_path / "helpt.sqlite3")
    return dynamodb_store(request, request.param)


def test_every_store_keeps_marks_rate_counts_and_the_log(any_store) -> None:
    import datetime as dt

    store = any_store
    assert store.address_mark("a@example.org") is None
    store.mark_address("A@Example.org", "unsubscribed")
    store.mark_address("+32470123456", "unsubscribed")
    assert store.address_mark("a@example.org") == "unsubscribed"
    assert store.address_mark("+32 470 12 34 56") == "unsubscribed"
    store.mark_address("a@example.org", "complained")
    assert store.address_mark("a@example.org") == "complained"
    with pytest.raises(ValueError):
        store.mark_address("a@example.org", "angry")
    store.clear_address_mark("a@example.org")
    assert store.address_mark("a@example.org") is None

    window, end = 1_800_000_000, 1_800_003_600
    assert [store.take_rate("b@example.org", window=window, limit=2, expires_at=end) for _ in range(3)] == [
        True, True, False,
    ]  # fmt: skip
    assert store.take_rate("b@example.org", window=end, limit=2, expires_at=end + 3600)
    assert store.take_rate("c@example.org", window=window, limit=2, expires_at=end)

    now = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)
    for number, outcome in enumerate(("queued", "sent")):
        store.log_notification(NotifyLogEntry(now + dt.timedelta(seconds=number), "staff_urgent", "H-1", "email",
                                              outcome, int(now.timestamp()) + 86400))  # fmt: skip
    store.log_notification(NotifyLogEntry(now, "staff_urgent", "H-0", "email", "sent", int(now.timestamp()) - 1))
    log = store.notification_log(now=now)
    assert [(e.reference, e.outcome) for e in log] == [("H-1", "queued"), ("H-1", "sent")]
