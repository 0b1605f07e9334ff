"""Benchmarks of the site build, printed as ratios against a baseline measured in the same run.

Baseline: stock Pelican (no plugins, its default theme) building the same Markdown. The ratio is what the
kit's own work costs on top (translations, placeholders, content checks, link checks), process start
included, as an editor waits for it. Also prints the page weights of the published build.

Run: make bench   (or .venv/bin/python benchmarks/site_build.py [--runs N])
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BASELINE_SETTINGS = r"""
PATH = {content!r}
PAGE_PATHS = ["pages", "vacancies"]
ARTICLE_PATHS = []
STATIC_PATHS = ["images"]
DEFAULT_LANG = "nl"
FILENAME_METADATA = r"(?P<key>[a-z0-9-]+)\.(?P<lang>[a-z]{{2,3}})"
TIMEZONE = "Europe/Brussels"
PLUGINS = []
THEME = {theme!r}
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
"""


def timed_build(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        baseline_conf = scratch_dir / "baselineconf.py"
        # Pelican's own theme, plus the template names the content asks for that it lacks.
        theme = scratch_dir / "theme"
        (theme / "templates").mkdir(parents=True)
        for name in {line.split(":", 1)[1].strip() for md in (ROOT / "content").rglob("*.md")
                     for line in md.read_text().splitlines() if line.startswith("Template:")}:  # fmt: skip
            (theme / "templates" / f"{name}.html").write_text('{% extends "!simple/page.html" %}')
        baseline_conf.write_text(BASELINE_SETTINGS.format(content=str(ROOT / "content"), theme=str(theme)))
        baseline = timed_build(
            [
                sys.executable,
                "-m",
                "pelican",
                "-q",
                "-s",
                str(baseline_conf),
                "-o",
                str(scratch_dir / "base"),
            ],
            runs,
        )
        helpt = timed_build(
            [
                sys.executable,
                "-m",
                "helpt_site.pelican_run",
                str(ROOT / "pelicanconf.py"),
                str(scratch_dir / "dev"),
            ],
            runs,
        )
        published = scratch_dir / "published"
        subprocess.run(
            [sys.executable, "-m", "helpt_site.pelican_run", str(ROOT / "publishconf.py"), str(published)],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        pages = sorted(published.rglob("*.html"))
        gzipped = [len(gzip.compress(page.read_bytes(), 9)) for page in pages]
        stylesheet = (published / "theme" / "css" / "site.css").stat().st_size
        shutil.rmtree(scratch_dir / "base", ignore_errors=True)

    base_median, helpt_median = statistics.median(baseline), statistics.median(helpt)
    print(f"site build, median of {runs} runs (process start included)")
    print(f"  stock Pelican, same content (baseline): {base_median * 1000:7.0f} ms")
    print(f"  Helpt build with all checks:            {helpt_median * 1000:7.0f} ms")
    print(f"  ratio Helpt / baseline:                 {helpt_median / base_median:7.2f}")
    print(f"page weight of the published build ({len(pages)} pages)")
    median_kb, largest_kb = statistics.median(gzipped) / 1024, max(gzipped) / 1024
    print(f"  HTML gzipped: median {median_kb:.1f} KB, largest {largest_kb:.1f} KB (budget 14 KB)")
    print(f"  stylesheet: {stylesheet / 1024:.1f} KB uncompressed (budget: page and all it loads <= 50 KB)")


if __name__ == "__main__":
    main()
