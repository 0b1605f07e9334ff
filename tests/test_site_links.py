"""The link check's scan of a page (helpt_site/link_check.py) reads it as an HTML parser does.

The scan uses regular expressions for speed; Python's html.parser is the reference. They must find the same
ids and the same links, in the same order, on every page of the built sites and on markup written to trip a
scanner up (comments, scripts, quotes holding `>`, entities, attributes without a value, upper case).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import BuiltSite

from helpt_site.link_check import _LINK_ATTRIBUTES, _RESOURCE_ATTRIBUTES, link_problems, scan


class ReferenceParser(HTMLParser):
    """What the link check read with html.parser before it scanned: the ids, and (tag, url, is_resource)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        is_alternate = tag == "link" and "alternate" in (values.get("rel") or "").split()
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in _RESOURCE_ATTRIBUTES:
                self.links.append((tag, value, not is_alternate))
            elif (tag, name) in _LINK_ATTRIBUTES:
                self.links.append((tag, value, False))


def parsed(html: str) -> tuple[set[str], list[tuple[str, str, bool]]]:
    parser = ReferenceParser()
    parser.feed(html)
    parser.close()
    return parser.ids, parser.links


TRICKY = """<!DOCTYPE html><html lang="nl"><head>
<link rel="stylesheet" href="/theme/css/site.css"><link rel="alternate" hreflang="en" href="/en/">
<script src="/x.js">if (a < b) { document.write('<a href="/in-a-script/">') }</script>
<style>a[href="/in-a-style/"] { color: red }</style></head>
<body id="top"><!-- <a href="/in-a-comment/"> -->
<A HREF="/Upper/" ID="Loud">x</A> <a href='/single/?a=1&amp;b=2' title="a > b">y</a>
<a href=/bare/ id=bare>z</a> <img src="data:image/png;base64,AAAA" alt=""> <input disabled id="">
<form action="/api/volunteer" method="post"><button id="send" formaction="/nowhere/">Send</button></form>
<a href="">empty</a><a href>no value</a><p id="first" id="second">two ids</p>
<object data="/file.pdf"></object><a href="#top">up</a><area href="/area/"><a href="/&eacute;t&eacute;/">é</a>
</body></html>"""


def test_the_scan_reads_tricky_markup_as_html_parser_does() -> None:
    page = scan(TRICKY)
    assert (page.ids, page.links) == parsed(TRICKY)
    assert ("a", "/in-a-script/", False) not in page.links and ("a", "/in-a-comment/", False) not in page.links


@pytest.mark.parametrize("site", ["leuven_site", "other_city_site"])
def test_the_scan_reads_every_built_page_as_html_parser_does(site: str, request: pytest.FixtureRequest) -> None:
    built: BuiltSite = request.getfixturevalue(site)
    for path in built.pages():
        html = path.read_text(encoding="utf-8")
        page = scan(html)
        assert (page.ids, page.links) == parsed(html), path.relative_to(built.root)


def test_a_missing_page_anchor_or_outside_load_is_found_once_per_page(tmp_path: Path) -> None:
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "index.html").write_text('<h1 id="here">Kept</h1>', encoding="utf-8")
    (tmp_path / "style.css").write_text("", encoding="utf-8")
    links = (
        '<a href="/kept/">ok</a><a href="kept/#here">ok</a><a href="/kept/#gone">anchor</a><a href="/gone/">page</a>'
        '<link rel="stylesheet" href="/style.css"><a href="/kept">folder</a>'
        '<img src="https://elsewhere.example/x.png" alt=""><a href="https://elsewhere.example/">a link</a>'
    )
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text(links, encoding="utf-8")

    found = [(problem.page, problem.url, problem.problem) for problem in link_problems(tmp_path, "")]

    for name in ("a.html", "b.html"):
        assert (name, "/kept/#gone", "points to #gone, which is not on that page") in found
        assert (name, "/gone/", "points to a page or file that does not exist") in found
        assert (name, "https://elsewhere.example/x.png", "loads from another site: self-host it") in found
    assert len(found) == 6, found
