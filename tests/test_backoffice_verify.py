"""Verified volunteers in the web back office, over payload 2.0 events to `BackOffice.handle` on a real SQLite
store: a coordinator verifies (problems beside their fields, everything typed kept), prints the personal card
(a real PDF, its text read back), withdraws with a reason; the call centre checks a code read on the phone;
the volunteer's own link gives their card once verified; roles are held on the server; the pages pass axe and
the HTML checker.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from backoffice_support import PASSWORD, Browser, Clock, make_account, save_pages, signed_in
from browser_support import VNU_JAR, Sweep, require_vnu, serve_back_office
from conftest import LEUVEN, BuiltSite
from pypdf import PdfReader
from test_backoffice_casework import done, send, summary
from test_staff_support import NOW, volunteer

from helpt.notify.links import Links
from helpt.notify.triggers import after_submission
from helpt.settings import load_city
from helpt.staff.web.app import BackOffice
from helpt.stores import Account
from helpt.stores.sqlite import SQLiteStore
from helpt.verification import display_code

CITY = load_city(LEUVEN)
PAGE = "/staff/volunteers/V-AAAA-AAAA"
LINKS = Links(b"s" * 40, CITY.site_url)
VERIFY = {"verify-method": "in_person", "verify-checked-by": "Ann Claes", "verify-checked-on": "2020-03-16",
          "verify-name": "Zoë"}  # fmt: skip


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    kept = SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    kept.add(volunteer("V-AAAA-AAAA", name="Zoë Wąsik-Quaix", postcode="3010", help=("groceries", "dog")))
    return kept


@pytest.fixture
def office(store: SQLiteStore, clock: Clock) -> BackOffice:
    return BackOffice(CITY, store, clock=clock, secure=True, links=LINKS)


@pytest.fixture
def ann(store: SQLiteStore) -> Account:
    return make_account(store, "ann.claes", "coordinator", display_name="Ann Claes")


def verified(office: BackOffice, ann: Account) -> tuple[Browser, str]:
    browser = signed_in(office, ann, "en")
    page = done(browser, send(browser, f"{PAGE}/verify", **VERIFY), PAGE, "verified")
    code = page.soup.select_one(".check-code").text
    return browser, code


def pdf_text(answer_bytes: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer_bytes)).pages)


def body_bytes(raw: dict) -> bytes:
    from helpt.staff.web.file_answers import read_body

    return read_body(raw)


def test_a_coordinator_verifies_and_the_page_says_how_by_whom_and_when(office: BackOffice, ann: Account,
                                                                      store: SQLiteStore) -> None:  # fmt: skip
    browser = signed_in(office, ann, "en")
    page = browser.get(PAGE)
    assert "Not verified." in page.text() and page.soup.select_one(f'form[action="{PAGE}/verify"]')
    assert page.soup.select_one("#verify-name")["value"] == "Zoë", "the first name, to confirm"
    browser_page, code = verified(office, ann)
    shown = browser_page.get(PAGE).text()
    assert "identity card seen in person" in shown and "Ann Claes, 2020-03-16" in shown
    assert len(code.replace(" ", "")) == 10 and code == display_code(code.replace(" ", ""))
    verification = store.verification("V-AAAA-AAAA", now=NOW)
    assert (verification.first_name, verification.verified_by, verification.neighbourhood) == (
        "Zoë", "ann.claes", "Kessel-Lo")  # fmt: skip
    assert "verified: identity checked" in shown, "in the history"
    assert [e.action for e in store.audit_entries(now=NOW) if e.reference == "V-AAAA-AAAA"].count("verify") == 1


def test_problems_come_back_beside_their_fields_with_everything_typed(office: BackOffice, ann: Account) -> None:
    browser = signed_in(office, ann, "en")
    answer = send(browser, f"{PAGE}/verify", **{**VERIFY, "verify-method": "", "verify-name": "Zoë W."})
    assert answer.status == 422 and answer.soup.title.text.startswith("Error: ")
    assert summary(answer) == [("#verify-method-in_person", "Choose how the identity was checked.")]
    assert answer.soup.select_one("#verify-name")["value"] == "Zoë W."
    assert answer.soup.select_one("#verify-checked-by")["value"] == "Ann Claes"
    tomorrow = (NOW + dt.timedelta(days=1)).date().isoformat()
    future = send(browser, f"{PAGE}/verify", **{**VERIFY, "verify-checked-on": tomorrow})
    assert future.status == 422
    assert summary(future) == [("#verify-checked-on", "The day of the check cannot be in the future.")]
    bad_day = send(browser, f"{PAGE}/verify", **{**VERIFY, "verify-checked-on": "16/03/2020"})
    assert bad_day.status == 422 and summary(bad_day)[0][0] == "#verify-checked-on"
    assert bad_day.soup.select_one("#verify-checked-on")["value"] == "16/03/2020"
    assert office.store.verification("V-AAAA-AAAA", now=NOW) is None


def test_the_personal_card_is_a_pdf_with_the_name_the_code_and_the_phone(office: BackOffice, ann: Account,
                                                                        store: SQLiteStore) -> None:  # fmt: skip
    browser, code = verified(office, ann)
    links = [a["href"] for a in browser.get(PAGE).soup.select("#verification a[download]")]
    assert f"{PAGE}/card/card-a6?lang=nl" in links and f"{PAGE}/card/sheet-a4?lang=en" in links
    answer = browser.get(f"{PAGE}/card/sheet-a4", "lang=en")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("attachment;")
    text = pdf_text(body_bytes(answer.raw))
    assert "Zoë" in text and code.split()[0] in text and code.split()[1] in text and CITY.phone in text
    assert "Wąsik" not in text
    assert "card" in [e.action for e in store.audit_entries(now=NOW) if e.reference == "V-AAAA-AAAA"]


def test_withdrawing_needs_a_reason_and_the_code_no_longer_checks(office: BackOffice, ann: Account,
                                                                 store: SQLiteStore) -> None:  # fmt: skip
    browser, code = verified(office, ann)
    refused = send(browser, f"{PAGE}/unverify", **{"unverify-reason": "  "})
    assert refused.status == 422 and summary(refused)[0][0] == "#unverify-reason"
    page = done(
        browser, send(browser, f"{PAGE}/unverify", **{"unverify-reason": "stopped volunteering"}), PAGE, "unverified"
    )
    assert "withdrawn" in page.text() and "stopped volunteering" in page.text()
    assert browser.get(f"{PAGE}/card/card-a6").status == 409, "no card for a withdrawn verification"
    caller = signed_in(office, make_account(store, "bo.call", "call_centre"), "en")
    assert "Not known" in send(caller, "/staff/check", code=code).text()


def test_the_call_centre_checks_a_code_and_reads_out_the_script(office: BackOffice, ann: Account,
                                                               store: SQLiteStore) -> None:  # fmt: skip
    _browser, code = verified(office, ann)
    caller = signed_in(office, make_account(store, "bo.call", "call_centre"), "en")
    assert "/staff/check" in [a["href"] for a in caller.get("/staff/").soup.select("nav a")]
    known = send(caller, "/staff/check", code=code.lower().replace(" ", "-"))
    assert known.status == 200 and "Known: a volunteer the city knows" in known.text()
    assert "Zoë" in known.text() and "Kessel-Lo" in known.text() and "Tell the caller" in known.text()
    unknown = send(caller, "/staff/check", code="KFM7X RT9AC")
    assert "Not known" in unknown.text() and "Do not open the door" in unknown.text()
    empty = send(caller, "/staff/check", code="")
    assert empty.status == 422 and summary(empty)[0][0] == "#code"
    checks = [e for e in store.audit_entries(now=NOW) if e.action == "card_check"]
    assert len(checks) == 2 and all(e.reference == "" and e.who == "bo.call" for e in checks)
    # The call centre sees whether a volunteer is verified, but cannot verify nor print cards.
    page = caller.get(PAGE)
    assert "Check code" in page.text() and not page.soup.select_one(f'form[action="{PAGE}/verify"]')
    assert not page.soup.select("#verification a[download]")
    assert send(caller, f"{PAGE}/unverify", **{"unverify-reason": "x"}).status == 403
    assert caller.get(f"{PAGE}/card/card-a6").status == 403
    assert store.verification("V-AAAA-AAAA", now=NOW).holds(NOW)


def test_an_organisation_may_not_check_codes(office: BackOffice, store: SQLiteStore) -> None:
    organisation = signed_in(office, make_account(store, "org", "organisation"), "en")
    assert organisation.get("/staff/check").status == 403
    assert send(organisation, "/staff/check", code="KFM7XRT9AC").status == 403


def test_the_volunteers_own_link_gives_the_card_once_verified(office: BackOffice, ann: Account,
                                                             store: SQLiteStore) -> None:  # fmt: skip
    record = store.get("V-AAAA-AAAA", now=NOW)
    (welcome,) = after_submission(record, CITY, LINKS)
    link = welcome.values["card_link"]
    assert link.startswith(f"{CITY.site_url}/staff/card?token=")
    query = link.split("?", 1)[1]
    stranger = Browser(office)
    assert "nog niet klaar" in stranger.get("/staff/card", query).text()
    verified(office, ann)
    page = stranger.get("/staff/card", query)
    assert page.status == 200 and "Je persoonlijke buurtkaartje" in page.text()
    hrefs = [a["href"] for a in page.soup.select("a[download]")]
    assert len(hrefs) == 2
    path, card_query = hrefs[0].split("?", 1)
    answer = stranger.get(path, card_query)
    assert answer.status == 200 and "Zoë" in pdf_text(body_bytes(answer.raw))
    token = query.split("token=")[1].split("&")[0]
    assert stranger.get("/staff/card", f"token={token[:-2]}xx").status == 400
    other = Links(b"t" * 40, CITY.site_url).card_url("V-AAAA-AAAA")
    assert stranger.get("/staff/card", other.split("?", 1)[1]).status == 400, "signed with another secret"


def test_the_verification_pages_pass_the_html_checker_and_axe(
    office: BackOffice, ann: Account, store: SQLiteStore, tmp_path: Path, browser, leuven_site: BuiltSite
) -> None:
    coordinator = signed_in(office, ann, "nl")
    caller = signed_in(office, make_account(store, "bo.call", "call_centre"), "nl")
    answers = {"unverified": coordinator.get(PAGE), "problem": send(coordinator, f"{PAGE}/verify", **{**VERIFY,
               "verify-method": ""})}  # fmt: skip
    _browser, code = verified(office, ann)
    answers.update(verified_page=coordinator.get(PAGE), check=caller.get("/staff/check"),
                   known=send(caller, "/staff/check", code=code), unknown=send(caller, "/staff/check", code="X"),
                   empty=send(caller, "/staff/check", code=""))  # fmt: skip
    java = require_vnu()
    pages = save_pages(tmp_path / "pages", answers)
    checked = subprocess.run([str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
                             capture_output=True, text=True, check=False, timeout=300)  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    assert [f"{m.get('url', '')}: {m['message']}" for m in report["messages"]] == []
    sweep = Sweep()
    with serve_back_office(BackOffice(CITY, store, clock=office.clock, secure=False), leuven_site.root) as url:
        # axe is injected as a script, which the back office's own CSP would (rightly) refuse.
        context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
        page = context.new_page()
        page.goto(f"{url}/staff/signin")
        page.get_by_label("Aanmeldnaam").fill("bo.call")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Aanmelden").click()
        for name, path in (("volunteer", PAGE), ("check", "/staff/check")):
            page.goto(url + path)
            sweep.check(page, name)
        page.fill("#code", code)
        page.press("#code", "Enter")
        page.wait_for_load_state()
        assert "Zoë" in page.content()
        sweep.check(page, "known")
        context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)


def test_without_pdf_printing_the_card_link_says_where_to_make_it(
    office: BackOffice, ann: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on AWS Lambda, whose Python runtime cannot run WeasyPrint (no Pango)."""
    browser, _code = verified(office, ann)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` now raises ImportError
    answer = browser.get(f"{PAGE}/card/card-a6", "lang=nl")
    assert answer.status == 503 and "helpt card V-AAAA-AAAA" in answer.text()
    assert "016/27.27.72" in answer.text()
    own = Browser(office).get("/staff/card", LINKS.card_url("V-AAAA-AAAA", "en").split("?", 1)[1] + "&variant=card-a6")
    assert own.status == 503 and "Call us" in own.text()
