"""Finding a request or a volunteer (/staff/find), and the privacy officer's two logs (/staff/audit, /staff/exports).

Records are put in a real SQLite store, the back office is asked with payload 2.0 events, and what its pages
show and what the audit log holds afterwards are checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from backoffice_support import Browser, Clock, make_account, save_pages, signed_in
from browser_support import VNU_JAR, require_vnu
from conftest import LEUVEN
from test_staff_support import NOW, expired, help_request, vacancy_response, volunteer

from helpt.settings import load_city
from helpt.staff.web.app import BackOffice
from helpt.stores import AuditEntry, LogEntry
from helpt.stores.sqlite import SQLiteStore

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

CITY = load_city(LEUVEN)
# A daughter asked for her mother; the mother also asked herself, by phone; a volunteer shares the surname.
MOTHER = help_request(
    "H-AAAA-BBBB", 300, for_whom="someone-else", name="Maria Peeters", phone="", email="",
    asker_name="Els Peeters-Janssens", asker_phone="+32 470/99.88.77", relationship="mijn moeder", agreed="yes",
)  # fmt: skip
HERSELF = help_request("H-CCCC-DDDD", 60, name="maria PEETERS", phone="0470 12 34 56", channel="phone")
VOLUNTEER = volunteer("V-EEEE-FFFF", 120, name="Jan Peeters", phone="0032 470 99 88 77")
OTHERS = (help_request("H-GGGG-HHHH", 30, name="Ann Claes", phone="016 11 22 33"),
          vacancy_response("R-JJJJ-KKKK", name="Piet Peeters"),  # not a request nor a volunteer
          expired(help_request("H-LLLL-MMMM", name="Lies Peeters")))  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    for record in (MOTHER, HERSELF, VOLUNTEER, *OTHERS):
        assert store.add(record)
    return store


@pytest.fixture
def office(store: SQLiteStore) -> BackOffice:
    return BackOffice(CITY, store, clock=Clock(NOW), secure=True)


@pytest.fixture
def worker(office: BackOffice, store: SQLiteStore) -> Browser:
    return signed_in(office, make_account(store, "ann", "call_centre"))


def results(browser: Browser, query: str) -> list[tuple[str, str, str]]:
    """(reference, its link, how it was found) for each row of the result list."""
    page = browser.get("/staff/find", {"q": query})
    assert page.status == 200, (query, page.status)
    return [(row.th.a.text, str(row.th.a["href"]), row.find_all("td")[2].text) for row in page.soup.select("tbody tr")]


# Finding ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["H-AAAA-BBBB", "h-aaaa-bbbb", "haaaabbbb", " h aaaa bbbb ", "H-AAAA BBBB"])
def test_a_reference_is_found_whatever_its_case_spaces_and_dashes(worker: Browser, typed: str) -> None:
    assert results(worker, typed) == [("H-AAAA-BBBB", "/staff/requests/H-AAAA-BBBB", "op referentienummer")]


def test_a_reference_must_be_whole_and_an_expired_one_is_not_found(worker: Browser) -> None:
    assert results(worker, "H-AAAA-BBB") == [] and results(worker, "AAAA-BBBB") == []
    assert results(worker, "H-LLLL-MMMM") == [] and results(worker, "R-JJJJ-KKKK") == []
    assert results(worker, "v eeee ffff") == [("V-EEEE-FFFF", "/staff/volunteers/V-EEEE-FFFF", "op referentienummer")]


@pytest.mark.parametrize("typed", ["0470 99 88 77", "+32470998877", "0032 470/99.88.77", "0470.99.88.77"])
def test_a_phone_number_is_found_however_it_is_written_for_either_person_and_volunteers(
    worker: Browser, typed: str
) -> None:
    assert results(worker, typed) == [
        ("V-EEEE-FFFF", "/staff/volunteers/V-EEEE-FFFF", "op telefoonnummer"),
        ("H-AAAA-BBBB", "/staff/requests/H-AAAA-BBBB",
         "op telefoonnummer als de persoon die voor iemand anders hulp vroeg"),
    ]  # fmt: skip
    assert results(worker, "0470 99 88") == [], "a number is compared whole"


def test_a_name_is_found_by_any_part_without_regard_to_case_as_either_person(
    office: BackOffice, store: SQLiteStore
) -> None:
    english = signed_in(office, make_account(store, "jan", "coordinator"), "en")
    found = results(english, "PEETERS")
    assert [reference for reference, _href, _how in found] == ["H-CCCC-DDDD", "V-EEEE-FFFF", "H-AAAA-BBBB"]
    assert (
        found[2][2] == "by name as the person who needs help; by name as the person who asked for help for someone else"
    )
    assert results(english, "janssens") == [("H-AAAA-BBBB", "/staff/requests/H-AAAA-BBBB",
                                             "by name as the person who asked for help for someone else")]  # fmt: skip
    page = english.get("/staff/find", {"q": "peeters"})
    assert page.soup.select_one("#results-title").text == "Found: 3"
    row = page.soup.select("tbody tr")[2]
    cells = [cell.text for cell in row.find_all("td")]
    assert cells[0] == "Maria Peeters (asked for by Els Peeters-Janssens)" and cells[1] == "Help request"
    assert cells[3] == "new" and "470" not in page.soup.table.text, "a list of names, not of phone numbers"
    nothing = english.get("/staff/find", {"q": "Vermeulen"})
    assert nothing.soup.select("table") == [] and "Nothing found." in nothing.text()


def test_at_most_50_are_shown_with_a_note_when_there_are_more(office: BackOffice, store: SQLiteStore) -> None:
    for number in range(60):
        store.add(volunteer(f"V-AAAA-{number // 30 + 2}{'ABCDEFGHJKLMNPQRSTUVWXYZ234567'[number % 30]}AA",
                            name=f"Vrijwilliger Goossens {number}"))  # fmt: skip
    page = signed_in(office, make_account(store, "ann", "call_centre")).get("/staff/find", {"q": "goossens"})
    assert len(page.soup.select("tbody tr")) == 50 and page.soup.select_one("#results-title").text == "Gevonden: 60"
    assert "Alleen de eerste 50 staan hieronder." in page.text()
    assert (
        "Alleen de eerste"
        not in signed_in(office, make_account(store, "b", "call_centre")).get("/staff/find", {"q": "peeters"}).text()
    )


def test_a_search_is_audited_without_what_was_searched_for(
    worker: Browser, store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "helpt")
    assert worker.get("/staff/find").soup.select("table") == [], "the page alone searches nothing"
    for query in ("Peeters", "0470 99 88 77", "h-aaaa-bbbb"):
        worker.get("/staff/find", {"q": query})
    entries = [(e.who, e.action, e.reference) for e in store.audit_entries(now=NOW)]
    assert entries == [("ann", "find", "")] * 3
    kept = json.dumps([dataclasses.astuple(e) for e in store.audit_entries(now=NOW)], default=str) + caplog.text
    assert not any(word in kept.lower() for word in ("peeters", "0470", "aaaa")), "neither the query nor a result"


def test_an_empty_or_too_long_search_says_what_to_type(worker: Browser, store: SQLiteStore) -> None:
    for query, message in (("  ", "Typ een referentienummer, een telefoonnummer of een deel van een naam"),
                           ("x" * 101, "Gebruik hoogstens 100 tekens (je gebruikte er 101).")):  # fmt: skip
        page = worker.get("/staff/find", {"q": query})
        assert page.status == 422 and page.soup.title.text.startswith("Fout: Zoeken")
        assert page.soup.main.find(True)["class"] == ["error-summary"]
        assert page.soup.select_one(".error-summary a")["href"] == "#f-q" and message in page.text()
        assert page.soup.select_one("#f-q")["aria-invalid"] == "true"
        assert "f-q-error" in page.soup.select_one("#f-q")["aria-describedby"].split()
        assert page.soup.select_one("#f-q")["value"] == query, "what was typed is still there"
    assert list(store.audit_entries(now=NOW)) == []


def test_only_the_roles_that_find_may_search(office: BackOffice, store: SQLiteStore) -> None:
    officer = signed_in(office, make_account(store, "pia", "privacy_officer"))
    assert officer.get("/staff/find", {"q": "Peeters"}).status == 403
    assert officer.get("/staff/intake").status == 403, "nor take a request by phone"
    assert officer.post("/staff/intake", {"csrf": officer.get("/staff/").csrf(), "name": "X"}).status == 403
    assert Browser(office).get("/staff/find").location == "/staff/signin?next=/staff/find"
    coordinator = signed_in(office, make_account(store, "jan", "coordinator"))
    assert [ref for ref, _h, _w in results(coordinator, "Peeters")] == ["H-CCCC-DDDD", "V-EEEE-FFFF", "H-AAAA-BBBB"]


# The logs ---------------------------------------------------------------------------------------------------


def fill_audit_log(store: SQLiteStore, count: int) -> None:
    for number in range(count):
        at = NOW - dt.timedelta(minutes=count - number)
        store.audit(AuditEntry(at, f"staff.{number}", "view", f"H-AAAA-{number:04d}", int(NOW.timestamp()) + 86400))


def test_the_audit_log_shows_the_newest_first_a_hundred_a_page(office: BackOffice, store: SQLiteStore) -> None:
    fill_audit_log(store, 250)
    officer = signed_in(office, make_account(store, "pia", "privacy_officer"))

    first = officer.get("/staff/audit")
    rows = [[cell.text for cell in row.find_all("td")] for row in first.soup.select("tbody tr")]
    assert first.status == 200 and first.soup.h1.text == "Auditlogboek" and len(rows) == 100
    assert rows[0][1:] == ["staff.249", "een dossier geopend", "H-AAAA-0249"] and rows[-1][1] == "staff.150"
    newest = (NOW - dt.timedelta(minutes=1)).astimezone(ZoneInfo(CITY.timezone))
    assert rows[0][0] == newest.strftime("%Y-%m-%d %H:%M:%S"), "to the second, in the city's time"
    assert "Regels 1 tot 100 van 250, het nieuwste eerst." in first.text()
    older = first.soup.select_one("nav.pages a")
    assert older.text == "Oudere regels" and older["href"] == "/staff/audit?before=150"

    second = officer.get("/staff/audit", "before=150")  # reading the log wrote a line; the pages do not move
    names = [row.find_all("td")[1].text for row in second.soup.select("tbody tr")]
    assert names[0] == "staff.149" and names[-1] == "staff.50" and len(names) == 100
    assert [a["href"] for a in second.soup.select("nav.pages a")] == [
        "/staff/audit?before=250",
        "/staff/audit?before=50",
    ]
    last = officer.get("/staff/audit", "before=50")
    assert [a.text for a in last.soup.select("nav.pages a")] == ["Nieuwere regels"]
    assert len(last.soup.select("tbody tr")) == 50
    for nonsense in ("before=x", "before=-5", "before=99999999999", "before=²"):
        assert officer.get("/staff/audit", nonsense).status == 200, nonsense
    assert [e.action for e in store.audit_entries(now=NOW)][-7:] == ["audit_log"] * 7


def test_the_export_log_shows_who_took_what_out_newest_first(office: BackOffice, store: SQLiteStore) -> None:
    store.log(LogEntry(NOW - dt.timedelta(hours=2), "ann", "export", "form=help_request from=2020-03-01", 12))
    store.log(LogEntry(NOW - dt.timedelta(hours=1), "jan", "erase", "by e-mail", 2))
    officer = signed_in(office, make_account(store, "pia", "privacy_officer"), "en")

    page = officer.get("/staff/exports")

    rows = [[cell.text for cell in row.find_all("td")][1:] for row in page.soup.select("tbody tr")]
    assert rows == [["jan", "erasure", "by e-mail", "2"], ["ann", "export", "form=help_request from=2020-03-01", "12"]]
    assert [th.text for th in page.soup.select("thead th")] == ["When", "Who", "What", "Which records", "Number"]
    assert page.soup.select("nav.pages") == [] and "Entries 1 to 2 of 2, newest first." in page.text()
    assert [(e.who, e.action) for e in store.audit_entries(now=NOW)] == [("pia", "export_log")]


def test_only_the_privacy_officer_reads_the_logs(office: BackOffice, store: SQLiteStore) -> None:
    for role in ("call_centre", "coordinator"):
        browser = signed_in(office, make_account(store, f"x.{role}", role))
        assert browser.get("/staff/audit").status == 403 and browser.get("/staff/exports").status == 403
    officer = signed_in(office, make_account(store, "pia", "privacy_officer"))
    menu = [a["href"] for a in officer.get("/staff/").soup.select("nav.menu a")]
    assert "/staff/audit" in menu and "/staff/exports" in menu and "/staff/find" not in menu


# The HTML checker -------------------------------------------------------------------------------------------


def test_the_w3c_html_checker_finds_no_errors_on_the_find_and_log_pages(
    office: BackOffice, store: SQLiteStore, tmp_path: Path
) -> None:
    java = require_vnu()
    fill_audit_log(store, 150)
    store.log(LogEntry(NOW, "ann", "slip", "request=H-AAAA-BBBB", 1))
    answers = {}
    for lang in ("nl", "en"):
        worker = signed_in(office, make_account(store, f"ann.{lang}", "call_centre"), lang)
        officer = signed_in(office, make_account(store, f"pia.{lang}", "privacy_officer"), lang)
        answers |= {
            f"find-{lang}": worker.get("/staff/find"),
            f"find-results-{lang}": worker.get("/staff/find", {"q": "peeters"}),
            f"find-nothing-{lang}": worker.get("/staff/find", {"q": "Vermeulen"}),
            f"find-empty-{lang}": worker.get("/staff/find", {"q": ""}),
            f"audit-{lang}": officer.get("/staff/audit"),
            f"audit-older-{lang}": officer.get("/staff/audit", "before=50"),
            f"exports-{lang}": officer.get("/staff/exports"),
        }
    empty = BackOffice(CITY, SQLiteStore(tmp_path / "empty.sqlite3"), clock=Clock(NOW), secure=True)
    answers["exports-empty"] = signed_in(empty, make_account(empty.store, "p", "privacy_officer")).get("/staff/exports")
    assert {name: answer.status for name, answer in answers.items() if answer.status != 200} == {
        "find-empty-nl": 422, "find-empty-en": 422,
    }  # fmt: skip
    assert check_html(java, save_pages(tmp_path / "pages", answers)) == []


def check_html(java: Path, pages: list[Path]) -> list[str]:
    """The W3C checker's errors on these pages, one line each (as test_backoffice_core runs it)."""
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    return [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '')}: {m['message']}" for m in report["messages"]
    ]
