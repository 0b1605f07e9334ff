"""Benchmarks of the neighbour cards, as ratios against a baseline measured in the same run.

1. Time per card once WeasyPrint is loaded (target: <= 20 ms for the A6 card), against the baseline of a
   one-line A6 PDF with the same font, rendered the same way.
2. All cards cold (a fresh process with an empty cache, WeasyPrint's import included) against the same
   with the cache filled (what a build costs when nothing the cards use has changed).

Run: make bench   (or .venv/bin/python benchmarks/cards.py)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALL_CARDS = """
import sys, time
from pathlib import Path
from helpt.settings import load_city
from helpt.i18n import load_catalogs
from helpt_site.cards import render_cards
started = time.perf_counter()
city = load_city()
translations = Path("theme/translations")
render_cards(city, load_catalogs(translations, city.languages), translations, Path(sys.argv[1]), Path(sys.argv[2]))
print(time.perf_counter() - started)
"""
BASELINE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Baseline</title>
<link rel="stylesheet" href="cards.css"><style>@page { size: A6; margin: 0 }</style></head>
<body><p>Hallo buur</p></body></html>"""


def per_render(html: str, runs: int) -> float:
    from helpt.printing import PRINTABLES_DIR, render_pdf

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render_pdf(html, PRINTABLES_DIR, forms=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    sys.path.insert(0, str(ROOT / "functions"))
    from helpt.i18n import load_catalogs
    from helpt.settings import load_city
    from helpt_site.cards import HELP_KINDS, VARIANTS, card_environment

    started = time.perf_counter()
    import weasyprint  # noqa: F401 - timing the import itself

    import_seconds = time.perf_counter() - started
    city = load_city(ROOT / "city.toml")
    catalogs = load_catalogs(ROOT / "theme" / "translations", city.languages)
    env = card_environment(city, catalogs)
    per_render(BASELINE, 3)  # warm up fonts and caches
    baseline = per_render(BASELINE, runs)
    print(f"WeasyPrint import: {import_seconds * 1000:.0f} ms (paid once per build)")
    print(f"time per card once WeasyPrint is loaded, median of {runs}")
    print(f"  one-line A6 page (baseline):      {baseline * 1000:6.1f} ms")
    for variant in VARIANTS:
        langs = city.languages if variant.bilingual else city.languages[:1]
        html = env.get_template(variant.template).render(
            langs=langs, lang=langs[0], title="Benchmark", city=city, help_kinds=HELP_KINDS,
            qr_code="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", site_address="example",
        )  # fmt: skip
        seconds = per_render(html, runs)
        print(f"  {variant.name:<16} ({langs[0]}):          {seconds * 1000:6.1f} ms   ratio {seconds / baseline:5.2f}")

    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        timings = []
        for output in ("cold", "cached"):
            result = subprocess.run(
                [sys.executable, "-c", ALL_CARDS, str(scratch_dir / output), str(scratch_dir / "cache")],
                cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
            timings.append(float(result.stdout.strip()))
        cards = len(list((scratch_dir / "cold" / "cards").glob("*.pdf")))
    cold, cached = timings
    print(f"all {cards} cards of the city, fresh process")
    print(f"  cold, empty cache (baseline):   {cold * 1000:7.0f} ms")
    print(f"  cache filled, nothing changed:  {cached * 1000:7.0f} ms   ratio {cached / cold:5.3f}")


if __name__ == "__main__":
    main()
