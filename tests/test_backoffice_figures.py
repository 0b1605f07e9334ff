"""Figures in the back office (/staff/figures): who may see them, the charts (SVG drawn on the server) with
their numbers in a table beside each, the period in the query, the SVG download, both languages, the W3C
checker and axe.

The known data set of test_staff_figures (records and histories at known moments) is put in a real SQLite
store; the back office is asked with payload 2.0 events and its answers are read as a browser would.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from backoffice_support import Answer, Browser, Clock, make_account, save_pages, signed_in
from browser_support import Sweep, require_vnu, serve_back_office
from conftest import LEUVEN, BuiltSite
from test_backoffice_find_logs import check_html
from test_staff_figures import SVG, add_known
from test_staff_support import NOW

from helpt.settings import load_city
from helpt.staff.web.app import BackOffice
from helpt.stores.sqlite import SQLiteStore

CITY = load_city(LEUVEN)
CHARTS = ("per-day", "per-neighbourhood", "per-status")


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    add_known(store)
    return store


@pytest.fixture
def office(store: SQLiteStore) -> BackOffice:
    return BackOffice(CITY, store, clock=Clock(NOW), secure=True)


def browser_for(office: BackOffice, role: str, lang: str = "en") -> Browser:
    """A fresh browser with a session of an account of this role (made the first time it is asked for)."""
    name = f"staff.{role}.{lang}"
    account = office.store.get_account(name) or make_account(office.store, name, role)
    return signed_in(office, account, lang)


def table(page: Answer, chart: str) -> list[list[str]]:
    """The rows of the table beside a chart: its row heading, then its numbers."""
    rows = page.soup.select(f'section[aria-labelledby="{chart}-heading"] table tbody tr')
    return [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in rows]


def times(page: Answer) -> list[list[str]]:
    rows = page.soup.select("table:has(caption#times-caption) tbody tr")
    return [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in rows]


def test_coordinators_and_the_privacy_officer_see_the_figures_other_roles_are_refused(office: BackOffice) -> None:
    for role in ("coordinator", "privacy_officer"):
        browser = browser_for(office, role)
        assert browser.get("/staff/figures").status == 200, role
        assert browser.get("/staff/figures/per-day.svg").status == 200, role
        assert "/staff/figures" in [a["href"] for a in browser.get("/staff/").soup.select("nav.menu a")], role
    for role in ("call_centre", "organisation"):
        browser = browser_for(office, role)
        assert browser.get("/staff/figures").status == 403, role
        assert browser.get("/staff/figures/per-status.svg").status == 403, role
        assert "/staff/figures" not in [a["href"] for a in browser.get("/staff/").soup.select("nav.menu a")], role
    assert Browser(office).get("/staff/figures").location == "/staff/signin?next=/staff/figures"
    refused = [(e.who, e.action) for e in office.store.audit_entries(now=NOW) if e.action == "refused"]
    assert len(refused) == 4, "each refusal is in the audit log; reading figures is not (they show nobody)"


def test_each_chart_is_an_svg_image_with_a_title_and_its_numbers_in_a_table_beside_it(office: BackOffice) -> None:
    page = browser_for(office, "coordinator").get("/staff/figures")

    assert page.status == 200 and page.soup.h1.text == "Figures"
    for chart in CHARTS:
        svg = page.soup.select_one(f'section[aria-labelledby="{chart}-heading"] svg')
        assert svg["role"] == "img" and svg.title.text == page.soup.select_one(f"#{chart}-heading").text
        assert svg["aria-labelledby"] == svg.title["id"]
        assert svg.find_next_sibling("p").a["href"] == f"/staff/figures/{chart}.svg"
    assert table(page, "per-day") == [["2020-03-16", "2", "1"], ["2020-03-17", "3", "1"], ["2020-03-18", "2", "1"]]
    assert table(page, "per-neighbourhood") == [
        ["Leuven", "2", "1"], ["Heverlee", "2", "0"], ["Kessel-Lo", "2", "1"], ["Wilsele", "0", "0"],
        ["Wijgmaal", "0", "1"], ["No known neighbourhood", "1", "0"],
    ]  # fmt: skip
    assert table(page, "per-status") == [
        ["new", "2", "2"], ["contacted", "1", "0"], ["matched", "3", "0"], ["done", "0", "0"], ["closed", "1", "1"],
    ]  # fmt: skip
    headings = [th.text for th in page.soup.select('section[aria-labelledby="per-day-heading"] thead th')]
    assert headings == ["Day", "Help requests", "Volunteers"]
    assert times(page) == [["First contact", "6", "4.5", "29.0"], ["Matched with a volunteer", "4", "27.0", "42.6"]]
    totals = [[cell.text for cell in row.find_all(["th", "td"])] for row in page.soup.select("table")[0].tbody("tr")]
    assert totals == [["Help requests", "7"], ["Volunteers", "3"], ["Vacancy responses", "0"]]
    # The bars: one per day and series, the tallest for the 3 requests of the 17th.
    svg = page.soup.select_one('section[aria-labelledby="per-day-heading"] svg')
    requests = [float(rect["height"]) for rect in svg.find_all("rect") if rect["fill"] == CITY.primary_colour][1:]
    assert len(requests) == 3 and requests[1] == 1.5 * requests[0] == 1.5 * requests[2]


def test_the_page_speaks_dutch_and_writes_numbers_as_dutch_does(office: BackOffice) -> None:
    page = browser_for(office, "privacy_officer", "nl").get("/staff/figures")

    assert page.status == 200 and page.soup.html["lang"] == "nl"
    assert page.soup.select_one('section[aria-labelledby="per-neighbourhood-heading"] thead th').text == "Wijk"
    statuses = ["nieuw", "gecontacteerd", "gekoppeld", "afgerond", "afgesloten"]
    assert [row[0] for row in table(page, "per-status")] == statuses
    assert [row[1:] for row in times(page)] == [["6", "4,5", "29,0"], ["4", "27,0", "42,6"]]


def test_a_period_counts_only_the_city_s_days_it_names(office: BackOffice) -> None:
    page = browser_for(office, "coordinator").get("/staff/figures", {"from": "2020-03-17", "until": "2020-03-17"})

    assert page.status == 200
    assert table(page, "per-day") == [["2020-03-17", "3", "1"]], "00:30 and 00:10 in Leuven are the 17th"
    assert times(page) == [["First contact", "2", "6.0", "9.2"], ["Matched with a volunteer", "0", "–", "–"]]
    assert page.soup.select_one("#f-from")["value"] == "2020-03-17" and page.soup.select_one("a.show-all")
    link = page.soup.select_one('section[aria-labelledby="per-status-heading"] p a')["href"]
    assert link == "/staff/figures/per-status.svg?from=2020-03-17&until=2020-03-17"
    only_from = browser_for(office, "privacy_officer").get("/staff/figures", "from=2020-03-18")
    assert table(only_from, "per-day") == [["2020-03-18", "2", "1"]]


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("from=2020-13-01", "f-from", "Type the day as year-month-day, for example 2020-03-16"),
        ("until=16%2F03%2F2020", "f-until", "Type the day as year-month-day, for example 2020-03-31"),
        ("from=%ED%A0%80", "f-from", "Type the day as year-month-day"),  # a lone surrogate, as UTF-8 would send it
        ("from=%00%01%1B", "f-from", "Type the day as year-month-day"),
        ("from=%3D1%2B1", "f-from", "Type the day as year-month-day"),  # a formula
        ("until=" + "9" * 5000, "f-until", "Type the day as year-month-day"),
        ("from=2020-03-18&until=2020-03-17", "f-until", "The last day must be the first day or later"),
    ],
)
def test_a_day_that_is_not_one_says_how_to_write_it(office: BackOffice, query: str, field: str, message: str) -> None:
    page = browser_for(office, "coordinator").get("/staff/figures", query)

    assert page.status == 422 and page.soup.title.text.startswith("Error: Figures")
    assert page.soup.main.find(True)["class"] == ["error-summary"]
    assert page.soup.select_one(".error-summary a")["href"] == f"#{field}" and message in page.text()
    assert page.soup.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.soup.select("svg") == [], "no figures for a period that is not one"
    download = browser_for(office, "privacy_officer").get("/staff/figures/per-day.svg", query)
    assert download.status == 422 and download.headers["content-type"].startswith("text/html")


def test_a_chart_downloads_as_an_svg_file(office: BackOffice) -> None:
    browser = browser_for(office, "coordinator")

    answer = browser.get("/staff/figures/per-neighbourhood.svg", "from=2020-03-16&until=2020-03-18").raw

    assert answer["statusCode"] == 200 and answer["headers"]["content-type"] == "image/svg+xml"
    disposition = answer["headers"]["content-disposition"]
    assert disposition == 'attachment; filename="per-neighbourhood-2020-03-16-2020-03-18.svg"'
    assert answer["headers"]["cache-control"] == "no-store"
    data = base64.b64decode(answer["body"])
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    svg = ElementTree.fromstring(data)
    assert svg.get("width") == "720"
    assert svg.find(f"{SVG}title").text == "Help requests and volunteers per neighbourhood"
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "No known neighbourhood" in texts and "Kessel-Lo" in texts
    assert not any(element.tag.endswith("script") or "style" in element.attrib for element in svg.iter())
    assert browser.get("/staff/figures/per-person.svg").status == 404
    assert browser.get("/staff/figures/per-day.png").status == 404


def test_the_page_needs_no_inline_style_nor_script(office: BackOffice, tmp_path: Path) -> None:
    empty = BackOffice(CITY, SQLiteStore(tmp_path / "empty.sqlite3"), clock=Clock(NOW), secure=True)
    for page in (browser_for(office, "coordinator").get("/staff/figures"),
                 browser_for(empty, "coordinator").get("/staff/figures")):  # fmt: skip
        assert page.status == 200
        assert page.soup.select("[style], style, script") == [], "the Content-Security-Policy allows neither"
    nothing = browser_for(empty, "coordinator").get("/staff/figures")
    assert "No submissions in this period." in nothing.text() and table(nothing, "per-day") == []
    assert times(nothing) == [["First contact", "0", "–", "–"], ["Matched with a volunteer", "0", "–", "–"]]


def test_the_w3c_html_checker_finds_no_errors_on_the_figures_pages(office: BackOffice, tmp_path: Path) -> None:
    java = require_vnu()
    empty = BackOffice(CITY, SQLiteStore(tmp_path / "empty.sqlite3"), clock=Clock(NOW), secure=True)
    answers = {}
    for lang in ("nl", "en"):
        browser = browser_for(office, "coordinator", lang)
        answers |= {
            f"figures-{lang}": browser.get("/staff/figures"),
            f"figures-period-{lang}": browser.get("/staff/figures", "from=2020-03-17&until=2020-03-18"),
            f"figures-error-{lang}": browser.get("/staff/figures", "from=2020-02-30"),
            f"figures-empty-{lang}": browser_for(empty, "privacy_officer", lang).get("/staff/figures"),
        }
    assert {name: answer.status for name, answer in answers.items() if answer.status != 200} == {
        "figures-error-nl": 422, "figures-error-en": 422,
    }  # fmt: skip
    assert check_html(java, save_pages(tmp_path / "pages", answers)) == []


@pytest.fixture
def served(leuven_site: BuiltSite, store: SQLiteStore) -> Iterator[tuple[str, BackOffice]]:
    """The back office over plain HTTP, as the preview serves it (its cookie has no `__Host-` prefix then)."""
    plain = BackOffice(CITY, store, clock=Clock(NOW), secure=False)
    with serve_back_office(plain, leuven_site.root) as url:
        yield url, plain


def test_axe_finds_no_violations_on_the_figures_pages_and_nothing_scrolls_sideways(
    browser, served: tuple[str, BackOffice]
) -> None:
    url, plain = served
    sweep = Sweep()
    for lang in ("nl", "en"):
        staff = browser_for(plain, "coordinator", lang)
        # axe is a script: only it may run, past our Content-Security-Policy, which allows none.
        context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
        context.add_cookies([{"name": name, "value": value, "url": f"{url}/staff/"}
                             for name, value in staff.cookies.items()])  # fmt: skip
        page = context.new_page()
        for name, query in (("figures", ""), ("period", "?from=2020-03-17"), ("error", "?until=gisteren")):
            page.goto(f"{url}/staff/figures{query}")
            assert page.url.startswith(f"{url}/staff/figures") and page.locator("svg").count() == (name != "error") * 3
            sweep.check(page, f"{name}-{lang}")
        context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)
