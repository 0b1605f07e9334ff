"""Checks on the content that every build runs: each failure names the file and what to do.

A city's editors are not developers: the build stops with a list of everything that is wrong (a page
missing in a language, metadata left out, an unknown placeholder) instead of publishing half a site.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from helpt.settings import CitySettings
from helpt_site.site_pages import (
    PAGE_METADATA,
    REQUIRED_KEYS,
    SECTIONS,
    VACANCY_METADATA,
    Page,
    is_vacancy,
    vacancy_expiry,
)


class ContentError(Exception):
    """The content has problems; the message lists them, one per line."""

    def __init__(self, problems: list[str], where: str = "the content") -> None:
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"The build stopped: {len(problems)} problem(s) in {where}:\n{listing}")


def content_problems(pages: Iterable[Page], city: CitySettings) -> list[str]:
    """Everything wrong with the site's pages, as sentences an editor can act on."""
    problems: list[str] = []
    groups: dict[str, dict[str, Page]] = {}
    for page in pages:
        where = _where(page, city)
        problems.extend(f"{where}: {problem}" for problem in getattr(page, "helpt_problems", ()))
        if getattr(page, "section", None) not in SECTIONS:
            problems.append(f"{where}: put it in content/pages/ or content/vacancies/")
        if page.lang not in city.languages:
            problems.append(
                f"{where}: language {page.lang!r} is not one of the site's languages "
                f"({', '.join(city.languages)}, from the city settings)"
            )
        required = PAGE_METADATA + (VACANCY_METADATA if is_vacancy(page) else ())
        missing = [name for name in required if not str(page.metadata.get(name, "")).strip()]
        if missing:
            names = ", ".join(name.capitalize() for name in missing)
            problems.append(f"{where}: add the metadata line(s) {names} at the top of the file")
        if is_vacancy(page) and "expires" not in missing and vacancy_expiry(page) is None:
            problems.append(f"{where}: Expires must be a date like 2027-06-30, not {page.expires!r}")
        versions = groups.setdefault(page.key, {})
        if page.lang in versions:
            problems.append(f"{where}: {_where(versions[page.lang], city)} has the same key and language")
        versions[page.lang] = page

    for key, versions in sorted(groups.items()):
        problems.extend(_translation_problems(key, versions, city))
    for key in (*REQUIRED_KEYS, *city.menu):
        if key not in groups:
            problems.append(
                f"content/pages/{key}.<language>.md is missing: the site needs a page with key {key!r}"
                + (" (it is in the menu of the city settings)" if key in city.menu else "")
            )
    return problems


def _translation_problems(key: str, versions: dict[str, Page], city: CitySettings) -> list[str]:
    problems = []
    some_version = next(iter(versions.values()))
    folder = Path(some_version.source_path).parent
    for lang in city.languages:
        if lang not in versions:
            missing = _relative(folder / f"{key}.{lang}.md", city)
            present = ", ".join(_where(page, city) for page in versions.values())
            problems.append(f"{missing} is missing: every page needs a version in each language ({present})")
    expiries = {vacancy_expiry(page) for page in versions.values() if is_vacancy(page)}
    if len(expiries) > 1:
        problems.append(f"vacancy {key!r}: Expires differs between its languages; give them the same date")
    return problems


def _where(page: Page, city: CitySettings) -> str:
    return _relative(Path(page.source_path), city)


def _relative(path: Path, city: CitySettings) -> str:
    try:
        return str(Path(city.content_dir.name) / path.relative_to(city.content_dir))
    except ValueError:
        return str(path)
