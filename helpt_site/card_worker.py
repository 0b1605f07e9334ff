"""The neighbour cards rendered beside the build: a process of their own, started as the build begins.

A build that has to render the cards (a first build, or one after the city's settings or a card's template
changed) would otherwise import WeasyPrint (seconds on a busy machine) and render every card before writing
a page. Started as soon as the translations are checked, the worker does that on the other core while the
build reads the content; the build waits for it only where the card page needs the cards' list
(`finish`). When the cache already holds the cards, no process is started at all.

The worker is `python -m helpt_site.card_worker CITY_FILE TRANSLATIONS CACHE`: it prints how many cards it
rendered. What would stop the build in the build's own process stops it here too: a card that WeasyPrint
reported an error or a warning for ends the worker with the message, which `finish` raises as RenderError.
WeasyPrint's notes that it fell back to a slower way (weasyprint_notes.py) are passed on to the build's
standard error.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from helpt.printing import RenderError
from helpt.settings import CitySettings, SettingsError
from helpt_site.cards import MANIFEST, cache_key
from helpt_site.weasyprint_notes import watch_weasyprint


@dataclass
class CardJob:
    """A worker rendering the cards into the cache."""

    process: subprocess.Popen[str]


def start(city: CitySettings, translations_dir: Path, cache_dir: Path) -> CardJob | None:
    """Start rendering the cards into `cache_dir` unless it holds them already (then None)."""
    if (cache_dir / cache_key(city, translations_dir) / MANIFEST).is_file():
        return None
    command = [sys.executable, "-m", "helpt_site.card_worker", str(city.source), str(translations_dir), str(cache_dir)]
    return CardJob(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))


def finish(job: CardJob) -> int:
    """Wait for the worker; return how many cards it rendered, or raise RenderError with what went wrong."""
    out, err = job.process.communicate()
    if job.process.returncode != 0:
        raise RenderError(err.strip() or f"the card worker stopped (exit status {job.process.returncode})")
    if err:
        sys.stderr.write(err)  # the fallback notes
    return int(out.strip() or 0)


def _as_error(record: logging.LogRecord) -> bool:
    """A WeasyPrint warning as an error, which stops the render (helpt.printing) before the cache is filled:
    in the build's own process Pelican stops the build on it."""
    if record.levelno >= logging.WARNING:
        record.levelno, record.levelname = max(record.levelno, logging.ERROR), "ERROR"
    return True


def strict_weasyprint() -> None:
    """In this process, WeasyPrint's warnings stop a render, as they stop the build in the build's process;
    its fallback notes are notes here too."""
    watch_weasyprint()  # first: a fallback note never reaches the next filter
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).addFilter(_as_error)


def main(argv: list[str]) -> int:
    from helpt.i18n import load_catalogs
    from helpt.settings import load_city
    from helpt_site.cards import render_into_cache

    city_file, translations, cache = (Path(argument) for argument in argv)
    strict_weasyprint()
    try:
        city = load_city(city_file)
        rendered = render_into_cache(city, load_catalogs(translations, city.languages), translations, cache)
    except (RenderError, SettingsError) as error:
        print(error, file=sys.stderr)
        return 2
    print(rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
