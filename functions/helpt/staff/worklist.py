"""Where each request stands (`case_state`, read from its history), and the working list: every open help
request, in the order a coordinator should call them.

Open means new, contacted or matched: nothing falls out of sight before it is done or closed (setting
"contacted" after the first call, as the guide says, keeps a request on the list). The order:

1. call-backs that are due, the earliest first;
2. urgent requests ("today") nobody has contacted yet;
3. the others by urgency (today, in the next few days, this week, regularly), oldest first;
4. requests whose call-back is later: listed last, with the time, until it falls due.

A request is `overdue` when it has waited longer than the city promises (`promise_hours`, the city setting
`staff.promise_hours`, 24 by default) without a first contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from helpt.settings import CitySettings, StaffSettings
from helpt.staff.answers import neighbourhood
from helpt.stores import FINISHED_STATUSES, Event
from helpt.submissions import Submission

OPEN_STATUSES = ("new", "contacted", "matched")
URGENCIES = ("today", "days", "week", "regular")
DEFAULT_PROMISE_HOURS = StaffSettings.promise_hours  # the settings' default, written once
# Events that say someone worked on a request: a claim alone does not answer a call-back.
_WORK = ("status", "note", "proposal", "confirm", "match", "undo", "correction")


@dataclass(frozen=True)
class CaseState:
    """Where a request (or a volunteer) stands, read from its history.

    For a request, `proposals` and `confirmed` are volunteers' references; for a volunteer, requests'.
    `call_back_at` is the latest note's call-back while nobody has worked on the record since it fell due.
    """

    reference: str
    status: str
    claimed_by: str = ""
    proposals: tuple[str, ...] = ()
    confirmed: tuple[str, ...] = ()
    note: str = ""
    note_at: dt.datetime | None = None
    call_back_at: dt.datetime | None = None
    last_activity: dt.datetime | None = None
    contacted_at: dt.datetime | None = None  # when it first left "new"
    last_matched: dt.datetime | None = None  # latest confirmed match that was not undone
    paused: bool = False
    pause_reason: str = ""

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED_STATUSES

    def call_back_due(self, now: dt.datetime) -> bool:
        return self.call_back_at is not None and self.call_back_at <= now


def case_state(submission: Submission, events: Sequence[Event]) -> CaseState:
    """The state of one record from its history (oldest event first).

    >>> from helpt.submissions import Submission
    >>> at = dt.datetime(2020, 3, 16, 9, tzinfo=dt.UTC)
    >>> request = Submission("H-1", "help_request", "nl", at, 0, status="contacted")
    >>> state = case_state(request, [Event(at, "claim", other="ann"), Event(at, "proposal", other="V-1")])
    >>> state.claimed_by, state.proposals, state.confirmed
    ('ann', ('V-1',), ())
    """
    claimed_by, note, note_at, call_back = "", "", None, None
    proposals: dict[str, None] = {}
    matched: dict[str, dt.datetime] = {}
    contacted_at, paused, pause_reason = None, False, ""
    for event in events:
        if event.kind == "claim":
            claimed_by = event.other
        elif event.kind == "note":
            note, note_at = event.reason, event.at
            call_back = dt.datetime.fromisoformat(event.other) if event.other else None
        elif event.kind == "proposal":
            proposals[event.other] = None
        elif event.kind in ("confirm", "match"):  # "match": `helpt match` before proposals existed
            proposals.pop(event.other, None)
            matched[event.other] = event.at
        elif event.kind == "undo":
            proposals.pop(event.other, None)
            matched.pop(event.other, None)
        elif event.kind in ("pause", "resume"):
            paused, pause_reason = event.kind == "pause", event.reason if event.kind == "pause" else ""
        if event.kind in _WORK and call_back is not None and event.at >= call_back:
            call_back = None  # someone worked on it once it was due: answered
        if contacted_at is None and event.status and event.status != "new":
            contacted_at = event.at
    last = max([submission.created_at, *(event.at for event in events)])
    return CaseState(
        submission.reference, submission.status, claimed_by, tuple(proposals), tuple(matched), note, note_at,
        call_back, last, contacted_at, max(matched.values(), default=None), paused, pause_reason,
    )  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """What to show; every filter left at None (or False) shows everything."""

    status: str | None = None
    neighbourhood: str | None = None
    help: str | None = None  # a kind of help: groceries, pharmacy, ...
    language: str | None = None
    claimed_by: str | None = None  # "mine": this account's claims
    unclaimed: bool = False  # nobody's

    def keep(self, request: Submission, state: CaseState, city: CitySettings) -> bool:
        answers = request.answers
        kinds = answers.get("help", ())
        return (
            (self.status is None or state.status == self.status)
            and (self.neighbourhood is None or neighbourhood(request, city).casefold() == self.neighbourhood.casefold())
            and (self.help is None or self.help in (kinds if isinstance(kinds, tuple) else (kinds,)))
            and (self.language is None or answers.get("language") == self.language)
            and (self.claimed_by is None or state.claimed_by == self.claimed_by)
            and (not self.unclaimed or not state.claimed_by)
        )


@dataclass(frozen=True)
class WorkItem:
    request: Submission
    state: CaseState
    overdue: bool  # waited longer than the city's promise without a first contact
    call_back_due: bool  # a call-back time has come
    call_back_later: dt.datetime | None  # a call-back still to come: listed after the due ones

    @property
    def urgent(self) -> bool:
        return self.request.answers.get("urgency") == "today"

    @property
    def needs_volunteer(self) -> bool:
        """Still open and nobody proposed or matched: what the suggestions are for."""
        return self.state.status != "matched" and not (self.state.proposals or self.state.confirmed)


def working_list(
    records: Iterable[tuple[Submission, list[Event]]],
    *,
    now: dt.datetime,
    city: CitySettings,
    filters: Filters | None = None,
    promise_hours: float = DEFAULT_PROMISE_HOURS,
) -> list[WorkItem]:
    """The open help requests among `records` (each with its history, `BackOfficeStore.records`), in order."""
    filters = filters or Filters()
    promise = dt.timedelta(hours=promise_hours)
    items = []
    for request, events in records:
        if request.status not in OPEN_STATUSES:
            continue
        state = case_state(request, events)
        if not filters.keep(request, state, city):
            continue
        due = state.call_back_due(now)
        later = state.call_back_at if state.call_back_at is not None and not due else None
        overdue = state.status == "new" and now - request.created_at > promise
        items.append(WorkItem(request, state, overdue, due, later))
    return sorted(items, key=_order)


def _order(item: WorkItem) -> tuple[object, ...]:
    urgency = item.request.answers.get("urgency", "")
    rank = URGENCIES.index(urgency) if urgency in URGENCIES else len(URGENCIES)
    created = item.request.created_at
    if item.call_back_due:
        return (0, item.state.call_back_at, created)
    if item.call_back_later is not None:
        return (3, item.call_back_later, created)
    if item.urgent and item.state.status == "new":
        return (1, created, created)
    return (2, rank, created)


def counts(items: list[WorkItem]) -> dict[str, int]:
    """What the count line at the top says: open, urgent, call-backs due, overdue, nobody's."""
    return {
        "open": len(items),
        "urgent": sum(item.urgent and item.state.status == "new" for item in items),
        "due": sum(item.call_back_due for item in items),
        "overdue": sum(item.overdue for item in items),
        "unclaimed": sum(not item.state.claimed_by for item in items),
    }
