"""The ways out: an outbox folder of .eml files (the preview), an SMTP server (optional), Amazon SES, SNS SMS.

Every e-mail is built once, by `build_email`, as an `email.message.EmailMessage` with a plain-text part and an
HTML alternative, Message-ID, Date and From (the city's sender address); each delivery sends that same message.
A delivery raises `DeliveryError` when it should be tried again later, `Undeliverable` when it never can be.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol

from helpt.notify.render import Rendered


class DeliveryError(RuntimeError):
    """Not delivered this time (a server down, throttled): the sender tries again later."""


class Undeliverable(RuntimeError):
    """Never deliverable as it is (an address the service rejects): the sender gives it up at once."""


class EmailDelivery(Protocol):
    def deliver(self, email: EmailMessage) -> str:
        """Send it; a short note for the log (never the address): a file name, an id."""
        ...


class SmsDelivery(Protocol):
    def deliver_sms(self, phone: str, text: str) -> str: ...


def build_email(rendered: Rendered, *, sender: str, sender_name: str, to: str, unsubscribe: str = "",
                now: dt.datetime | None = None) -> EmailMessage:  # fmt: skip
    email = EmailMessage()
    email["From"] = f"{sender_name} <{sender}>" if sender_name else sender
    email["To"] = to
    email["Subject"] = rendered.subject
    email["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if unsubscribe:
        # Mail programs show their own "unsubscribe" button for this (RFC 2369); the link is the footer's.
        email["List-Unsubscribe"] = f"<{unsubscribe}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(rendered.text)
    email.add_alternative(rendered.html, subtype="html")
    return email


class OutboxFolder:
    """The preview's post: one `.eml` file per message in a folder (data/outbox), for any mail program."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def deliver(self, email: EmailMessage) -> str:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            temporary = path.with_suffix(".part")
            temporary.write_bytes(email.as_bytes())
            temporary.chmod(0o600)
            temporary.replace(path)  # a mail program watching the folder never sees half a message
        except OSError as error:
            raise DeliveryError(f"outbox: {type(error).__name__}") from None
        return path.name


class SmtpDelivery:
    """An SMTP server, host:port (`[notifications] smtp` or HELPT_SMTP): for a preview with a mail catcher."""

    def __init__(self, host_port: str, timeout: float = 10.0) -> None:
        host, _, port = host_port.rpartition(":")
        self.host, self.port, self.timeout = host, int(port), timeout

    def deliver(self, email: EmailMessage) -> str:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                server.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            raise Undeliverable("smtp: recipient refused") from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"smtp: {type(error).__name__}") from None
        return f"smtp {self.host}:{self.port}"


class FanOut:
    """Several e-mail deliveries in turn (the outbox, and an SMTP server beside it)."""

    def __init__(self, *deliveries: EmailDelivery) -> None:
        self.deliveries = deliveries

    def deliver(self, email: EmailMessage) -> str:
        return ", ".join(delivery.deliver(email) for delivery in self.deliveries)


def _aws_error(service: str, error: Exception) -> Exception:
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in {"MessageRejected", "BadRequestException", "InvalidParameter", "InvalidParameterValue"}:
            return Undeliverable(f"{service}: {code}")
        return DeliveryError(f"{service}: {code}")
    return DeliveryError(f"{service}: {type(error).__name__}")


class SesDelivery:
    """Amazon SES (API v2): the message as it is (Raw), with the configuration set that reports bounces."""

    def __init__(self, configuration_set: str, *, client: Any | None = None, region: str | None = None) -> None:
        import boto3

        self.configuration_set = configuration_set
        self.client = client or boto3.client("sesv2", region_name=region)

    def deliver(self, email: EmailMessage) -> str:
        request: dict[str, Any] = {
            # No Destination: for a raw message SES takes the recipients from its To header, the one address.
            # The sending identity is the bare address; the From header keeps the city's name beside it.
            "FromEmailAddress": email["From"].addresses[0].addr_spec,
            "Content": {"Raw": {"Data": email.as_bytes()}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            answer = self.client.send_email(**request)
        except Exception as error:
            raise _aws_error("ses", error) from None
        return f"ses {answer.get('MessageId', '')}"


class SnsSmsDelivery:
    """SMS through Amazon SNS, transactional. SNS itself keeps the opt-out list of numbers that sent STOP."""

    def __init__(self, *, client: Any | None = None, region: str | None = None, sender_id: str = "") -> None:
        import boto3

        self.client = client or boto3.client("sns", region_name=region)
        self.sender_id = sender_id

    def deliver_sms(self, phone: str, text: str) -> str:
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self.sender_id}
        try:
            answer = self.client.publish(PhoneNumber=phone, Message=text, MessageAttributes=attributes)
        except Exception as error:
            raise _aws_error("sns", error) from None
        return f"sns {answer.get('MessageId', '')}"
