"""The web back office's core: nothing without a session, every role on every route, sign-in with a one-time
link and a password, lock-out, time-outs, sign-out, CSRF, cookies, headers, language, the HTML checker.

Every check is on the back office's own HTTP answers (payload 2.0, as HTTP API hands them over) and on what
the SQLite store holds afterwards. The routes are walked from the live route table, so routes that other
modules add later are covered by the same tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
import secrets
import subprocess
from pathlib import Path

import pytest
from backoffice_support import PASSWORD, Answer, Browser, Clock, make_account, save_pages, signed_in
from browser_support import VNU_JAR, require_vnu
from conftest import LEUVEN
from forms_support import broken_store
from test_staff_support import NOW, Staff, help_request, volunteer

from helpt.http_api import Request
from helpt.settings import StaffSettings, load_city
from helpt.staff.web.accounts import new_account
from helpt.staff.web.app import BackOffice, load_views
from helpt.staff.web.roles import ACTIONS, ROLE_ACTIONS, allowed
from helpt.staff.web.routing import Route, routes
from helpt.staff.web.sessions import token_hash
from helpt.stores import ROLES
from helpt.stores.sqlite import SQLiteStore

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

OPEN_ROUTES = {  # the only routes anyone may open: signing in, and the signed links in messages, need no session
    ("GET", "/staff/signin"), ("POST", "/staff/signin"), ("GET", "/staff/signin/link"),
    ("POST", "/staff/signin/link"), ("GET", "/staff/auth/start"), ("GET", "/staff/auth/callback"),
    ("GET", "/staff/answer"), ("POST", "/staff/answer"), ("GET", "/staff/unsubscribe"), ("POST", "/staff/unsubscribe"),
    ("GET", "/staff/card"),
}  # fmt: skip
SIGNIN_FAILED = "We konden je niet aanmelden met deze naam en dit wachtwoord."


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "data" / "helpt.sqlite3")


@pytest.fixture
def office(store: SQLiteStore, clock: Clock) -> BackOffice:
    return BackOffice(load_city(LEUVEN), store, clock=clock, secure=True)


def guarded_routes() -> list[Route]:
    load_views()  # as BackOffice does: every view module's routes, the case-work ones too once they exist
    return [route for route in routes if route.action is not None]


def send(browser: Browser, route: Route, csrf: str = "") -> Answer:
    if route.method == "GET":
        return browser.get(route.example_path())
    return browser.post(route.example_path(), {"csrf": csrf} if csrf else {})


def is_signin_redirect(answer: Answer, path: str) -> bool:
    return answer.status == 303 and answer.location == f"/staff/signin?next={path}" and answer.body == ""


def audit_log(store: SQLiteStore) -> list[tuple[str, str, str]]:
    return [(entry.who, entry.action, entry.reference) for entry in store.audit_entries(now=NOW)]


# Nothing without a session ----------------------------------------------------------------------------------


def test_only_the_sign_in_pages_are_open_and_every_other_route_names_an_action_of_the_table() -> None:
    guarded = guarded_routes()
    assert {(route.method, route.pattern) for route in routes if route.action is None} == OPEN_ROUTES
    assert {route.action for route in guarded} <= ACTIONS
    assert {("GET", "/staff/"), ("POST", "/staff/signout"), ("POST", "/staff/language")} <= {
        (route.method, route.pattern) for route in guarded
    }
    assert set(ROLE_ACTIONS) == set(ROLES)


def test_nothing_under_staff_is_shown_without_a_session(office: BackOffice, store: SQLiteStore) -> None:
    store.add(help_request("H-AAAA-BBBB"))
    anonymous, forged = Browser(office), Browser(office, cookies={"__Host-helpt-staff": secrets.token_urlsafe(32)})
    paths = [route.example_path(reference="H-AAAA-BBBB") for route in guarded_routes()]
    for browser in (anonymous, forged):
        for route in guarded_routes():
            path = route.example_path(reference="H-AAAA-BBBB")
            answer = browser.get(path) if route.method == "GET" else browser.post(path, {"csrf": "x"})
            assert is_signin_redirect(answer, path), (route, answer.status)
            assert answer.headers["cache-control"] == "no-store"
        for path in ["/staff/nowhere", "/staff/requests/H-AAAA-BBBB", "/staff/export.csv", *paths]:
            assert is_signin_redirect(browser.get(path), path), path
    assert Browser(office).get("/staff").location == "/staff/"
    assert store.get_session(token_hash(forged.cookies["__Host-helpt-staff"])) is None


@pytest.mark.parametrize("role", ROLES)
def test_every_role_on_every_route_gets_what_the_table_allows(
    office: BackOffice, store: SQLiteStore, role: str
) -> None:
    account = make_account(store, f"staff.{role}", role)
    for route in guarded_routes():
        browser = signed_in(office, account)  # a fresh session each time: sign-out is one of the routes
        session = office.sessions.current(browser.cookies)
        assert session is not None
        answer = send(browser, route, session.csrf_token)
        if allowed(role, str(route.action)):
            assert answer.status < 500 and answer.status != 403, (role, route, answer.status)
            assert not answer.location.startswith("/staff/signin?next="), (role, route)
        elif is_start(route) and office.home(role) != "/staff/":  # a role without "Today" starts elsewhere
            assert (answer.status, answer.location) == (303, office.home(role)), role
        else:
            assert answer.status == 403, (role, route, answer.status)
            assert "Dit kun je niet doen" in answer.text() and "016/27.27.72" in answer.text()
        assert answer.headers["cache-control"] == "no-store"
    refused = [entry for entry in store.audit_entries(now=NOW) if entry.action == "refused"]
    assert len(refused) == sum(
        not allowed(role, str(route.action)) and not (is_start(route) and office.home(role) != "/staff/")
        for route in guarded_routes()
    )


def is_start(route: Route) -> bool:
    return (route.method, route.pattern) == ("GET", "/staff/")


def test_the_menu_lists_only_the_pages_the_role_may_open(office: BackOffice, store: SQLiteStore) -> None:
    for role in ROLES:
        page = signed_in(office, make_account(store, f"m.{role}", role)).get(office.home(role))
        menu = {str(link["href"]) for link in page.soup.select("nav.menu a")}
        listed = {route.pattern for route in guarded_routes() if route.nav and allowed(role, str(route.action))}
        assert menu == listed and office.home(role) in menu, role


# Signing in -------------------------------------------------------------------------------------------------


def test_a_new_account_signs_in_with_its_one_time_link_then_with_its_password(local_staff: Staff, clock: Clock) -> None:
    store = local_staff.store
    assert isinstance(store, SQLiteStore)
    made = local_staff("accounts", "add", "Ann.Claes", "--role", "coordinator", "--display-name", "Ann Claes")
    clock.now = dt.datetime.now(dt.UTC)  # the command line made the link by the real clock
    assert made.code == 0, made.err
    link = re.search(r"http://127\.0\.0\.1:8000(/staff/signin/link)\?token=([\w-]{43})\n", made.out)
    assert link and "Made the account ann.claes (coordinator)." in made.out
    office = BackOffice(load_city(LEUVEN), store, clock=clock, secure=True)
    browser = Browser(office)

    form = browser.get(link[1], {"token": link[2]})
    assert form.status == 200 and form.soup.h1.text == "Kies je wachtwoord" and "ann.claes" in form.text()
    fields = {"csrf": form.csrf(), "token": link[2]}
    short = browser.post(link[1], {**fields, "password": "kort", "again": "kort"}, query="lang=nl")
    assert short.status == 422 and short.soup.title.text.startswith("Fout: ")
    assert short.soup.select_one(".error-summary a")["href"] == "#f-password"
    assert "minstens 12 tekens" in short.soup.select_one("#f-password-error").text
    assert short.soup.select_one("#f-password")["aria-invalid"] == "true"
    differ = browser.post(link[1], {**fields, "password": PASSWORD, "again": PASSWORD + "!"}, query="lang=nl")
    assert differ.status == 422 and differ.soup.select_one(".error-summary a")["href"] == "#f-again"

    chosen = browser.post(link[1], {**fields, "password": PASSWORD, "again": PASSWORD}, query="lang=nl")
    assert chosen.status == 303 and chosen.location == "/staff/"
    today = browser.get("/staff/")
    assert today.status == 200 and today.soup.h1.text == "Vandaag"
    assert "Aangemeld als Ann Claes (coördinator)" in today.text()
    assert Browser(office).get(link[1], {"token": link[2]}).status == 410, "the link works once"

    browser.post("/staff/signout", {"csrf": today.csrf()})
    again = Browser(office).sign_in("ann.claes", next_path="/staff/")
    assert again.status == 303 and again.location == "/staff/"
    account = store.get_account("ann.claes")
    assert account is not None and account.password_hash.startswith("scrypt$16384$8$1$") and not account.link_hash
    kept = b"".join(path.read_bytes() for path in store.path.parent.glob("helpt.sqlite3*"))
    assert PASSWORD.encode() not in kept and link[2].encode() not in kept
    actions = [action for _who, action, _ref in audit_log(store)]
    assert actions == ["account_add", "password_set", "signin", "signin_link_refused", "signout", "signin"]


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer(office: BackOffice, store: SQLiteStore) -> None:
    make_account(store, "ann.claes", "call_centre")
    wrong = Browser(office).sign_in("ann.claes", "not the password at all")
    unknown = Browser(office).sign_in("jan.nobody", PASSWORD)
    for answer in (wrong, unknown):
        assert answer.status == 422 and not [c for c in answer.set_cookies if "helpt-staff=" in c]
        assert answer.soup.title.text.startswith("Fout: Aanmelden")
        assert SIGNIN_FAILED in answer.soup.select_one(".error-summary").text
        assert answer.soup.select_one("#f-name")["aria-invalid"] == "true"
    assert wrong.soup.select_one("#f-name")["value"] == "ann.claes", "the name typed is kept, the password not"
    assert "value" not in wrong.soup.select_one("#f-password").attrs
    assert audit_log(store) == [("ann.claes", "signin_failed", ""), ("unknown account", "signin_failed", "")]
    assert "jan.nobody" not in json.dumps([dataclasses.astuple(e) for e in store.audit_entries(now=NOW)], default=str)


def test_after_the_limit_of_failures_the_account_waits_even_for_the_right_password(
    store: SQLiteStore, clock: Clock
) -> None:
    city = dataclasses.replace(load_city(LEUVEN), staff=StaffSettings(failed_signin_limit=3, lockout_minutes=10))
    office = BackOffice(city, store, clock=clock, secure=True)
    make_account(store, "ann.claes", "coordinator")
    for _attempt in range(3):
        assert Browser(office).sign_in("ann.claes", "wrong password, again").status == 422
    locked = Browser(office).sign_in("ann.claes", PASSWORD)
    assert locked.status == 422 and SIGNIN_FAILED in locked.text() and "Na 3 pogingen na elkaar" in locked.text()
    clock.advance(minutes=9)
    assert Browser(office).sign_in("ann.claes", PASSWORD).status == 422
    clock.advance(minutes=1, seconds=1)
    assert Browser(office).sign_in("ann.claes", PASSWORD).status == 303
    actions = [action for _who, action, _ref in audit_log(store)]
    assert actions == ["signin_failed", "signin_failed", "signin_locked", "signin_while_locked",
                       "signin_while_locked", "signin"]  # fmt: skip
    assert store.get_account("ann.claes").failed_signins == 0  # type: ignore[union-attr]


def test_every_sign_in_starts_a_new_session_and_ends_the_one_the_browser_had(
    office: BackOffice, store: SQLiteStore
) -> None:
    make_account(store, "ann.claes", "coordinator")
    earlier = Browser(office)
    assert earlier.sign_in("ann.claes").status == 303
    planted = earlier.cookies["__Host-helpt-staff"]
    browser = Browser(office)
    form = browser.get("/staff/signin")
    browser.cookies["__Host-helpt-staff"] = planted  # a session id someone got into this browser beforehand
    answer = browser.post("/staff/signin", {"csrf": form.csrf(), "name": "ann.claes", "password": PASSWORD})
    fresh = browser.cookies["__Host-helpt-staff"]
    assert answer.status == 303 and fresh != planted
    assert store.get_session(token_hash(planted)) is None and store.get_session(token_hash(fresh)) is not None
    assert is_signin_redirect(earlier.get("/staff/"), "/staff/")
    assert "__Host-helpt-signin=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" in answer.set_cookies


# Time-outs, sign-out, withdrawn access ---------------------------------------------------------------------


def test_a_session_ends_after_the_idle_time_out(office: BackOffice, store: SQLiteStore, clock: Clock) -> None:
    browser = signed_in(office, make_account(store, "ann.claes", "call_centre"))
    for _step in range(3):
        clock.advance(minutes=29)
        assert browser.get("/staff/").status == 200, "using it keeps it alive"
    clock.advance(minutes=30, seconds=30)
    assert is_signin_redirect(browser.get("/staff/"), "/staff/")
    assert store.get_session(token_hash(browser.cookies["__Host-helpt-staff"]), now=clock()) is None


def test_a_session_ends_after_its_maximum_age_however_busy(
    office: BackOffice, store: SQLiteStore, clock: Clock
) -> None:
    browser = signed_in(office, make_account(store, "ann.claes", "call_centre"))
    for _step in range(29):
        clock.advance(minutes=20)
        assert browser.get("/staff/").status == 200
    clock.advance(minutes=21)  # 10 h 1 min after signing in
    assert is_signin_redirect(browser.get("/staff/"), "/staff/")


def test_after_sign_out_the_old_cookie_is_refused(office: BackOffice, store: SQLiteStore) -> None:
    make_account(store, "ann.claes", "coordinator")
    browser = Browser(office)
    browser.sign_in("ann.claes")
    token = browser.cookies["__Host-helpt-staff"]
    out = browser.post("/staff/signout", {"csrf": browser.get("/staff/").csrf()})
    assert out.status == 303 and out.location == "/staff/signin?out=1&lang=nl"
    assert "__Host-helpt-staff=; Secure; HttpOnly; SameSite=Strict; Path=/; Max-Age=0" in out.set_cookies
    assert "Je bent afgemeld." in browser.get("/staff/signin", "out=1&lang=nl").text()
    stolen = Browser(office, cookies={"__Host-helpt-staff": token})
    assert is_signin_redirect(stolen.get("/staff/"), "/staff/")
    assert store.get_session(token_hash(token)) is None
    assert audit_log(store)[-1] == ("ann.claes", "signout", "")


def test_removing_an_account_or_changing_its_role_counts_from_the_next_request(
    local_staff: Staff, clock: Clock
) -> None:
    store = local_staff.store
    assert isinstance(store, SQLiteStore)
    office = BackOffice(load_city(LEUVEN), store, clock=clock, secure=True)
    browser = signed_in(office, make_account(store, "ann.claes", "coordinator"))
    assert "(coördinator)" in browser.get("/staff/").text()
    assert local_staff("accounts", "role", "ann.claes", "call_centre").code == 0
    assert "(callcenter)" in browser.get("/staff/").text()
    listed = local_staff("accounts", "list")
    assert listed.out.split() == ["ann.claes", "call", "centre", "-", "active"]
    removed = local_staff("accounts", "remove", "ann.claes")
    assert removed.code == 0 and "can no longer sign in" in removed.out
    assert is_signin_redirect(browser.get("/staff/"), "/staff/")
    assert Browser(office).sign_in("ann.claes").status == 422
    assert local_staff("accounts", "list").out.split()[-2:] == ["access", "withdrawn"]


# CSRF and origin --------------------------------------------------------------------------------------------


def test_a_post_without_the_sessions_token_or_from_another_site_is_refused_and_changes_nothing(
    office: BackOffice, store: SQLiteStore
) -> None:
    browser = signed_in(office, make_account(store, "ann.claes", "coordinator"))
    token = browser.get("/staff/").csrf()
    hash_ = token_hash(browser.cookies["__Host-helpt-staff"])
    attempts = [
        ({"lang": "en"}, None),
        ({"lang": "en", "csrf": "not-the-token"}, None),
        ({"lang": "en", "csrf": token}, {"origin": "https://evil.example"}),
        ({"lang": "en", "csrf": token}, {"origin": "http://www.leuvenhelpt.be"}),  # not https: another origin
        ({"lang": "en", "csrf": token}, {"origin": "null", "sec-fetch-site": "cross-site"}),
        ({"lang": "en", "csrf": token}, {"sec-fetch-site": "same-site"}),
    ]
    for fields, headers in attempts:
        answer = browser.post("/staff/language", fields, headers=headers)
        assert answer.status == 403, (fields, headers)
        assert store.get_session(hash_).lang == "nl"  # type: ignore[union-attr]
    assert browser.post("/staff/signout", {}).status == 403 and store.get_session(hash_) is not None
    # What browsers send from our own page: Chromium under no-referrer, or an Origin header of this site.
    for headers in ({"origin": "null", "sec-fetch-site": "same-origin"}, {"origin": "https://www.leuvenhelpt.be"}):
        answer = browser.post("/staff/language", {"lang": "en", "csrf": token, "next": "/staff/"}, headers=headers)
        assert answer.status == 303 and store.get_session(hash_).lang == "en"  # type: ignore[union-attr]
        browser.post("/staff/language", {"lang": "nl", "csrf": token})


def test_the_sign_in_form_needs_its_own_token_from_the_same_browser(office: BackOffice, store: SQLiteStore) -> None:
    make_account(store, "ann.claes", "coordinator")
    page = Browser(office).get("/staff/signin")
    other_browser = Browser(office)  # a page of another site posts its visitor's browser to our sign-in
    answer = other_browser.post("/staff/signin", {"csrf": page.csrf(), "name": "ann.claes", "password": PASSWORD})
    assert answer.status == 403 and not [c for c in answer.set_cookies if "helpt-staff=" in c]
    cross_site = Browser(office)
    form = cross_site.get("/staff/signin")
    fields = {"csrf": form.csrf(), "name": "ann.claes", "password": PASSWORD}
    assert cross_site.post("/staff/signin", fields, headers={"sec-fetch-site": "cross-site"}).status == 403
    assert audit_log(store) == [] and store.get_account("ann.claes").failed_signins == 0  # type: ignore[union-attr]


# Cookies and headers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secure", "pattern"),
    [
        (True, r"__Host-helpt-staff=([\w-]{43}); Secure; HttpOnly; SameSite=Strict; Path=/"),
        (False, r"helpt-staff=([\w-]{43}); HttpOnly; SameSite=Strict; Path=/staff"),
    ],
)
def test_the_session_cookie_on_https_and_on_the_plain_http_preview(
    store: SQLiteStore, clock: Clock, secure: bool, pattern: str
) -> None:
    office = BackOffice(load_city(LEUVEN), store, clock=clock, secure=secure)
    make_account(store, "ann.claes", "coordinator")
    answer = Browser(office).sign_in("ann.claes")
    cookies = [cookie for cookie in answer.set_cookies if "helpt-staff=" in cookie]
    assert len(cookies) == 1 and (found := re.fullmatch(pattern, cookies[0]))
    assert "Domain" not in cookies[0] and "Max-Age" not in cookies[0], "host-only, gone when the browser closes"
    assert store.get_session(token_hash(found[1])) is not None and store.get_session(found[1]) is None
    assert ("strict-transport-security" in answer.headers) is secure


def test_every_answer_is_no_store_with_the_sites_security_headers(office: BackOffice, store: SQLiteStore) -> None:
    make_account(store, "ann.claes", "coordinator")
    signed = signed_in(office, make_account(store, "privacy", "privacy_officer"))
    answers = [
        Browser(office).get("/staff/"), Browser(office).get("/staff/signin"), Browser(office).sign_in("ann.claes", "x"),
        Browser(office).get("/staff/signin/link", "token=nothing"), signed.get("/staff/"), signed.get("/staff/nope"),
        signed.post("/staff/language", {}), Browser(office).sign_in("ann.claes"),
    ]  # fmt: skip
    for answer in answers:
        headers = answer.headers
        assert headers["cache-control"] == "no-store"
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        policy = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
        assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'none'"
        assert "script-src" not in policy and "unsafe-inline" not in headers["content-security-policy"]
        assert "<script" not in answer.body and " style=" not in answer.body
    assert [answer.status for answer in answers] == [303, 200, 422, 410, 200, 404, 403, 303]


def test_a_store_that_fails_gives_the_problem_page_with_the_phone_line_not_a_trace(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "helpt.staff.web")
    office = BackOffice(load_city(LEUVEN), broken_store(tmp_path), clock=clock, secure=True)
    browser = Browser(office, cookies={"__Host-helpt-staff": secrets.token_urlsafe(32)})
    answer = browser.get("/staff/requests/H-ZZZZ-QQQQ", "phone=0470123456")
    assert answer.status == 500 and answer.headers["cache-control"] == "no-store"
    assert answer.soup.h1.text == "Sorry, er is een probleem met de backoffice"
    assert "016/27.27.72" in answer.text() and "Traceback" not in answer.body
    # The route's pattern (or "?"), never the path itself.
    assert re.search(r'"route": "(\?|/staff/requests/\{reference\})", "status": 500', caplog.text)
    assert "ZZZZ" not in caplog.text and "0470" not in caplog.text, "the log names no path and no query"


# Language ---------------------------------------------------------------------------------------------------


def test_the_language_switch_is_kept_in_the_session(office: BackOffice, store: SQLiteStore) -> None:
    browser = signed_in(office, make_account(store, "ann.claes", "coordinator"))
    page = browser.get("/staff/")
    assert page.soup.html["lang"] == "nl" and page.soup.title.text == "Vandaag – Backoffice Leuven Helpt"
    switch = page.soup.select_one('form[action="/staff/language"] button[value="en"]')
    assert switch.text == "English" and switch["lang"] == "en"
    answer = browser.post("/staff/language", {"csrf": page.csrf(), "lang": "en", "next": "/staff/"})
    assert answer.status == 303 and answer.location == "/staff/"
    english = browser.get("/staff/")
    assert english.soup.html["lang"] == "en" and english.soup.title.text == "Today – Leuven Helps back office"
    assert "Signed in as ann.claes (coordinator)" in english.text()
    assert browser.get("/staff/nope").soup.h1.text == "This page does not exist"
    assert browser.post("/staff/language", {"csrf": page.csrf(), "lang": "xx", "next": "https://evil"}).location == (
        "/staff/"
    )
    assert browser.get("/staff/").soup.html["lang"] == "en", "an unknown language changes nothing"
    signin = Browser(office).get("/staff/signin", "lang=en")
    assert signin.soup.html["lang"] == "en" and signin.soup.h1.text == "Sign in"


def test_today_counts_the_records_by_form_and_status(office: BackOffice, store: SQLiteStore) -> None:
    for record in (help_request("H-AAAA-AAAA"), help_request("H-BBBB-BBBB"), volunteer("V-CCCC-CCCC")):
        store.add(record)
    store.add(help_request("H-DDDD-DDDD", status="contacted"))
    page = signed_in(office, make_account(store, "ann.claes", "call_centre")).get("/staff/")
    tables = {
        table.caption.text: {row.th.text: row.td.text for row in table.tbody.find_all("tr")}
        for table in page.soup.select("table.counts")
    }
    assert tables["Hulpvraag: 3"]["nieuw"] == "2" and tables["Hulpvraag: 3"]["gecontacteerd"] == "1"
    assert tables["Vrijwilliger: 1"]["nieuw"] == "1" and set(tables) >= {"Reactie op vacature: 0"}


# The city's identity provider -------------------------------------------------------------------------------


class CityProvider:
    """Stands in for the city's identity provider behind oidc.py (written elsewhere): it vouches for one
    e-mail address, on a callback that brings back the state it handed out. The back office's own part is
    what is checked: the state cookie, mapping the address to an account, the session."""

    def __init__(self, email: str) -> None:
        self.email, self.issued, self.next_paths = email, set(), []

    def start(self, request: Request, next_path: str) -> tuple[str, str]:
        state = secrets.token_urlsafe(16)
        self.issued.add(state)
        self.next_paths.append(next_path)
        return f"https://login.city.example/authorize?state={state}", state

    def finish(self, request: Request, state_cookie_value: str) -> str | None:
        state = request.query_value("state")
        return self.email if state == state_cookie_value and state in self.issued else None


@pytest.mark.parametrize("email", ["Ann.Claes@Leuven.example", "jan@leuven.example", "old@leuven.example"])
def test_signing_in_with_the_citys_account_needs_an_active_account_of_that_address(
    store: SQLiteStore, clock: Clock, email: str
) -> None:
    provider = CityProvider(email)
    office = BackOffice(load_city(LEUVEN), store, clock=clock, secure=True, oidc=provider)
    make_account(store, "ann.claes@leuven.example", "coordinator")
    old = make_account(store, "old@leuven.example", "coordinator")
    store.put_account(dataclasses.replace(old, active=False))
    browser = Browser(office)
    button = browser.get("/staff/signin", "next=/staff/").soup.select_one("a#oidc")
    assert button.text == "Aanmelden met je account van de stad"
    start = browser.get("/staff/auth/start", {"next": "/staff/"})
    assert start.status == 303 and start.location.startswith("https://login.city.example/authorize?state=")
    assert re.fullmatch(r"__Host-helpt-oidc=[\w=-]+; Secure; HttpOnly; SameSite=Lax; Path=/; Max-Age=600",
                        start.set_cookies[0])  # fmt: skip
    back = browser.get("/staff/auth/callback", {"state": start.location.split("state=")[1], "code": "x"})
    assert "__Host-helpt-oidc=" not in "".join(f"{k}={v}" for k, v in browser.cookies.items()), "state spent"
    if email.startswith("Ann"):
        assert back.status == 200 and back.soup.select_one('meta[http-equiv="refresh"]')["content"] == (
            "0; url=/staff/"
        )
        assert browser.get("/staff/").status == 200
        assert audit_log(store)[-1] == ("ann.claes@leuven.example", "signin", "")
    else:
        assert back.status == 403 and "geen toegang tot de backoffice" in back.text()
        assert is_signin_redirect(browser.get("/staff/"), "/staff/")
        who = "old@leuven.example" if email.startswith("old") else "unknown account"
        assert audit_log(store)[-1] == (who, "signin_failed", "")
    stranger = Browser(office).get("/staff/auth/callback", {"state": "made-up"})
    assert stranger.status == 403 and "__Host-helpt-staff" not in "".join(stranger.set_cookies)


class UnreachableProvider(CityProvider):
    """The provider's discovery or token endpoint does not answer (oidc.py raises then)."""

    def start(self, request: Request, next_path: str) -> tuple[str, str]:
        raise ConnectionError("login.city.example did not answer")

    def finish(self, request: Request, state_cookie_value: str) -> str | None:
        raise ConnectionError("login.city.example did not answer")


def test_an_unreachable_provider_is_said_on_the_sign_in_page(store: SQLiteStore, clock: Clock) -> None:
    office = BackOffice(load_city(LEUVEN), store, clock=clock, secure=True, oidc=UnreachableProvider("x@y.example"))
    start = Browser(office).get("/staff/auth/start")
    assert start.status == 503 and "Aanmelden met je account van de stad lukte niet" in start.text()
    assert start.soup.select_one(".error-summary a")["href"] == "#oidc" and start.soup.select("form input[name=name]")
    back = Browser(office).get("/staff/auth/callback", {"state": "x"})
    assert back.status == 403 and audit_log(store) == [("unknown account", "signin_failed", "")]


def test_without_a_provider_there_is_no_city_sign_in(office: BackOffice) -> None:
    assert Browser(office).get("/staff/signin").soup.select("a#oidc") == []
    assert Browser(office).get("/staff/auth/start").status == 404
    assert Browser(office).get("/staff/auth/callback").status == 404


# The HTML checker -------------------------------------------------------------------------------------------


def test_the_w3c_html_checker_finds_no_errors_on_the_back_office_pages(
    office: BackOffice, store: SQLiteStore, clock: Clock, tmp_path: Path
) -> None:
    java = require_vnu()
    store.add(help_request("H-AAAA-AAAA"))
    coordinator = signed_in(office, make_account(store, "ann.claes", "coordinator"))
    english = signed_in(office, make_account(store, "privacy", "privacy_officer"), "en")
    token = new_account(store, "jan", "call_centre", "Jan", clock())
    linked = Browser(office)
    link = linked.get("/staff/signin/link", {"token": token})
    short = {"token": token, "password": "kort", "again": "kort", "csrf": link.csrf()}
    provider_office = BackOffice(load_city(LEUVEN), store, clock=clock, secure=True, oidc=CityProvider("ann.claes"))
    city_signin = Browser(provider_office)
    started = city_signin.get("/staff/auth/start", {"next": "/staff/"})
    answers = {
        "signin-nl": Browser(office).get("/staff/signin"),
        "signin-en-out": Browser(office).get("/staff/signin", "lang=en&out=1"),
        "signin-oidc": Browser(provider_office).get("/staff/signin"),
        "signin-errors": Browser(office).sign_in("ann.claes", "wrong"),
        "signin-empty": Browser(office).sign_in("", ""),
        "set-password": link,
        "set-password-error": linked.post("/staff/signin/link", short, query="lang=nl"),
        "link-gone": Browser(office).get("/staff/signin/link", "token=gone"),
        "dashboard-nl": coordinator.get("/staff/"),
        "dashboard-en": english.get("/staff/"),
        "not-found": coordinator.get("/staff/nope"),
        "forbidden": coordinator.post("/staff/language", {}),
        "signed-in": city_signin.get("/staff/auth/callback", {"state": started.location.split("state=")[1]}),
        "problem": Answer(office.error_page(500, "nl")),
    }
    statuses = {name: answer.status for name, answer in answers.items()}
    assert statuses == {"signin-nl": 200, "signin-en-out": 200, "signin-oidc": 200, "signin-errors": 422,
                        "signin-empty": 422, "set-password": 200, "set-password-error": 422, "link-gone": 410,
                        "dashboard-nl": 200, "dashboard-en": 200, "not-found": 404, "forbidden": 403,
                        "signed-in": 200, "problem": 500}  # fmt: skip
    pages = save_pages(tmp_path / "pages", answers)
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout)
    errors = [
        f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '')}: {m['message']}" for m in report["messages"]
    ]
    assert errors == []


# The accounts command, on every store --------------------------------------------------------------------


def test_the_accounts_command_on_every_store(staff: Staff) -> None:
    added = staff("accounts", "add", "jan@leuven.example", "--role", "call_centre", "--base-url", "https://h.example/")
    assert added.code == 0, added.err
    token = re.search(r"^https://h\.example/staff/signin/link\?token=([\w-]{43})$", added.out, re.MULTILINE)
    assert token and "whoever opens it first can sign in" in added.out
    store = staff.store
    account = store.get_account("jan@leuven.example")  # type: ignore[attr-defined]
    assert account.role == "call_centre" and account.link_hash == token_hash(token[1]) and not account.password_hash
    assert staff("accounts", "list").out.split() == ["jan@leuven.example", "call", "centre", "-", "waiting", "for",
                                                     "the", "first", "sign-in"]  # fmt: skip
    again = staff("accounts", "add", "Jan@Leuven.example", "--role", "coordinator")
    assert again.code == 1 and "There is an account called jan@leuven.example already." in again.err
    assert staff("accounts", "role", "nobody", "coordinator").err.strip() == "There is no account called nobody."
    assert staff("accounts", "add", "ann claes", "--role", "coordinator").code == 1
    assert staff("accounts", "add", "ann", "--role", "admin").code == 2, "argparse names the roles"
    relinked = staff("accounts", "link", "jan@leuven.example")
    new_token = re.search(r"token=([\w-]{43})", relinked.out)
    assert new_token and new_token[1] != token[1]
    assert store.get_account("jan@leuven.example").link_hash == token_hash(new_token[1])  # type: ignore[attr-defined]
    assert staff("accounts", "remove", "jan@leuven.example").code == 0
    assert staff("accounts", "link", "jan@leuven.example").code == 1, "a withdrawn account gets no link"
    readded = staff("accounts", "add", "jan@leuven.example", "--role", "coordinator")
    assert readded.code == 0 and store.get_account("jan@leuven.example").active  # type: ignore[attr-defined]
    entries = [(e.action, e.reference) for e in store.audit_entries()]  # type: ignore[attr-defined]
    assert entries == [("account_add", "account:jan@leuven.example"), ("account_link", "account:jan@leuven.example"),
                       ("account_remove", "account:jan@leuven.example"),
                       ("account_add", "account:jan@leuven.example")]  # fmt: skip
    dutch = staff("accounts", "add", "piet", "--role", "privacy_officer", lang="nl")
    assert "Account piet gemaakt (privacyverantwoordelijke)." in dutch.out
