"""The working list and matching: which volunteer could take which new help request, decided by staff.

For each new request the list suggests volunteers who offer that kind of help and speak the language the
person asked for; from the same neighbourhood first (postcode to neighbourhood from the city settings), then
those matched least recently (never matched first), so the work spreads over the volunteers instead of
always landing on the first few who signed up. Staff call both sides, ask their consent, and then record
the match; the tool never contacts anybody itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.settings import CitySettings
from helpt.staff.answers import (
    STATUSES,
    answer_text,
    first_name,
    labelled,
    local_time,
    neighbourhood,
    question_label,
)
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_, Texts
from helpt.stores import Event, StaffStore
from helpt.submissions import Submission

STATUS_VALUES = tuple(STATUSES)
# A volunteer who withdrew or was let go is never suggested again.
UNAVAILABLE = ("closed",)


@dataclass(frozen=True)
class Suggestion:
    volunteer: Submission
    same_neighbourhood: bool
    last_matched: dt.datetime | None


@dataclass(frozen=True)
class WorkItem:
    request: Submission
    suggestions: list[Suggestion]


def _kinds(submission: Submission) -> set[str]:
    value = submission.answers.get("help", ())
    return set(value if isinstance(value, tuple) else (value,))


def can_help(request: Submission, volunteer: Submission) -> bool:
    """Whether the volunteer offers one of the kinds of help asked for, in the language asked for."""
    language = request.answers.get("language", "")
    spoken = volunteer.answers.get("languages", ())
    speaks = not language or language in (spoken if isinstance(spoken, tuple) else (spoken,))
    return bool(_kinds(request) & _kinds(volunteer)) and speaks


def suggestions(
    request: Submission,
    volunteers: Iterable[Submission],
    last_matched: dict[str, dt.datetime],
    city: CitySettings,
    limit: int,
) -> list[Suggestion]:
    """The best `limit` volunteers for a request: same neighbourhood, then least recently matched."""
    hood = neighbourhood(request, city)
    found = [
        Suggestion(
            volunteer, bool(hood) and neighbourhood(volunteer, city) == hood, last_matched.get(volunteer.reference)
        )
        for volunteer in volunteers
        if can_help(request, volunteer)
    ]
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda item: (not item.same_neighbourhood, item.last_matched or never, item.volunteer.created_at))
    return found[:limit]


def worklist(store: StaffStore, city: CitySettings, now: dt.datetime, limit: int = 3) -> list[WorkItem]:
    """Every new help request, oldest first, with its suggested volunteers."""
    requests = [s for s in store.stream(forms=(HELP_REQUEST.name,), now=now) if s.status == "new"]
    if not requests:
        return []
    volunteers = [s for s in store.stream(forms=(VOLUNTEER_SIGNUP.name,), now=now) if s.status not in UNAVAILABLE]
    last = store.last_matched(now=now)
    return [WorkItem(request, suggestions(request, volunteers, last, city, limit)) for request in requests]


NOT_FOUND = N_("There is no record with reference %(reference)s (or it has expired).")
_WRONG_FORM = {
    HELP_REQUEST.name: N_("%(reference)s is not a help request (those start with H-)."),
    VOLUNTEER_SIGNUP.name: N_("%(reference)s is not a volunteer's sign-up (those start with V-)."),
}


def live_record(store: StaffStore, reference: str, now: dt.datetime, form: str | None = None) -> Submission:
    """The record, which must exist, be live, and (if `form` is given) come from that form."""
    record = store.get(reference, now=now)
    if record is None:
        raise StaffProblem(NOT_FOUND, reference=reference)
    if form is not None and record.form != form:
        raise StaffProblem(_WRONG_FORM[form], reference=reference)
    return record


def match(store: StaffStore, request_ref: str, volunteer_ref: str, who: str, now: dt.datetime) -> bool:
    """Record a match on both records (the request becomes `matched`); say whether the pair fits."""
    request = live_record(store, request_ref, now, HELP_REQUEST.name)
    volunteer = live_record(store, volunteer_ref, now, VOLUNTEER_SIGNUP.name)
    store.record_event(request.reference, Event(now, "match", "matched", other=volunteer.reference, by=who), now=now)
    store.record_event(volunteer.reference, Event(now, "match", other=request.reference, by=who), now=now)
    return can_help(request, volunteer)


def set_status(store: StaffStore, reference: str, status: str, reason: str, who: str, now: dt.datetime) -> None:
    """Change a record's status, keeping the change (and why) in its history."""
    if status not in STATUS_VALUES:
        raise StaffProblem(N_("Choose a status from: %(statuses)s."), statuses=", ".join(STATUS_VALUES))
    if status == "closed" and not reason.strip():
        raise StaffProblem(N_('Say why you close it, with --reason, for example --reason "moved away".'))
    if not store.record_event(reference, Event(now, "status", status, reason=reason, by=who), now=now):
        raise StaffProblem(NOT_FOUND, reference=reference)


def matched_volunteer(store: StaffStore, request: Submission) -> str | None:
    """The reference of the volunteer a request was last matched with, if any."""
    matches = [event.other for event in store.events(request.reference) if event.kind == "match"]
    return matches[-1] if matches else None


def worklist_text(items: list[WorkItem], texts: Texts, city: CitySettings) -> str:
    """The working list as plain text: one block per request, its suggestions numbered under it."""
    _ = texts.gettext
    if not items:
        return _("No new help requests.") + "\n"
    blocks = []
    for item in items:
        request = item.request
        kinds = answer_text(HELP_REQUEST.get("help"), request.answers.get("help", ()), texts, city)
        when = answer_text(HELP_REQUEST.get("urgency"), request.answers.get("urgency", ""), texts, city)
        language = answer_text(HELP_REQUEST.get("language"), request.answers.get("language", ""), texts, city)
        lines = [
            f"{request.reference}  {local_time(request.created_at, city)}  {neighbourhood(request, city) or '?'}",
            f"    {kinds} | {when} | {language}",
        ]
        if request.answers.get("for_whom") == "someone-else":
            # Two people to call: say so before anyone is matched, and how the asker knows the person.
            for_whom = answer_text(HELP_REQUEST.get("for_whom"), "someone-else", texts, city)
            relationship = str(request.answers.get("relationship", "")).strip()
            known = labelled(question_label(HELP_REQUEST, "relationship", texts), relationship) if relationship else ""
            lines.append("    " + " | ".join(part for part in (for_whom, known) if part))
        for number, suggestion in enumerate(item.suggestions, start=1):
            volunteer = suggestion.volunteer
            last = local_time(suggestion.last_matched, city) if suggestion.last_matched else _("never matched")
            name = first_name(str(volunteer.answers.get("name", "")))
            lines.append(
                f"    {number}. {volunteer.reference}  {name} ({neighbourhood(volunteer, city) or '?'}), "
                + labelled(_("last matched"), last)
            )
        if not item.suggestions:
            lines.append("    " + _("No volunteer offers this help in this language yet."))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
