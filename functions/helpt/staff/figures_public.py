"""The public figures: counts only, small counts taken out, for the site's figures page.

`helpt figures --public FILE` writes them as JSON (city IT runs it against the live store before publishing);
the site's build reads such a file (`read_public`) or, for the local preview, makes them from the local store
(`public_counts`). Both go through this module, so the file and the page follow one set of rules:

- A count from 1 to THRESHOLD - 1 is shown as "fewer than THRESHOLD" (FEWER); a zero is shown (nobody is in it).
- Every table column adds up to a total that is shown (the number of help requests, of volunteers). If the
  hidden cells could be worked out from that total and the cells shown, the smallest shown counts are hidden
  too (HIDDEN, "not shown") until none can: `exposed` checks it the way a reader with the page and a
  calculator would, knowing that a FEWER cell is 1 to THRESHOLD - 1 and a HIDDEN one at least THRESHOLD.
  A column that cannot be protected so is left out (None).
- A total below THRESHOLD is itself FEWER, and then no table of that form is shown at all.
- Times (median, 90th percentile) are shown only when at least THRESHOLD requests make them.

Nothing else is in it: no reference, no answer, no free text. Neighbourhood names come from the city's
settings, statuses are the tool's own words; `read_public` refuses a file with anything else, or with a
small count, or a hidden cell that can be worked out, so a file edited by hand cannot put one on the site.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from helpt.forms import HELP_REQUEST, VOLUNTEER_SIGNUP
from helpt.settings import CitySettings
from helpt.staff.answers import STATUSES
from helpt.staff.figures import TIMES, UNKNOWN_NEIGHBOURHOOD, Figures, hours

THRESHOLD = 5
FEWER = "fewer"
HIDDEN = "hidden"
KIND, VERSION = "helpt-public-figures", 1
PUBLIC_FORMS = (HELP_REQUEST.name, VOLUNTEER_SIGNUP.name)
OTHER_STATUS = "other"  # a status the tool does not know: counted, never named
Cell = int | str


class PublicFiguresError(ValueError):
    """A figures file the site cannot show; the message says what is wrong with it."""


def exposed(cells: Sequence[Cell], total: int, threshold: int = THRESHOLD) -> list[int]:
    """The hidden cells whose value follows from the total and the other cells (also: that cannot be right).

    >>> exposed([FEWER, 7, 12], 22), exposed([FEWER, HIDDEN, 12], 22), exposed([FEWER, FEWER, 20], 22)
    ([0], [], [0, 1])
    """
    bounds = {i: (1, threshold - 1) if cell == FEWER else (threshold, math.inf)
              for i, cell in enumerate(cells) if cell in (FEWER, HIDDEN)}  # fmt: skip
    rest = total - sum(cell for cell in cells if isinstance(cell, int))
    found = []
    for index, (low, high) in bounds.items():
        others = [bound for other, bound in bounds.items() if other != index]
        at_least = max(low, rest - sum(high for _low, high in others))
        at_most = min(high, rest - sum(low for low, _high in others))
        if at_least >= at_most:
            found.append(index)
    return found


def protect(values: Sequence[int], threshold: int = THRESHOLD) -> list[Cell] | None:
    """A column's cells as the public sees them, or None when no small count in it can be kept from being
    worked out from its total.

    >>> protect([12, 3, 40]), protect([12, 3, 0, 40]), protect([1, 1, 9, 30]), protect([1, 5])
    (['hidden', 'fewer', 40], ['hidden', 'fewer', 0, 40], ['fewer', 'fewer', 'hidden', 30], None)
    """
    cells: list[Cell] = [FEWER if 0 < value < threshold else value for value in values]
    while exposed(cells, sum(values), threshold):
        shown = sorted((value, index) for index, value in enumerate(values)
                       if isinstance(cells[index], int) and value >= threshold)  # fmt: skip
        if not shown:
            return None
        cells[shown[0][1]] = HIDDEN
    return cells


def public_neighbourhoods(city: CitySettings) -> list[str]:
    """The rows of a table per neighbourhood: each of the city's, then "?" (no postcode it knows), so that the
    rows add up to the total and no count is left to be found by subtraction."""
    return [*dict.fromkeys(hood.name for hood in city.neighbourhoods), UNKNOWN_NEIGHBOURHOOD]


def public_counts(
    figures: Figures, city: CitySettings, made_at: dt.datetime, first: dt.date | None = None,
    last: dt.date | None = None, threshold: int = THRESHOLD,
) -> dict[str, Any]:  # fmt: skip
    """The public figures of `figures` (counted from `first` to `last`, None: all the city holds)."""
    hoods = public_neighbourhoods(city)
    statuses = [*STATUSES, OTHER_STATUS]
    totals, per_hood, per_status = {}, {}, {}
    for form in PUBLIC_FORMS:
        total = figures.per_form[form]
        small = 0 < total < threshold
        totals[form] = FEWER if small else total
        values = [figures.per_neighbourhood[hood][form] for hood in hoods]
        per_hood[form] = None if small else _column(hoods, values, threshold)
    requests = HELP_REQUEST.name
    by_status = [figures.per_status[status][requests] for status in STATUSES]
    by_status.append(sum(count[requests] for status, count in figures.per_status.items() if status not in STATUSES))
    per_status[requests] = None if totals[requests] == FEWER else _column(statuses, by_status, threshold)
    times = {}
    for name in TIMES:
        timing = figures.timing(name)
        enough = timing.count >= threshold and timing.median is not None and timing.p90 is not None
        times[name] = {"median_hours": hours(timing.median), "p90_hours": hours(timing.p90)} if enough else None
    return {
        "kind": KIND, "version": VERSION, "made_at": made_at.isoformat(timespec="seconds"),
        "from": first.isoformat() if first else None, "until": last.isoformat() if last else None,
        "threshold": threshold, "totals": totals, "per_neighbourhood": per_hood, "per_status": per_status,
        "times": times,
    }  # fmt: skip


def _column(names: Sequence[str], values: Sequence[int], threshold: int) -> list[list[Cell]] | None:
    cells = protect(values, threshold)
    return None if cells is None else [[name, cell] for name, cell in zip(names, cells, strict=True)]


def write_public(path: Path, counts: dict[str, Any]) -> None:
    path.write_text(json.dumps(counts, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_public(path: Path, city: CitySettings) -> dict[str, Any]:
    """The figures in a file `helpt figures --public` wrote, checked; raises PublicFiguresError."""
    try:
        counts = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PublicFiguresError(f"{path}: cannot be read as figures ({error})") from None
    problems = check_public(counts, city)
    if problems:
        raise PublicFiguresError(f"{path}: " + "; ".join(problems) + ". Make it again with `helpt figures --public`.")
    return counts


def check_public(counts: Any, city: CitySettings) -> list[str]:
    """What is wrong with public figures (empty: nothing): their shape, and every rule of the module docstring."""
    keys = {"kind", "version", "made_at", "from", "until", "threshold", "totals", "per_neighbourhood", "per_status",
            "times"}  # fmt: skip
    if not isinstance(counts, dict) or set(counts) != keys or (counts["kind"], counts["version"]) != (KIND, VERSION):
        return [f"not {KIND} version {VERSION}"]
    problems = []
    threshold = counts["threshold"]
    if not _is_int(threshold) or threshold < THRESHOLD:
        return [f"threshold must be a whole number of at least {THRESHOLD}"]
    if not _is_moment(counts["made_at"]):
        problems.append("made_at must be a date and time with its offset")
    for side in ("from", "until"):
        if counts[side] is not None and not _is_day(counts[side]):
            problems.append(f"{side} must be a day (2020-03-16) or null")
    totals = counts["totals"]
    if not isinstance(totals, dict) or set(totals) != set(PUBLIC_FORMS):
        return [*problems, f"totals must hold {', '.join(PUBLIC_FORMS)}"]
    names = {
        "per_neighbourhood": (public_neighbourhoods(city), PUBLIC_FORMS),
        "per_status": ([*STATUSES, OTHER_STATUS], (HELP_REQUEST.name,)),
    }
    for form, total in totals.items():
        if not (total == FEWER or (_is_int(total) and (total == 0 or total >= threshold))):
            problems.append(f"totals.{form} must be 0, {threshold} or more, or {FEWER!r}")
    for table, (allowed, forms) in names.items():
        columns = counts[table]
        if not isinstance(columns, dict) or set(columns) != set(forms):
            problems.append(f"{table} must hold {', '.join(forms)}")
            continue
        for form, rows in columns.items():
            problems += [f"{table}.{form}: {problem}" for problem in _column_problems(rows, allowed, totals.get(form),
                                                                                        threshold)]  # fmt: skip
    times = counts["times"]
    if not isinstance(times, dict) or set(times) != set(TIMES):
        problems.append(f"times must hold {', '.join(TIMES)}")
    else:
        for name, timing in times.items():
            if timing is not None and not (
                isinstance(timing, dict) and set(timing) == {"median_hours", "p90_hours"}
                and all(_is_number(value) and 0 <= value < 1e6 for value in timing.values())
                and timing["median_hours"] <= timing["p90_hours"]
            ):  # fmt: skip
                problems.append(f"times.{name} must be null or a median_hours and p90_hours of 0 or more")
    return problems


def _column_problems(rows: Any, allowed: Sequence[str], total: Any, threshold: int) -> list[str]:
    if rows is None:
        return []
    if total == FEWER:
        return ["a total below the threshold has no table"]
    if not isinstance(rows, list) or not all(isinstance(row, list) and len(row) == 2 for row in rows):
        return ["rows must be [name, count] pairs"]
    names = [name for name, _cell in rows]
    if names != list(allowed):
        return [f"the rows must be, in this order: {', '.join(allowed)}"]
    cells = [cell for _name, cell in rows]
    if not all(cell in (FEWER, HIDDEN) or (_is_int(cell) and (cell == 0 or cell >= threshold)) for cell in cells):
        return [f"a count must be 0, {threshold} or more, {FEWER!r} or {HIDDEN!r}"]
    if not _is_int(total) or sum(cell for cell in cells if isinstance(cell, int)) > total:
        return ["the rows add up to more than the total"]
    if exposed(cells, total, threshold):
        return ["a hidden count can be worked out from the total"]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) and math.isfinite(value)


def _is_day(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) == 10 and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _is_moment(value: Any) -> bool:
    try:
        return isinstance(value, str) and len(value) < 40 and dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False
