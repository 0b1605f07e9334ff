"""The back office in Debian's Chromium: a whole journey with JavaScript off, axe-core on every page, 320 px.

Chromium is what proves the checks fit real browsers: under our `Referrer-Policy: no-referrer` it sends
`Origin: null` with a same-origin form post, and the session cookie must come back on the plain-HTTP
preview (Path=/staff). The pages are served by a small adapter written here (HTTP in, payload 2.0 events
to `BackOffice.handle`, the built site's files for the stylesheets), not by the preview server, whose
/staff/ routing is wired elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from backoffice_support import PASSWORD, make_account
from browser_support import Sweep, serve_back_office
from conftest import LEUVEN, BuiltSite

from helpt.settings import load_city
from helpt.staff.web.accounts import new_account
from helpt.staff.web.app import BackOffice
from helpt.stores.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def served(leuven_site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, SQLiteStore]]:
    store = SQLiteStore(tmp_path_factory.mktemp("backoffice") / "helpt.sqlite3")
    with serve_back_office(BackOffice(load_city(LEUVEN), store, secure=False), leuven_site.root) as url:
        yield url, store


def test_a_new_staff_member_signs_in_switches_language_and_signs_out_without_javascript(
    browser, served: tuple[str, SQLiteStore]
) -> None:
    url, store = served
    token = new_account(store, "ann.claes", "coordinator", "Ann Claes", dt.datetime.now(dt.UTC))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}/staff/signin/link?token={token}")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Nog eens hetzelfde wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord bewaren en aanmelden").click()
    assert page.url == f"{url}/staff/" and page.title() == "Vandaag – Backoffice Leuven Helpt"
    assert "Aangemeld als Ann Claes (coördinator)" in page.locator("header").inner_text()
    page.get_by_role("button", name="English").click()
    assert page.title() == "Today – Leuven Helps back office"
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto(f"{url}/staff/")
    assert page.url == f"{url}/staff/signin?next=/staff/" and page.locator("h1").inner_text() == "Aanmelden"
    page.get_by_label("Aanmeldnaam").fill("ann.claes")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Aanmelden").click()
    assert page.url == f"{url}/staff/" and page.locator("h1").inner_text() == "Vandaag"
    context.close()
    assert [entry.action for entry in store.audit_entries()] == ["password_set", "signin", "signout", "signin"]


def test_axe_finds_no_violations_and_nothing_scrolls_sideways(browser, served: tuple[str, SQLiteStore]) -> None:
    url, store = served
    make_account(store, "jan", "call_centre")
    token = new_account(store, "piet", "privacy_officer", "", dt.datetime.now(dt.UTC))
    # axe is a script: only it may run, past our Content-Security-Policy, which allows none.
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    sweep = Sweep()

    def check(name: str) -> None:
        sweep.check(page, name)

    page.goto(f"{url}/staff/signin/link?token={token}")
    check("set-password")
    page.get_by_role("button", name="Wachtwoord bewaren en aanmelden").click()
    check("set-password-errors")
    page.goto(f"{url}/staff/signin?lang=en")
    check("signin-en")
    page.get_by_role("button", name="Sign in").click()
    check("signin-errors")
    page.get_by_label("Sign-in name").fill("jan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    check("dashboard-en")
    page.goto(f"{url}/staff/nope")
    check("not-found")
    page.get_by_role("button", name="Nederlands").click()
    check("dashboard-nl")
    context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)
