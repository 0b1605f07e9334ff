"""The AWS way out, against moto in server mode (real HTTP, as Lambda's botocore speaks it): a message queued in
SQS by the SqsNotifier, handed to the NotifyFunction's handler as Lambda hands over an SQS batch, sent through
SES (seen in SES's own send statistics and sent messages) and logged in DynamoDB; an SES bounce published to SNS
and handed to the BounceFunction's handler, which marks the address, after which nothing is sent to it; a
delivery that keeps failing ending in the dead-letter queue; a store outage returning the message to the queue;
SMS through SNS only when the city turns it on.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from conftest import LEUVEN
from dynamodb_servers import DUMMY_CREDENTIALS, REGION, dynamodb_store

from helpt.notify import Message, handler
from helpt.notify.delivery import SesDelivery, SnsSmsDelivery
from helpt.notify.queue import SqsNotifier
from helpt.notify.render import Renderer
from helpt.notify.sender import Sender
from helpt.settings import NotificationSettings, load_city
from helpt.stores.dynamodb import DynamoDBStore

pytest_plugins = ["dynamodb_servers"]
PROJECT_DIR = Path(__file__).resolve().parents[1]
CITY = load_city(LEUVEN)


def _max_receives() -> int:
    from cfnlint.decode import decode_str

    template, _problems = decode_str((PROJECT_DIR / "template.yaml").read_text(encoding="utf-8"))
    return int(template["Resources"]["NotifyQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"])


MAX_RECEIVES = _max_receives()  # as template.yaml configures the NotifyQueue


@dataclasses.dataclass
class Cloud:
    endpoint: str
    store: DynamoDBStore
    sqs: Any
    ses: Any
    sesv2: Any
    sns: Any
    queue: str
    dead: str
    configuration_set: str

    def lambda_batch(self, wait: int = 2) -> dict[str, Any]:
        """The queue's messages as Lambda's SQS event source hands them to the function."""
        found = self.sqs.receive_message(QueueUrl=self.queue, WaitTimeSeconds=wait, MaxNumberOfMessages=10,
                                         AttributeNames=["All"]).get("Messages", [])  # fmt: skip
        return {"Records": [
            {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
             "attributes": m["Attributes"], "eventSource": "aws:sqs"} for m in found
        ]}  # fmt: skip

    def sent_count(self) -> int:
        points = self.ses.get_send_statistics()["SendDataPoints"]
        return sum(point["DeliveryAttempts"] for point in points)


def aws_client(name: str, endpoint: str) -> Any:
    return boto3.client(name, region_name=REGION, endpoint_url=endpoint, **DUMMY_CREDENTIALS)


@pytest.fixture
def cloud(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    endpoint = request.getfixturevalue("moto_endpoint")
    store = dynamodb_store(request, "dynamodb-moto")
    sqs, ses, sesv2, sns = (aws_client(name, endpoint) for name in ("sqs", "ses", "sesv2", "sns"))
    name = uuid.uuid4().hex[:10]
    dead = sqs.create_queue(QueueName=f"notify-dead-{name}")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    attributes = {"RedrivePolicy": redrive, "VisibilityTimeout": "60"}
    queue = sqs.create_queue(QueueName=f"notify-{name}", Attributes=attributes)["QueueUrl"]
    ses.verify_email_identity(EmailAddress=CITY.sender_email)
    configuration_set = f"helpt-{name}"
    sesv2.create_configuration_set(ConfigurationSetName=configuration_set)
    # The NotifyFunction's environment, as template.yaml gives it; AWS_ENDPOINT_URL sends its clients to moto.
    for key, value in {
        "AWS_ENDPOINT_URL": endpoint, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "HELPT_STORE": "dynamodb", "HELPT_TABLE": store.table_name, "HELPT_NOTIFY_QUEUE_URL": queue,
        "HELPT_SES_CONFIGURATION_SET": configuration_set, "HELPT_CITY": str(LEUVEN),
        "HELPT_BUNDLE_DIR": str(PROJECT_DIR / "theme"),  # translations/ as the bundle has them
    }.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    for cached in (handler._sender, handler._sqs, handler._store):
        cached.cache_clear()
    yield Cloud(endpoint, store, sqs, ses, sesv2, sns, queue, dead, configuration_set)
    for cached in (handler._sender, handler._sqs, handler._store):
        cached.cache_clear()


def proposal(to: str = "anna@example.org", channel: str = "email") -> Message:
    return Message(kind="volunteer_proposal", channel=channel, to=to, lang="nl", reference="V-ABCD-EFGH", values={
        "name": "Anna", "help": "boodschappen", "neighbourhood": "Heverlee", "when": "dinsdag",
        "yes_link": "https://www.leuvenhelpt.be/a?j=1", "no_link": "https://www.leuvenhelpt.be/a?n=1",
        "unsubscribe": "https://www.leuvenhelpt.be/stop?t=1"})  # fmt: skip


def test_a_queued_message_is_sent_by_the_notify_function_through_ses_and_logged(cloud: Cloud) -> None:
    before = cloud.sent_count()
    SqsNotifier(cloud.queue, client=cloud.sqs).send(proposal())
    batch = cloud.lambda_batch()
    assert len(batch["Records"]) == 1
    assert handler.notify_handler(batch, None) == {"batchItemFailures": []}
    assert cloud.sent_count() == before + 1
    log = cloud.store.notification_log()
    assert [(e.kind, e.reference, e.channel, e.outcome) for e in log] == [
        ("volunteer_proposal", "V-ABCD-EFGH", "email", "sent")
    ]
    # What SES got: the message as the outbox would hold it (moto keeps the raw data).
    data = json.loads(_get(f"{cloud.endpoint}/moto-api/data.json"))
    raw = [m for m in data["ses"]["RawMessage"] if "anna@example.org" in json.dumps(m.get("destinations", ""))]
    assert raw, "SES recorded the raw message"
    sent = email.message_from_string(raw[-1]["raw_data"], policy=email.policy.default)
    assert sent["From"].addresses[0].addr_spec == CITY.sender_email
    assert "Heverlee" in sent.get_body(("plain",)).get_content()
    assert "https://www.leuvenhelpt.be/stop?t=1" in sent.get_body(("html",)).get_content()


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:  # the test's own moto server
        return answer.read().decode()


def test_a_bounce_from_ses_through_sns_marks_the_address_and_nothing_more_goes_there(cloud: Cloud) -> None:
    # SES publishes its bounce notifications to an SNS topic; an SQS subscription lets the test read what SNS
    # delivers, and hand it to the BounceFunction in the shape of Lambda's SNS event.
    topic = cloud.sns.create_topic(Name=f"bounces-{uuid.uuid4().hex[:8]}")["TopicArn"]
    inbox = cloud.sqs.create_queue(QueueName=f"inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    inbox_arn = cloud.sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    cloud.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    domain = CITY.sender_email.rpartition("@")[2]
    cloud.ses.verify_domain_identity(Domain=domain)
    cloud.ses.set_identity_notification_topic(Identity=domain, NotificationType="Bounce", SnsTopic=topic)
    sender = Sender(CITY, cloud.store, Renderer(CITY, PROJECT_DIR / "theme" / "translations"),
                    SesDelivery(cloud.configuration_set, client=cloud.sesv2))  # fmt: skip
    assert sender.process(proposal(to="bounce@simulator.amazonses.com")).outcome == "sent"
    (delivered,) = cloud.sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=2)["Messages"]
    envelope = json.loads(delivered["Body"])
    # SNS's Message is a JSON string; moto's SES hands SNS a dict, which ends up as an object: made text here.
    text = envelope["Message"] if isinstance(envelope["Message"], str) else json.dumps(envelope["Message"])
    event = {"Records": [{"EventSource": "aws:sns", "Sns": {"Type": "Notification", "TopicArn": topic,
                                                             "Message": text}}]}  # fmt: skip
    bounced = json.loads(text)["bounce"]["bouncedRecipients"][0]["emailAddress"]
    assert handler.bounce_handler(event, None) == {"marked": 1}
    assert cloud.store.address_mark(bounced.upper()) == "bounced"
    delayed = json.loads(text)["bounce"]["bouncedRecipients"][1]
    assert delayed["status"].startswith("4.") and cloud.store.address_mark(delayed["emailAddress"]) is None
    before = cloud.sent_count()
    assert sender.process(proposal(to=bounced)).outcome == "suppressed:bounced"
    assert cloud.sent_count() == before
    # A complaint marks too; a transient bounce marks nothing (SES tries again itself).
    complaint = {"notificationType": "Complaint", "complaint": {"complainedRecipients": [{"emailAddress": "c@x.be"}]}}
    bounced_t = [{"emailAddress": "t@x.be"}]
    transient = {"notificationType": "Bounce", "bounce": {"bounceType": "Transient", "bouncedRecipients": bounced_t}}
    records = [{"Sns": {"Message": json.dumps(n)}} for n in (complaint, transient)] + [{"Sns": {"Message": "{"}}]
    assert handler.bounce_handler({"Records": records}, None) == {"marked": 1}
    assert cloud.store.address_mark("c@x.be") == "complained" and cloud.store.address_mark("t@x.be") is None


def test_an_inbound_stop_marks_the_number(cloud: Cloud) -> None:
    inbound = {"originationNumber": "+32470123456", "destinationNumber": "+32400000000", "messageBody": "stop "}
    assert handler.bounce_handler({"Records": [{"Sns": {"Message": json.dumps(inbound)}}]}, None) == {"marked": 1}
    assert cloud.store.address_mark("+32 470 12 34 56") == "unsubscribed"


def test_a_delivery_that_keeps_failing_ends_in_the_dead_letter_queue(cloud: Cloud) -> None:
    # SES unreachable (nothing listens on this port): each try fails, the message comes back, and after the
    # queue's maxReceiveCount SQS moves it to the dead-letter queue.
    unreachable = boto3.client("sesv2", region_name=REGION, endpoint_url="http://127.0.0.1:9",
                               **DUMMY_CREDENTIALS, config=_one_try())  # fmt: skip
    sender = Sender(CITY, cloud.store, Renderer(CITY, PROJECT_DIR / "theme" / "translations"),
                    SesDelivery(cloud.configuration_set, client=unreachable))  # fmt: skip
    SqsNotifier(cloud.queue, client=cloud.sqs).send(proposal())
    for _receive in range(MAX_RECEIVES):
        batch = cloud.lambda_batch()
        (record,) = batch["Records"]
        answer = handler.handle_queue_batch(batch, sender, cloud.sqs, cloud.queue)
        assert answer == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
        # The handler set a backoff (30 s, 60 s, ...); the test does not wait it out.
        cloud.sqs.change_message_visibility(QueueUrl=cloud.queue, ReceiptHandle=record["receiptHandle"],
                                            VisibilityTimeout=0)  # fmt: skip
    assert cloud.lambda_batch(wait=1)["Records"] == []
    (dead,) = cloud.sqs.receive_message(QueueUrl=cloud.dead, WaitTimeSeconds=2)["Messages"]
    assert json.loads(dead["Body"])["reference"] == "V-ABCD-EFGH"
    assert [e.outcome for e in cloud.store.notification_log()] == ["failed"] * MAX_RECEIVES


def _one_try() -> Any:
    from botocore.config import Config

    return Config(connect_timeout=1, read_timeout=1, retries={"total_max_attempts": 1})


def test_a_store_outage_returns_the_message_to_the_queue_and_it_goes_later(cloud: Cloud, monkeypatch) -> None:
    SqsNotifier(cloud.queue, client=cloud.sqs).send(proposal())
    monkeypatch.setenv("HELPT_TABLE", "no-such-table")
    handler._sender.cache_clear()
    batch = cloud.lambda_batch()
    (record,) = batch["Records"]
    assert handler.notify_handler(batch, None) == {"batchItemFailures": [{"itemIdentifier": record["messageId"]}]}
    cloud.sqs.change_message_visibility(QueueUrl=cloud.queue, ReceiptHandle=record["receiptHandle"],
                                        VisibilityTimeout=0)  # fmt: skip
    monkeypatch.setenv("HELPT_TABLE", cloud.store.table_name)
    handler._sender.cache_clear()
    before = cloud.sent_count()
    assert handler.notify_handler(cloud.lambda_batch(), None) == {"batchItemFailures": []}
    assert cloud.sent_count() == before + 1


def test_over_the_rate_limit_a_message_is_queued_again_with_a_delay_not_failed(cloud: Cloud) -> None:
    city = dataclasses.replace(CITY, notifications=NotificationSettings(per_recipient_per_hour=1))
    sender = Sender(city, cloud.store, Renderer(city, PROJECT_DIR / "theme" / "translations"),
                    SesDelivery(cloud.configuration_set, client=cloud.sesv2))  # fmt: skip
    notifier = SqsNotifier(cloud.queue, client=cloud.sqs)
    notifier.send(proposal())
    notifier.send(proposal())
    batch = cloud.lambda_batch()
    while len(batch["Records"]) < 2:
        batch["Records"] += cloud.lambda_batch()["Records"]
    assert handler.handle_queue_batch(batch, sender, cloud.sqs, cloud.queue) == {"batchItemFailures": []}
    outcomes = sorted(e.outcome for e in cloud.store.notification_log())
    assert outcomes == ["deferred", "sent"]
    attributes = cloud.sqs.get_queue_attributes(QueueUrl=cloud.queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "1"  # waiting, not in the dead-letter queue


def test_sms_goes_through_sns_only_when_the_city_turns_it_on(cloud: Cloud) -> None:
    renderer = Renderer(CITY, PROJECT_DIR / "theme" / "translations")
    sms = SnsSmsDelivery(client=cloud.sns)
    off = Sender(CITY, cloud.store, renderer, SesDelivery("", client=cloud.sesv2), sms)
    assert off.process(proposal(to="0470 12 34 56", channel="sms")).outcome == "suppressed:sms_off"
    city = dataclasses.replace(CITY, notifications=NotificationSettings(sms=True))
    on = Sender(city, cloud.store, Renderer(city, PROJECT_DIR / "theme" / "translations"),
                SesDelivery("", client=cloud.sesv2), sms)  # fmt: skip
    assert on.process(proposal(to="0470 12 34 56", channel="sms")).outcome == "sent"
    # SNS took it (moto checks the E.164 number); a number that says STOP is not sent to again.
    cloud.store.mark_address("+32470123456", "unsubscribed")
    assert on.process(proposal(to="0470 12 34 56", channel="sms")).outcome == "suppressed:unsubscribed"
