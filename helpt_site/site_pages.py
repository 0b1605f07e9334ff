"""What the build knows about the site's pages: keys, languages, home URLs, alternates, menus, vacancies.

A page is identified across languages by its key, the file name without language (`card.nl.md` and
`card.en.md` share the key `card`). Pelican pairs translations by that key (PAGE_TRANSLATION_ID).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from helpt.i18n import language_name
from helpt.settings import CitySettings
from helpt.verification import CHECK_KEY, check_slug

HOME_KEY = "home"
NOT_FOUND_KEY = "not-found"
# What CloudFront shows for the errors of the edge itself (API Gateway's 500, its own 502 and 504): a page of
# the site with the phone line, at a fixed address (template.yaml's CustomErrorResponses).
UNAVAILABLE_KEY = "unavailable"
# Pages whose address is fixed rather than made from their title; other languages get a /<lang>/ prefix.
FIXED_PLACES = {HOME_KEY: "", NOT_FOUND_KEY: "404.html", UNAVAILABLE_KEY: "unavailable.html"}
REQUIRED_KEYS = (HOME_KEY, NOT_FOUND_KEY, UNAVAILABLE_KEY, "contact", "privacy", "accessibility")
VACANCY_SECTION = "vacancies"
VACANCY_INDEX_TEMPLATE = "vacancies"
SECTIONS = ("pages", VACANCY_SECTION)
PAGE_METADATA = ("title", "summary")
# `Organisation-id` links the vacancy's responses to the organisation's back office account; `Contact` is who
# at the organisation reads them, as the page names them to volunteers.
VACANCY_METADATA = ("organisation", "organisation-id", "contact", "location", "schedule", "skills", "expires")
ORGANISATION_ID_KEY = "organisation-id"

Page = Any  # a pelican.contents.Page; typed loosely so the logic can be exercised without Pelican


@dataclass(frozen=True)
class Alternate:
    """One language version of a page, as `<link rel="alternate">` and the language switcher list it."""

    hreflang: str
    href: str
    name: str


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    href: str


def is_vacancy(page: Page) -> bool:
    return getattr(page, "section", None) == VACANCY_SECTION


def fixed_place(key: str, lang: str, default_lang: str) -> tuple[str, str] | None:
    """URL and output file of a page with a fixed address, or None for pages addressed by title.

    >>> fixed_place("home", "nl", "nl"), fixed_place("home", "en", "nl")
    (('', 'index.html'), ('en/', 'en/index.html'))
    >>> fixed_place("not-found", "en", "nl"), fixed_place("contact", "en", "nl")
    (('en/404.html', 'en/404.html'), None)
    >>> fixed_place("check", "nl", "nl"), fixed_place("check", "en", "nl")
    (('controle/', 'controle/index.html'), ('en/check/', 'en/check/index.html'))
    """
    if key == CHECK_KEY:
        url = ("" if lang == default_lang else f"{lang}/") + check_slug(lang) + "/"
        return url, url + "index.html"
    if key not in FIXED_PLACES:
        return None
    url = ("" if lang == default_lang else f"{lang}/") + FIXED_PLACES[key]
    return url, url + "index.html" if url == "" or url.endswith("/") else url


def organisation_id(page: Page) -> str:
    """A vacancy's `Organisation-id` as written (a metadata name with a hyphen is no attribute name)."""
    return str(page.metadata.get(ORGANISATION_ID_KEY, "")).strip()


def vacancy_expiry(page: Page) -> dt.date | None:
    """The last day a vacancy is shown, or None when its `Expires` is missing or not a date."""
    try:
        return dt.date.fromisoformat(str(getattr(page, "expires", "")).strip())
    except ValueError:
        return None


def is_expired(page: Page, today: dt.date) -> bool:
    expiry = vacancy_expiry(page)
    return is_vacancy(page) and expiry is not None and expiry < today


def group_by_key(pages: Iterable[Page]) -> dict[str, dict[str, Page]]:
    groups: dict[str, dict[str, Page]] = defaultdict(dict)
    for page in pages:
        groups[page.key][page.lang] = page
    return groups


def page_href(page: Page, siteurl: str) -> str:
    return f"{siteurl}/{page.url}"


def attach_alternates(groups: dict[str, dict[str, Page]], city: CitySettings, siteurl: str) -> None:
    """Give every page the list of its language versions, itself included, then `x-default`."""
    for versions in groups.values():
        alternates = [
            Alternate(lang, page_href(versions[lang], siteurl), language_name(lang))
            for lang in city.languages
            if lang in versions
        ]
        default = versions.get(city.default_language)
        if default is not None:
            alternates.append(Alternate("x-default", page_href(default, siteurl), ""))
        for page in versions.values():
            page.alternates = alternates


class _StoppingBuildUrls(dict):
    """The page URLs of a build that will stop on its content's problems: a missing page's URL is "#", so the
    templates can still be written and the build goes on to find the links' problems too. Never published."""

    def __missing__(self, key: str) -> str:
        return "#"


def page_urls(
    groups: dict[str, dict[str, Page]], city: CitySettings, siteurl: str, *, stopping: bool = False
) -> dict[str, dict[str, str]]:
    """For each language, each page key's URL: what templates use to link to a page by key.

    `stopping`: the build has found problems and will stop; missing pages get "#" rather than crash a template.

    >>> page_urls({}, type("City", (), {"languages": ("nl",)}), "", stopping=True)["nl"]["contact"]
    '#'
    """
    kind = _StoppingBuildUrls if stopping else dict
    return {
        lang: kind({key: page_href(versions[lang], siteurl) for key, versions in groups.items() if lang in versions})
        for lang in city.languages
    }


def menus(groups: dict[str, dict[str, Page]], city: CitySettings, siteurl: str) -> dict[str, list[MenuItem]]:
    """The curated menu of each language, from the settings' list of page keys."""
    return {
        lang: [
            MenuItem(key, _menu_label(groups[key][lang]), page_href(groups[key][lang], siteurl))
            for key in city.menu
            if lang in groups.get(key, {})
        ]
        for lang in city.languages
    }


def _menu_label(page: Page) -> str:
    return getattr(page, "menu_label", None) or page.title


def vacancy_index(groups: dict[str, dict[str, Page]], city: CitySettings, siteurl: str) -> dict[str, str]:
    """For each language, the URL of the page that lists the vacancies (`Template: vacancies`), or ""."""
    index = {lang: "" for lang in city.languages}
    for versions in groups.values():
        for lang, page in versions.items():
            if getattr(page, "template", "") == VACANCY_INDEX_TEMPLATE and lang in index:
                index[lang] = page_href(page, siteurl)
    return index


def vacancies_by_language(pages: Iterable[Page], city: CitySettings) -> dict[str, list[Page]]:
    """The vacancies shown in each language, the soonest to close first."""
    listing: dict[str, list[Page]] = {lang: [] for lang in city.languages}
    for page in pages:
        if is_vacancy(page) and page.lang in listing:
            listing[page.lang].append(page)
    for pages_in_lang in listing.values():
        pages_in_lang.sort(key=lambda page: (vacancy_expiry(page) or dt.date.max, page.title))
    return listing
