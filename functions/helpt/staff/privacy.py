"""A person's rights under the GDPR, and retention: erasure, access (article 15), and purging now.

People are found by an e-mail address or phone number they gave, in every form and in what was kept apart
as sent by a bot (someone may have typed their address into a spam form). A help request for someone else
holds two people, the person who needs help and the asker, and either can be found by their own address
or number: a daughter who asked for her mother can ask for her own data. Phone numbers are compared in
international form, so `0470 12 34 56`, `+32 470 12 34 56` and `0032 470/12.34.56` are the same number;
e-mail addresses without regard to case. Before either, expired records are purged: DynamoDB's TTL may not
have deleted them yet, and "everything we hold" must include them or erase them too.

The export log records that an erasure or an access request happened, by whom, when and how many
records, and how the person was found ("by e-mail") — never the address or number itself. The steps that
use what is here (find, report, erase, purge), for `helpt` and the back office alike, are privacy_requests.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from helpt.forms import FORMS
from helpt.settings import CitySettings
from helpt.staff.answers import (
    CHANNELS,
    FORM_NAMES,
    STATUSES,
    labelled,
    local_time,
    named,
    question_label,
    record_lines,
    replaced_answer,
)
from helpt.staff.texts import N_, Texts
from helpt.stores import Event, StaffStore
from helpt.submissions import Submission

# How a person was found in a record: the form's section their address or number is in ("person",
# "asker"), or "" in a form about one person (a volunteer's sign-up).
FOUND_AS = {
    "person": N_("as the person who needs help"),
    "asker": N_("as the person who asked for help for someone else"),
}
# Found as only one of a request's two people, the other's contact details are that person's own data,
# not theirs (GDPR article 15(4)): left out of the access report. The asker's name and how they know the
# person stay in the person's report: that is where the city got their data from (article 15(1)(g)).
OTHER_PERSONS_DETAILS = {
    "person": ("asker_phone", "asker_email"),
    "asker": ("street", "postcode", "phone", "email"),
}


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


def contact_questions(form_name: str, kind: str) -> dict[str, str]:
    """A form's e-mail (or phone) questions, each with whose it is (`FOUND_AS`'s keys).

    >>> contact_questions("help_request", "tel"), contact_questions("volunteer_signup", "email")
    ({'phone': 'person', 'asker_phone': 'asker'}, {'email': ''})
    """
    form = FORMS.get(form_name)
    if form is None:
        return {"email": "", "phone": ""} if kind == "email" else {"phone": ""}
    found = {}
    for item in form.fields:
        if item.kind == kind:
            section = form.section_of(item.name)
            found[item.name] = section.name if section else ""
    return found


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

    def found_as(self, submission: Submission) -> tuple[str, ...]:
        """Whose address or number in the record is the person's ("person", "asker", or "" in a form about
        one person); empty when the record does not hold it."""
        if self.email:
            wanted, kind = self.email.strip().casefold(), "email"
        else:
            wanted, kind = normalise_phone(self.phone, self.country_code), "tel"
        roles = []
        for name, role in contact_questions(submission.form, kind).items():
            given = submission.answers.get(name, "")
            if not isinstance(given, str) or not given.strip() or not wanted:
                continue
            mine = given.strip().casefold() if kind == "email" else normalise_phone(given, self.country_code)
            if mine == wanted and role not in roles:
                roles.append(role)
        return tuple(roles)

    def gave(self, submission: Submission) -> bool:
        return bool(self.found_as(submission))


def records_of(store: StaffStore, person: Person, now: dt.datetime) -> tuple[list[Submission], list[Submission]]:
    """The person's live submissions, and what was kept apart with their address or number in it."""
    kept = [record for record in store.stream(forms=tuple(FORMS), now=now) if person.gave(record)]
    quarantined = [record for record in store.quarantined(now=now) if person.gave(record)]
    return kept, quarantined


def left_out(roles: tuple[str, ...]) -> tuple[str, ...]:
    """The answers not in a person's access report: the other person's contact details, found as one."""
    return OTHER_PERSONS_DETAILS.get(roles[0], ()) if len(roles) == 1 else ()


def access_data(
    store: StaffStore, person: Person, kept: list[Submission], quarantined: list[Submission], city: CitySettings,
    now: dt.datetime,
) -> dict[str, Any]:  # fmt: skip
    """Everything held about the person, as JSON-ready data: their answers exactly, and what staff did.

    Staff names and the references of other people (a matched volunteer) are left out, and so are the other
    person's contact details in a request about two people: they are not the person's own data.
    """

    def record(submission: Submission, with_history: bool) -> dict[str, Any]:
        roles = person.found_as(submission)
        hidden = left_out(roles)
        history = store.events(submission.reference) if with_history else []
        return {
            "reference": submission.reference,
            "form": submission.form,
            "found_as": [role for role in roles if role],
            "received": submission.created_at.isoformat(),
            "deleted_after": dt.datetime.fromtimestamp(submission.expires_at, dt.UTC).isoformat(),
            "channel": submission.channel,
            "status": submission.status,
            "language": submission.lang,
            "answers": {
                name: list(value) if isinstance(value, tuple) else value
                for name, value in submission.answers.items()
                if name not in hidden
            },
            "left_out": [name for name in hidden if submission.answers.get(name)],
            "history": [
                _event(event)
                for event in history
                if event.kind not in INTERNAL_EVENTS and not (event.kind == "correction" and event.other in hidden)
            ],
            **_verification(store, submission, now),
        }

    return {
        "controller": city.controller,
        "data_protection_officer": city.dpo_email,
        "made_at": now.isoformat(),
        "submissions": [record(submission, True) for submission in kept],
        "kept_apart_as_automated": [record(submission, False) for submission in quarantined],
    }


# What staff did that says nothing about the person: who took the request on (a staff member's name), and
# the second half of an agreed match (a "match" event says it already).
INTERNAL_EVENTS = ("claim", "confirm")
# Whose words a reason is: a status reason, a note and a pause are about the person and are theirs to read;
# the reason a proposed volunteer was undone may be about that volunteer, so it is left out.
_REASON_KEPT = ("status", "note", "pause", "resume", "correction", "unverify")


def _verification(store: StaffStore, submission: Submission, now: dt.datetime) -> dict[str, Any]:
    """A volunteer's verification, as they may read it: how and when, the card's name and code; no staff names."""
    found = store.verification(submission.reference, now=now) if hasattr(store, "verification") else None
    if found is None:
        return {}
    return {"verification": {
        "method": found.method, "checked_on": found.checked_on.isoformat(), "name_on_card": found.first_name,
        "code": found.code, "valid_until": dt.datetime.fromtimestamp(found.expires_at, dt.UTC).isoformat(),
        "withdrawn_at": found.withdrawn_at.isoformat() if found.withdrawn_at else "",
        "withdrawn_reason": found.withdrawn_reason,
    }}  # fmt: skip


def _event(event: Event) -> dict[str, str]:
    """One event for the person: never a staff name, never another person's reference."""
    item = {"at": event.at.isoformat(), "what": event.kind, "status": event.status,
            "reason": event.reason if event.kind in _REASON_KEPT else ""}  # fmt: skip
    if event.kind == "correction":
        item["question"] = event.other  # the question's name; a match's other side is someone else's
    if event.kind == "note" and event.other:
        item["call_back"] = event.other  # when the city said it would call back
    return item


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
    items = {item["reference"]: item for item in data["submissions"] + data["kept_apart_as_automated"]}
    for group, records in ((None, kept), (_("Kept apart as probably sent by a computer program:"), quarantined)):
        if group and records:
            lines += [group, ""]
        for submission in records:
            item = items[submission.reference]
            shown = dataclasses.replace(submission, answers={n: submission.answers[n] for n in item["answers"]})
            lines += record_header(submission, texts, city, tuple(item["found_as"]))
            lines += [f"  {label}: {text}" for label, text in record_lines(shown, texts, city)]
            if item["left_out"]:
                lines.append("  " + _("Left out: the other person's contact details, which are their own data."))
            lines += _verification_lines(item.get("verification"), texts)
            history = history_lines(submission.form, item["history"], texts, city)
            lines += ["  " + _("History:")] * bool(history) + [f"    {line}" for line in history]
            lines.append("")
    return "\n".join(lines)


def _verification_lines(verification: dict[str, str] | None, texts: Texts) -> list[str]:
    if not verification:
        return []
    from helpt.staff.verifying import METHOD_NAMES
    from helpt.verification import display_code

    _ = texts.gettext
    line = _("Verified by the city: %(method)s, on %(day)s. Name on your card: %(name)s; check code %(code)s.") % {
        "method": _(METHOD_NAMES.get(verification["method"], verification["method"])),
        "day": verification["checked_on"], "name": verification["name_on_card"],
        "code": display_code(verification["code"]),
    }  # fmt: skip
    withdrawn = verification["withdrawn_at"]
    if withdrawn:
        line += " " + _("Withdrawn on %(day)s: %(reason)s") % {"day": withdrawn[:10],
                                                             "reason": verification["withdrawn_reason"]}  # fmt: skip
    return ["  " + line]


def history_lines(form_name: str, history: list[dict[str, str]], texts: Texts, city: CitySettings) -> list[str]:
    """What the city did with a record, for the person: no staff names, no other people's references."""
    _ = texts.gettext
    form = FORMS.get(form_name)
    lines = []
    for event in history:
        when = local_time(dt.datetime.fromisoformat(event["at"]), city)
        if event["what"] == "match":
            # Each side of a match reads it from its own side: a request got a volunteer, and back.
            volunteer = form_name == "volunteer_signup"
            what = _("matched with a help request") if volunteer else _("matched with a volunteer")
        elif event["what"] == "correction" and form is not None:
            old = replaced_answer(form, event["question"], event["reason"], texts, city)
            what = _("answer corrected: %(question)s, was: %(old)s") % {
                "question": question_label(form, event["question"], texts), "old": old,
            }  # fmt: skip
        elif event["what"] == "proposal":
            volunteer = form_name == "volunteer_signup"
            what = _("proposed for a help request") if volunteer else _("a volunteer was proposed")
        elif event["what"] == "undo":
            what = _("a proposed or agreed match was undone")
        elif event["what"] == "note":
            what = labelled(_("note"), event["reason"])
            if event.get("call_back"):
                what += " (" + _("call back %(time)s") % {
                    "time": local_time(dt.datetime.fromisoformat(event["call_back"]), city)} + ")"  # fmt: skip
        elif event["what"] in ("pause", "resume"):
            what = _("paused") if event["what"] == "pause" else _("active again")
            what += f" ({event['reason']})" if event["reason"] else ""
        elif event["what"] in ("verify", "unverify"):
            what = _("verified by the city") if event["what"] == "verify" else _("verification withdrawn")
            what += f" ({event['reason']})" if event["reason"] else ""
        else:
            what = _("status: %(status)s") % {"status": named(STATUSES, event["status"], texts)}
            what += f" ({event['reason']})" if event["reason"] else ""
        if event["status"] and event["what"] not in ("status", "match"):
            what += ", " + _("status: %(status)s") % {"status": named(STATUSES, event["status"], texts)}
        lines.append(f"{when}: {what}")
    return lines


def record_header(submission: Submission, texts: Texts, city: CitySettings, roles: tuple[str, ...] = ()) -> list[str]:
    _ = texts.gettext
    expires = dt.datetime.fromtimestamp(submission.expires_at, dt.UTC)
    channel = named(CHANNELS, submission.channel, texts)
    lines = [
        f"{named(FORM_NAMES, submission.form, texts)} {submission.reference}",
        labelled(_("Received"), f"{local_time(submission.created_at, city)} ({channel})", indent=2),
        labelled(_("Status"), named(STATUSES, submission.status, texts), indent=2),
        labelled(_("Deleted after"), local_time(expires, city), indent=2),
    ]
    found = "; ".join(_(FOUND_AS[role]) for role in roles if role in FOUND_AS)
    if found:
        lines.append(labelled(_("Found"), found, indent=2))
    return lines


def erasure_line(submission: Submission, texts: Texts, city: CitySettings, roles: tuple[str, ...] = ()) -> str:
    """One record that an erasure will delete, as staff check it: reference, form, date, name, found as."""
    _ = texts.gettext
    name = record_name(submission, texts)
    parts = [submission.reference, named(FORM_NAMES, submission.form, texts), local_time(submission.created_at, city)]
    found = "; ".join(_(FOUND_AS[role]) for role in roles if role in FOUND_AS)
    return "  " + "  ".join([*parts, name]) + ("  [" + labelled(_("Found"), found) + "]" if found else "")


def record_name(submission: Submission, texts: Texts) -> str:
    """Whom a record is about, as staff check it before an erasure: the name, and who asked for them."""
    name = str(submission.answers.get("name", "")).strip() or "-"
    asker = str(submission.answers.get("asker_name", "")).strip()
    if asker:
        name += " (" + texts.gettext("asked for by %(asker)s") % {"asker": asker} + ")"
    return name
