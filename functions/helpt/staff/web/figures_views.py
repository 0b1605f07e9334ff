"""Figures in the back office, for coordinators and the privacy officer: GET /staff/figures[?from=DAY&until=DAY]

The same figures as `helpt figures` (helpt.staff.figures counts them once for both): the submissions per
form, per day, per neighbourhood and per status, and how fast help requests got a first contact and a match.
Each chart is an SVG drawn on the server (helpt.staff.figures_charts), with a table of its numbers beside it;
GET /staff/figures/<chart>.svg downloads one (PNG needs WeasyPrint, which the back office's function lacks:
`helpt figures --chart` makes one).

The period is the city's days `from` to `until`, both included, in the query: dates only, never anyone's
data. Staff see small counts (they see the records anyway); the public page leaves them out. Nothing here
shows a person, so reading figures is not in the audit log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from babel.numbers import format_decimal

from helpt.forms import FORMS
from helpt.staff.figures import SERIES_NAMES, TIMES, Figures, count, day_period
from helpt.staff.figures import hours as in_hours
from helpt.staff.figures_charts import CHARTS
from helpt.staff.texts import N_
from helpt.staff.web.pages import download_response
from helpt.staff.web.routing import Visit, routes

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# As the export form says them: the same fields, in the same words.
BAD_DAY = N_("Type the day as year-month-day, for example %(example)s")
BACKWARDS = N_("The last day must be the first day or later")
FIELDS = {"from": ("f-from", "2020-03-16"), "until": ("f-until", "2020-03-31")}


@dataclass(frozen=True)
class Period:
    first: dt.date | None
    last: dt.date | None
    problems: dict[str, str]  # field id -> message

    def query(self) -> str:
        """The period as a query string ("" for everything), for the download links."""
        shown = {name: day.isoformat() for name, day in (("from", self.first), ("until", self.last)) if day}
        return f"?{urlencode(shown)}" if shown else ""


def period_of(visit: Visit) -> Period:
    """The days asked for, or what is wrong with them, in the staff member's language."""
    _ = visit.gettext
    days: dict[str, dt.date | None] = {}
    problems = {}
    for name, (field_id, example) in FIELDS.items():
        typed = visit.request.query_value(name).strip()
        days[name] = None
        if typed:
            with contextlib.suppress(ValueError):  # 2020-02-30
                days[name] = dt.date.fromisoformat(typed) if _DAY.fullmatch(typed) else None
            if days[name] is None:
                problems[field_id] = _(BAD_DAY) % {"example": example}
    first, last = days["from"], days["until"]
    if first and last and last < first:
        problems[FIELDS["until"][0]] = _(BACKWARDS)
    return Period(first, last, problems)


@routes.get("/staff/figures", action="figures", nav=N_("Figures"))
def figures_page(visit: Visit) -> dict:
    _ = visit.gettext
    period = period_of(visit)
    typed = {name: visit.request.query_value(name) for name in FIELDS}
    if period.problems:
        return visit.page(
            "figures.html", title=_("Figures"), status=422, typed=typed, problems=period.problems,
            errors=list(period.problems.items()), figures=None,
        )  # fmt: skip
    figures = _count(visit, period)
    return visit.page(
        "figures.html", title=_("Figures"), typed=typed, problems={}, errors=[], figures=True,
        filtered=bool(period.first or period.last), query=period.query(), **_tables(visit, figures),
    )  # fmt: skip


@routes.get("/staff/figures/{chart}.svg", action="figures")
def chart_download(visit: Visit) -> dict:
    name = visit.params["chart"]
    period = period_of(visit)
    if name not in CHARTS:
        return visit.office.error_page(404, visit.lang, visit.session, visit.account)
    if period.problems:
        return figures_page(visit)
    chart = CHARTS[name](_count(visit, period), visit.texts, visit.office.city)
    days = "-".join(day.isoformat() for day in (period.first, period.last) if day) or "all"
    return download_response(
        f"{name}-{days}.svg", "image/svg+xml", str(chart.svg(file=True)), secure=visit.office.secure
    )


def _count(visit: Visit, period: Period) -> Figures:
    since, until = day_period(visit.office.city, period.first, period.last)
    return count(visit.store, visit.office.city, visit.now(), since, until)


def _tables(visit: Visit, figures: Figures) -> dict:
    """The totals, the times, and the charts (each carries the table of its numbers)."""
    _, lang = visit.gettext, visit.lang

    def shown(wait: dt.timedelta | None) -> str:
        return "–" if wait is None else format_decimal(in_hours(wait), format="#,##0.0", locale=lang)

    timings = {name: figures.timing(name) for name in TIMES}
    return {
        "totals": [(_(SERIES_NAMES[form]), figures.per_form[form]) for form in FORMS],
        "times": [
            (_(label), timings[name].count, shown(timings[name].median), shown(timings[name].p90))
            for name, label in TIMES.items()
        ],
        "charts": [chart(figures, visit.texts, visit.office.city) for chart in CHARTS.values()],
    }
