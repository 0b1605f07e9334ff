"""A person's rights under the GDPR, and retention: erasure, access (article 15), and purging now.

People are found by the e-mail address or phone number they gave, in every form and in what was kept apart
as sent by a bot (someone may have typed their address into a spam form). Phone numbers are compared in
international form, so `0470 12 34 56`, `+32 470 12 34 56` and `0032 470/12.34.56` are the same number;
e-mail addresses without regard to case. Before either, expired records are purged: DynamoDB's TTL may not
have deleted them yet, and "everything we hold" must include them or erase them too.

The export log records that an erasure or an access request happened, by whom, when and how many
records, and how the person was found ("by e-mail") — never the address or number itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from helpt.forms import FORMS
from helpt.settings import CitySettings
from helpt.staff.answers import CHANNELS, FORM_NAMES, STATUSES, labelled, local_time, named, record_lines
from helpt.staff.texts import N_, Texts
from helpt.stores import StaffStore
from helpt.submissions import Submission


def normalise_phone(text: str, country_code: str) -> str:
    """A phone number as digits in international form, for comparing numbers written differently.

    >>> [normalise_phone(n, "+32") for n in ("0470 12 34 56", "+32 470 12 34 56", "0032 470/12.34.56")]
    ['32470123456', '32470123456', '32470123456']
    """
    digits = re.sub(r"\D", "", text)
    if text.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return country_code.lstrip("+") + digits[1:]
    return digits


@dataclass(frozen=True)
class Person:
    """Whom a request is about: an e-mail address or a phone number, as the person gives it."""

    email: str = ""
    phone: str = ""
    country_code: str = "+32"

    @property
    def found_by(self) -> str:
        """How the person was found, for the export log: never the address or number itself."""
        return N_("by e-mail") if self.email else N_("by phone")

    def gave(self, submission: Submission) -> bool:
        email, phone = submission.answers.get("email", ""), submission.answers.get("phone", "")
        if self.email:
            return isinstance(email, str) and email.strip().casefold() == self.email.strip().casefold()
        wanted = normalise_phone(self.phone, self.country_code)
        return isinstance(phone, str) and bool(wanted) and normalise_phone(phone, self.country_code) == wanted


def records_of(store: StaffStore, person: Person, now: dt.datetime) -> tuple[list[Submission], list[Submission]]:
    """The person's live submissions, and what was kept apart with their address or number in it."""
    kept = [record for record in store.stream(forms=tuple(FORMS), now=now) if person.gave(record)]
    quarantined = [record for record in store.quarantined(now=now) if person.gave(record)]
    return kept, quarantined


def access_data(
    store: StaffStore, kept: list[Submission], quarantined: list[Submission], city: CitySettings, now: dt.datetime
) -> dict[str, Any]:
    """Everything held about the person, as JSON-ready data: their answers exactly, and what staff did.

    Staff names and the references of other people (a matched volunteer) are left out: they are not the
    person's own data.
    """

    def record(submission: Submission, with_history: bool) -> dict[str, Any]:
        history = store.events(submission.reference) if with_history else []
        return {
            "reference": submission.reference,
            "form": submission.form,
            "received": submission.created_at.isoformat(),
            "deleted_after": dt.datetime.fromtimestamp(submission.expires_at, dt.UTC).isoformat(),
            "channel": submission.channel,
            "status": submission.status,
            "language": submission.lang,
            "answers": {
                name: list(value) if isinstance(value, tuple) else value for name, value in submission.answers.items()
            },
            "history": [
                {"at": event.at.isoformat(), "what": event.kind, "status": event.status, "reason": event.reason}
                for event in history
            ],
        }

    return {
        "controller": city.controller,
        "data_protection_officer": city.dpo_email,
        "made_at": now.isoformat(),
        "submissions": [record(submission, True) for submission in kept],
        "kept_apart_as_automated": [record(submission, False) for submission in quarantined],
    }


def access_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def access_text(
    data: dict[str, Any], kept: list[Submission], quarantined: list[Submission], texts: Texts, city: CitySettings
) -> str:
    """The same as readable text in the staff member's language, to print or send to the person."""
    _ = texts.gettext
    lines = [
        _("What %(city)s holds about you") % {"city": city.site_name.get(texts.lang, city.name)},
        _("Controller: %(controller)s. Data protection officer: %(dpo)s.")
        % {"controller": city.controller, "dpo": city.dpo_email},
        "",
    ]
    if not kept and not quarantined:
        lines.append(_("We hold nothing under this e-mail address or phone number."))
    by_reference = {item["reference"]: item for item in data["submissions"]}
    for submission in kept:
        item = by_reference[submission.reference]
        lines += _record_header(submission, texts, city)
        lines += [f"  {label}: {text}" for label, text in record_lines(submission, texts, city)]
        for event in item["history"]:
            status = named(STATUSES, event["status"], texts)
            what = _("matched with a volunteer") if event["what"] == "match" else _("status changed")
            when = local_time(dt.datetime.fromisoformat(event["at"]), city)
            lines.append(f"  {when}: {what} {status} {event['reason']}".rstrip())
        lines.append("")
    for submission in quarantined:
        lines += [_("Kept apart as probably sent by a computer program:")]
        lines += _record_header(submission, texts, city)
        lines += [f"  {label}: {text}" for label, text in record_lines(submission, texts, city)]
        lines.append("")
    return "\n".join(lines)


def _record_header(submission: Submission, texts: Texts, city: CitySettings) -> list[str]:
    _ = texts.gettext
    expires = dt.datetime.fromtimestamp(submission.expires_at, dt.UTC)
    channel = named(CHANNELS, submission.channel, texts)
    return [
        f"{named(FORM_NAMES, submission.form, texts)} {submission.reference}",
        labelled(_("Received"), f"{local_time(submission.created_at, city)} ({channel})", indent=2),
        labelled(_("Deleted after"), local_time(expires, city), indent=2),
    ]
