"""Which messages a step of Helpt produces: pure functions from records to `Message`s, and the few helpers
that hand them to a notifier without ever failing the step that caused them.

- a stored submission (`after_submission`): "staff_urgent" for a help request marked "today" (a link into the
  back office, never the answers); "resident_confirmation" to the address the request gave (someone asking
  for another person hears it themselves: `asker_email`, else the person's own `email`); "volunteer_welcome"
  to a new volunteer; "organisation_response" to the organisation a vacancy response is for (its back office
  accounts whose names are e-mail addresses; none: the city's help mailbox);
- a proposal (`proposal_messages`): "volunteer_proposal", the task in general terms (the kind of help, the
  neighbourhood, when) with the "yes" and "no" links: no name, no street;
- a confirmed match (`confirmed_messages`): "volunteer_confirmed", now with the requester's first name and
  street, which reach the volunteer only once the coordinator confirmed;
- the digest (`digest_messages`): "staff_digest", the requests waiting longer than the city promises without
  a first contact (the working list's "overdue"), by reference; nothing when there are none.

A volunteer is written to by e-mail, or by SMS when they gave only a phone number and the city turned SMS on
(`sms_enabled`); otherwise there is no message, and the coordinator calls as before. Staff messages are in
the city's first language, everybody else's in the language they used.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from helpt.forms import HELP_REQUEST, SOMEONE_ELSE, VACANCY_FIELD, VACANCY_RESPONSE, VOLUNTEER_SIGNUP
from helpt.notify import Message, Notifier
from helpt.notify.links import Links
from helpt.settings import CitySettings
from helpt.staff.answers import answer_text, first_name, neighbourhood
from helpt.staff.texts import Texts
from helpt.staff.vacancies import Vacancies
from helpt.stores import Account, Event
from helpt.submissions import Submission

logger = logging.getLogger("helpt.notify")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URGENT = "today"
REQUESTS_PATH = "/staff/requests"
RESPONSES_PATH = "/staff/responses"
UNSUBSCRIBED = "unsubscribe"  # the event kept on a record whose address asked for no more messages


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _site(city: CitySettings, path: str) -> str:
    return city.site_url.rstrip("/") + path


def _lang(city: CitySettings, lang: str) -> str:
    return lang if lang in city.languages else city.default_language


def sms_enabled(city: CitySettings) -> bool:
    """Whether the city sends SMS: `[notifications] sms` (helpt.settings.NotificationSettings); settings
    without it send none."""
    return bool(getattr(getattr(city, "notifications", None), "sms", False))


# A stored submission ----------------------------------------------------------------------------------------


def resident_address(request: Submission) -> str:
    """Where a help request's confirmation goes: the asker's own address when they ask for someone else (they
    filled in the form and wait for word), else the person's; "" when neither gave one."""
    answers = request.answers
    own = _text(answers.get("email"))
    if answers.get(SOMEONE_ELSE[0]) == SOMEONE_ELSE[1]:
        return _text(answers.get("asker_email")) or own
    return own


def organisation_addresses(organisation: str, accounts: Iterable[Account]) -> list[str]:
    """The active back office accounts of this organisation whose sign-in name is an e-mail address."""
    if not organisation:
        return []
    return sorted(
        account.name for account in accounts
        if account.role == "organisation" and account.active and account.organisation == organisation
        and _EMAIL.match(account.name)
    )  # fmt: skip


def after_submission(
    submission: Submission, city: CitySettings, links: Links, *, accounts: Iterable[Account] = (),
    vacancies: Vacancies | None = None, safety_link: str = "",
) -> list[Message]:  # fmt: skip
    """The messages a newly stored submission produces (none for a form that has nothing to say)."""
    answers, reference, lang = submission.answers, submission.reference, _lang(city, submission.lang)
    messages: list[Message] = []
    if submission.form == HELP_REQUEST.name:
        if answers.get("urgency") == URGENT:
            messages.append(Message("staff_urgent", "email", city.help_email, city.default_language, reference,
                                    {"link": _site(city, f"{REQUESTS_PATH}/{reference}")}))  # fmt: skip
        address = resident_address(submission)
        if address:
            values = {"unsubscribe": links.unsubscribe_url(address, lang)}
            messages.append(Message("resident_confirmation", "email", address, lang, reference, values))
    elif submission.form == VOLUNTEER_SIGNUP.name:
        address = _text(answers.get("email"))
        if address:
            values = {"name": first_name(_text(answers.get("name"))), "safety_link": safety_link or city.site_url,
                      "card_link": links.card_url(reference, lang),
                      "unsubscribe": links.unsubscribe_url(address, lang)}  # fmt: skip
            messages.append(Message("volunteer_welcome", "email", address, lang, reference, values))
    elif submission.form == VACANCY_RESPONSE.name:
        key = _text(answers.get(VACANCY_FIELD))
        vacancies = vacancies or Vacancies()
        staff_lang = city.default_language
        addresses = organisation_addresses(vacancies.organisation_of(key), accounts) or [city.help_email]
        values = {"vacancy_title": vacancies.title(key, staff_lang) or key, "link": _site(city, RESPONSES_PATH)}
        messages += [Message("organisation_response", "email", to, staff_lang, reference, values) for to in addresses]
    return messages


# Proposals and confirmed matches ----------------------------------------------------------------------------


def volunteer_channel(volunteer: Submission, city: CitySettings) -> tuple[str, str] | None:
    """(channel, address) to reach a volunteer: their e-mail; their phone by SMS if that is all they gave and
    the city sends SMS; else None."""
    email, phone = _text(volunteer.answers.get("email")), _text(volunteer.answers.get("phone"))
    if email:
        return "email", email
    if phone and sms_enabled(city):
        return "sms", phone
    return None


def task_values(request: Submission, city: CitySettings, texts: Texts) -> dict[str, str]:
    """The task in general terms, in the volunteer's language: what kind of help, where roughly, when."""
    answers = request.answers
    return {
        "help": answer_text(HELP_REQUEST.get("help"), answers.get("help", ()), texts, city),
        "neighbourhood": neighbourhood(request, city),
        "when": answer_text(HELP_REQUEST.get("urgency"), answers.get("urgency", ""), texts, city),
    }


def proposal_messages(
    request: Submission, volunteer: Submission, city: CitySettings, texts: Texts, links: Links,
    proposed_at: dt.datetime,
) -> list[Message]:  # fmt: skip
    """ "Can you help?": the task in general terms and two single-use links. No name, no street, no phone."""
    reach = volunteer_channel(volunteer, city)
    if reach is None:
        return []
    channel, address = reach
    lang = _lang(city, volunteer.lang)
    yes, no = links.answer_urls(request.reference, volunteer.reference, proposed_at, lang)
    values = {"name": first_name(_text(volunteer.answers.get("name"))), **task_values(request, city, texts),
              "yes_link": yes, "no_link": no, "unsubscribe": links.unsubscribe_url(address, lang)}  # fmt: skip
    return [Message("volunteer_proposal", channel, address, lang, request.reference, values)]


def confirmed_messages(
    request: Submission, volunteer: Submission, city: CitySettings, texts: Texts, links: Links
) -> list[Message]:
    """The match stands: now who to go to (first name, street and number) and the task."""
    reach = volunteer_channel(volunteer, city)
    if reach is None:
        return []
    channel, address = reach
    lang = _lang(city, volunteer.lang)
    task = task_values(request, city, texts)
    values = {"name": first_name(_text(volunteer.answers.get("name"))),
              "requester_name": first_name(_text(request.answers.get("name"))),
              "street": _text(request.answers.get("street")), "help": task["help"], "when": task["when"],
              "unsubscribe": links.unsubscribe_url(address, lang)}  # fmt: skip
    return [Message("volunteer_confirmed", channel, address, lang, request.reference, values)]


# The digest -------------------------------------------------------------------------------------------------


def digest_messages(overdue: Sequence[str], city: CitySettings) -> list[Message]:
    """One "staff_digest" listing the overdue requests' references (no names, no answers); none if none."""
    if not overdue:
        return []
    values = {"count": str(len(overdue)), "references": ", ".join(overdue), "link": _site(city, REQUESTS_PATH)}
    return [Message("staff_digest", "email", city.help_email, city.default_language, "", values)]


def overdue_references(
    records: Iterable[tuple[Submission, list[Event]]], city: CitySettings, now: dt.datetime
) -> list[str]:
    """The references the working list calls overdue (waiting longer than `staff.promise_hours` while new)."""
    from helpt.staff.worklist import working_list

    items = working_list(records, now=now, city=city, promise_hours=city.staff.promise_hours)
    return [item.request.reference for item in items if item.overdue]


def run_digest(store: Any, city: CitySettings, notifier: Notifier | None, now: dt.datetime) -> list[str]:
    """Make and send the digest from a back office store (records with their history); the overdue references.
    The one core of `helpt digest` and the scheduled function."""
    overdue = overdue_references(store.records(form=HELP_REQUEST.name, now=now), city, now)
    send_all(notifier, digest_messages(overdue, city))
    return overdue


# Handing messages over ----------------------------------------------------------------------------------------


def send_all(notifier: Notifier | None, messages: Iterable[Message]) -> int:
    """Give each message to the notifier; how many it took. Never raises: a message that cannot be queued must
    not undo what was done (the request is stored, the match is made); it is logged by kind and reference."""
    sent = 0
    if notifier is None:
        return sent
    for message in messages:
        try:
            notifier.send(message)
            sent += 1
        except Exception as error:  # the Notifier promises not to raise; this is in case it does anyway
            logger.error("message not queued: %s %s (%s)", message.kind, message.reference, type(error).__name__)
    return sent


def unsubscribed(history: Iterable[Event]) -> bool:
    """Whether a record's address asked for no more messages (the unsubscribe page keeps it as an event)."""
    return any(event.kind == UNSUBSCRIBED for event in history)


def proposed_at(history: Iterable[Event], request_ref: str) -> dt.datetime | None:
    """When the volunteer (whose history this is) was last proposed for this request."""
    times = [event.at for event in history if event.kind == "proposal" and event.other == request_ref]
    return max(times, default=None)


def after_match_step(
    step: str, store: Any, city: CitySettings, notifier: Notifier | None, links: Links,
    texts_of: Callable[[str], Texts], request_ref: str, volunteer_ref: str, now: dt.datetime,
) -> int:  # fmt: skip
    """After `casework.propose` ("proposal") or `casework.confirm` ("confirm") succeeded: tell the volunteer.
    What the web and the command line both call. Never raises; how many messages were queued."""
    if notifier is None:
        return 0
    try:
        request, volunteer = store.get(request_ref, now=now), store.get(volunteer_ref, now=now)
        if request is None or volunteer is None:
            return 0
        history = store.events(volunteer.reference)
        if unsubscribed(history):
            return 0
        texts = texts_of(_lang(city, volunteer.lang))
        if step == "proposal":
            at = proposed_at(history, request.reference) or now
            messages = proposal_messages(request, volunteer, city, texts, links, at)
        else:
            messages = confirmed_messages(request, volunteer, city, texts, links)
    except Exception as error:
        logger.error("messages after %s not made for %s (%s)", step, request_ref, type(error).__name__)
        return 0
    return send_all(notifier, messages)
