"""The AWS entry points: the NotifyFunction (SQS -> SES/SNS) and the BounceFunction (SNS -> address marks).

`notify_handler` gets the queue's messages as Lambda hands them over (an SQS batch) and answers with the
partial batch failures (ReportBatchItemFailures): a message that failed is made visible again after its backoff
and SQS moves it to the dead-letter queue after the queue's maxReceiveCount; one over the rate limit is queued
again with a delay (and its first copy deleted), so waiting never counts as failing.

`bounce_handler` gets what SES's configuration set publishes to the BounceTopic: a permanent bounce marks each
bounced address "bounced", a complaint marks "complained" (a transient bounce marks nothing: SES retries). It
also reads an inbound SMS that AWS End User Messaging publishes to an SNS topic (two-way SMS): "STOP" marks the
number "unsubscribed". SNS itself keeps an opt-out list: a number that replied STOP is not sent to by SNS again.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpt.notify.delivery import SesDelivery, SnsSmsDelivery
from helpt.notify.queue import QUEUE_URL_VARIABLE, from_json
from helpt.notify.render import Renderer
from helpt.notify.sender import Sender
from helpt.stores import StoreError

log = logging.getLogger("helpt.notify")
logging.getLogger("helpt").setLevel(logging.INFO)
CONFIGURATION_SET_VARIABLE = "HELPT_SES_CONFIGURATION_SET"
MAX_SQS_DELAY = 900  # SQS's longest DelaySeconds
STOP_WORDS = {"STOP", "STOPP", "ARRET", "UNSUBSCRIBE", "CANCEL", "QUIT", "END"}


def sender_from_environment(environ: Mapping[str, str] = os.environ) -> Sender:
    """The NotifyFunction's Sender: the bundle's city settings and catalogs, the table, SES and (if on) SNS."""
    from helpt.app import store_from_environment
    from helpt.settings import load_city

    bundle = Path(environ.get("HELPT_BUNDLE_DIR", Path(__file__).resolve().parents[1] / "bundle"))
    city = load_city(Path(environ.get("HELPT_CITY", bundle / "city.toml")))
    region = environ.get("AWS_REGION", "eu-west-1")
    import boto3

    ses = boto3.client("sesv2", region_name=region)
    sns = boto3.client("sns", region_name=region) if city.notifications.sms else None
    return Sender(
        city,
        store_from_environment(environ),
        Renderer(city, bundle / "translations"),
        SesDelivery(environ.get(CONFIGURATION_SET_VARIABLE, ""), client=ses),
        SnsSmsDelivery(client=sns) if sns is not None else None,
    )


@functools.cache
def _sender() -> Sender:
    return sender_from_environment()


@functools.cache
def _sqs() -> Any:
    import boto3

    return boto3.client("sqs", region_name=os.environ.get("AWS_REGION"))


def handle_queue_batch(event: Mapping[str, Any], sender: Sender, sqs: Any, queue_url: str) -> dict[str, Any]:
    """Send each SQS record's message; the records to be tried again, as Lambda's partial batch response."""
    failures = []
    for record in event.get("Records", []):
        message_id = record.get("messageId", "")
        try:
            message = from_json(record.get("body", ""))
        except ValueError:
            log.error("notify: SQS message %s is not a message; dropped", message_id)
            continue
        attempts = max(0, int(record.get("attributes", {}).get("ApproximateReceiveCount", "1")) - 1)
        try:
            result = sender.process(message, attempts)
        except StoreError as error:
            log.warning("notify %s %s: stays queued (%s)", message.kind, message.reference, error)
            failures.append({"itemIdentifier": message_id})
            continue
        if result.outcome == "deferred" and result.retry_at is not None:
            delay = max(0, min(MAX_SQS_DELAY, result.retry_at - int(time.time())))
            try:
                sqs.send_message(QueueUrl=queue_url, MessageBody=record["body"], DelaySeconds=delay)
            except Exception as error:  # then the original comes back instead
                log.warning("notify %s %s: not re-queued (%s)", message.kind, message.reference, type(error).__name__)
                failures.append({"itemIdentifier": message_id})
        elif not result.done:
            failures.append({"itemIdentifier": message_id})
            _later(sqs, queue_url, record, result.retry_at)
    return {"batchItemFailures": failures}


def _later(sqs: Any, queue_url: str, record: Mapping[str, Any], retry_at: int | None) -> None:
    """Back off: the failed message becomes visible again at `retry_at` instead of after the queue's timeout."""
    if retry_at is None or not record.get("receiptHandle"):
        return
    try:
        sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=record["receiptHandle"],
                                      VisibilityTimeout=max(0, min(43200, retry_at - int(time.time()))))  # fmt: skip
    except Exception as error:  # the queue's own visibility timeout applies then
        log.warning("notify: backoff not set (%s)", type(error).__name__)


def notify_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """The NotifyFunction: an SQS batch from the NotifyQueue."""
    return handle_queue_batch(event, _sender(), _sqs(), os.environ[QUEUE_URL_VARIABLE])


def marks_in(notification: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(address, mark) for each address an SES event or inbound SMS says to stop sending to."""
    # Configuration sets say `eventType`, identity notifications `notificationType`; both carry the matching
    # `bounce` or `complaint` object, which is what is read here (and all a test server may get right).
    bounce = notification.get("bounce")
    if isinstance(bounce, dict):
        if bounce.get("bounceType") != "Permanent":
            return []
        # A recipient only delayed (status 4.x.x) is not marked: the next message may well arrive.
        failed = [r for r in bounce.get("bouncedRecipients", []) if not str(r.get("status", "")).startswith("4")]
        return [(r["emailAddress"], "bounced") for r in failed if r.get("emailAddress")]
    complaint = notification.get("complaint")
    if isinstance(complaint, dict):
        found = complaint.get("complainedRecipients", [])
        return [(r["emailAddress"], "complained") for r in found if r.get("emailAddress")]
    number = notification.get("originationNumber")
    body = str(notification.get("messageBody", "")).strip().upper()
    if number and body.split()[:1] and body.split()[0] in STOP_WORDS:
        return [(str(number), "unsubscribed")]
    return []


def handle_bounces(event: Mapping[str, Any], store: Any) -> int:
    """Mark the addresses of each SNS record; how many were marked. A StoreError fails the invocation, so
    SNS delivers it again."""
    marked = 0
    for record in event.get("Records", []):
        try:
            notification = json.loads(record.get("Sns", {}).get("Message", ""))
        except (json.JSONDecodeError, TypeError):
            log.error("notify: an SNS message that is not JSON; ignored")
            continue
        if not isinstance(notification, dict):
            continue
        for address, mark in marks_in(notification):
            store.mark_address(address, mark)
            log.info("notify: an address marked %s", mark)  # never the address
            marked += 1
    return marked


@functools.cache
def _store() -> Any:
    from helpt.app import store_from_environment

    return store_from_environment(os.environ)


def bounce_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """The BounceFunction: SES bounces and complaints (and inbound STOP) through SNS."""
    return {"marked": handle_bounces(event, _store())}
