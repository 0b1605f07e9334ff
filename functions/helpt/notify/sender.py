"""Sending queued messages: the checks before, the delivery, and what is logged after.

For each message the `Sender`, in order: refuses an address that is not one ("invalid"); skips an address the
store has marked bounced, complained or unsubscribed, and SMS when the city has not turned it on
("suppressed:<why>"); counts it against the per-recipient rate limit (`[notifications]
per_recipient_per_hour`, a clock-hour window) and, over it, keeps it for the next window ("deferred": never
dropped); renders it and delivers it ("sent"), or reports when to try again ("failed", backoff doubling from
BACKOFF_SECONDS up to MAX_BACKOFF_SECONDS). Each outcome is logged by kind, reference and channel, in the
store's message log and in the function's log: never the address, never the content.

Two loops drive it: `LocalSender` over the local store's queue (the preview's background thread) and the
NotifyFunction over SQS (helpt.notify.handler), where SQS's redrive to the dead-letter queue gives a message up.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpt.notify import Message
from helpt.notify.addresses import is_email, phone_e164
from helpt.notify.delivery import DeliveryError, EmailDelivery, SmsDelivery, Undeliverable, build_email
from helpt.notify.queue import LocalNotifier, from_json
from helpt.notify.records import NotifyLogEntry
from helpt.notify.render import Renderer
from helpt.settings import CitySettings
from helpt.stores import StoreError

log = logging.getLogger("helpt.notify")
RATE_WINDOW_SECONDS = 3600
BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
DONE = ("sent", "invalid")  # and every "suppressed:..."


@dataclass(frozen=True)
class Result:
    outcome: str
    retry_at: int | None = None  # Unix seconds, for "deferred" and "failed"

    @property
    def done(self) -> bool:
        return self.outcome in DONE or self.outcome.startswith("suppressed")


def backoff(attempts: int) -> int:
    """Seconds to wait before the next try, after `attempts` failed ones: 30 s, 60 s, ... at most an hour."""
    return min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2 ** max(0, attempts - 1))


class Sender:
    """Checks, renders, delivers and logs one message at a time; see the module docstring."""

    def __init__(
        self,
        city: CitySettings,
        store: Any,
        renderer: Renderer,
        email: EmailDelivery,
        sms: SmsDelivery | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.city, self.store, self.renderer = city, store, renderer
        self.email, self.sms, self.clock = email, sms, clock

    def process(self, message: Message, attempts: int = 0) -> Result:
        """Try to send one message (`attempts` failed before); what became of it. StoreError when the store
        cannot say whether it may be sent: the message stays queued and is tried again."""
        result = self._process(message, attempts)
        self.record(message, result.outcome)
        return result

    def record(self, message: Message, outcome: str) -> None:
        """Log an outcome: the function's log always, the store's message log when the store answers."""
        log.info("notify %s %s %s: %s", message.kind, message.reference or "-", message.channel, outcome)
        now = self.clock()
        entry = NotifyLogEntry(
            at=dt.datetime.fromtimestamp(now, dt.UTC), kind=message.kind, reference=message.reference,
            channel=message.channel, outcome=outcome, expires_at=int(now) + self.city.retention_days * 86400,
        )  # fmt: skip
        try:
            self.store.log_notification(entry)
        except StoreError as error:
            log.warning("notify %s %s: not in the message log (%s)", message.kind, message.reference, error)

    def _process(self, message: Message, attempts: int) -> Result:
        now = int(self.clock())
        if message.channel == "sms":
            if not self.city.notifications.sms or self.sms is None:
                return Result("suppressed:sms_off")
            address = phone_e164(message.to, self.city.phone_country_code)
        else:
            address = message.to.strip() if is_email(message.to.strip()) else ""
        if not address:
            return Result("invalid")
        mark = self.store.address_mark(address)  # a StoreError here leaves the message queued
        if mark:
            return Result(f"suppressed:{mark}")
        rendered = self.renderer.render(message)
        if message.channel == "sms" and not rendered.sms:
            return Result("invalid")  # a kind with no SMS form
        window = now - now % RATE_WINDOW_SECONDS
        limit = self.city.notifications.per_recipient_per_hour
        if not self.store.take_rate(address, window=window, limit=limit, expires_at=window + RATE_WINDOW_SECONDS):
            return Result("deferred", retry_at=window + RATE_WINDOW_SECONDS)
        try:
            if message.channel == "sms":
                assert self.sms is not None
                self.sms.deliver_sms(address, rendered.sms)
            else:
                email = build_email(rendered, sender=self.city.sender_email,
                                    sender_name=self.city.site_name[self.renderer_lang(message)], to=address,
                                    unsubscribe=message.values.get("unsubscribe", ""))  # fmt: skip
                self.email.deliver(email)
        except Undeliverable:
            return Result("invalid")
        except DeliveryError as error:
            log.warning("notify %s %s: delivery failed (%s)", message.kind, message.reference, error)
            return Result("failed", retry_at=now + backoff(attempts + 1))
        return Result("sent")

    def renderer_lang(self, message: Message) -> str:
        return message.lang if message.lang in self.city.languages else self.city.default_language


class LocalSender:
    """The preview's sender: takes due messages from the local store's queue, in a background thread."""

    BATCH = 20
    LEASE_SECONDS = 300  # a message taken and not finished (the process stopped) is taken again after this

    def __init__(self, sender: Sender, store: Any, notifier: LocalNotifier | None = None, *,
                 max_attempts: int | None = None) -> None:  # fmt: skip
        self.sender, self.store, self.notifier = sender, store, notifier
        self.max_attempts = max_attempts or sender.city.notifications.max_attempts

    def run_once(self) -> int:
        """One round: what the notifier held is queued, then due messages are sent; how many were taken."""
        if self.notifier is not None:
            self.notifier.flush()
        now = int(self.sender.clock())
        try:
            due = self.store.due_notifications(now=now, limit=self.BATCH, lease_seconds=self.LEASE_SECONDS)
        except StoreError as error:
            log.warning("notify: the queue cannot be read now (%s)", error)
            return 0
        for queued in due:
            try:
                self._one(queued)
            except StoreError as error:  # left leased: taken again after LEASE_SECONDS
                log.warning("notify: message %s stays queued (%s)", queued.id, error)
        return len(due)

    def _one(self, queued: Any) -> None:
        try:
            message = from_json(queued.body)
        except ValueError:
            log.error("notify: queue entry %s is not a message; removed", queued.id)
            self.store.delete_notification(queued.id)
            return
        result = self.sender.process(message, queued.attempts)
        if result.done:
            self.store.delete_notification(queued.id)
        elif result.outcome == "deferred":
            self.store.reschedule_notification(queued.id, not_before=result.retry_at, attempts=queued.attempts)
        elif queued.attempts + 1 >= self.max_attempts:
            self.sender.record(message, "gave_up")
            self.store.delete_notification(queued.id)
        else:
            self.store.reschedule_notification(queued.id, not_before=result.retry_at, attempts=queued.attempts + 1)

    def run_forever(self, stop: threading.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the preview's sender thread must outlive any one message
                log.exception("notify: the sender round failed")
            stop.wait(interval)
