"""Benchmarks of the neighbour cards, in pairs against baselines measured in the same run.

1. Each card once WeasyPrint is loaded, against a one-line A6 page with the same font, rendered the same
   way (the floor: what any PDF costs). Interleaved: the page, the card, the page, the card ... Target 2x.
   A verified volunteer's personal card too (A6 and the home sheet), measured the same way.
2. A first site build (an empty card cache: every card rendered, WeasyPrint's import included) against the
   same build with the card cache filled, interleaved, each in a fresh process as `make build` runs it.
   Target 1.3x.

Run: make bench   (or .venv/bin/python benchmarks/cards.py [--runs N] [--quick])
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "functions"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pairs import Figure, pair, report, timed  # noqa: E402 (benchmarks/ is not a package)

CARD_TARGET, FIRST_BUILD_TARGET = 2.0, 1.3
BASELINE = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Baseline</title>
<link rel="stylesheet" href="cards.css"><style>@page { size: A6; margin: 0 }</style></head>
<body><p>Hallo buur</p></body></html>"""


def renderer(html: str):  # type: ignore[no-untyped-def]
    from helpt.printing import PRINTABLES_DIR, render_pdf

    return timed(lambda: render_pdf(html, PRINTABLES_DIR, forms=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, help="interleaved rounds of each pair (default 15; quick 3)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--json", type=Path, help="also write the figures here (for run.py)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 15)
    from helpt.i18n import load_catalogs
    from helpt.settings import load_city
    from helpt_site.cards import HELP_KINDS, VARIANTS, card_environment

    started = time.perf_counter()
    import weasyprint  # noqa: F401 - timing the import itself

    print(f"WeasyPrint import: {(time.perf_counter() - started) * 1000:.0f} ms (paid once per build)")
    city = load_city(ROOT / "city.toml")
    catalogs = load_catalogs(ROOT / "theme" / "translations", city.languages)
    env = card_environment(city, catalogs)
    baseline = renderer(BASELINE)
    figures: list[Figure] = []
    for variant in VARIANTS:
        langs = city.languages if variant.bilingual else city.languages[:1]
        html = env.get_template(variant.template).render(
            langs=langs, lang=langs[0], title="Benchmark", city=city, help_kinds=HELP_KINDS,
            qr_code="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E", site_address="example",
        )  # fmt: skip
        figures.append(pair(f"card {variant.name} ({langs[0]}), WeasyPrint loaded", "one-line A6 page, same font",
                            baseline, renderer(html), runs, target=CARD_TARGET, warm_up=2))  # fmt: skip
        print(f"  {variant.name}: {figures[-1].helpt_seconds * 1000:.1f} ms, ratio {figures[-1].ratio:.2f}", flush=True)

    # A verified volunteer's personal card (helpt.personal_card): the same designs with a name in its own
    # script, the offered kinds and the check code. No target of its own; the figure is the time to make one.
    from helpt.personal_card import PersonalCard, render_personal_card

    lang = city.default_language
    card = PersonalCard("Zoë Wąsik-Quaix", ("groceries", "dog"), "KFM7XRT9AC",
                        f"{city.site_url}/controle/?code=KFM7XRT9AC", "www.leuvenhelpt.be/controle", lang)  # fmt: skip
    for design in ("card-a6", "sheet-a4"):
        work = timed(lambda design=design: render_personal_card(city, catalogs, card, design))
        figures.append(pair(f"personal card {design} ({lang}), WeasyPrint loaded", "one-line A6 page, same font",
                            baseline, work, runs, warm_up=2))  # fmt: skip
        print(f"  personal {design}: {figures[-1].helpt_seconds * 1000:.1f} ms", flush=True)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        full_cache = folder / "full-cache"
        build = [sys.executable, "-m", "helpt_site.pelican_run", str(ROOT / "pelicanconf.py")]

        def site_build(cache: Path, output: str) -> None:
            env = dict(os.environ, HELPT_CACHE_DIR=str(cache))
            subprocess.run([*build, str(folder / output)], cwd=ROOT, check=True, capture_output=True, env=env)

        site_build(full_cache, "warm")
        empties = iter(range(1_000))
        first = timed(lambda: site_build(folder / f"empty-{next(empties)}", "first"))
        cached = timed(lambda: site_build(full_cache, "cached"))
        rounds = 2 if args.quick else 5
        figures.append(pair("first site build, every card rendered", "the same build, card cache filled", cached,
                            first, rounds, target=FIRST_BUILD_TARGET))  # fmt: skip
    report(figures, args.json)


if __name__ == "__main__":
    main()
