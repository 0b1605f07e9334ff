"""The public figures page (`Template: figures`): where its counts come from, and what its template gets.

The page shows counts only, with small ones left out (helpt.staff.figures_public holds the rules, for the
command line's file and for this build alike). The counts come from the first of:

1. the file named by HELPT_FIGURES, written by `helpt figures --public FILE`;
2. in the preview (`make serve`, `make build`: the forms post to the preview itself), the local SQLite store
   the preview's forms write to, if there is one: the figures are made from it at each build;
3. `figures.json` in the city's content folder (`content/figures.json`): what city IT made against the live
   store with `helpt figures --public content/figures.json` before `make deploy`.

Without any, the page says there are no figures yet. A file that breaks the rules (a small count, a hidden
count that can be worked out, a name the city's settings do not have) stops the build with what is wrong,
in the list of the content's problems: nothing from it reaches the page.

The template gets `public_figures`: None, or for each language the numbers written in that language.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from helpt.settings import CitySettings
from helpt.staff.figures_public import (
    FEWER,
    HIDDEN,
    PUBLIC_FORMS,
    PublicFiguresError,
    public_counts,
    read_public,
)
from helpt_site.content_checks import record_problems

FIGURES_VARIABLE = "HELPT_FIGURES"
FIGURES_FILE = "figures.json"
CONTEXT_NAME = "public_figures"


def add_public_figures(generator) -> None:
    """Pelican's page_generator_finalized: the figures for the figures page's template, in every language."""
    settings = generator.settings
    city: CitySettings = settings["CITY"]
    preview = str(settings["FORM_ACTION_BASE"]).startswith("/")
    try:
        counts = find_counts(city, preview=preview, environ=os.environ)
    except PublicFiguresError as error:
        record_problems(settings, [str(error)])
        counts = None
    generator.context[CONTEXT_NAME] = (
        None if counts is None else {lang: page_figures(counts, city, lang) for lang in city.languages}
    )


def find_counts(city: CitySettings, *, preview: bool, environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The public counts from the first source there is (the module docstring lists them), or None."""
    named = environ.get(FIGURES_VARIABLE, "").strip()
    if named:
        return read_public(Path(named), city)
    if preview:
        from helpt.stores.sqlite import default_path

        store_path = default_path()
        if store_path.is_file():
            return counts_from_store(store_path, city)
    in_content = Path(city.content_dir) / FIGURES_FILE
    return read_public(in_content, city) if in_content.is_file() else None


def counts_from_store(store_path: Path, city: CitySettings, now: dt.datetime | None = None) -> dict[str, Any]:
    """The public counts of a local store, made now, as `helpt figures --public` would write them."""
    from helpt.staff.figures import count
    from helpt.stores.sqlite import SQLiteStore

    now = now or dt.datetime.now(dt.UTC)
    figures = count(SQLiteStore(store_path), city, now)
    return public_counts(figures, city, now.astimezone(ZoneInfo(city.timezone)))


def page_figures(counts: Mapping[str, Any], city: CitySettings, lang: str) -> dict[str, Any]:
    """What the template shows, with every number written as `lang` writes numbers (1.490, 1,490)."""

    def cell(value: int | str) -> dict[str, str]:
        if value in (FEWER, HIDDEN):
            return {"kind": str(value), "text": ""}
        return {"kind": "count", "text": format_decimal(value, locale=lang)}

    def rows(column: list | None) -> list[dict[str, Any]] | None:
        return None if column is None else [{"name": name, "cell": cell(value)} for name, value in column]

    def day(text: str | None) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    def hours(value: float) -> str:
        return format_decimal(value, format="#,##0.0", locale=lang)

    made_at = dt.datetime.fromisoformat(counts["made_at"]).astimezone(ZoneInfo(city.timezone))
    times = {
        name: None if timing is None else {"median": hours(timing["median_hours"]), "p90": hours(timing["p90_hours"])}
        for name, timing in counts["times"].items()
    }
    return {
        "made_on": made_at.date(),
        "first": day(counts["from"]),
        "last": day(counts["until"]),
        "threshold": counts["threshold"],
        "below": counts["threshold"] - 1,
        "totals": {form: cell(counts["totals"][form]) for form in PUBLIC_FORMS},
        "per_neighbourhood": {form: rows(counts["per_neighbourhood"][form]) for form in PUBLIC_FORMS},
        "per_status": rows(counts["per_status"]["help_request"]),
        "times": times,
    }
