"""Verifying a volunteer, withdrawing it, and checking a card's code: the staff operations behind the back
office's volunteer page and phone check, and the `helpt verify`, `helpt withdraw-verification`, `helpt check`
and `helpt card` commands.

A verification says how the volunteer's identity was checked (identity card seen in person, by video call,
by a partner organisation), by whom and on which day; it gives the volunteer a new check code, printed on their
personal card. It holds until it is withdrawn (with a reason) or the volunteer's record expires.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from helpt.forms import VOLUNTEER_SIGNUP
from helpt.http_api import is_unicode
from helpt.settings import CitySettings
from helpt.staff.answers import first_name, neighbourhood
from helpt.staff.casework import checked_text, live_record
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.stores import Event, ReferenceTaken
from helpt.verification import METHODS, NAME_LIMIT, REASON_LIMIT, CardCheck, Verification, new_code, normalise_code

METHOD_NAMES = {
    "in_person": N_("identity card seen in person"),
    "video_call": N_("identity card seen in a video call"),
    "partner": N_("checked by a partner organisation"),
}
assert set(METHOD_NAMES) == set(METHODS)
# What was typed wrong (the page comes back with 422, the problem beside its field), as against a state of the
# record that refuses the step (409).
INPUT_PROBLEMS = (
    "Choose how the identity was checked.",
    "Say who checked the identity: your name, or the organisation.",
    "Give the day the identity was checked, for example %(date)s.",
    "The day of the check cannot be in the future.",
    "Give the name for the card: the volunteer's first name.",
    "Say why you withdraw it, for example: stopped volunteering.",
)
CODE_DRAWS = 5  # a second draw is needed about once in 167 million at 100,000 cards
# Stricter than a note's check: a name printed on a card and shown to residents may hold no invisible
# characters either (zero-width, line separators, bidi overrides that could make it read as another name).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def verify(
    store: object, city: CitySettings, reference: str, *, method: str, checked_by: str, checked_on: dt.date | None,
    card_name: str, who: str, now: dt.datetime,
) -> Verification:  # fmt: skip
    """Record that a volunteer's identity was checked; a new code (an earlier card's code checks no more)."""
    volunteer = live_record(store, reference, now, VOLUNTEER_SIGNUP.name)
    if method not in METHODS:
        raise StaffProblem(N_("Choose how the identity was checked."))
    checker = checked_text(checked_by, NAME_LIMIT, N_("Say who checked the identity: your name, or the organisation."))
    today = now.astimezone(ZoneInfo(city.timezone)).date()
    if checked_on is None:
        raise StaffProblem(N_("Give the day the identity was checked, for example %(date)s."), date=today.isoformat())
    if checked_on > today:
        raise StaffProblem(N_("The day of the check cannot be in the future."))
    name = card_name_checked(card_name or first_name(str(volunteer.answers.get("name", ""))))
    kinds = volunteer.answers.get("help", ())
    for _draw in range(CODE_DRAWS):
        verification = Verification(
            reference=volunteer.reference, code=new_code(), first_name=name,
            neighbourhood=neighbourhood(volunteer, city),
            kinds=tuple(kinds) if isinstance(kinds, tuple) else (str(kinds),) if kinds else (), method=method,
            checked_by=checker, checked_on=checked_on, verified_by=who, verified_at=now,
            expires_at=volunteer.expires_at,
        )  # fmt: skip
        try:
            store.put_verification(verification)  # type: ignore[attr-defined]
        except ReferenceTaken:
            continue
        store.record_event(volunteer.reference, Event(now, "verify", by=who), now=now)  # type: ignore[attr-defined]
        return verification
    raise StaffProblem(N_("No free check code was found. Try again."))


def card_name_checked(name: str) -> str:
    """The name printed on the card, as the coordinator confirmed it: any script, one line, no control
    characters (they would not print)."""
    name = " ".join(name.split())
    if not name:
        raise StaffProblem(N_("Give the name for the card: the volunteer's first name."))
    if len(name) > NAME_LIMIT:
        raise StaffProblem(N_("Use at most %(max)d characters (you used %(count)d)."), max=NAME_LIMIT, count=len(name))
    if _CONTROL.search(name) or not is_unicode(name):
        raise StaffProblem(N_("Remove the invisible control characters from the text (they cannot be stored)."))
    return name


def withdraw(store: object, reference: str, reason: str, who: str, now: dt.datetime) -> None:
    """Withdraw a verification: the card's code answers as unknown from now on. The record keeps why."""
    why = checked_text(reason, REASON_LIMIT, N_("Say why you withdraw it, for example: stopped volunteering."))
    if not store.withdraw_verification(reference, at=now, by=who, reason=why):  # type: ignore[attr-defined]
        raise StaffProblem(N_("%(reference)s has no verification in force."), reference=reference)
    store.record_event(reference, Event(now, "unverify", reason=why, by=who), now=now)  # type: ignore[attr-defined]


def check(store: object, typed_code: str, now: dt.datetime) -> CardCheck | None:
    """What the card with this code may tell, if it holds; None for an unknown, withdrawn or expired code."""
    code = normalise_code(typed_code)
    return store.card_check(code, now=now) if code else None  # type: ignore[attr-defined]
