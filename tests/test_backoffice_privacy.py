"""The privacy officer's pages (/staff/privacy): finding a person's records, the access report, erasure, purge.

Records are put in a real store (SQLite, and DynamoDB on moto's server and on dynalite: test_staff_support's
`staff` fixture), the back office is asked with payload 2.0 events as HTTP API hands them over, and what the
pages show, what the downloads hold, what the store still holds and what the two logs say are checked. The
command line runs on the same store where both faces must give the same answer.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from backoffice_support import PASSWORD, Answer, Browser, Clock, make_account, save_pages, signed_in
from browser_support import Sweep, require_vnu, serve_back_office
from conftest import LEUVEN, BuiltSite
from test_backoffice_find_logs import check_html
from test_staff_support import NOW, Staff, expired, help_request, vacancy_response, volunteer

from helpt.settings import load_city
from helpt.staff.web.app import BackOffice
from helpt.staff.web.routing import Route, routes
from helpt.stores import BackOfficeStore
from helpt.stores.sqlite import SQLiteStore
from helpt.submissions import Submission

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

CITY = load_city(LEUVEN)
FORMS = ("help_request", "volunteer_signup", "vacancy_response")
# Els asked for her mother Maria (who has a landline only); Els also volunteers and answered a vacancy, each
# time writing her number and address another way. A bot's form with her number was kept apart.
MOTHER = help_request(
    "H-AAAA-BBBB", 300, for_whom="someone-else", name="Maria Peeters", phone="016 20 30 40", email="",
    street="Kerkstraat 1", asker_name="Els Peeters", asker_phone="0470 99 88 77", asker_email="Els@Example.com",
    relationship="mijn moeder", agreed="yes",
)  # fmt: skip
ELS_VOLUNTEER = volunteer("V-CCCC-DDDD", 120, name="Els Peeters", phone="+32 470/99.88.77", email="els@example.com")
ELS_RESPONSE = vacancy_response("R-EEEE-FFFF", 30, name="Els Peeters", email="ELS@example.com", phone="0032470998877")
OTHER = help_request("H-GGGG-HHHH", 60, name="Ann Claes", phone="016 11 22 33", email="ann@example.org")
BOT = help_request("H-JJJJ-KKKK", 10, name="Robot", phone="0470.99.88.77", email="")
GONE = expired(help_request("H-LLLL-MMMM", name="Els Peeters", phone="0470 99 88 77"))
ELS = [("V-CCCC-DDDD", "as a volunteer"),
       ("H-AAAA-BBBB", "as the person who asked for help for someone else"),
       ("R-EEEE-FFFF", "as the person who responded to a vacancy")]  # fmt: skip
# What must never be in a log: Els's and Maria's numbers and addresses as written, and their names.
PERSONAL = ("0470", "99 88 77", "998877", "99.88.77", "016 20", "els@", "example.com", "peeters", "maria", "kerkstraat")


def fill(store: BackOfficeStore) -> None:
    for record in (MOTHER, ELS_VOLUNTEER, ELS_RESPONSE, OTHER, GONE):
        assert store.add(record)
    store.quarantine(BOT)


@pytest.fixture
def office(staff: Staff) -> BackOffice:
    fill(staff.store)
    return BackOffice(CITY, staff.store, clock=Clock(NOW), secure=True)  # type: ignore[arg-type]


def filled_office(folder: Path) -> BackOffice:
    store = SQLiteStore(folder / "helpt.sqlite3")
    fill(store)
    return BackOffice(CITY, store, clock=Clock(NOW), secure=True)


@pytest.fixture
def local_office(tmp_path: Path) -> BackOffice:
    """SQLite only: for what does not depend on the store (roles, tokens, messages, HTML)."""
    return filled_office(tmp_path / "data")


def officer(office: BackOffice, lang: str = "en", name: str = "pia") -> Browser:
    return signed_in(office, make_account(office.store, name, "privacy_officer"), lang)


def post_form(browser: Browser, page: Answer, action: str, button: tuple[str, str] | None = None) -> Answer:
    """Send the page's form with this action (the one with this button) as a browser would: its hidden fields,
    and the button pressed."""
    forms = page.soup.find_all("form", attrs={"action": action, "method": "post"})
    if button:
        forms = [form for form in forms if form.find("button", attrs={"name": button[0], "value": button[1]})]
    assert forms, f"no form posting to {action}" + (f" with the button {button}" if button else "")
    form = forms[0]
    fields = [(str(item["name"]), str(item.get("value", ""))) for item in form.find_all("input") if item.get("name")]
    return _post_pairs(browser, action, fields + ([button] if button else []))


def _post_pairs(browser: Browser, action: str, pairs: list[tuple[str, str]]) -> Answer:
    # Browser.post takes a mapping; a form with one name several times (reference=...) needs pairs.
    return browser._send("POST", action, "", urlencode(pairs), dict(browser.headers))


def search(browser: Browser, typed: str) -> Answer:
    page = browser.get("/staff/privacy")
    return browser.post("/staff/privacy", {"csrf": page.csrf(), "q": typed})


def rows(answer: Answer) -> list[list[str]]:
    """Each record of the page's table: reference, form, received, name, found as."""
    return [[row.th.text, *(cell.text for cell in row.find_all("td"))] for row in answer.soup.select("tbody tr")]


def found(answer: Answer) -> list[tuple[str, str]]:
    return [(row[0], row[4]) for row in rows(answer)]


def left(store: BackOfficeStore) -> list[str]:
    return sorted(s.reference for s in store.stream(forms=FORMS, now=NOW))


def logs(store: BackOfficeStore, who: str = "") -> tuple[list[tuple[str, str, int]], list[tuple[str, str]]]:
    """The export log's (action, filter, rows) and the audit log's (action, reference), of one staff member."""
    exports = [(e.action, e.filter, e.rows) for e in store.log_entries() if not who or e.who == who]
    audits = [(e.action, e.reference) for e in store.audit_entries(now=NOW) if not who or e.who == who]
    return exports, audits


def assert_nothing_personal(store: BackOfficeStore) -> None:
    kept = json.dumps([e.__dict__ for e in store.log_entries()] + [e.__dict__ for e in store.audit_entries(now=NOW)],
                      default=str).lower()  # fmt: skip
    assert not [word for word in PERSONAL if word in kept], kept


def local(record: Submission) -> str:
    return record.created_at.astimezone(ZoneInfo(CITY.timezone)).strftime("%Y-%m-%d %H:%M")


# Finding ----------------------------------------------------------------------------------------------------


def test_a_phone_number_finds_every_record_however_it_was_written_and_what_was_kept_apart(
    office: BackOffice,
) -> None:
    browser = officer(office)
    for typed in ("0470 99 88 77", "+32 470 99 88 77", "0032470998877", "0470/99.88.77"):
        page = search(browser, typed)
        assert page.status == 200 and page.headers["cache-control"] == "no-store", typed
        assert found(page) == [ELS[1], ELS[0], ELS[2], ("H-JJJJ-KKKK", "as the person who needs help")], typed
        assert page.soup.select_one("#f-q")["value"] == typed, "the search stays in the box"
    table = rows(page)
    assert table[0] == ["H-AAAA-BBBB", "Help request", local(MOTHER), "Maria Peeters (asked for by Els Peeters)",
                        "as the person who asked for help for someone else"]  # fmt: skip
    assert table[3][1] == "Help request (kept apart: probably sent by a computer program)"
    assert "H-LLLL-MMMM" not in page.text() and "H-GGGG-HHHH" not in page.text(), "expired, and someone else's"
    assert search(browser, "0470 99 88").soup.select("tbody tr") == [], "a number is compared whole"
    assert logs(office.store)[1] == [("privacy", "")] * 5


def test_an_e_mail_address_finds_whatever_its_capitals_and_either_person_of_a_request_for_another(
    office: BackOffice,
) -> None:
    browser = officer(office)
    assert found(search(browser, " eLs@EXAMPLE.com ")) == [ELS[1], ELS[0], ELS[2]]
    mother = search(browser, "016/20.30.40")
    assert found(mother) == [("H-AAAA-BBBB", "as the person who needs help")], "Maria by her own number"
    nobody = search(browser, "nobody@example.com")
    assert nobody.status == 200 and rows(nobody) == []
    assert "Nothing found: no record holds this e-mail address or phone number." in nobody.text()
    assert nobody.soup.select("form[action='/staff/privacy/access']"), "'we hold nothing' is an answer too"
    assert not nobody.soup.select("form[action='/staff/privacy/erase']"), "nothing to erase"


def test_a_reference_finds_that_record_with_a_button_for_each_person_in_it(office: BackOffice) -> None:
    browser = officer(office)
    page = search(browser, "h aaaa-bbbb")
    assert found(page) == [("H-AAAA-BBBB", "by reference")]
    assert not page.soup.select("form[action='/staff/privacy/access']"), "a report is a person's, not a record's"
    buttons = {str(b["value"]): b.text for b in page.soup.select("#people-title ~ form button[name=question]")}
    assert buttons == {
        "phone": "Everything by the phone number of the person who needs help: 016 20 30 40",
        "asker_phone": "Everything by the phone number of the person who asked: 0470 99 88 77",
        "asker_email": "Everything by the e-mail address of the person who asked: Els@Example.com",
    }
    form = page.soup.select_one("#people-title ~ form")
    hidden = {str(i["name"]): str(i["value"]) for i in form.find_all("input")}
    assert hidden["from"] == "H-AAAA-BBBB" and "0470" not in json.dumps(hidden), "the button sends no number"

    asker = post_form(browser, page, "/staff/privacy", ("question", "asker_phone"))
    assert found(asker) == [ELS[1], ELS[0], ELS[2], ("H-JJJJ-KKKK", "as the person who needs help")]
    assert asker.soup.select_one("#f-q")["value"] == "0470 99 88 77"
    by_email = post_form(browser, page, "/staff/privacy", ("question", "asker_email"))
    assert found(by_email) == [ELS[1], ELS[0], ELS[2]]
    person = post_form(browser, page, "/staff/privacy", ("question", "phone"))
    assert found(person) == [("H-AAAA-BBBB", "as the person who needs help")]

    for question in ("street", "email", "name", "nonsense"):  # not an address or number the record holds
        refused = browser.post("/staff/privacy", {**hidden, "question": question})  # a page changed by hand
        assert refused.status == 422 and "no longer holds this address or number" in refused.text(), question
        assert refused.soup.select_one("#f-q")["value"] == "h aaaa-bbbb", "what was typed is kept"
    other = browser.post("/staff/privacy", {"csrf": page.csrf(), "q": "", "from": "H-ZZZZ-ZZZZ", "question": "phone"})
    assert other.status == 422
    unknown = search(browser, "H-ZZZZ-ZZZZ")
    assert rows(unknown) == [] and "there is no record with reference H-ZZZZ-ZZZZ" in unknown.text()
    volunteer_page = search(browser, "V-CCCC-DDDD")
    labels = [b.text for b in volunteer_page.soup.select("#people-title ~ form button")]
    assert labels == ["Everything by their phone number: +32 470/99.88.77",
                      "Everything by their e-mail address: els@example.com"]  # fmt: skip


READING_THE_SEARCH = ("/staff/privacy", "/staff/privacy/access", "/staff/privacy/erase", "/staff/privacy/erase/confirm")


def test_what_is_typed_wrong_gets_a_clear_message_and_stays_in_the_box(local_office: BackOffice) -> None:
    browser = officer(local_office)
    for typed, message in (
        ("", "Type the person's e-mail address, phone number or a reference"),
        ("   ", "Type the person's e-mail address, phone number or a reference"),
        ("Maria Peeters", "This is not an e-mail address, a phone number or a reference."),
        ('=HYPERLINK("http://evil.example","x")', "This is not an e-mail address, a phone number or a reference."),
        ("@", "This is not an e-mail address, a phone number or a reference."),
        ("els@example.com\u0007", "Remove the invisible control characters"),
        ("x" * 255 + "@example.com", "Use at most 254 characters (you used 267)."),
        ("\u200f0470 99 88 77", "This is not an e-mail address, a phone number or a reference."),
    ):
        for action in READING_THE_SEARCH:
            page = browser.post(action, {"csrf": browser.get("/staff/privacy").csrf(), "q": typed, "reference": "x"})
            assert page.status == 422, (typed, action)
            assert page.soup.title.text.startswith("Error: Privacy requests")
            assert page.soup.main.find(True)["class"] == ["error-summary"]
            assert page.soup.select_one(".error-summary a")["href"] == "#f-q" and message in page.text(), typed
            assert page.soup.select_one("#f-q")["aria-invalid"] == "true"
            assert page.soup.select_one("#f-q")["value"] == typed, "what was typed is still there"
    lone_surrogate = "q=%ED%A0%80&csrf=" + browser.get("/staff/privacy").csrf()
    refused = browser._send("POST", "/staff/privacy", "", lone_surrogate, dict(browser.headers))
    assert refused.status == 400, "the back office cannot read it: said so, never a 500"
    assert left(local_office.store) == ["H-AAAA-BBBB", "H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"]
    assert logs(local_office.store) == ([], [])


# Access (GDPR article 15) -----------------------------------------------------------------------------------


def test_the_access_report_downloads_what_helpt_access_writes_without_the_other_persons_details(
    staff: Staff, office: BackOffice
) -> None:
    browser = officer(office)
    page = search(browser, "els@example.com")

    download = post_form(browser, page, "/staff/privacy/access", ("format", "text"))

    day = NOW.astimezone(ZoneInfo(CITY.timezone)).date().isoformat()
    assert download.status == 200 and download.raw["isBase64Encoded"] is True
    assert download.headers["content-disposition"] == f'attachment; filename="access-{day}.txt"'
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.headers["cache-control"] == "no-store"
    text = base64.b64decode(download.body).decode("utf-8")
    written = staff.tmp_path / "els.txt"
    assert staff("access", "--email", "ELS@example.com", "--output", str(written)).code == 0
    assert text == written.read_text(encoding="utf-8"), "one core: the same report as the command line's"
    assert "Found: as the person who asked for help for someone else" in text and "Name: Maria Peeters" in text
    for mothers in ("Kerkstraat", "016 20 30 40", "Postcode: 3000", "Robot"):
        assert mothers not in text, "Maria's address and number are hers; the bot's form has no e-mail"
    assert "Left out: the other person's contact details" in text and "V-CCCC-DDDD" in text

    as_json = post_form(browser, page, "/staff/privacy/access", ("format", "json"))
    assert as_json.headers["content-disposition"] == f'attachment; filename="access-{day}.json"'
    assert as_json.headers["content-type"] == "application/json; charset=utf-8"
    data = json.loads(base64.b64decode(as_json.body))
    assert [item["reference"] for item in data["submissions"]] == ["H-AAAA-BBBB", "V-CCCC-DDDD", "R-EEEE-FFFF"]
    request = data["submissions"][0]
    assert request["found_as"] == ["asker"] and sorted(request["left_out"]) == ["phone", "postcode", "street"]
    assert "street" not in request["answers"] and request["answers"]["asker_email"] == "Els@Example.com"

    exports, audits = logs(office.store, "pia")
    assert [entry for entry in exports if entry[0] == "access"] == [("access", "by e-mail", 3)] * 2
    assert ("purge", "expired records", 1) in exports, "the expired record went first"
    assert [entry for entry in audits if entry[0] == "access"] == [("access", "")] * 2
    assert_nothing_personal(office.store)


def test_the_access_report_by_phone_in_dutch_is_the_persons_own(office: BackOffice) -> None:
    browser = officer(office, "nl")
    page = search(browser, "016 20 30 40")
    text = base64.b64decode(post_form(browser, page, "/staff/privacy/access", ("format", "text")).body).decode()
    assert text.startswith("Wat Leuven Helpt over jou bewaart")
    assert "Gevonden: als de persoon die hulp nodig heeft" in text and "Naam aanvrager: Els Peeters" in text
    assert "0470 99 88 77" not in text and "Els@Example.com" not in text, "the asker's contact details are hers"
    assert ("access", "by phone", 1) in logs(office.store, "pia")[0]


# Erasure (GDPR article 17) ----------------------------------------------------------------------------------


def test_an_erasure_shows_what_will_go_and_erases_only_the_records_shown(office: BackOffice) -> None:
    browser = officer(office)
    results = search(browser, "0470 99 88 77")

    confirmation = post_form(browser, results, "/staff/privacy/erase")

    assert confirmation.status == 200 and confirmation.soup.h1.text == "Erase these records?"
    assert rows(confirmation) == [
        ["H-AAAA-BBBB", "Help request", local(MOTHER), "Maria Peeters (asked for by Els Peeters)", ELS[1][1]],
        ["V-CCCC-DDDD", "Volunteer", local(ELS_VOLUNTEER), "Els Peeters", ELS[0][1]],
        ["R-EEEE-FFFF", "Vacancy response", local(ELS_RESPONSE), "Els Peeters", ELS[2][1]],
        ["H-JJJJ-KKKK", "Help request (kept apart: probably sent by a computer program)", local(BOT), "Robot",
         "as the person who needs help"],
    ]  # fmt: skip
    assert "is erased whole, with the details of the person who needs help" in confirmation.text()
    assert left(office.store) == ["H-AAAA-BBBB", "H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"], "nothing yet"
    # Els signs up again while the privacy officer reads the list: not shown, so not erased by this "yes".
    assert office.store.add(volunteer("V-NNNN-PPPP", 1, name="Els Peeters", phone="0470998877"))

    done = post_form(browser, confirmation, "/staff/privacy/erase/confirm")

    assert done.status == 200 and "Erased 4 records." in done.text()
    assert "Delete any file exported before that holds them too" in done.text()
    assert left(office.store) == ["H-GGGG-HHHH", "V-NNNN-PPPP"]
    assert list(office.store.quarantined(now=NOW)) == []
    exports, audits = logs(office.store, "pia")
    assert [entry for entry in exports if entry[0] == "erase"] == [("erase", "by phone", 4)]
    assert sorted(ref for action, ref in audits if action == "erase") == [
        "H-AAAA-BBBB", "H-JJJJ-KKKK", "R-EEEE-FFFF", "V-CCCC-DDDD",
    ]  # fmt: skip
    assert_nothing_personal(office.store)
    again = search(browser, "0470 99 88 77")
    assert found(again) == [("V-NNNN-PPPP", "as a volunteer")], "the new sign-up waits for its own confirmation"


def test_the_erasure_checks_again_that_each_reference_sent_back_is_still_the_persons(office: BackOffice) -> None:
    browser = officer(office)
    csrf = browser.get("/staff/privacy").csrf()
    fields = [("csrf", csrf), ("q", "els@example.com"), ("reference", "H-GGGG-HHHH"), ("reference", "H-AAAA-BBBB"),
              ("reference", "H-AAAA-BBBB"), ("reference", "H-LLLL-MMMM"), ("reference", "x" * 5000)]  # fmt: skip

    done = _post_pairs(browser, "/staff/privacy/erase/confirm", fields)

    assert done.status == 200 and "Erased 1 record." in done.text()
    assert "2 records shown were not erased" in done.text()
    assert left(office.store) == ["H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"], "Ann's request is not Els's"
    by_reference = _post_pairs(browser, "/staff/privacy/erase/confirm",
                               [("csrf", csrf), ("q", "H-GGGG-HHHH"), ("reference", "V-CCCC-DDDD")])  # fmt: skip
    assert "Erased 0 records." in by_reference.text()
    assert left(office.store) == ["H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"]
    erasures = [entry for entry in logs(office.store, "pia")[0] if entry[0] == "erase"]
    assert sorted(erasures) == [("erase", "by e-mail", 1), ("erase", "by reference", 0)]  # at the same test time


def test_an_erasure_by_reference_in_dutch_and_no_erases_nothing(office: BackOffice) -> None:
    browser = officer(office, "nl")
    results = search(browser, "h-gggg-hhhh")
    confirmation = post_form(browser, results, "/staff/privacy/erase")
    assert rows(confirmation) == [["H-GGGG-HHHH", "Hulpvraag", local(OTHER), "Ann Claes", "op referentienummer"]]
    assert confirmation.soup.select(".notice") == [], "no asker: nobody else's details go with it"

    cancelled = post_form(browser, confirmation, "/staff/privacy")

    assert cancelled.status == 200 and found(cancelled) == [("H-GGGG-HHHH", "op referentienummer")]
    assert left(office.store) == ["H-AAAA-BBBB", "H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"]
    assert [entry for entry in logs(office.store)[0] if entry[0] == "erase"] == []
    done = post_form(browser, post_form(browser, cancelled, "/staff/privacy/erase"), "/staff/privacy/erase/confirm")
    assert done.soup.html["lang"] == "nl" and "1 inzending gewist." in done.text()
    assert left(office.store) == ["H-AAAA-BBBB", "R-EEEE-FFFF", "V-CCCC-DDDD"]


# Retention --------------------------------------------------------------------------------------------------


def test_purge_deletes_the_expired_records_now_and_says_how_many(office: BackOffice) -> None:
    office.store.quarantine(expired(help_request("H-QQQQ-RRRR")))
    english = officer(office, "en", "pia.en").get("/staff/privacy/purge")
    assert english.status == 200 and "Every record is deleted 90 days after it came in" in english.text()
    browser = officer(office, "nl")
    page = browser.get("/staff/privacy/purge")
    earlier = NOW - dt.timedelta(days=365)

    done = post_form(browser, page, "/staff/privacy/purge")

    assert done.status == 200 and "2 verlopen inzendingen gewist." in done.text()
    assert "H-LLLL-MMMM" not in [s.reference for s in office.store.stream(forms=FORMS, now=earlier)], "deleted"
    assert [s.reference for s in office.store.quarantined(now=earlier)] == ["H-JJJJ-KKKK"]
    assert logs(office.store, "pia") == ([("purge", "expired records", 2)], [("purge", "")])
    assert officer(office, "en", "pia.2").get("/staff/privacy").soup.select_one("a[href='/staff/privacy/purge']")


# Roles, CSRF, and what never leaves the page ----------------------------------------------------------------


def privacy_routes() -> list[Route]:
    """The privacy pages' routes, from the live table (read once a BackOffice has loaded the views)."""
    return [route for route in routes if route.pattern.startswith("/staff/privacy")]


def test_every_privacy_route_is_the_privacy_officers_alone(local_office: BackOffice) -> None:
    store = local_office.store
    assert {(r.method, r.pattern) for r in privacy_routes()} == {
        ("GET", "/staff/privacy"), ("POST", "/staff/privacy"), ("POST", "/staff/privacy/access"),
        ("POST", "/staff/privacy/erase"), ("POST", "/staff/privacy/erase/confirm"),
        ("GET", "/staff/privacy/purge"), ("POST", "/staff/privacy/purge"),
    }  # fmt: skip
    fields = {"q": "0470 99 88 77", "reference": "H-AAAA-BBBB", "format": "text"}
    for role in ("call_centre", "coordinator", "organisation"):
        browser = signed_in(local_office, make_account(store, f"x.{role}", role))
        refusal = browser.get("/staff/privacy")
        csrf = refusal.csrf()  # the session's own token, from the header of the refusal page
        menu = [a["href"] for a in refusal.soup.select("nav.menu a")]
        assert "/staff/privacy" not in menu, role
        for route in privacy_routes():
            if route.method == "GET":
                answer = browser.get(route.pattern)
            else:
                answer = browser.post(route.pattern, {"csrf": csrf, **fields})
            assert answer.status == 403, (role, route.method, route.pattern)
            assert "0470" not in answer.body
    assert left(store) == ["H-AAAA-BBBB", "H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"]
    assert list(store.log_entries()) == [], "no purge, no report, no erasure"
    assert {e.action for e in store.audit_entries(now=NOW)} == {"refused"}
    pia = officer(local_office)
    assert "/staff/privacy" in [a["href"] for a in pia.get("/staff/").soup.select("nav.menu a")]
    for route in privacy_routes():
        if route.method == "GET":
            assert pia.get(route.pattern).status == 200, route.pattern
        answer = Browser(local_office).get(route.pattern) if route.method == "GET" else Browser(local_office).post(
            route.pattern, fields)  # fmt: skip
        assert answer.status == 303 and answer.location == f"/staff/signin?next={route.pattern}"


def test_every_privacy_post_needs_the_sessions_token_and_this_site(local_office: BackOffice) -> None:
    browser = officer(local_office)
    csrf = browser.get("/staff/privacy").csrf()
    store = local_office.store
    fields = {"q": "0470 99 88 77", "reference": "H-AAAA-BBBB", "format": "text"}
    for number, route in enumerate(r for r in privacy_routes() if r.method == "POST"):
        assert browser.post(route.pattern, fields).status == 403, route.pattern
        assert browser.post(route.pattern, {**fields, "csrf": csrf[:-2] + "xx"}).status == 403, route.pattern
        other = officer(local_office, "en", f"other.{number}").get("/staff/privacy").csrf()
        assert browser.post(route.pattern, {**fields, "csrf": other}).status == 403, "another session's token"
        cross = {"origin": "https://evil.example", "sec-fetch-site": "cross-site"}
        assert browser.post(route.pattern, {**fields, "csrf": csrf}, headers=cross).status == 403, route.pattern
    assert left(store) == ["H-AAAA-BBBB", "H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"]
    assert list(store.log_entries()) == []
    assert browser.post("/staff/privacy/erase/confirm", {**fields, "csrf": csrf}).status == 200, "with it: done"
    assert left(store) == ["H-GGGG-HHHH", "R-EEEE-FFFF", "V-CCCC-DDDD"]


def test_no_address_or_number_goes_into_a_url_a_link_or_the_log(
    local_office: BackOffice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "helpt")
    browser = officer(local_office)
    pages = [search(browser, "0470 99 88 77"), search(browser, "els@example.com"), search(browser, "H-AAAA-BBBB")]
    pages.append(post_form(browser, pages[0], "/staff/privacy/erase"))
    pages.append(post_form(browser, pages[-1], "/staff/privacy/erase/confirm"))
    for page in pages:
        assert all(form["method"] == "post" for form in page.soup.find_all("form")), "every form posts"
        assert all("?" not in str(form["action"]) for form in page.soup.find_all("form"))
        assert not [a["href"] for a in page.soup.find_all("a") if "0470" in a["href"] or "@" in a["href"]]
        assert "location" not in page.headers
    assert not [word for word in PERSONAL if word in caplog.text.lower()], caplog.text
    assert_nothing_personal(local_office.store)
    audit_page = browser.get("/staff/audit")
    assert audit_page.text().count("looked for a person's records (privacy request)") == 4
    assert "erasure H-AAAA-BBBB" in audit_page.text() and not [w for w in PERSONAL if w in audit_page.text().lower()]


# The HTML checker and axe -----------------------------------------------------------------------------------


def test_the_w3c_html_checker_finds_no_errors_on_the_privacy_pages(tmp_path: Path) -> None:
    java = require_vnu()
    answers = {}
    for lang in ("nl", "en"):
        browser = officer(filled_office(tmp_path / lang), lang)  # each language erases from its own store
        results = search(browser, "0470 99 88 77")
        by_reference = search(browser, "H-AAAA-BBBB")
        confirmation = post_form(browser, results, "/staff/privacy/erase")
        answers |= {
            f"privacy-{lang}": browser.get("/staff/privacy"),
            f"results-{lang}": results,
            f"reference-{lang}": by_reference,
            f"nothing-{lang}": search(browser, "nobody@example.com"),
            f"problem-{lang}": search(browser, "=1+1"),
            f"confirm-{lang}": confirmation,
            f"purge-{lang}": browser.get("/staff/privacy/purge"),
            f"purged-{lang}": post_form(browser, browser.get("/staff/privacy/purge"), "/staff/privacy/purge"),
        }
        answers[f"erased-{lang}"] = post_form(browser, confirmation, "/staff/privacy/erase/confirm")
        answers[f"confirm-nothing-{lang}"] = post_form(browser, results, "/staff/privacy/erase")
    assert {name: a.status for name, a in answers.items() if a.status != 200} == {"problem-nl": 422, "problem-en": 422}
    assert answers["erased-nl"].soup.html["lang"] == "nl" and "4 inzendingen gewist." in answers["erased-nl"].text()
    assert "Nothing to erase" in answers["confirm-nothing-en"].text()
    for answer in answers.values():
        assert all(form.select_one("input[name=csrf]") for form in answer.soup.find_all("form", method="post"))
    assert check_html(java, save_pages(tmp_path / "pages", answers)) == []


@pytest.fixture(scope="module")
def served(leuven_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SQLiteStore]]:
    """The back office over real HTTP for Chromium, with the built site's stylesheets (as in the core's tests)."""
    store = SQLiteStore(tmp_path_factory.mktemp("privacy") / "helpt.sqlite3")
    fill(store)
    make_account(store, "pia", "privacy_officer")
    with serve_back_office(BackOffice(CITY, store, secure=False), leuven_site.root) as url:
        yield url, store


def test_axe_finds_no_violations_and_nothing_scrolls_sideways_on_the_privacy_pages(
    browser, served: tuple[str, SQLiteStore]
) -> None:
    url, _store = served
    # axe is a script: only it may run, past our Content-Security-Policy, which allows none.
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    sweep = Sweep()

    def check(name: str) -> None:
        sweep.check(page, name)

    _sign_in(page, url)
    for lang in ("nl", "en"):
        page.goto(f"{url}/staff/privacy")
        check(f"privacy-{lang}")
        page.locator("#f-q").fill("Maria")
        page.locator("form[action='/staff/privacy'] button").first.click()
        assert page.title().startswith(("Fout: ", "Error: "))
        check(f"problem-{lang}")
        page.locator("#f-q").fill("h aaaa bbbb")
        page.locator("form[action='/staff/privacy'] button").first.click()
        check(f"reference-{lang}")
        page.locator("button[name=question][value=asker_phone]").click()
        assert page.locator("#f-q").input_value() == "0470 99 88 77"
        check(f"results-{lang}")
        page.locator("form[action='/staff/privacy/erase'] button").click()
        check(f"confirm-{lang}")
        page.locator("form[action='/staff/privacy'] button").last.click()  # no, erase nothing
        check(f"cancelled-{lang}")
        page.goto(f"{url}/staff/privacy/purge")
        check(f"purge-{lang}")
        page.locator("form[action='/staff/privacy/purge'] button").click()
        check(f"purged-{lang}")
        page.locator("header form[action='/staff/language'] button").first.click()
    context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)


def test_a_privacy_officer_answers_an_access_and_an_erasure_request_without_javascript(
    browser, served: tuple[str, SQLiteStore]
) -> None:
    url, store = served
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    _sign_in(page, url)
    page.get_by_role("button", name="English").click()
    page.get_by_role("link", name="Privacy requests").click()
    page.get_by_label("E-mail address, phone number or reference").fill("ELS@example.com")
    page.get_by_role("button", name="Find everything").click()
    assert page.url == f"{url}/staff/privacy", "the address is not in the URL"
    assert page.locator("tbody tr").count() == 3
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the report (text)").click()
    report = Path(downloading.value.path()).read_text(encoding="utf-8")
    assert downloading.value.suggested_filename.startswith("access-") and "Els Peeters" in report
    page.get_by_role("button", name="Erase these records…").click()
    assert page.locator("h1").inner_text() == "Erase these records?"
    page.get_by_role("button", name="Yes, erase these for good").click()
    assert "Erased 3 records." in page.get_by_role("status").inner_text()
    context.close()
    assert "H-AAAA-BBBB" not in [s.reference for s in store.stream(forms=FORMS)]
    assert [s.reference for s in store.stream(forms=FORMS)] == ["H-GGGG-HHHH"]


def _sign_in(page: object, url: str) -> None:
    page.goto(f"{url}/staff/signin")  # type: ignore[attr-defined]
    page.get_by_label("Aanmeldnaam").fill("pia")  # type: ignore[attr-defined]
    page.get_by_label("Wachtwoord").fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Aanmelden").click()  # type: ignore[attr-defined]
