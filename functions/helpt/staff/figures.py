"""Figures for the coordinators, the city's management and the public: how many requests, sign-ups and
responses, per day, per neighbourhood and per status, and how fast help requests were answered.

One count serves every face: `helpt figures`, the back office's /staff/figures and the public figures page
(`helpt.staff.figures_public` takes small counts out of it). Counting reads the store once per form and
keeps only the counts and, for the help requests, two lists of durations:

- **first contact**: the first event after a request came in that shows staff acted on it with the person:
  a call note, a proposal of a volunteer, a match, or a change of status away from `new` (CONTACT_KINDS);
  a claim alone ("I am calling this one") or a correction of the answers is not a contact;
- **match**: the first confirmed match (`confirm`, or `match` from before proposals existed), even if it
  was undone later.

A request that has not reached that point yet is left out of that time (it is still waiting). Times are
summed up as the median and the 90th percentile, computed as a spreadsheet's MEDIAN and PERCENTILE.INC
do (`percentile`), so a coordinator can check them against an export.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from helpt.forms import FORMS, HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.settings import CitySettings
from helpt.staff.answers import FORM_NAMES, STATUSES, local_date, neighbourhood
from helpt.staff.texts import N_, Texts
from helpt.stores import BackOfficeStore, Event
from helpt.submissions import Submission

UNKNOWN_NEIGHBOURHOOD = "?"  # no postcode the city knows (a vacancy response has none)
CONTACT_KINDS = ("note", "proposal", "confirm", "match")  # and any event that moves the status on from "new"
MATCH_KINDS = ("confirm", "match")
TIMES = {"first_contact": N_("First contact"), "match": N_("Matched with a volunteer")}
SERIES_NAMES = {  # a chart's legend and a table's columns: how many of each
    "help_request": N_("Help requests"),
    "volunteer_signup": N_("Volunteers"),
    "vacancy_response": N_("Vacancy responses"),
}


@dataclass(frozen=True)
class Timing:
    """How long help requests waited for something: how many got it, the median and the 90th percentile."""

    count: int
    median: dt.timedelta | None
    p90: dt.timedelta | None


@dataclass
class Figures:
    per_form: Counter[str] = field(default_factory=Counter)
    per_day: dict[dt.date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    per_neighbourhood: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    per_status: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Seconds from a help request's arrival, one number per request that got there (TIMES's keys).
    waits: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in TIMES})

    def timing(self, name: str) -> Timing:
        waits = self.waits[name]
        median, p90 = percentile(waits, 0.5), percentile(waits, 0.9)
        return Timing(
            len(waits),
            None if median is None else dt.timedelta(seconds=median),
            None if p90 is None else dt.timedelta(seconds=p90),
        )

    def days(self) -> list[dt.date]:
        """Every day from the first to the last with a submission, the days without any included."""
        if not self.per_day:
            return []
        first, last = min(self.per_day), max(self.per_day)
        return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]

    def neighbourhoods(self, city: CitySettings) -> list[str]:
        """The city's neighbourhoods in its own order, then any other name counted, then the unknown one."""
        names = list(dict.fromkeys(hood.name for hood in city.neighbourhoods))
        others = sorted(name for name in self.per_neighbourhood if name not in names and name != UNKNOWN_NEIGHBOURHOOD)
        return [*names, *others, UNKNOWN_NEIGHBOURHOOD]

    def statuses(self) -> list[str]:
        """The statuses in their working order, then any other status a record holds."""
        return [*STATUSES, *sorted(status for status in self.per_status if status not in STATUSES)]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The value below which `fraction` of `values` lie, between the two nearest (PERCENTILE.INC); None
    for no values.

    >>> percentile([4, 1, 3, 2], 0.5), percentile(range(1, 11), 0.9), percentile([7], 0.9), percentile([], 0.5)
    (2.5, 9.1, 7.0, None)
    """
    ordered = sorted(values)
    if not ordered:
        return None
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return round(float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low)), 6)


def first_contact(events: Iterable[Event]) -> dt.datetime | None:
    """When staff first acted on a request with the person (the module docstring says what counts)."""
    for event in events:
        if event.kind in CONTACT_KINDS or event.status not in ("", "new"):
            return event.at
    return None


def first_match(events: Iterable[Event]) -> dt.datetime | None:
    return next((event.at for event in events if event.kind in MATCH_KINDS), None)


def day_period(city: CitySettings, first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, ...]:
    """[since, until) for the city's days `first` to `last`, both included; None leaves a side open."""

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(0), ZoneInfo(city.timezone)).astimezone(dt.UTC)

    return (start(first) if first else None, start(last + dt.timedelta(days=1)) if last else None)


def count(
    store: BackOfficeStore,
    city: CitySettings,
    now: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Figures:
    """The figures of the live submissions created in [since, until), per day in the city's time zone.

    Help requests are read with their histories (`records`, the one read the store offers for that); the
    other forms stream page by page. Only counts and the help requests' waits are kept."""
    figures = Figures()
    for request, events in store.records(form=HELP_REQUEST.name, now=now):
        if (since is None or request.created_at >= since) and (until is None or request.created_at < until):
            _add(figures, request, city)
            for name, reached in (("first_contact", first_contact(events)), ("match", first_match(events))):
                if reached is not None:
                    figures.waits[name].append(max(0.0, (reached - request.created_at).total_seconds()))
    others = tuple(form for form in FORMS if form != HELP_REQUEST.name)
    for submission in store.stream(forms=others, since=since, until=until, now=now):
        _add(figures, submission, city)
    return figures


def _add(figures: Figures, submission: Submission, city: CitySettings) -> None:
    form = submission.form
    figures.per_form[form] += 1
    figures.per_day[local_date(submission.created_at, city)][form] += 1
    figures.per_neighbourhood[neighbourhood(submission, city) or UNKNOWN_NEIGHBOURHOOD][form] += 1
    figures.per_status[submission.status][form] += 1


def hours(wait: dt.timedelta) -> float:
    """A wait in hours, to one decimal: how the figures show times.

    >>> hours(dt.timedelta(minutes=90)), hours(dt.timedelta(days=2, minutes=3))
    (1.5, 48.0)
    """
    return round(wait.total_seconds() / 3600, 1)


def figures_text(figures: Figures, texts: Texts, city: CitySettings) -> str:
    """Small tables: per form, per day, per neighbourhood, per status (a column per form), and the times."""
    _ = texts.gettext
    names = [_(FORM_NAMES[form]) for form in FORMS]
    width = max(len(name) for name in names) + 2
    lines = [
        _("Per form"),
        *(f"  {name:<{width}}{figures.per_form[form]:>8}" for form, name in zip(FORMS, names, strict=True)),
    ]

    def table(title: str, rows: dict[str, Counter[str]]) -> list[str]:
        header = f"  {title:<14}" + "".join(f"{name:>{width}}" for name in names)
        body = [f"  {key:<14}" + "".join(f"{rows[key][form]:>{width}}" for form in FORMS) for key in rows]
        return ["", header, *body]

    lines += table(_("Day"), {day.isoformat(): figures.per_day[day] for day in sorted(figures.per_day)})
    # Neighbourhoods in the city's order; "?" (no postcode the city knows: vacancy responses) last.
    hoods = [hood for hood in figures.neighbourhoods(city) if hood in figures.per_neighbourhood]
    lines += table(_("Neighbourhood"), {hood: figures.per_neighbourhood[hood] for hood in hoods})
    statuses = [status for status in figures.statuses() if status in figures.per_status]
    status_names = {status: _(STATUSES[status]) if status in STATUSES else status for status in statuses}
    lines += table(_("Status"), {status_names[status]: figures.per_status[status] for status in statuses})
    lines += ["", _("Help requests: hours from arrival")]
    columns = [_("Requests"), _("Median"), _("90th percentile")]
    column = max(len(name) for name in columns) + 2
    lines.append(f"  {'':<26}" + "".join(f"{name:>{column}}" for name in columns))
    for name, label in TIMES.items():
        timing = figures.timing(name)
        cells = [
            str(timing.count),
            *("-" if wait is None else f"{hours(wait):.1f}" for wait in (timing.median, timing.p90)),
        ]
        lines.append(f"  {_(label):<26}" + "".join(f"{cell:>{column}}" for cell in cells))
    return "\n".join(lines) + "\n"


# The two series the charts of a day show.
DAY_SERIES = (HELP_REQUEST.name, VOLUNTEER_SIGNUP.name)
VOLUNTEER_BLUE = "#1f4e79"


def chart_html(figures: Figures, texts: Texts, city: CitySettings) -> str:
    """An HTML page with the chart of help requests and volunteer sign-ups per day, for WeasyPrint."""
    from helpt.staff.figures_charts import per_day_chart
    from helpt.staff.slip import environment

    chart = per_day_chart(figures, texts, city)
    return (
        environment()
        .get_template("chart.html")
        .render(lang=texts.lang, site_name=city.site_name.get(texts.lang, city.name), chart=chart)
    )


def chart_png(figures: Figures, texts: Texts, city: CitySettings, width_px: int = 1400) -> bytes:
    """The chart as a PNG picture (HTML to PDF with WeasyPrint, then the page to PNG with PDFium)."""
    from helpt.printing import PRINTABLES_DIR, pdf_page_to_png, render_pdf

    pdf = render_pdf(chart_html(figures, texts, city), base_url=PRINTABLES_DIR)
    return pdf_page_to_png(pdf, 0, width_px=width_px)
