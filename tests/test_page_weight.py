"""Page weight and origins: each page is small, loads little, and loads nothing from another site."""

from __future__ import annotations

import gzip
from urllib.parse import urlsplit

from conftest import BuiltSite

HTML_GZIP_BUDGET = 14 * 1024  # fits the first round trip of a TCP connection
PAGE_TOTAL_BUDGET = 50 * 1024  # HTML and everything it loads, uncompressed


def resources_of(site: BuiltSite, page) -> list[str]:
    soup = site.soup(page)
    loaded = [link["href"] for link in soup.select("link[href]") if "alternate" not in link.get("rel", [])]
    loaded += [tag["src"] for tag in soup.select("[src]")]
    return loaded


def test_each_page_fits_the_weight_budgets(leuven_published: BuiltSite) -> None:
    site = leuven_published
    report = {}
    for page in site.pages():
        html = page.read_bytes()
        total = len(html) + sum(site.page_at(url).stat().st_size for url in set(resources_of(site, page)))
        report[site.url_path(page)] = (len(gzip.compress(html, 9)), total)
    too_heavy = {
        url: sizes for url, sizes in report.items() if sizes[0] > HTML_GZIP_BUDGET or sizes[1] > PAGE_TOTAL_BUDGET
    }
    assert too_heavy == {}
    assert len(report) >= 18


def test_no_page_loads_anything_from_another_origin_or_needs_javascript(leuven_published: BuiltSite) -> None:
    site = leuven_published
    for page in site.pages():
        soup = site.soup(page)
        assert soup.find("script") is None, site.url_path(page)
        for url in resources_of(site, page):
            origin = urlsplit(url).netloc
            assert origin in ("", "www.leuvenhelpt.be"), f"{site.url_path(page)} loads {url}"
            assert site.page_at(url).is_file(), url
