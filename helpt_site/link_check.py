"""Checks on the written site: every internal link and anchor resolves, nothing loads from elsewhere.

Runs after Pelican has written the output, so it sees exactly what a visitor gets, including links that
templates build and links editors typed by hand. The output's files are listed once, each page scanned once
(`scan`), and each link checked once however many pages carry it (the menu, the footer): the check stays a
small part of the build, linear in its pages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import unescape
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


@dataclass
class Page:
    """What the link check needs of one written page: the ids in it and its links (tag, url, is_resource)."""

    ids: set[str]
    links: list[tuple[str, str, bool]]


# A page's tags and their attributes, as an HTML parser reads them (tests/test_site_links.py holds the scan to
# html.parser's on every page of the site). A parser in Python took a third of a 1,800-page build; these
# expressions run in C. Comments and the text of <script> and <style> are not markup: they are left out first.
_NOT_MARKUP = re.compile(r"<!--.*?-->|(<(script|style)\b[^>]*>).*?(</\2\s*>)", re.S | re.I)
_TAG = re.compile(r"""<([a-zA-Z][^\s/>]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_WATCHED_TAGS = {tag for tag, _name in _RESOURCE_ATTRIBUTES | _LINK_ATTRIBUTES}
_ABSOLUTE = ("/", "http:", "https:", *_NOT_FETCHED)


def scan(html: str) -> Page:
    """The ids and links of a page of HTML."""
    page = Page(set(), [])
    for tag, attributes in _TAG.findall(_NOT_MARKUP.sub(_kept_tags, html)):
        tag = tag.lower()
        if not attributes or (tag not in _WATCHED_TAGS and "id" not in attributes.lower()):
            continue
        values = []
        for found in _ATTRIBUTE.finditer(attributes):
            name, quoted, single, bare = found.groups()
            raw = quoted if quoted is not None else single if single is not None else bare
            values.append((name.lower(), None if raw is None else unescape(raw)))  # None: no value at all
        _collect(page, tag, values)
    return page


def _kept_tags(match: re.Match[str]) -> str:
    # A comment goes; a <script> or <style> keeps its tags (a script's src is a load) without its text.
    return "" if match.group(1) is None else match.group(1) + match.group(3)


def _collect(page: Page, tag: str, attributes: list[tuple[str, str | None]]) -> None:
    values = dict(attributes)  # a repeated attribute (invalid HTML): the last one, as the check always read it
    if values.get("id"):
        page.ids.add(values["id"] or "")
    # <link rel="alternate"> points to another language version: a link to follow, not a load.
    is_alternate = tag == "link" and "alternate" in (values.get("rel") or "").split()
    for name, value in attributes:
        if value is None:
            continue
        if (tag, name) in _RESOURCE_ATTRIBUTES:
            page.links.append((tag, value, not is_alternate))
        elif (tag, name) in _LINK_ATTRIBUTES:
            page.links.append((tag, value, False))


def link_problems(output_dir: Path, siteurl: str, dynamic: str = "") -> list[LinkProblem]:
    """Broken internal links, missing anchors and third-party resources in every page of the output.

    Links under `dynamic` (where the forms post) are answered by the form handler, not by a file."""
    problems: list[LinkProblem] = []
    files = {path.relative_to(output_dir).as_posix(): path.is_dir() for path in output_dir.rglob("*")}
    pages = sorted(name for name, is_dir in files.items() if not is_dir and name.endswith(".html"))
    scanned = {name: scan((output_dir / name).read_text(encoding="utf-8")) for name in pages}
    site_origin = urlsplit(siteurl).netloc if siteurl.startswith("http") else ""
    checked: dict[tuple[str, bool], str | None] = {}  # the same menu links on every page: checked once
    for name in pages:
        page_url = "/" + name
        for tag, url, is_resource in scanned[name].links:
            if (dynamic and url.startswith(dynamic + "/")) or url.startswith(_UNRESOLVED):
                continue
            # Where a link leads depends on the page only when it is relative to it.
            key = (url if url.startswith(_ABSOLUTE) else f"{page_url}\0{url}", is_resource)
            if key not in checked:
                checked[key] = _check(url, page_url, files, site_origin, is_resource, scanned)
            if checked[key]:
                problems.append(LinkProblem(name, tag, url, checked[key] or ""))
    return problems


def _check(
    url: str,
    page_url: str,
    files: dict[str, bool],
    site_origin: str,
    is_resource: bool,
    scanned: dict[str, Page],
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
    target = target_path.lstrip("/")  # as `files` names it
    if target_path.endswith("/") or files.get(target) is True:  # a folder: its index.html
        target = f"{target.rstrip('/')}/index.html".lstrip("/")
    if files.get(target) is not False:  # neither there nor a file
        return "points to a page or file that does not exist"
    if parts.fragment and target in scanned and parts.fragment not in scanned[target].ids:
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
