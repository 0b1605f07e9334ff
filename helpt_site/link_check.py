"""Checks on the written site: every internal link and anchor resolves, nothing loads from elsewhere.

Runs after Pelican has written the output, so it sees exactly what a visitor gets, including links that
templates build and links editors typed by hand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

# Attributes through which a page makes the browser fetch something (as opposed to links it may follow).
_RESOURCE_ATTRIBUTES = {
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("track", "src"),
}
_LINK_ATTRIBUTES = {("a", "href"), ("area", "href"), ("form", "action")}
_NOT_FETCHED = ("mailto:", "tel:", "data:", "sms:")
# Links Pelican left as written because it could not find their file: it logged them, and the build reports
# them from there with the file and line that hold them (content_checks.unresolved_link_problems).
_UNRESOLVED = ("{filename}", "{static}", "{attach}")
_PELICAN_UNABLE = "Unable to find '%s', skipping url replacement."  # pelican/contents.py, Pelican 4.x


@dataclass(frozen=True)
class LinkProblem:
    """One link of the written site that does not work: on which page (under the output folder), and why."""

    page: str
    tag: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"{self.page}: <{self.tag}> {self.url!r} {self.problem}"


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, bool]] = []  # (tag, url, is_resource)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        # <link rel="alternate"> points to another language version: a link to follow, not a load.
        is_alternate = tag == "link" and "alternate" in (values.get("rel") or "").split()
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in _RESOURCE_ATTRIBUTES:
                self.links.append((tag, value, not is_alternate))
            elif (tag, name) in _LINK_ATTRIBUTES:
                self.links.append((tag, value, False))


def _parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def link_problems(output_dir: Path, siteurl: str, dynamic: str = "") -> list[LinkProblem]:
    """Broken internal links, missing anchors and third-party resources in every page of the output.

    Links under `dynamic` (where the forms post) are answered by the form handler, not by a file."""
    problems: list[LinkProblem] = []
    parsed: dict[Path, _PageParser] = {}
    pages = sorted(output_dir.rglob("*.html"))
    for page in pages:
        parsed[page] = _parse(page)
    site_origin = urlsplit(siteurl).netloc if siteurl.startswith("http") else ""
    for page in pages:
        page_url = "/" + page.relative_to(output_dir).as_posix()
        for tag, url, is_resource in parsed[page].links:
            if (dynamic and url.startswith(dynamic + "/")) or url.startswith(_UNRESOLVED):
                continue
            problem = _check(url, page_url, output_dir, site_origin, is_resource, parsed)
            if problem:
                problems.append(LinkProblem(page.relative_to(output_dir).as_posix(), tag, url, problem))
    return problems


def _check(
    url: str,
    page_url: str,
    output_dir: Path,
    site_origin: str,
    is_resource: bool,
    parsed: dict[Path, _PageParser],
) -> str | None:
    if url.startswith(_NOT_FETCHED):
        return None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") or url.startswith("//"):
        if parts.netloc != site_origin:
            return "loads from another site: self-host it" if is_resource else None
    elif parts.scheme:
        return None
    target_path = unquote(urlsplit(urljoin(page_url, url)).path)
    target = output_dir / target_path.lstrip("/")
    if target_path.endswith("/") or target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "points to a page or file that does not exist"
    if parts.fragment and target in parsed and parts.fragment not in parsed[target].ids:
        return f"points to #{parts.fragment}, which is not on that page"
    return None


class UnresolvedLinks(logging.Filter):
    """Collects Pelican's "Unable to find 'x'" warnings instead of letting the first one stop the build.

    Pelican names only the link, not the file that holds it; the build looks that up (with the line) and
    reports these with every other problem. Put on the `pelican.contents` logger."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != _PELICAN_UNABLE or not record.args:
            return True
        self.values.append(str(record.args[0]))
        return False  # filtered out: Pelican's FatalLogger stops the build only on records that pass

    @classmethod
    def install(cls) -> UnresolvedLinks:
        logger = logging.getLogger("pelican.contents")
        logger.filters[:] = [existing for existing in logger.filters if not isinstance(existing, cls)]
        watcher = cls()
        # First in line: Pelican's de-duplicating filter rewrites the message after five of them.
        logger.filters.insert(0, watcher)
        return watcher
