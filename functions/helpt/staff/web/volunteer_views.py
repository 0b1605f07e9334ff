"""A volunteer's page, pausing them, and putting a volunteer on a request in two steps.

GET  /staff/volunteers/{reference}          view           answers, availability, matches, notes, paused or not
POST /staff/volunteers/{reference}/note     note           a call note
POST /staff/volunteers/{reference}/pause    pause          not suggested for a while, and why
POST /staff/volunteers/{reference}/resume   pause          suggested again
POST /staff/requests/{reference}/propose    match_propose  the volunteer was asked (`volunteer`)
POST /staff/requests/{reference}/confirm    match_confirm  both sides agreed: the request is matched
POST /staff/requests/{reference}/undo       match_undo     a proposal or match taken back, and why

The matching steps answer on the request's page (request_views.py), where their forms are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helpt.forms import VOLUNTEER_SIGNUP
from helpt.notify.triggers import after_match_step
from helpt.staff import casework
from helpt.staff.answers import CHANNELS, STATUSES, answer_text, named, record_lines
from helpt.staff.texts import N_
from helpt.staff.web.casework_views import (
    Failed,
    Refused,
    act,
    done_message,
    message_marks,
    not_found,
    record_or_none,
    typed,
    when,
)
from helpt.staff.web.request_views import history_lines, request_path, show_request
from helpt.staff.web.routing import Visit, routes
from helpt.staff.worklist import case_state

DONE = {
    "noted": N_("The note is kept in the history."),
    "paused": N_("Paused: this volunteer is not suggested until you resume them."),
    "resumed": N_("This volunteer is suggested again."),
    "verified": N_(
        "Verified: print their personal card below. A card printed before has a code that no longer checks."
    ),
    "unverified": N_("Verification withdrawn: the code on their card no longer checks."),
}
TYPED_REASON = ("Use at most %(max)d characters (you used %(count)d).",
                "Remove the invisible control characters from the text (they cannot be stored).")  # fmt: skip


def volunteer_path(reference: str) -> str:
    return f"/staff/volunteers/{reference}"


@routes.get("/staff/volunteers/{reference}", action="view")
def volunteer_page(visit: Visit) -> dict:
    return show_volunteer(visit, visit.params["reference"])


def show_volunteer(
    visit: Visit, reference: str, *, failure: Failed | None = None, kept: Mapping[str, str] | None = None
) -> dict:
    _, texts, city = visit.gettext, visit.texts, visit.office.city
    record = record_or_none(visit, reference, VOLUNTEER_SIGNUP.name)
    if record is None:
        return not_found(visit)
    visit.audit("view", record.reference)
    history = visit.store.events(record.reference)
    state = case_state(record, history)
    free = record.answers.get("availability", ())
    availability = answer_text(VOLUNTEER_SIGNUP.get("availability"), free, texts, city)
    suggested = _("Paused: %(reason)s") % {"reason": state.pause_reason} if state.paused else _("Active: suggested")
    facts = [
        (_("Status"), named(STATUSES, record.status, texts)),
        (_("Received"), f"{when(visit, record.created_at)} ({named(CHANNELS, record.channel, texts)})"),
        (_("Suggestions"), suggested), (_("Free to help"), availability),
        (_("Last active"), when(visit, state.last_activity)),
        (_("Last matched"), when(visit, state.last_matched) or _("no match yet")),
        *((_("Messages"), line) for line in message_marks(visit, record)),
    ]  # fmt: skip
    return visit.page(
        "volunteer.html", title=_("Volunteer %(reference)s") % {"reference": record.reference},
        status=failure.status if failure else 200, errors=[(failure.anchor, failure.message)] if failure else [],
        here=volunteer_path(record.reference), path=volunteer_path(record.reference), record=record, state=state,
        facts=facts, answers=record_lines(record, texts, city), matches=_matches(visit, state), may=visit.may,
        notes=[(when(visit, e.at), e.by, e.reason) for e in history if e.kind == "note"], typed=dict(kept or {}),
        history=history_lines(visit, record, history), done=done_message(visit, DONE),
        **verification_section(visit, record),
    )  # fmt: skip


def verification_section(visit: Visit, record: Any) -> dict[str, Any]:
    from helpt.staff.web import verify_views  # it imports this module for show_volunteer

    return verify_views.verification_section(visit, record)


def _matches(visit: Visit, state: casework.CaseState) -> list[dict[str, Any]]:
    """The requests the volunteer is proposed for or matched with, each with where that request stands."""
    found = []
    for kind, references in ((N_("proposed"), state.proposals), (N_("matched"), state.confirmed)):
        for reference in references:
            request = visit.store.get(reference, now=visit.now())
            status = named(STATUSES, request.status, visit.texts) if request else visit.gettext("no longer kept")
            found.append({"reference": reference, "href": request_path(reference), "step": visit.gettext(kind),
                          "status": status, "live": request is not None})  # fmt: skip
    return found


@routes.post("/staff/volunteers/{reference}/note", action="note")
def note(visit: Visit) -> dict:
    reference = visit.params["reference"]

    def step() -> None:
        casework.add_note(visit.store, reference, _me(visit), visit.field("note-text"), None, visit.now())

    return act(
        visit, "note", step, page=show_volunteer, path=volunteer_path(reference), anchor="note-text", done="noted",
        kept=typed(visit, "note-text"),
    )  # fmt: skip


@routes.post("/staff/volunteers/{reference}/pause", action="pause")
def pause(visit: Visit) -> dict:
    reference, reason = visit.params["reference"], visit.field("pause-reason")

    def step() -> None:
        if not reason.strip():
            raise Refused("pause-reason", visit.gettext("Say why you pause them, for example: away until May."))
        casework.pause(visit.store, reference, reason, _me(visit), visit.now())

    return act(
        visit, "pause", step, page=show_volunteer, path=volunteer_path(reference), anchor="suggestions",
        done="paused", kept=typed(visit, "pause-reason"), anchors=dict.fromkeys(TYPED_REASON, "pause-reason"),
    )  # fmt: skip


@routes.post("/staff/volunteers/{reference}/resume", action="pause")
def resume(visit: Visit) -> dict:
    reference = visit.params["reference"]

    def step() -> None:
        casework.resume(visit.store, reference, _me(visit), visit.now())

    return act(visit, "resume", step, page=show_volunteer, path=volunteer_path(reference), anchor="suggestions",
               done="resumed")  # fmt: skip


def _me(visit: Visit) -> str:
    return visit.account.name if visit.account else ""


# Matching, on the request's page ------------------------------------------------------------------------------


@routes.post("/staff/requests/{reference}/propose", action="match_propose")
def propose(visit: Visit) -> dict:
    reference, volunteer = visit.params["reference"], visit.field("volunteer")

    def step() -> None:
        casework.propose(visit.store, reference, volunteer, _me(visit), visit.now())
        _tell_volunteer(visit, "proposal", reference, volunteer)

    return act(visit, "propose", step, page=show_request, path=request_path(reference), anchor="match",
               done="proposed")  # fmt: skip


@routes.post("/staff/requests/{reference}/confirm", action="match_confirm")
def confirm(visit: Visit) -> dict:
    reference, volunteer = visit.params["reference"], visit.field("volunteer")

    def step() -> None:
        casework.confirm(visit.store, reference, volunteer, _me(visit), visit.now())
        _tell_volunteer(visit, "confirm", reference, volunteer)

    return act(visit, "confirm", step, page=show_request, path=request_path(reference), anchor="match",
               done="confirmed")  # fmt: skip


def _tell_volunteer(visit: Visit, step: str, reference: str, volunteer: str) -> None:
    """Queue the volunteer's message once the step is kept (never fails the step: see after_match_step)."""
    office = visit.office
    after_match_step(step, visit.store, office.city, office.notifier, office.links, office.texts, reference,
                     volunteer, visit.now())  # fmt: skip


@routes.post("/staff/requests/{reference}/undo", action="match_undo")
def undo(visit: Visit) -> dict:
    reference, volunteer, reason = visit.params["reference"], visit.field("volunteer"), visit.field("reason")
    field = f"undo-{volunteer}-reason"  # one undo form per volunteer on the page

    def step() -> None:
        if not reason.strip():
            raise Refused(field, visit.gettext("Say why you undo it, for example: not free after all."))
        casework.undo(visit.store, reference, volunteer, reason, _me(visit), visit.now())

    return act(
        visit, "undo", step, page=show_request, path=request_path(reference), anchor="match", done="undone",
        kept={field: reason}, anchors=dict.fromkeys(TYPED_REASON, field),
    )  # fmt: skip
