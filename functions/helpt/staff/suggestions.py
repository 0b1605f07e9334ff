"""Which volunteers to suggest for a help request, each with the reasons a coordinator can check.

Only volunteers who offer one of the kinds of help asked for and speak the request's language, and who are
neither paused nor closed. Among them, first (lower is better):

1. for a request for today: someone still free today (their availability, against the weekday and time now
   in the city's time zone);
2. the fewest open proposals and confirmed matches: a volunteer waiting for or doing a task goes down, so
   that the work spreads instead of landing on the first few who signed up;
3. the same neighbourhood;
4. in a list of many requests (`spread`): suggested fewer times higher up in that list;
5. not matched in the last 7 days, then matched longest ago (never matched first), then signed up first.

Each suggestion carries its reasons as staff-catalog message ids with their values (`Reason`); the web page
and the command line show them with `reason_text`.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError

from helpt.forms import AVAILABILITY, HELP_KINDS
from helpt.settings import CitySettings
from helpt.staff.answers import neighbourhood
from helpt.staff.texts import N_, Texts
from helpt.staff.worklist import CaseState, case_state
from helpt.stores import Event
from helpt.submissions import Answer, Submission

RECENT = dt.timedelta(days=7)
WEEKDAYS, EVERY_DAY, WEEKEND = range(5), range(7), range(5, 7)
# When each availability answer is free: the days, and the hour it ends (a slot that ended is gone for today).
SLOTS: dict[str, tuple[range, dt.time]] = {
    "weekday-mornings": (WEEKDAYS, dt.time(12)),
    "weekday-afternoons": (WEEKDAYS, dt.time(18)),
    "evenings": (EVERY_DAY, dt.time(22)),
    "weekends": (WEEKEND, dt.time(22)),
}
# The counted reasons: their plural forms are in `_counted` (ngettext calls the catalog extracts).
LAST_MATCHED_DAYS = "last matched %(count)d day ago"
OPEN_TASKS = "proposed or matched for %(count)d open request"
_NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)
_LABELS = {choice.value: choice.label for choice in (*AVAILABILITY, *HELP_KINDS)}
_KIND_ORDER = tuple(choice.value for choice in HELP_KINDS)  # as the form lists them


@dataclass(frozen=True)
class Reason:
    """One reason as a message id and its values; `reason_text` shows it in the staff member's language."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    volunteer: Submission
    state: CaseState
    reasons: tuple[Reason, ...]
    same_neighbourhood: bool


@dataclass(frozen=True)
class Candidate:
    """A volunteer as the suggestions compare them, worked out once for a whole working list."""

    volunteer: Submission
    state: CaseState
    kinds: frozenset[str]
    languages: frozenset[str]
    neighbourhood: str
    availability: tuple[str, ...]
    open_tasks: int


def _values(answer: Answer | None) -> tuple[str, ...]:
    return answer if isinstance(answer, tuple) else (answer,) if answer else ()


class VolunteerPool:
    """Every volunteer who can be suggested, worked out once for all the requests of a working list.

    `open_requests`: the references of the requests still open; a proposal or match for a request that is
    done or closed no longer counts as a task the volunteer has (when None, every one counts). `shown`
    counts how often each volunteer was suggested in this list (see `suggest(spread=True)`).
    """

    def __init__(
        self,
        volunteers: Iterable[tuple[Submission, list[Event]]],
        city: CitySettings,
        open_requests: Collection[str] | None = None,
    ) -> None:
        self.candidates: list[Candidate] = []
        self.shown: Counter[str] = Counter()
        # Requests ask for few combinations of kinds and language, and a list is made at one moment: what
        # depends only on those is worked out once, not for each of hundreds of requests.
        self._speaking: dict[tuple[frozenset[str], str], list[Candidate]] = {}
        self._ranks: tuple[dt.datetime | None, dict[str, tuple[bool, tuple[object, ...]]]] = (None, {})
        for volunteer, events in volunteers:
            state = case_state(volunteer, events)
            if volunteer.status == "closed" or state.paused:
                continue
            tasks = state.proposals + state.confirmed
            open_tasks = len(tasks if open_requests is None else [ref for ref in tasks if ref in open_requests])
            self.candidates.append(Candidate(
                volunteer, state, frozenset(_values(volunteer.answers.get("help"))),
                frozenset(_values(volunteer.answers.get("languages"))), neighbourhood(volunteer, city),
                _values(volunteer.answers.get("availability")), open_tasks,
            ))  # fmt: skip

    def speaking(self, kinds: frozenset[str], language: str) -> list[Candidate]:
        """Those who offer one of these kinds of help and speak the language (any, when it is "")."""
        key = (kinds, language)
        if key not in self._speaking:
            self._speaking[key] = [
                c for c in self.candidates if c.kinds & kinds and (not language or language in c.languages)
            ]
        return self._speaking[key]

    def ranks(self, now: dt.datetime, local_now: dt.datetime) -> dict[str, tuple[bool, tuple[object, ...]]]:
        """Per volunteer, what does not depend on the request: not free today, and the rank of their last
        match (not in the last 7 days first, then longest ago, never first; then signed up first)."""
        if self._ranks[0] != now:
            ranks = {}
            for c in self.candidates:
                last = c.state.last_matched
                history = (last is not None and now - last < RECENT, last or _NEVER, c.volunteer.created_at)
                ranks[c.volunteer.reference] = (not free_today(c.availability, local_now), history)
            self._ranks = (now, ranks)
        return self._ranks[1]


def free_today(availability: Iterable[str], local_now: dt.datetime) -> tuple[str, ...]:
    """The availability answers that still leave time today.

    >>> tuesday_afternoon = dt.datetime(2020, 3, 17, 15, 0)
    >>> free_today(("weekday-mornings", "evenings", "weekends"), tuesday_afternoon)
    ('evenings',)
    """
    return tuple(
        slot for slot in availability
        if slot in SLOTS and local_now.weekday() in SLOTS[slot][0] and local_now.time() < SLOTS[slot][1]
    )  # fmt: skip


def suggest(
    request: Submission,
    volunteers: VolunteerPool | Iterable[tuple[Submission, list[Event]]],
    *,
    now: dt.datetime,
    city: CitySettings,
    limit: int = 5,
    exclude: Collection[str] = (),
    spread: bool = False,
) -> list[Suggestion]:
    """The best `limit` volunteers for a request, best first (see the module docstring for the order).

    `volunteers`: every volunteer with their history (`BackOfficeStore.records`), or a VolunteerPool made
    from them once for many requests. `exclude`: volunteers already proposed or matched for this request.
    `spread`: count each suggestion made, so that later requests in the same list get others first.
    """
    pool = volunteers if isinstance(volunteers, VolunteerPool) else VolunteerPool(volunteers, city)
    kinds = frozenset(_values(request.answers.get("help")))
    language = str(request.answers.get("language", ""))
    hood = neighbourhood(request, city)
    local_now = now.astimezone(ZoneInfo(city.timezone))
    urgent = request.answers.get("urgency") == "today"
    ranks, shown = pool.ranks(now, local_now), pool.shown
    found = [c for c in pool.speaking(kinds, language) if c.volunteer.reference not in exclude]

    def order(c: Candidate) -> tuple[object, ...]:
        reference = c.volunteer.reference
        not_today, history = ranks[reference]
        same = bool(hood) and c.neighbourhood == hood
        return (urgent and not_today, c.open_tasks, not same, shown[reference], history, reference)

    best = heapq.nsmallest(limit, found, key=order) if limit > 0 else []
    if spread:
        pool.shown.update(c.volunteer.reference for c in best)
    return [
        Suggestion(
            c.volunteer,
            c.state,
            _reasons(c, kinds, language, hood, local_now, urgent, now),
            bool(hood) and c.neighbourhood == hood,
        )
        for c in best
    ]


def _reasons(
    c: Candidate, kinds: frozenset[str], language: str, hood: str, local_now: dt.datetime, urgent: bool,
    now: dt.datetime,
) -> tuple[Reason, ...]:  # fmt: skip
    reasons = []
    if c.neighbourhood:
        where = (
            N_("same neighbourhood (%(neighbourhood)s)")
            if c.neighbourhood == hood and hood
            else N_("other neighbourhood (%(neighbourhood)s)")
        )
        reasons.append(Reason(where, {"neighbourhood": c.neighbourhood}))
    if language:
        reasons.append(Reason(N_("speaks %(language)s"), {"language": language}))
    reasons.append(Reason(N_("offers %(help)s"), {"help": tuple(k for k in _KIND_ORDER if k in c.kinds & kinds)}))
    if urgent:
        today = free_today(c.availability, local_now)
        reasons.append(Reason(N_("free today: %(times)s"), {"times": today}) if today else Reason(N_("not free today")))
    elif c.availability:
        reasons.append(Reason(N_("free %(times)s"), {"times": c.availability}))
    if c.open_tasks:
        reasons.append(Reason(OPEN_TASKS, {"count": c.open_tasks}))
    last = c.state.last_matched
    if last is None:
        reasons.append(Reason(N_("no match yet")))
    elif (now - last).days < 1:
        reasons.append(Reason(N_("last matched today")))
    else:
        reasons.append(Reason(LAST_MATCHED_DAYS, {"count": (now - last).days}))
    return tuple(reasons)


def reason_text(reason: Reason, texts: Texts) -> str:
    """A reason in the staff member's language: "same neighbourhood (Kessel-Lo)", "speaks Dutch"."""
    values = {name: _shown(name, value, texts) for name, value in reason.values.items()}
    message = _counted(reason.message, int(reason.values.get("count", 0)), texts)
    return message % values if values else message


def _shown(name: str, value: object, texts: Texts) -> object:
    if name == "language":
        try:
            return Locale.parse(str(value)).get_display_name(texts.lang) or value
        except (ValueError, UnknownLocaleError):
            return value
    if isinstance(value, tuple):  # choices: the form's sentence-case labels, here in the middle of a sentence
        return ", ".join((texts.form(_LABELS[item]) if item in _LABELS else item).lower() for item in value)
    return value


def _counted(message: str, count: int, texts: Texts) -> str:
    if message == LAST_MATCHED_DAYS:
        return texts.ngettext("last matched %(count)d day ago", "last matched %(count)d days ago", count)
    if message == OPEN_TASKS:
        return texts.ngettext(
            "proposed or matched for %(count)d open request", "proposed or matched for %(count)d open requests", count
        )
    return texts.gettext(message)
