"""Shared fixtures: real sites built with Pelican into temporary folders, and helpers to read them."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpt.settings import CitySettings, load_city
from helpt_site.build import PROJECT_DIR, BuildError, build_site

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEUVEN = PROJECT_DIR / "city.toml"
OTHER_CITY = FIXTURES / "othercity" / "city.toml"


@dataclass
class BuiltSite:
    """A site Pelican wrote, with the settings it was built from."""

    root: Path
    city: CitySettings
    siteurl: str
    _soups: dict[Path, BeautifulSoup] = field(default_factory=dict)

    def pages(self) -> list[Path]:
        return sorted(self.root.rglob("*.html"))

    def soup(self, page: Path) -> BeautifulSoup:
        if page not in self._soups:
            self._soups[page] = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        return self._soups[page]

    def url_path(self, page: Path) -> str:
        """The root-relative URL a page is served at, e.g. `/en/contact/`."""
        relative = page.relative_to(self.root).as_posix()
        return "/" + relative.removesuffix("index.html")

    def page_at(self, href: str) -> Path:
        path = href.removeprefix(self.siteurl)
        return self.root / path.lstrip("/") / "index.html" if path.endswith("/") else self.root / path.lstrip("/")

    def expected_lang(self, page: Path) -> str:
        first = page.relative_to(self.root).parts[0]
        return first if first in self.city.languages else self.city.default_language


def build(tmp: Path, city_file: Path, *, publish: bool = False, project_dir: Path = PROJECT_DIR) -> BuiltSite:
    output = tmp / "output"
    with pytest.MonkeyPatch.context() as patch:
        if not os.environ.get("HELPT_SQLITE_PATH"):
            # A preview build makes the public figures from the local store: never from a developer's own data.
            patch.setenv("HELPT_SQLITE_PATH", str(tmp / "no-store.sqlite3"))
        build_site(output, publish=publish, city_file=city_file, project_dir=project_dir)
    city = load_city(city_file)
    return BuiltSite(output, city, city.site_url if publish else "")


def build_failure(tmp: Path, city_file: Path, capfd: pytest.CaptureFixture, **kwargs: object) -> str:
    """Build a site that must not build; return what the build printed."""
    capfd.readouterr()
    with pytest.raises(BuildError):
        build(tmp, city_file, **kwargs)
    captured = capfd.readouterr()
    assert not (tmp / "output").exists(), "a failed build must not leave an output folder"
    return captured.out + captured.err


def copy_city(source: Path, destination: Path) -> Path:
    """Copy a city's settings and content to edit them in a test; return the new settings file."""
    shutil.copytree(source.parent, destination, dirs_exist_ok=True)
    return destination / source.name


def copy_project(destination: Path) -> Path:
    """Copy the build settings and the theme (not the packages) to edit the theme in a test."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy2(PROJECT_DIR / name, destination / name)
    shutil.copytree(PROJECT_DIR / "theme", destination / "theme", ignore=shutil.ignore_patterns("*.mo"))
    return destination


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, one for the whole run (skipped, or failed in CI, without it)."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def leuven_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build(tmp_path_factory.mktemp("leuven"), LEUVEN)


@pytest.fixture(scope="session")
def leuven_published(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build(tmp_path_factory.mktemp("leuven-published"), LEUVEN, publish=True)


@pytest.fixture(scope="session")
def other_city_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build(tmp_path_factory.mktemp("othercity"), OTHER_CITY, publish=True)
