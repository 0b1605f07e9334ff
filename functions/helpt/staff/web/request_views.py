"""A help request's page, and what staff do on it.

GET  /staff/requests/{reference}           view     its answers, who asks for whom, its history, the forms
POST /staff/requests/{reference}/claim     claim    take it; with `from`, take it over from that colleague
POST /staff/requests/{reference}/release   claim    let go of it; with `to`, hand it over to that colleague
POST /staff/requests/{reference}/note      note     a call note, with a call-back time if one is given
POST /staff/requests/{reference}/status    status   a new status and why (needed to close)
(and POST /staff/requests/{reference}/correct, correcting answers, in correct_views.py)

The page shows a form only to a role that may use it; the server checks the role on every POST anyway. The
matching steps (propose, confirm, undo) are in volunteer_views.py, the task slip and hand-out in print_views.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.staff import casework, commands
from helpt.staff.answers import CHANNELS, STATUSES, answer_lines, first_name, named
from helpt.staff.context import StaffContext, StoreChoice
from helpt.staff.matching import STATUS_VALUES
from helpt.staff.suggestions import reason_text, suggest
from helpt.staff.texts import N_
from helpt.staff.web import correct_views
from helpt.staff.web.casework_views import (
    Failed,
    Refused,
    act,
    done_message,
    message_marks,
    not_found,
    record_or_none,
    request_records,
    typed,
    volunteer_pool,
    when,
)
from helpt.staff.web.roles import allowed
from helpt.staff.web.routing import Visit, routes
from helpt.staff.worklist import CaseState, case_state
from helpt.stores import Event
from helpt.submissions import Submission

SUGGESTIONS = 5
# What a page says after a POST, by the `done` key its 303 carries.
DONE = {
    "claimed": N_("You hold this request now: colleagues see that you handle it."),
    "taken": N_("You took this request over: it is yours now."),
    "released": N_("This request is nobody's now: anybody can take it."),
    "handed": N_("This request is handed over: your colleague holds it now."),
    "noted": N_("The note is kept in the history."),
    "status": N_("The status is changed; the history keeps why."),
    "corrected": N_("The answers are corrected; the old ones are kept in the history."),
    "unchanged": N_("Nothing to change: the record already holds these answers."),
    "proposed": N_("Proposed. Once both sides agreed, confirm the match below."),
    "confirmed": N_("Matched. Give the volunteer the task slip; the hand-out is there too."),
    "undone": N_("Undone: the request is back to contacted, and the volunteer is free again."),
}
NOTE_FIELDS = ("note-text", "note-date", "note-time")
STATUS_FIELDS = ("status-new", "status-reason")


def request_path(reference: str) -> str:
    return f"/staff/requests/{reference}"


@routes.get("/staff/requests/{reference}", action="view")
def request_page(visit: Visit) -> dict:
    return show_request(visit, visit.params["reference"])


def show_request(
    visit: Visit, reference: str, *, failure: Failed | None = None, kept: Mapping[str, str] | None = None,
    correction: correct_views.Correction | None = None,
) -> dict:  # fmt: skip
    """The request's page (audited as a view, also when it comes back with a problem: it shows the record)."""
    _, texts, city = visit.gettext, visit.texts, visit.office.city
    record = record_or_none(visit, reference, HELP_REQUEST.name)
    if record is None:
        other = visit.store.get(reference, now=visit.now())
        typed_in = visit.request.method in ("GET", "HEAD")  # a V- reference typed into the address bar
        if typed_in and other is not None and other.form == VOLUNTEER_SIGNUP.name:
            return visit.redirect(f"/staff/volunteers/{other.reference}")
        return not_found(visit)
    visit.audit("view", record.reference)
    history = visit.store.events(record.reference)
    state = case_state(record, history)
    if correction is None:
        correction = correct_views.asked(visit)
    errors = [(failure.anchor, failure.message)] if failure else list(correction.problems)
    status = failure.status if failure else 422 if correction.problems else 200
    received = f"{when(visit, record.created_at)} ({named(CHANNELS, record.channel, texts)})"
    facts = [
        (_("Status"), named(STATUSES, record.status, texts)), (_("Received"), received),
        (_("Claimed by"), state.claimed_by or _("nobody")), (_("Call back"), when(visit, state.call_back_at)),
        *((_("Messages"), line) for line in message_marks(visit, record)),
    ]  # fmt: skip
    return visit.page(
        "request.html", title=_("Help request %(reference)s") % {"reference": record.reference}, status=status,
        errors=errors, here=request_path(record.reference), path=request_path(record.reference), record=record,
        state=state, facts=[fact for fact in facts if fact[1]], people=_people(visit, record),
        history=history_lines(visit, record, history), claim=_claim(visit, state), may=visit.may,
        statuses=[(value, named(STATUSES, value, texts), "") for value in STATUS_VALUES if value != record.status],
        status_name=named(STATUSES, record.status, texts), city_name=city.name,
        correction=correct_views.editor(visit, record, correction), matching=_matching(visit, record, state),
        typed=dict(kept or {}), done=done_message(visit, DONE),
    )  # fmt: skip


def _people(visit: Visit, record: Submission) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers in plain words, in three blocks: the person who needs help, who asks for them (only for
    someone else), and the request itself."""
    _, answers, form = visit.gettext, record.answers, HELP_REQUEST
    person, asker = (section.fields for section in form.sections)

    def lines(names: tuple[str, ...]) -> list[tuple[str, str]]:
        chosen = {name: answers[name] for name in answers if name in names}
        return answer_lines(form, chosen, visit.texts, visit.office.city)

    rest = tuple(name for name in answers if name not in person + asker)
    asking = lines(asker)
    blocks = [(_("The person who needs help"), lines(person))]
    if answers.get("for_whom") == "someone-else" or asking:
        blocks.append((_("Who asks for them"), asking))
    return [*blocks, (_("The request"), lines(rest))]


def history_lines(visit: Visit, record: Submission, history: list[Event]) -> list[str]:
    """Every step in the record's history in words, with who and when: the lines `helpt show` prints."""
    words = StaffContext(visit.office.city, visit.texts, StoreChoice())  # no store is opened for words
    shown = [event for number, event in enumerate(history) if not commands._repeats(history, number)]
    return [commands.history_line(event, record.form, words) for event in shown]


def _claim(visit: Visit, state: CaseState) -> dict[str, Any]:
    """Who holds the request, and the colleagues it can be handed over to (every active account that may claim)."""
    me = visit.account.name if visit.account else ""
    colleagues = [
        (account.name, f"{account.display_name} ({account.name})" if account.display_name else account.name, "")
        for account in visit.store.accounts()
        if account.active and allowed(account.role, "claim") and account.name != me
    ]
    return {"holder": state.claimed_by, "mine": state.claimed_by == me, "colleagues": colleagues}


def _matching(visit: Visit, record: Submission, state: CaseState) -> dict[str, Any]:
    """The volunteers proposed and matched, and (while it needs one) the suggested ones with their reasons."""
    now, texts, city = visit.now(), visit.texts, visit.office.city

    def shown(reference: str, volunteer: Submission | None = None) -> dict[str, Any]:
        volunteer = volunteer or visit.store.get(reference, now=now)
        name = first_name(str(volunteer.answers.get("name", ""))) if volunteer else ""
        return {"reference": reference, "href": f"/staff/volunteers/{reference}", "name": name}

    found = []
    if visit.may("match_suggest") and state.is_open and not state.confirmed:
        pool = volunteer_pool(visit, request_records(visit))
        exclude = (*state.proposals, *state.confirmed)
        for suggestion in suggest(record, pool, now=now, city=city, limit=SUGGESTIONS, exclude=exclude):
            reasons = ", ".join(reason_text(reason, texts) for reason in suggestion.reasons)
            found.append({**shown(suggestion.volunteer.reference, suggestion.volunteer), "reasons": reasons})
    return {
        "proposed": [shown(reference) for reference in state.proposals],
        "confirmed": [shown(reference) for reference in state.confirmed],
        "suggestions": found, "open": state.is_open,
    }  # fmt: skip


# Claims -----------------------------------------------------------------------------------------------------


@routes.post("/staff/requests/{reference}/claim", action="claim")
def claim(visit: Visit) -> dict:
    reference, me, holder = visit.params["reference"], _me(visit), visit.field("from")

    def step() -> None:
        if holder:  # taking it over from a colleague who went home: a hand-over by the one who takes it
            casework.hand_over(visit.store, reference, holder, me, visit.now(), by=me)
        else:
            casework.claim(visit.store, reference, me, visit.now())

    action, done = ("hand_over", "taken") if holder else ("claim", "claimed")
    return act(visit, action, step, page=show_request, path=request_path(reference), anchor="claim", done=done)


@routes.post("/staff/requests/{reference}/release", action="claim")
def release(visit: Visit) -> dict:
    reference, me, to = visit.params["reference"], _me(visit), visit.field("to")

    def step() -> None:
        if not to:
            casework.release(visit.store, reference, me, visit.now())
            return
        # Only to a colleague who may hold a request: a name typed into a tampered form would strand it.
        account = visit.store.get_account(to)
        if account is None or not account.active or not allowed(account.role, "claim"):
            raise Refused("claim-to", visit.gettext("Choose the colleague to hand it over to."))
        casework.hand_over(visit.store, reference, me, to, visit.now())

    action, done = ("hand_over", "handed") if to else ("release", "released")
    path = request_path(reference)
    return act(visit, action, step, page=show_request, path=path, anchor="claim", done=done, kept=typed(visit, "to"))


def _me(visit: Visit) -> str:
    return visit.account.name if visit.account else ""


# Notes and statuses -----------------------------------------------------------------------------------------


@routes.post("/staff/requests/{reference}/note", action="note")
def note(visit: Visit) -> dict:
    reference = visit.params["reference"]

    def step() -> None:
        call_back = call_back_time(visit, "note")
        casework.add_note(visit.store, reference, _me(visit), visit.field("note-text"), call_back, visit.now())

    return act(
        visit, "note", step, page=show_request, path=request_path(reference), anchor="note-text", done="noted",
        kept=typed(visit, *NOTE_FIELDS), anchors={"A call-back must be later than now.": "note-date"},
    )  # fmt: skip


def call_back_time(visit: Visit, prefix: str) -> dt.datetime | None:
    """The call-back a note form asks for (`<prefix>-date`, `<prefix>-time`) in the city's time zone, or None
    when both are empty. A browser without a date picker sends what was typed: 16/03/2020 will do too."""
    _, zone = visit.gettext, ZoneInfo(visit.office.city.timezone)
    day_text, time_text = visit.field(f"{prefix}-date").strip(), visit.field(f"{prefix}-time").strip()
    if not day_text and not time_text:
        return None
    example = {"example": visit.now().astimezone(zone).date().isoformat()}
    if not day_text:
        raise Refused(f"{prefix}-date", _("Enter the day to call back too, for example %(example)s.") % example)
    day = _day(day_text)
    if day is None:
        raise Refused(f"{prefix}-date", _("Enter the day to call back as %(example)s.") % example)
    if not time_text:
        raise Refused(f"{prefix}-time", _("Enter the time to call back too, for example 14:00."))
    found = _CLOCK.match(time_text)
    if found is None or int(found[1]) > 23 or int(found[2] or 0) > 59:
        raise Refused(f"{prefix}-time", _("Enter the time to call back as 14:00."))
    return dt.datetime.combine(day, dt.time(int(found[1]), int(found[2] or 0)), tzinfo=zone)


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_LOCAL_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2})(?:[:.hu](\d{2})?)?$")


def _day(text: str) -> dt.date | None:
    iso, local = _ISO_DAY.match(text), _LOCAL_DAY.match(text)
    year, month, day = (iso[1], iso[2], iso[3]) if iso else (local[3], local[2], local[1]) if local else ("", "", "")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


@routes.post("/staff/requests/{reference}/status", action="status")
def status(visit: Visit) -> dict:
    reference, new, reason = visit.params["reference"], visit.field("status-new"), visit.field("status-reason")

    def step() -> None:
        record = record_or_none(visit, reference, HELP_REQUEST.name)
        offered = [value for value in STATUS_VALUES if record is None or value != record.status]
        if new not in offered:  # the radios' first option is what the error summary links to
            raise Refused(f"status-new-{offered[0]}", visit.gettext("Choose the new status."))
        if new == "closed" and not reason.strip():
            raise Refused("status-reason", visit.gettext("Say why you close it, for example: moved away."))
        casework.set_status(visit.store, reference, new, reason, _me(visit), visit.now())

    return act(
        visit, "status", step, page=show_request, path=request_path(reference), anchor="status-reason",
        done="status", kept=typed(visit, *STATUS_FIELDS),
    )  # fmt: skip
