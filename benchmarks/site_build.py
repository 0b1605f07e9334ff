"""Benchmarks of the site build, in pairs against stock Pelican building the same Markdown.

Baseline: stock Pelican with its default theme, no plugins and its menus off (the stock menu lists every
page on every page, which makes the build quadratic in pages: at 1,808 pages it is 4 times slower). The ratio
is what the kit's own work costs on top (translations, placeholders, content checks, link checks), process
start included, as an editor waits for it; the cards come from a filled cache (benchmarks/cards.py measures
them). Two sizes: Leuven's 28 pages, and 1,808 (the same site with 890 more vacancies, in both languages),
to see that the build stays linear. Also prints the page weights of the published build.

Run: make bench   (or .venv/bin/python benchmarks/site_build.py [--rounds N] [--quick])
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from pairs import Figure, pair, report, timed  # noqa: E402 (benchmarks/ is not a package)

TARGET = 1.1
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
DISPLAY_PAGES_ON_MENU = DISPLAY_CATEGORIES_ON_MENU = False
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
"""
VACANCY = (ROOT / "content" / "vacancies" / "food-parcels.{lang}.md").as_posix()


def larger_site(folder: Path, extra_vacancies: int) -> tuple[Path, Path]:
    """Leuven's content with this many more vacancies (each in both languages), and a city file reading it."""
    content = folder / "content"
    shutil.copytree(ROOT / "content", content)
    for lang in ("nl", "en"):
        source = Path(VACANCY.format(lang=lang)).read_text(encoding="utf-8")
        for number in range(extra_vacancies):
            title, rest = source.split("\n", 1)
            text = f"{title} {number + 1}\n{rest}"  # the title makes the slug: one page each
            (content / "vacancies" / f"extra-{number + 1}.{lang}.md").write_text(text, encoding="utf-8")
    city = folder / "city.toml"
    text = (ROOT / "city.toml").read_text(encoding="utf-8").replace('folder = "content"', f"folder = {str(content)!r}")
    city.write_text(text, encoding="utf-8")
    return content, city


def stock_pelican(folder: Path, content: Path) -> list[str]:
    # Pelican's own theme, plus the template names the content asks for that it lacks.
    theme = folder / "theme"
    (theme / "templates").mkdir(parents=True, exist_ok=True)
    for name in {line.split(":", 1)[1].strip() for md in content.rglob("*.md")
                 for line in md.read_text().splitlines() if line.startswith("Template:")}:  # fmt: skip
        (theme / "templates" / f"{name}.html").write_text('{% extends "!simple/page.html" %}')
    settings = folder / "baselineconf.py"
    settings.write_text(BASELINE_SETTINGS.format(content=str(content), theme=str(theme)))
    return [sys.executable, "-m", "pelican", "-q", "-s", str(settings), "-o", str(folder / "base")]


def runner(command: list[str], env: dict[str, str]):  # type: ignore[no-untyped-def]
    return timed(lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, help="interleaved rounds of each pair (default 9; quick 2)")
    parser.add_argument("--quick", action="store_true", help="fewer rounds, and 148 pages instead of 1,808")
    parser.add_argument("--json", type=Path, help="also write the figures here (for run.py)")
    args = parser.parse_args()
    rounds = args.rounds or (2 if args.quick else 9)
    extra = 60 if args.quick else 890  # 28 + 2 x 890 = 1,808 pages
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        env = dict(os.environ, HELPT_CACHE_DIR=str(folder / "cards-cache"))
        subprocess.run([sys.executable, "-m", "helpt_site.pelican_run", str(ROOT / "pelicanconf.py"),
                        str(folder / "warm")], cwd=ROOT, check=True, capture_output=True, env=env)  # fmt: skip
        sites = [("leuven", ROOT / "content", None), ("larger", *larger_site(folder / "larger", extra))]
        for name, content, city in sites:
            site_env = dict(env, **({"HELPT_CITY": str(city)} if city else {}))
            pages = sum(1 for _ in content.rglob("*.md"))
            baseline = runner(stock_pelican(folder / name, content), site_env)
            helpt = runner([sys.executable, "-m", "helpt_site.pelican_run", str(ROOT / "pelicanconf.py"),
                            str(folder / name / "dev")], site_env)  # fmt: skip
            figure = pair(f"site build, {pages:,} pages, all checks", "stock Pelican, menus off", baseline, helpt,
                          rounds, target=TARGET, warm_up=1)  # fmt: skip
            print(f"  {pages:,} pages: stock {figure.baseline_seconds:.2f} s, Helpt {figure.helpt_seconds:.2f} s, "
                  f"ratio {figure.ratio:.2f}", flush=True)  # fmt: skip
            figures.append(figure)
        published = folder / "published"
        subprocess.run(
            [sys.executable, "-m", "helpt_site.pelican_run", str(ROOT / "publishconf.py"), str(published)],
            cwd=ROOT, check=True, capture_output=True, env=env,
        )  # fmt: skip
        pages = sorted(published.rglob("*.html"))
        gzipped = [len(gzip.compress(page.read_bytes(), 9)) for page in pages]
        stylesheet = (published / "theme" / "css" / "site.css").stat().st_size
    small, large = figures
    per_page = [(figure.helpt_seconds / pages_of(figure)) for figure in figures]
    print(f"linear: {per_page[0] * 1000:.1f} ms a page at {pages_of(small)} pages, "
          f"{per_page[1] * 1000:.1f} ms at {pages_of(large):,} (process start included)")  # fmt: skip
    print(f"page weight of the published build ({len(pages)} pages)")
    median_kb, largest_kb = statistics.median(gzipped) / 1024, max(gzipped) / 1024
    print(f"  HTML gzipped: median {median_kb:.1f} KB, largest {largest_kb:.1f} KB (budget 14 KB)")
    print(f"  stylesheet: {stylesheet / 1024:.1f} KB uncompressed (budget: page and all it loads <= 50 KB)")
    report(figures, args.json)


def pages_of(figure: Figure) -> int:
    return int(figure.name.split(", ")[1].split()[0].replace(",", ""))


if __name__ == "__main__":
    main()
