"""Case work on one record: claims, call notes and call-backs, statuses with reasons, matches in two steps,
pausing a volunteer. One core for the `helpt` command line and the web back office, never two copies.

Nothing is kept beside a record's history: `case_state` (in `worklist`, which reads it for every request)
finds who holds a request, its proposals, its confirmed match, its latest note and call-back in the events
(helpt.stores.Event), so the web page, the command line and the working list always agree, and erasing a
record takes all of it along. The event kinds and what their fields hold are in the back office plan.

Every operation checks first and raises StaffProblem (a message id staff can act on) before it writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.staff.matching import NOT_FOUND, STATUS_VALUES, can_help, live_record
from helpt.staff.problems import StaffProblem
from helpt.staff.texts import N_
from helpt.staff.worklist import CaseState, case_state
from helpt.stores import Event, StaffStore
from helpt.submissions import Submission

# The forms' own definition of what cannot be stored (NUL and the other invisible controls).
from helpt.validation import _CONTROL

NOTE_LIMIT = 1000  # as the forms' longest free text ("Tell us more")
REASON_LIMIT = 300
HANDED_OVER = "handed over by "  # stored in English in the claim event's reason; shown in words by the tools
FINISHED = N_("%(reference)s is done or closed: nothing to match.")


def state_of(store: StaffStore, record: Submission) -> CaseState:
    return case_state(record, store.events(record.reference))


def checked_text(text: str, limit: int, missing: str) -> str:
    """A note or reason as staff typed it, trimmed; refused when empty, too long or with control characters."""
    text = text.strip()
    if not text:
        raise StaffProblem(missing)
    if len(text) > limit:
        raise StaffProblem(N_("Use at most %(max)d characters (you used %(count)d)."), max=limit, count=len(text))
    if _CONTROL.search(text):
        raise StaffProblem(N_("Remove the invisible control characters from the text (they cannot be stored)."))
    return text


def _record(store: StaffStore, reference: str, event: Event, now: dt.datetime) -> None:
    if not store.record_event(reference, event, now=now):
        raise StaffProblem(NOT_FOUND, reference=reference)


def claim(store: StaffStore, reference: str, who: str, now: dt.datetime) -> CaseState:
    """Take a request: the others see that `who` is calling it. Refused while someone else holds it (they hand
    it over, or a coordinator takes it over with `hand_over`); claiming one's own again changes nothing."""
    request = live_record(store, reference, now, HELP_REQUEST.name)
    state = state_of(store, request)
    if state.claimed_by == who:
        return state
    if not state.claimed_by:
        _record(store, request.reference, Event(now, "claim", other=who, by=who), now)
        # Claims are events, not locks: read back, so that of two colleagues claiming at the same moment the
        # one whose claim came first (and lost: the latest claim holds) hears it at once.
        state = state_of(store, request)
    if state.claimed_by != who:
        raise StaffProblem(
            N_("%(reference)s is being handled by %(who)s: ask them to hand it over, or take it over from them."),
            reference=request.reference, who=state.claimed_by,
        )  # fmt: skip
    return state


def release(store: StaffStore, reference: str, who: str, now: dt.datetime) -> CaseState:
    """Let go of a request one holds, so that anybody can take it; only the holder can."""
    request = live_record(store, reference, now, HELP_REQUEST.name)
    state = state_of(store, request)
    if not state.claimed_by:
        return state
    if state.claimed_by != who:
        raise StaffProblem(
            N_("%(reference)s is held by %(who)s, not by you: only they can release it."),
            reference=request.reference, who=state.claimed_by,
        )  # fmt: skip
    _record(store, request.reference, Event(now, "claim", other="", by=who), now)
    return state_of(store, request)


def hand_over(
    store: StaffStore, reference: str, from_who: str, to_who: str, now: dt.datetime, *, by: str = ""
) -> CaseState:
    """Pass a request from its holder to a colleague (`by`: who does it, the holder unless said otherwise:
    a coordinator can take over a request from someone who went home)."""
    request = live_record(store, reference, now, HELP_REQUEST.name)
    state = state_of(store, request)
    if state.claimed_by != from_who:
        holder = state.claimed_by or "-"
        raise StaffProblem(
            N_("%(reference)s is not held by %(from)s (it is held by: %(who)s): nothing was handed over."),
            reference=request.reference, who=holder, **{"from": from_who},
        )  # fmt: skip
    if not to_who.strip():
        raise StaffProblem(N_("Say to whom you hand it over."))
    event = Event(now, "claim", other=to_who.strip(), reason=HANDED_OVER + from_who, by=by or from_who)
    _record(store, request.reference, event, now)
    return state_of(store, request)


def add_note(
    store: StaffStore, reference: str, who: str, text: str, call_back_at: dt.datetime | None, now: dt.datetime
) -> CaseState:
    """Keep what a call said (at most NOTE_LIMIT characters), and when to call back, in the record's history.
    Notes are personal data: they are deleted with the record."""
    record = live_record(store, reference, now)
    note = checked_text(text, NOTE_LIMIT, N_("Write what the call said in the note."))
    when = ""
    if call_back_at is not None:
        if call_back_at.tzinfo is None:
            raise ValueError("call_back_at must be timezone-aware")
        if call_back_at <= now:
            raise StaffProblem(N_("A call-back must be later than now."))
        when = call_back_at.astimezone(dt.UTC).isoformat()
    _record(store, record.reference, Event(now, "note", reason=note, other=when, by=who), now)
    return state_of(store, record)


def set_status(store: StaffStore, reference: str, status: str, reason: str, who: str, now: dt.datetime) -> None:
    """Change a record's status, keeping the change (and why) in its history; closing needs a reason."""
    if status not in STATUS_VALUES:
        raise StaffProblem(N_("Choose a status from: %(statuses)s."), statuses=", ".join(STATUS_VALUES))
    if status == "closed" and not reason.strip():
        raise StaffProblem(N_('Say why you close it, with --reason, for example --reason "moved away".'))
    reason = checked_text(reason, REASON_LIMIT, "") if reason.strip() else ""
    _record(store, reference, Event(now, "status", status, reason=reason, by=who), now)


@dataclass(frozen=True)
class Confirmed:
    """A confirmed match: what the task slip (`slip_pdf(request, volunteer, ...)`) and the hand-out need,
    and whether the volunteer signed up for this kind of help in this language."""

    request: Submission
    volunteer: Submission
    fits: bool


def _pair(store: StaffStore, request_ref: str, volunteer_ref: str, now: dt.datetime) -> tuple[Submission, Submission]:
    return (
        live_record(store, request_ref, now, HELP_REQUEST.name),
        live_record(store, volunteer_ref, now, VOLUNTEER_SIGNUP.name),
    )


def _available(volunteer: Submission, state: CaseState) -> None:
    if volunteer.status == "closed":
        raise StaffProblem(N_("%(reference)s is closed: choose another volunteer."), reference=volunteer.reference)
    if state.paused:
        message = N_("%(reference)s is paused: resume them first (helpt resume %(reference)s).")
        raise StaffProblem(message, reference=volunteer.reference)


def propose(store: StaffStore, request_ref: str, volunteer_ref: str, who: str, now: dt.datetime) -> CaseState:
    """Record that a volunteer was asked to take a request (the request's status does not change). The
    volunteer goes down in the suggestions for other requests until this is confirmed or undone."""
    request, volunteer = _pair(store, request_ref, volunteer_ref, now)
    state = state_of(store, request)
    if not state.is_open:
        raise StaffProblem(FINISHED, reference=request.reference)
    _available(volunteer, state_of(store, volunteer))
    if volunteer.reference in state.proposals + state.confirmed:
        raise StaffProblem(
            N_("%(volunteer)s is already proposed or matched for %(request)s."),
            volunteer=volunteer.reference, request=request.reference,
        )  # fmt: skip
    if state.confirmed:
        raise StaffProblem(
            N_("%(request)s is matched with %(volunteer)s already: undo that match first."),
            request=request.reference, volunteer=state.confirmed[-1],
        )  # fmt: skip
    _record(store, request.reference, Event(now, "proposal", other=volunteer.reference, by=who), now)
    _record(store, volunteer.reference, Event(now, "proposal", other=request.reference, by=who), now)
    return state_of(store, request)


def confirm(store: StaffStore, request_ref: str, volunteer_ref: str, who: str, now: dt.datetime) -> Confirmed:
    """Both sides agreed: the request becomes `matched`. Recorded as "confirm" on both records, and as
    "match" too, which the stores' `last_matched` (and older readers of the history) count."""
    request, volunteer = _pair(store, request_ref, volunteer_ref, now)
    state = state_of(store, request)
    if volunteer.reference in state.confirmed:
        return Confirmed(request, volunteer, can_help(request, volunteer))
    if not state.is_open:
        raise StaffProblem(FINISHED, reference=request.reference)
    if volunteer.reference not in state.proposals:
        raise StaffProblem(
            N_("Propose %(volunteer)s for %(request)s first: helpt propose %(request)s %(volunteer)s"),
            volunteer=volunteer.reference, request=request.reference,
        )  # fmt: skip
    _available(volunteer, state_of(store, volunteer))
    for kind in ("confirm", "match"):
        status = "matched" if kind == "confirm" else ""
        _record(store, request.reference, Event(now, kind, status, other=volunteer.reference, by=who), now)
        _record(store, volunteer.reference, Event(now, kind, other=request.reference, by=who), now)
    return Confirmed(live_record(store, request.reference, now), volunteer, can_help(request, volunteer))


def match(store: StaffStore, request_ref: str, volunteer_ref: str, who: str, now: dt.datetime) -> Confirmed:
    """Propose and confirm in one step (`helpt match`: both sides agreed on the phone already)."""
    request, volunteer = _pair(store, request_ref, volunteer_ref, now)
    state = state_of(store, request)
    if volunteer.reference not in state.proposals + state.confirmed:
        propose(store, request.reference, volunteer.reference, who, now)
    return confirm(store, request.reference, volunteer.reference, who, now)


def undo(store: StaffStore, request_ref: str, volunteer_ref: str, reason: str, who: str, now: dt.datetime) -> None:
    """Take back a proposal or a confirmed match (a wrong match, a volunteer who cannot after all): the
    request goes back to `contacted`, the volunteer is free again; the history keeps both, with why."""
    request, volunteer = _pair(store, request_ref, volunteer_ref, now)
    state = state_of(store, request)
    if volunteer.reference not in state.proposals + state.confirmed:
        raise StaffProblem(
            N_("%(volunteer)s is not proposed or matched for %(request)s: nothing to undo."),
            volunteer=volunteer.reference, request=request.reference,
        )  # fmt: skip
    why = checked_text(reason, REASON_LIMIT, N_('Say why, with --reason, for example --reason "not free after all".'))
    back = Event(now, "undo", "contacted", reason=why, other=volunteer.reference, by=who)
    _record(store, request.reference, back, now)
    _record(store, volunteer.reference, Event(now, "undo", reason=why, other=request.reference, by=who), now)


def pause(store: StaffStore, volunteer_ref: str, reason: str, who: str, now: dt.datetime) -> None:
    """Stop suggesting a volunteer for a while (ill, away, too many tasks); `resume` undoes it."""
    volunteer = live_record(store, volunteer_ref, now, VOLUNTEER_SIGNUP.name)
    if state_of(store, volunteer).paused:
        raise StaffProblem(N_("%(reference)s is paused already."), reference=volunteer.reference)
    why = checked_text(reason, REASON_LIMIT, N_('Say why, with --reason, for example --reason "away until May".'))
    _record(store, volunteer.reference, Event(now, "pause", reason=why, by=who), now)


def resume(store: StaffStore, volunteer_ref: str, who: str, now: dt.datetime) -> None:
    """Suggest a paused volunteer again."""
    volunteer = live_record(store, volunteer_ref, now, VOLUNTEER_SIGNUP.name)
    if not state_of(store, volunteer).paused:
        raise StaffProblem(N_("%(reference)s is not paused."), reference=volunteer.reference)
    _record(store, volunteer.reference, Event(now, "resume", by=who), now)


def matched_volunteer(store: StaffStore, request: Submission) -> str | None:
    """The reference of the volunteer a request is matched with (confirmed, not undone), if any."""
    return next(reversed(state_of(store, request).confirmed), None)
