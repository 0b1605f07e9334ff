"""Checks on the content that every build runs: each failure names the file and what to do.

A city's editors are not developers: the build stops with a list of everything that is wrong (a page
missing in a language, metadata left out, an unknown placeholder) instead of publishing half a site.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from helpt.settings import CitySettings
from helpt.staff.vacancies import ORGANISATION_ID_EXAMPLE, is_organisation_id
from helpt_site.link_check import LinkProblem
from helpt_site.site_pages import (
    ORGANISATION_ID_KEY,
    PAGE_METADATA,
    REQUIRED_KEYS,
    SECTIONS,
    VACANCY_METADATA,
    Page,
    is_vacancy,
    organisation_id,
    vacancy_expiry,
)

PROBLEMS = "HELPT_PROBLEMS"  # in Pelican's settings: the problems found so far, reported together at the end
_INTRASITE = ("{filename}", "{static}", "{attach}")
_H1 = re.compile(r"<h1[\s>]", re.IGNORECASE)
_ORGANISATION_ID_LINE = "(?i)^Organisation-id:"
_TAG_WORDS = {"a": "the link", "area": "the link", "img": "the picture", "source": "the picture", "form": "the form"}


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
        for pattern, problem in getattr(page, "helpt_problems", ()):
            problems.append(f"{_at(page, city, pattern)}: {problem}")
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
            problems.append(
                f"{_at(page, city, '^Expires:')}: Expires must be a date like 2027-06-30, not {page.expires!r}"
            )
        if is_vacancy(page) and ORGANISATION_ID_KEY not in missing and not is_organisation_id(organisation_id(page)):
            problems.append(
                f"{_at(page, city, _ORGANISATION_ID_LINE)}: Organisation-id must be short, in lower case letters, "
                f"digits and hyphens, like {ORGANISATION_ID_EXAMPLE}, not {organisation_id(page)!r}"
            )
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


def record_problems(settings: dict[str, Any], problems: Iterable[str]) -> None:
    """Keep problems in the build's settings, to be reported in one list with those found later."""
    settings.setdefault(PROBLEMS, []).extend(problems)


def recorded_problems(settings: Mapping[str, Any]) -> list[str]:
    """The problems recorded so far, by file and line (problems of one file together)."""
    return sorted(dict.fromkeys(settings.get(PROBLEMS, [])), key=_by_place)


def _by_place(problem: str) -> tuple[str, int, str]:
    match = re.match(r"([^:\s]+)(?::(\d+))?", problem)
    return (match.group(1), int(match.group(2) or 0), problem) if match else (problem, 0, problem)


def heading_problems(page: Page, city: CitySettings) -> list[str]:
    """A `# heading` in the text: the page's title is already its one main heading (<h1>)."""
    count = len(_H1.findall(getattr(page, "_content", "") or ""))
    if not count:
        return []
    where = _where(page, city)
    lines = main_heading_lines(Path(page.source_path).read_text(encoding="utf-8"))
    if not lines:
        return [f"{where}: the text has {count} main heading(s) (<h1>), but a page has one, its Title: use <h2>"]
    return [
        f"{where}:{number}: {text!r} is a main heading (#), but a page has one, its Title: start the line with ##"
        for number, text in lines
    ]


def main_heading_lines(markdown: str) -> list[tuple[int, str]]:
    """Line number and text of each level-1 heading in a Markdown file, metadata and code blocks left out.

    >>> main_heading_lines("Title: T\\n\\n# One\\n## Two\\n```\\n# code\\n```\\nThree\\n===\\n<h1>Four</h1>")
    [(3, 'One'), (8, 'Three'), (10, '<h1>Four</h1>')]
    """
    lines = markdown.splitlines()
    number = _body_start(lines)
    found: list[tuple[int, str]] = []
    fence = ""
    for index in range(number, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
            continue
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif re.match(r"#(?!#)", line):
            found.append((index + 1, line.strip("# \t")))
        elif re.fullmatch(r"=+\s*", line) and index > number and lines[index - 1].strip():
            found.append((index, lines[index - 1].strip()))
        elif _H1.search(line):
            found.append((index + 1, stripped))
    return found


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the metadata (`Key: value` lines up to the first empty line)."""
    for index, line in enumerate(lines):
        if not line.strip():
            return index + 1
        if not (re.match(r"[A-Za-z][\w-]*:", line) or (index and line[:1] in " \t")):
            return index
    return len(lines)


def unresolved_link_problems(values: Iterable[str], sources: Iterable[Path], city: CitySettings) -> list[str]:
    """Where each `{filename}`/`{static}` link that Pelican could not find is written, and what it looked for."""
    problems = []
    texts = {source: source.read_text(encoding="utf-8").splitlines() for source in dict.fromkeys(sources)}
    for value in dict.fromkeys(values):
        path = value.split("#")[0].split("?")[0]
        places = [
            (source, number, marker)
            for source, lines in texts.items()
            for number, line in enumerate(lines, 1)
            for marker in _INTRASITE
            if marker + value in line
        ]
        for source, number, marker in places:
            target = city.content_dir / path.lstrip("/") if path.startswith("/") else source.parent / path
            problems.append(
                f"{_relative(source, city)}:{number}: the link {marker}{value} points to a file that does not "
                f"exist: there is no {_relative(target.resolve(), city)}"
            )
        if not places:
            problems.append(f"a {{filename}} or {{static}} link to {value!r} points to a file that does not exist")
    return problems


def located_link_problem(
    problem: LinkProblem, sources: Mapping[str, Path], city: CitySettings, *, typed_only: bool = False
) -> str | None:
    """A problem with a link of the written site, named by the content file and line where the link is typed.

    Looked for in the page's own file first, then in the others (a vacancy's summary, link included, is also
    shown on the vacancies page). `typed_only` leaves out links that templates made (with a page missing, the
    footers' links to it point nowhere)."""
    what = _TAG_WORDS.get(problem.tag, f"<{problem.tag}>")
    own = sources.get(problem.page)
    for source in dict.fromkeys([*([own] if own else []), *sources.values()]):
        number = _link_line(source, problem.url)
        if number is not None:
            return f"{_relative(source, city)}:{number}: {what} {problem.url!r} {problem.problem}"
    if typed_only:
        return None
    if own is None:
        return str(problem)
    where = f"{problem.page} (the page of {_relative(own, city)}; a template made the link)"
    return f"{where}: {what} {problem.url!r} {problem.problem}"


_LINK_DELIMITERS = (("(", ")"), ("(", " "), ("<", ">"), ('"', '"'), ("'", "'"))


def _link_line(source: Path, url: str) -> int | None:
    """The line of a Markdown file where `url` is written as a link: `](url)`, `<url>`, `]: url` or an attribute."""
    spellings = {url, url.replace("&", "&amp;")}
    written = [left + spelled + right for spelled in spellings for left, right in _LINK_DELIMITERS]
    reference = re.compile(r"\s*\[[^\]]+\]:\s*(" + "|".join(map(re.escape, spellings)) + r")(\s|$)")
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if any(form in line for form in written) or reference.match(line):
            return number
    return None


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
        places = ", ".join(_at(page, city, "^Expires:") for page in versions.values())
        problems.append(f"{places}: Expires differs between the languages of vacancy {key!r}; give them the same date")
    # The responses to every language version go to one account: the versions must name the same organisation.
    organisations = {organisation_id(page) for page in versions.values() if is_vacancy(page)} - {""}
    if len(organisations) > 1:
        places = ", ".join(_at(page, city, _ORGANISATION_ID_LINE) for page in versions.values())
        problems.append(
            f"{places}: Organisation-id differs between the languages of vacancy {key!r}; give them the same id"
        )
    return problems


def find_line(source: Path, pattern: str) -> int | None:
    """The number of the first line of a file that matches a regular expression, or None."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((number for number, line in enumerate(lines, 1) if re.search(pattern, line)), None)


def _at(page: Page, city: CitySettings, pattern: str | None) -> str:
    """A page's file, and the line that matches `pattern` when there is one: `content/pages/x.nl.md:12`."""
    line = find_line(Path(page.source_path), pattern) if pattern else None
    return _where(page, city) + (f":{line}" if line else "")


def _where(page: Page, city: CitySettings) -> str:
    return _relative(Path(page.source_path), city)


def _relative(path: Path, city: CitySettings) -> str:
    try:
        return str(Path(city.content_dir.name) / path.relative_to(city.content_dir))
    except ValueError:
        return str(path)
