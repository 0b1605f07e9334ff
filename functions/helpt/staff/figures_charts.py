"""The figures' charts as SVG, drawn here: one drawing for the back office's page (inline), its SVG download
and the command line's PNG picture (through WeasyPrint), without a plotting library.

A chart is worked out as plain shapes (`Chart`: rectangles, lines and texts with their places) and written by
one template, `templates/chart.svg`, with SVG presentation attributes only (`fill=`, `font-size=`): the back
office's Content-Security-Policy allows no inline style. The SVG is `role="img"` with a `<title>`; the page
shows the same numbers as a table beside it, for screen readers and for reading exact values.

Two layouts: bars standing on a time axis (per day), and bars lying beside named rows (per neighbourhood,
per status), so that long names are never squeezed under a bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from helpt.forms import FORMS
from helpt.settings import CitySettings
from helpt.staff.answers import STATUSES
from helpt.staff.figures import DAY_SERIES, SERIES_NAMES, UNKNOWN_NEIGHBOURHOOD, VOLUNTEER_BLUE, Figures
from helpt.staff.texts import N_, Texts

WIDTH = 720
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'  # site.css's, for a saved file too
TEXT = "#1a1a1a"
GRID = "#757575"
RESPONSE_GREEN = "#2e6b30"  # vacancy responses: at least 3:1 against white, like the other two
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 44, 44
_ROW_LEFT = 190  # where lying bars start: room for a neighbourhood's name
_ROW, _BAR_GAP = 30, 0.2
NO_KNOWN_NEIGHBOURHOOD = N_("No known neighbourhood")


@dataclass(frozen=True)
class Series:
    name: str  # shown in the legend
    colour: str
    values: tuple[int, ...]  # one per category


@dataclass
class Chart:
    """A chart as shapes, ready for templates/chart.svg; `svg()` writes it."""

    id: str  # unique on a page: the title's id is made from it
    title: str
    width: int
    height: int
    rects: list[tuple[float, float, float, float, str]] = field(default_factory=list)  # x, y, w, h, fill
    lines: list[tuple[float, float, float, float, str]] = field(default_factory=list)  # x1, y1, x2, y2, stroke
    texts: list[tuple[float, float, str, str]] = field(default_factory=list)  # x, y, anchor, text
    empty: str = ""  # said in the middle when there is nothing to draw
    # The same numbers as a table, to show beside the chart: what a row is, the series, and each row.
    heading: str = ""
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)

    def with_table(self, heading: str, labels: Sequence[str], series: Sequence[Series]) -> Chart:
        self.heading, self.columns = heading, tuple(item.name for item in series)
        self.rows = [(label, tuple(item.values[index] for item in series)) for index, label in enumerate(labels)]
        return self

    def svg(self, *, fit: bool = True, file: bool = False) -> Markup:
        """The SVG element. `fit`: as wide as the page allows (a web page, whose CSP forbids the inline style
        that would scale it otherwise), else its own size in pixels (WeasyPrint, a file); `file`: a whole .svg
        file, with the XML declaration and a white background."""
        from helpt.staff.slip import environment

        template = environment().get_template("chart.svg")
        return Markup(template.render(chart=self, font=FONT, text_colour=TEXT, fit=fit and not file, file=file))


def scale_top(highest: int) -> int:
    """A round number at or above `highest`, for the top of the axis (five steps).

    >>> scale_top(0), scale_top(7), scale_top(12), scale_top(130), scale_top(1490)
    (5, 10, 25, 250, 2500)
    """
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000):
        if highest <= step * 5:
            return step * 5
    return highest


def _legend(chart: Chart, series: Sequence[Series], left: float) -> None:
    x = left
    for item in series:
        chart.rects.append((x, 12, 14, 14, item.colour))
        chart.texts.append((x + 20, 24, "start", item.name))
        x += 20 + 8.5 * len(item.name) + 24


def standing_bars(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], *, empty: str, height: int = 360
) -> Chart:
    """Bars standing on an axis of categories (days): a label under every few, to at most about 12."""
    chart = Chart(chart_id, title, WIDTH, height, empty="" if labels else empty)
    plot_width, plot_height = WIDTH - _LEFT - _RIGHT, height - _TOP - _BOTTOM
    bottom = _TOP + plot_height
    top = scale_top(max((value for item in series for value in item.values), default=0))
    for step in range(6):
        y = bottom - plot_height * step / 5
        chart.lines.append((_LEFT, y, WIDTH - _RIGHT, y, GRID if step else TEXT))
        chart.texts.append((_LEFT - 6, y + 5, "end", f"{top * step // 5}"))
    _legend(chart, series, _LEFT)
    slot = plot_width / max(len(labels), 1)
    bar = slot * (1 - _BAR_GAP) / max(len(series), 1)
    every = max(1, -(-len(labels) // 12))
    for index, label in enumerate(labels):
        for offset, item in enumerate(series):
            tall = plot_height * item.values[index] / top
            chart.rects.append((_LEFT + index * slot + slot * _BAR_GAP / 2 + offset * bar, bottom - tall, bar, tall,
                                item.colour))  # fmt: skip
        if index % every == 0:
            chart.texts.append((_LEFT + (index + 0.5) * slot, bottom + 20, "middle", label))
    return chart


def lying_bars(chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], *, empty: str) -> Chart:
    """Bars lying beside named rows (neighbourhoods, statuses), each row's name on its left."""
    row = _ROW * max(1, len(series)) / 2 + 8
    height = int(_TOP + row * max(len(labels), 1) + 30)
    chart = Chart(chart_id, title, WIDTH, height, empty="" if any(any(s.values) for s in series) else empty)
    plot_width = WIDTH - _ROW_LEFT - 60
    top = scale_top(max((value for item in series for value in item.values), default=0))
    _legend(chart, series, _ROW_LEFT)
    bar = (row - 8) / max(len(series), 1)
    for index, label in enumerate(labels):
        y = _TOP + index * row
        chart.texts.append((_ROW_LEFT - 8, y + row / 2 + 1, "end", label))
        for offset, item in enumerate(series):
            value = item.values[index]
            long = plot_width * value / top
            chart.rects.append((_ROW_LEFT, y + offset * bar, long, bar - 1, item.colour))
            chart.texts.append((_ROW_LEFT + long + 4, y + offset * bar + bar - 4, "start", f"{value}"))
    chart.lines.append((_ROW_LEFT, _TOP - 4, _ROW_LEFT, _TOP + row * len(labels), TEXT))
    return chart


def series_colours(city: CitySettings) -> dict[str, str]:
    return dict(zip(FORMS, (city.primary_colour, VOLUNTEER_BLUE, RESPONSE_GREEN), strict=True))


def per_day_chart(figures: Figures, texts: Texts, city: CitySettings) -> Chart:
    """Help requests and volunteer sign-ups per day, in the city's calendar."""
    _, colours, days = texts.gettext, series_colours(city), figures.days()
    series = [Series(_(SERIES_NAMES[form]), colours[form], tuple(figures.per_day[day][form] for day in days))
              for form in DAY_SERIES]  # fmt: skip
    chart = standing_bars(
        "per-day", _("Help requests and volunteer sign-ups per day"), [day.strftime("%d/%m") for day in days], series,
        empty=_("No submissions in this period."),
    )  # fmt: skip
    return chart.with_table(_("Day"), [day.isoformat() for day in days], series)


def per_neighbourhood_chart(figures: Figures, texts: Texts, city: CitySettings) -> Chart:
    _, colours = texts.gettext, series_colours(city)
    hoods = figures.neighbourhoods(city)
    series = [
        Series(_(SERIES_NAMES[form]), colours[form], tuple(figures.per_neighbourhood[hood][form] for hood in hoods))
        for form in DAY_SERIES
    ]
    labels = [_(NO_KNOWN_NEIGHBOURHOOD) if hood == UNKNOWN_NEIGHBOURHOOD else hood for hood in hoods]
    chart = lying_bars("per-neighbourhood", _("Help requests and volunteers per neighbourhood"), labels, series,
                       empty=_("No submissions in this period."))  # fmt: skip
    return chart.with_table(_("Neighbourhood"), labels, series)


def per_status_chart(figures: Figures, texts: Texts, city: CitySettings) -> Chart:
    _, colours = texts.gettext, series_colours(city)
    statuses = figures.statuses()
    series = [
        Series(_(SERIES_NAMES[form]), colours[form], tuple(figures.per_status[status][form] for status in statuses))
        for form in DAY_SERIES
    ]
    labels = [_(STATUSES[status]) if status in STATUSES else status for status in statuses]
    chart = lying_bars("per-status", _("Help requests and volunteers per status"), labels, series,
                       empty=_("No submissions in this period."))  # fmt: skip
    return chart.with_table(_("Status"), labels, series)


# The charts by the name their download has (/staff/figures/<name>.svg).
CHARTS = {"per-day": per_day_chart, "per-neighbourhood": per_neighbourhood_chart, "per-status": per_status_chart}
