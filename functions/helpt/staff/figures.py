"""Figures for the coordinators and the city's management: how many requests, sign-ups and responses, per
day and per neighbourhood; and a chart of requests and sign-ups per day.

The chart is an SVG drawn here, in an HTML page rendered by `helpt.printing` (WeasyPrint to PDF, PDFium to
PNG), in the cards' font: no plotting library. Counting streams through the store, so it works on any size.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from helpt.forms import FORMS, HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.settings import CitySettings
from helpt.staff.answers import FORM_NAMES, local_date, neighbourhood
from helpt.staff.slip import environment
from helpt.staff.texts import Texts
from helpt.stores import StaffStore

CHART_WIDTH, CHART_HEIGHT = 1000, 460
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 20, 60


@dataclass
class Figures:
    per_form: Counter[str] = field(default_factory=Counter)
    per_day: dict[dt.date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    per_neighbourhood: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))


def count(
    store: StaffStore,
    city: CitySettings,
    now: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Figures:
    """Counts of live submissions per form, per day (in the city's time zone) and per neighbourhood."""
    figures = Figures()
    for submission in store.stream(forms=tuple(FORMS), since=since, until=until, now=now):
        figures.per_form[submission.form] += 1
        figures.per_day[local_date(submission.created_at, city)][submission.form] += 1
        figures.per_neighbourhood[neighbourhood(submission, city) or "?"][submission.form] += 1
    return figures


def figures_text(figures: Figures, texts: Texts) -> str:
    """Three small tables: per form, per day, per neighbourhood (a column per form)."""
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
    # Neighbourhoods by name; "?" (no postcode the city knows: vacancy responses) last.
    hoods = sorted(figures.per_neighbourhood, key=lambda name: (name == "?", name))
    lines += table(_("Neighbourhood"), {hood: figures.per_neighbourhood[hood] for hood in hoods})
    return "\n".join(lines) + "\n"


def _days(figures: Figures) -> list[dt.date]:
    if not figures.per_day:
        return []
    first, last = min(figures.per_day), max(figures.per_day)
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def _scale_top(highest: int) -> int:
    """A round number at or above `highest`, for the top of the axis."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if highest <= step * 5:
            return step * 5
    return highest


def chart_html(figures: Figures, texts: Texts, city: CitySettings) -> str:
    """An HTML page with an SVG bar chart: help requests and volunteer sign-ups per day."""
    _ = texts.gettext
    days = _days(figures)
    series = [(HELP_REQUEST.name, city.primary_colour), (VOLUNTEER_SIGNUP.name, "#1f4e79")]
    top = _scale_top(max((figures.per_day[day][form] for day in days for form, _c in series), default=0))
    plot_width, plot_height = CHART_WIDTH - _LEFT - _RIGHT, CHART_HEIGHT - _TOP - _BOTTOM
    slot = plot_width / max(len(days), 1)
    bar = slot * 0.4
    bars, labels = [], []
    every = max(1, len(days) // 15)  # at most about 15 dates under the axis
    for index, day in enumerate(days):
        for offset, (form, colour) in enumerate(series):
            value = figures.per_day[day][form]
            height = plot_height * value / top
            x = _LEFT + index * slot + slot * 0.1 + offset * bar
            bars.append({"x": x, "y": _TOP + plot_height - height, "width": bar, "height": height, "colour": colour})
        if index % every == 0:
            labels.append({"x": _LEFT + (index + 0.5) * slot, "text": day.strftime("%d/%m")})
    ticks = [{"y": _TOP + plot_height - plot_height * step / 5, "value": top * step // 5} for step in range(6)]
    legend = [{"name": _(FORM_NAMES[form]), "colour": colour} for form, colour in series]
    summary = ", ".join(
        f"{item['name']}: {figures.per_form[form]}" for item, (form, _c) in zip(legend, series, strict=True)
    )
    return (
        environment()
        .get_template("chart.html")
        .render(
            _=_,
            lang=texts.lang,
            title=_("Help requests and volunteer sign-ups per day"),
            site_name=city.site_name.get(texts.lang, city.name),
            summary=summary,
            width=CHART_WIDTH,
            height=CHART_HEIGHT,
            left=_LEFT,
            right=CHART_WIDTH - _RIGHT,
            bottom=_TOP + plot_height,
            bars=bars,
            labels=labels,
            ticks=ticks,
            legend=legend,
            empty=not days,
        )
    )


def chart_png(figures: Figures, texts: Texts, city: CitySettings, width_px: int = 1400) -> bytes:
    """The chart as a PNG picture (HTML to PDF with WeasyPrint, then the page to PNG with PDFium)."""
    from helpt.printing import PRINTABLES_DIR, pdf_page_to_png, render_pdf

    pdf = render_pdf(chart_html(figures, texts, city), base_url=PRINTABLES_DIR)
    return pdf_page_to_png(pdf, 0, width_px=width_px)
