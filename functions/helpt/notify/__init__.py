"""Telling people what happens: one interface for every message Helpt sends, and where it goes.

A part of Helpt that has something to say (the form handler after a request is stored, the back office when
a coordinator proposes a match, the morning digest) makes a `Message` and hands it to a `Notifier`:

    notifier.send(Message(kind="staff_urgent", channel="email", to=city.help_email, lang="nl",
                          reference="H-ABCD-EFGH", values={"link": "https://.../staff/requests/H-ABCD-EFGH"}))

`send` only queues: it never blocks the form or the page on a mail server, and never raises (a queue that
does not take the message is logged with the message's kind and reference, never its content). The queue
is an SQS queue with a dead-letter queue on AWS and a table of the local store on the preview; a sender
takes messages from it, renders them in the recipient's language from the Babel catalogs (plain text and
simple HTML) and delivers them: Amazon SES (e-mail) and SNS (SMS) on AWS, an outbox folder of `.eml` files
under `data/` on the preview.

KINDS names every kind of message and the values it is made from. A kind's values are all its template
gets: none carries more personal data than its reader needs (a staff alert has the reference and a link,
never the answers; a resident's confirmation says nothing about health).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

# kind -> the values its template is made from (every one required; "unsubscribe" is a link that works).
KINDS: dict[str, tuple[str, ...]] = {
    # To the city's help mailbox (settings: contact.help_email): a new request marked "today".
    "staff_urgent": ("link",),
    # To the help mailbox each morning: requests waiting longer than the city's promise.
    "staff_digest": ("count", "references", "link"),
    # To a care organisation: a response to its vacancy is waiting in the back office (a link, not the response).
    "organisation_response": ("vacancy_title", "link"),
    # To the resident who gave an e-mail address: the reference, what happens next, the phone line.
    "resident_confirmation": ("unsubscribe",),
    # To a new volunteer: welcome, and the safety rules.
    # (and `card_link`, the volunteer's personal card once verified: optional, as a welcome queued by an earlier
    # version has none)
    "volunteer_welcome": ("name", "safety_link", "unsubscribe"),
    # To a proposed volunteer: the task in general terms, and two single-use links that record the answer.
    "volunteer_proposal": ("name", "help", "neighbourhood", "when", "yes_link", "no_link", "unsubscribe"),
    # To the volunteer once the coordinator confirmed the match: now the details to go and help.
    "volunteer_confirmed": ("name", "requester_name", "street", "help", "when", "unsubscribe"),
}
CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class Message:
    kind: str  # one of KINDS
    channel: str  # "email" or "sms"
    to: str  # an e-mail address, or a phone number as the person gave it
    lang: str  # the recipient's language (one of the city's)
    reference: str = ""  # the record the message is about ("" for a digest): logged, with the kind
    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of message: {self.kind}")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel: {self.channel}")
        missing = [name for name in KINDS[self.kind] if name not in self.values]
        if missing:
            raise ValueError(f"{self.kind} needs {', '.join(missing)}")


class Notifier(Protocol):
    def send(self, message: Message) -> None:
        """Queue the message for sending; never raises, never waits for delivery."""
