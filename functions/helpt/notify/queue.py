"""Queueing a message: into the local store's table on the preview, into SQS on AWS. Never raises, never waits.

A message is queued as JSON (`to_json`/`from_json`). The queue is the only place its address and values are
kept, and only until it is sent. A queue that refuses the message (the store is locked, SQS unreachable) is
logged by kind and reference; `LocalNotifier` also keeps it in memory and tries again at the next send or
sender round, so a short outage of the local store loses nothing while the preview runs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from helpt.notify import Message
from helpt.stores import StoreError

log = logging.getLogger("helpt.notify")
QUEUE_URL_VARIABLE = "HELPT_NOTIFY_QUEUE_URL"
# Held in memory while the local store refuses them; more than this and the oldest are given up (logged).
MAX_HELD = 1000


def to_json(message: Message) -> str:
    return json.dumps(
        {"kind": message.kind, "channel": message.channel, "to": message.to, "lang": message.lang,
         "reference": message.reference, "values": dict(message.values)},
        # ASCII: a lone surrogate in a value stays an escape, which SQLite and SQS both take (rendering cleans it).
        ensure_ascii=True, separators=(",", ":"),
    )  # fmt: skip


def from_json(body: str) -> Message:
    """The Message a queue holds; ValueError when it is not one (a malformed or foreign queue entry)."""
    try:
        data = json.loads(body)
        values = data["values"]
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise ValueError("values should be text")
        return Message(kind=data["kind"], channel=data["channel"], to=str(data["to"]), lang=str(data["lang"]),
                       reference=str(data.get("reference", "")), values=values)  # fmt: skip
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a queued message ({type(error).__name__})") from None


class LocalQueue(Protocol):
    def queue_notification(self, body: str, *, not_before: int) -> int: ...


class LocalNotifier:
    """The preview's Notifier: a row in the local store's `notify_queue`, taken by the sender thread."""

    def __init__(self, store: LocalQueue, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock
        self._held: list[str] = []
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self._held.append(to_json(message))
            if len(self._held) > MAX_HELD:
                dropped = from_json(self._held.pop(0))
                log.error("notify %s %s: not_queued (held too long)", dropped.kind, dropped.reference)
        self.flush()

    def flush(self) -> int:
        """Queue what is held; the number still held (the store refused)."""
        with self._lock:
            while self._held:
                try:
                    self.store.queue_notification(self._held[0], not_before=int(self.clock()))
                except StoreError as error:
                    message = from_json(self._held[0])
                    log.warning("notify %s %s: held, the store refused it (%s)", message.kind, message.reference,
                                type(error).__name__)  # fmt: skip
                    break
                self._held.pop(0)
            return len(self._held)


class SqsNotifier:
    """AWS's Notifier: one SQS message per Message (env HELPT_NOTIFY_QUEUE_URL); the NotifyFunction sends."""

    def __init__(self, queue_url: str, *, client: Any | None = None, region: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.queue_url = queue_url
        # A form POST waits for this: short timeouts, one retry, like the DynamoDB client's.
        config = Config(connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 2, "mode": "standard"})
        self.client = client or boto3.client("sqs", region_name=region, config=config)

    def send(self, message: Message) -> None:
        try:
            self.client.send_message(QueueUrl=self.queue_url, MessageBody=to_json(message))
        except Exception as error:
            log.error("notify %s %s: not_queued (%s)", message.kind, message.reference, type(error).__name__)


def notifier_from_environment(environ: Mapping[str, str], store: Any) -> LocalNotifier | SqsNotifier | None:
    """The notifier a deployment uses: SQS when HELPT_NOTIFY_QUEUE_URL is set (AWS), else the local store's
    queue table. None when there is nothing to queue with: no queue URL and a store without that table
    (DynamoDB without the queue set up, as on a city that has not deployed notifications yet).

    Here, not beside the messages (helpt.notify.triggers): a handler makes its notifier at its cold start,
    and what makes the messages (the staff's labels and catalogs) is imported only once a submission is kept.
    """
    url = environ.get(QUEUE_URL_VARIABLE, "")
    if url:
        return SqsNotifier(url, region=environ.get("AWS_REGION", "eu-west-1"))
    if not hasattr(store, "queue_notification"):
        log.warning("no notifier: no %s and no local queue in the store, messages are not sent", QUEUE_URL_VARIABLE)
        return None
    return LocalNotifier(store)
