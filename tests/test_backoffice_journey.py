"""A day in the back office, in Debian's Chromium against the real preview server, with JavaScript off and on.

The preview server (helpt_site's own request handler and LocalApi, over a temporary data folder) serves the
built site and the back office, as `make serve` does. Accounts are made with the command line
(`helpt accounts add`), which prints the one-time link a new colleague opens. Every page met is checked with
axe-core (with JavaScript on: axe is a script) and saved as a screenshot, 1280 pixels wide, in
artefacts/backoffice/ for people to look at.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from backoffice_support import PASSWORD
from browser_support import ARTEFACTS, axe_results, focus_report, serve_directory, summarise
from conftest import LEUVEN, BuiltSite
from test_staff_support import STAFF_VARIABLES, volunteer

from helpt.staff.cli import main
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR
from helpt_site.local_api import LocalApi

SCREENSHOTS = ARTEFACTS / "backoffice"
WIDTH = 1280


@dataclass
class Server:
    url: str
    store: SQLiteStore  # the preview's own, as `make serve` keeps it in the data folder
    data: Path


@pytest.fixture
def server(leuven_site: BuiltSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in STAFF_VARIABLES:  # the command line must use this test's store, whatever the shell has set
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    api = LocalApi(PROJECT_DIR, leuven_site.root, LEUVEN, data)
    with serve_directory(leuven_site.root, api) as url:
        yield Server(url, api.store, data)


def add_account(server: Server, name: str, role: str, display_name: str = "") -> str:
    """`helpt accounts add NAME --role ROLE`, as a coordinator types it; the link it prints."""
    printed = io.StringIO()
    arguments = ["accounts", "add", name, "--role", role, "--base-url", server.url, "--city", str(LEUVEN),
                 "--sqlite", str(server.data / "helpt.sqlite3"), "--lang", "en"]  # fmt: skip
    if display_name:
        arguments += ["--display-name", display_name]
    with contextlib.redirect_stdout(printed):
        assert main(arguments) == 0
    link = re.search(rf"^{re.escape(server.url)}/staff/signin/link\?token=[\w-]{{43}}$", printed.getvalue(), re.M)
    assert link, printed.getvalue()
    return link[0]


@dataclass
class Walk:
    """One browser context's pages: each page met is checked (axe with JavaScript on) and photographed."""

    page: Any  # Playwright's Page
    javascript: bool
    prefix: str
    findings: dict[str, list] = field(default_factory=dict)
    count: int = 0

    def met(self, name: str) -> None:
        self.page.wait_for_load_state()
        self.count += 1
        if self.javascript and (violations := summarise(axe_results(self.page)["violations"])):
            self.findings[name] = violations
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = f"{self.prefix}-{self.count:02d}-{name}-{'js' if self.javascript else 'nojs'}.png"
        self.page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)


def open_walk(browser: Any, javascript: bool, prefix: str) -> Walk:
    # axe is a script: with JavaScript on, only it may run past our Content-Security-Policy, which allows none.
    context = browser.new_context(java_script_enabled=javascript, bypass_csp=javascript,
                                  viewport={"width": WIDTH, "height": 900})  # fmt: skip
    return Walk(context.new_page(), javascript, prefix)


def follow(target: Any) -> None:
    """Click a link or a form's button, and wait until the page it leads to has loaded (a click returns once
    the navigation starts: the next check must not read the page being left)."""
    with target.page.expect_navigation():
        target.click()


def choose_password(walk: Walk, link: str) -> None:
    page = walk.page
    page.goto(link)
    walk.met("set-password")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Nog eens hetzelfde wachtwoord").fill(PASSWORD)
    follow(page.get_by_role("button", name="Wachtwoord bewaren en aanmelden"))


# The phone intake, finding, and the privacy officer's logs ---------------------------------------------------


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
def test_a_call_centre_worker_takes_a_call_finds_it_and_the_privacy_officer_reads_the_logs(
    browser: Any, server: Server, javascript: bool
) -> None:
    walk = open_walk(browser, javascript, "intake")
    page = walk.page
    choose_password(walk, add_account(server, "jan", "call_centre", "Jan Peeters"))
    assert page.title() == "Vandaag – Backoffice Leuven Helpt"
    follow(page.get_by_role("link", name="Telefonische hulpvraag"))
    walk.met("intake")
    follow(page.get_by_role("button", name="Hulpvraag bewaren"))
    assert page.title().startswith("Fout: ")
    walk.met("intake-errors")
    summary = page.locator(".error-summary a")
    assert summary.count() == 8
    summary.first.click()  # a link of the summary goes to its question, on the same page
    page.wait_for_url("**#f-for_whom-self")
    page.get_by_label("Voor iemand anders").check()
    page.locator("#f-name").fill("Josée Vermeulen")
    page.locator("#f-street").fill("Diestsestraat 7")
    page.locator("#f-postcode").fill("3000")
    page.locator("#f-language-nl").check()
    page.locator("#f-asker_name").fill("Lien Vermeulen")
    page.locator("#f-relationship").fill("mijn moeder")
    page.locator("#f-help-pharmacy").check()
    page.locator("#f-details").fill("Voorschrift ligt klaar\nbij apotheek Centrum")
    page.locator("#f-urgency-today").check()
    page.get_by_label("Ik heb de toestemmingstekst voorgelezen en de beller ging akkoord").check()
    follow(page.get_by_role("button", name="Hulpvraag bewaren"))
    walk.met("intake-errors-again")
    assert page.locator("#f-details").input_value() == "Voorschrift ligt klaar\nbij apotheek Centrum", "all kept"
    assert page.locator("#f-name").input_value() == "Josée Vermeulen" and page.locator("#f-consent-yes").is_checked()
    messages = page.locator(".error-summary a").all_inner_texts()
    assert len(messages) == 3 and all("bel ons" not in message.lower() for message in messages)
    page.locator("#f-asker_phone").fill("0470 99 88 77")
    page.locator("#f-agreed-yes").check()
    page.locator("#f-health_consent_other-yes").check()
    follow(page.get_by_role("button", name="Hulpvraag bewaren"))
    walk.met("intake-saved")
    reference = page.locator(".panel .reference").inner_text()
    assert re.fullmatch(r"H-[A-Z2-7]{4}-[A-Z2-7]{4}", reference) and page.title().startswith("De hulpvraag is bewaard")
    assert server.store.get(reference).answers["asker_phone"] == "0470 99 88 77"  # type: ignore[union-attr]

    follow(page.get_by_role("link", name="Zoeken"))
    walk.met("find")
    page.get_by_label("Referentienummer, telefoonnummer of naam").fill(reference.lower().replace("-", " "))
    follow(page.get_by_role("button", name="Zoeken"))
    walk.met("find-results")
    assert page.locator("tbody tr").count() == 1
    page.get_by_label("Referentienummer, telefoonnummer of naam").fill("+32 470 99 88 77")
    follow(page.get_by_role("button", name="Zoeken"))
    assert page.locator("tbody th a").all_inner_texts() == [reference]
    follow(page.get_by_role("button", name="Afmelden"))

    officer = open_walk(browser, javascript, "logs")
    choose_password(officer, add_account(server, "pia", "privacy_officer"))
    follow(officer.page.get_by_role("link", name="Auditlogboek"))
    officer.met("audit-log")
    actions = officer.page.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert actions[:5] == ["aangemeld", "wachtwoord gekozen", "account gemaakt", "afgemeld", "gezocht"]
    assert "Vermeulen" not in officer.page.locator("main").inner_text()
    follow(officer.page.get_by_role("button", name="English"))
    follow(officer.page.get_by_role("link", name="Export log"))
    officer.met("export-log")
    assert officer.page.get_by_text("The log is empty.").is_visible()
    walk.page.context.close()
    officer.page.context.close()
    assert walk.findings == {} and officer.findings == {}


# A coordinator's day ----------------------------------------------------------------------------------------

VOLUNTEERS = (  # three who shop and speak Dutch, two in the request's postcode
    volunteer("V-AAAA-AAAA", 600, name="Ann Janssens", postcode="3000", help=("groceries", "dog"), languages=("nl",)),
    volunteer("V-BBBB-BBBB", 500, name="Koen Maes", postcode="3000", help=("groceries",), languages=("nl", "en")),
    volunteer("V-CCCC-CCCC", 400, name="Sara Wouters", postcode="3010", help=("groceries", "call"), languages=("nl",)),
)


def sign_in_by_keyboard(walk: Walk, name: str) -> list[dict]:
    """Tab from the top of the sign-in page to its fields and its button, typing on the way, as a keyboard
    user does: what had focus at each stop, with whether the focus was visible."""
    page = walk.page
    stops: list[dict] = []
    for wanted, typing in (("f-name", name), ("f-password", PASSWORD), ("submit", "")):
        for _press in range(10):
            page.keyboard.press("Tab")
            stops.append(focus_report(page))
            if stops[-1]["id"] == wanted or (wanted == "submit" and stops[-1]["tag"] == "button"):
                break
        else:
            pytest.fail(f"Tab never reached {wanted}: {stops}")
        page.keyboard.type(typing)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return stops


def in_form(page: Any, action: str) -> Any:
    """The button of the form that posts to this path: the case-work forms are found by what they do."""
    return page.locator(f'form[action="{action}"] button[type="submit"]')


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
def test_a_coordinators_day_from_the_phone_call_to_closing_the_request(
    browser: Any, server: Server, javascript: bool
) -> None:
    for record in VOLUNTEERS:
        assert server.store.add(record)
    link = add_account(server, "ann.claes", "coordinator", "Ann Claes")
    walk = open_walk(browser, javascript, "day")
    page = walk.page

    # The link from `helpt accounts add`: a password, then signed in; out, and in again by keyboard.
    choose_password(walk, link)
    assert page.url == f"{server.url}/staff/" and "Aangemeld als Ann Claes (coördinator)" in page.inner_text("header")
    walk.met("today")
    follow(page.get_by_role("button", name="Afmelden"))
    assert page.get_by_text("Je bent afgemeld.").is_visible()
    walk.met("signed-out")
    stops = sign_in_by_keyboard(walk, "ann.claes")
    assert stops[0]["cls"] == "skip-link", "the skip link comes first"
    assert [stop for stop in stops if not stop["visible"]] == [], "focus is visible at every stop"
    assert page.url == f"{server.url}/staff/"

    # A caller asks for groceries, today.
    follow(page.locator('nav.menu a[href="/staff/intake"]'))
    page.locator("#f-for_whom-self").check()
    page.locator("#f-name").fill("Maria Peeters")
    page.locator("#f-street").fill("Kerkstraat 1")
    page.locator("#f-postcode").fill("3000")
    page.locator("#f-phone").fill("0470 12 34 56")
    page.locator("#f-language-nl").check()
    page.locator("#f-help-groceries").check()
    page.locator("#f-details").fill("Brood, melk en koffie")
    page.locator("#f-urgency-today").check()
    page.locator("#f-consent-yes").check()
    walk.met("intake-filled")
    follow(page.get_by_role("button", name="Hulpvraag bewaren"))
    reference = page.locator(".panel .reference").inner_text()
    walk.met("intake-saved")
    request_path = f"/staff/requests/{reference}"

    # The working list has it; its page is opened from there.
    follow(page.locator('nav.menu a[href="/staff/requests"]'))
    walk.met("working-list")
    follow(page.locator(f'tbody a[href="{request_path}"]'))
    assert page.url == f"{server.url}{request_path}"
    walk.met("request")

    follow(in_form(page, f"{request_path}/claim"))
    walk.met("claimed")
    page.locator("#note-text").fill("Gebeld: ze is thuis na 14 uur.\nBel aan bij de achterdeur.")
    follow(in_form(page, f"{request_path}/note"))
    walk.met("noted")
    suggested = page.locator("ol.suggestions > li")
    assert suggested.count() >= 2, page.inner_text("main")
    volunteer_ref = suggested.first.locator("a").first.inner_text()
    assert volunteer_ref in {record.reference for record in VOLUNTEERS}
    follow(suggested.first.locator(f'form[action="{request_path}/propose"] button'))
    walk.met("proposed")
    follow(in_form(page, f"{request_path}/confirm"))
    walk.met("matched")
    follow(page.locator(f'a[href="{request_path}/slip"]'))
    walk.met("slip")
    assert "Kerkstraat 1" in page.inner_text("main"), "the slip holds the address, for the matched volunteer"
    page.go_back()
    page.reload()
    page.locator(f"#undo-{volunteer_ref}-reason").fill("Toch niet vrij vandaag.")
    follow(in_form(page, f"{request_path}/undo"))
    walk.met("undone")
    page.locator("#status-new-closed").check()
    page.locator("#status-reason").fill("Buurvrouw helpt haar al.")
    follow(in_form(page, f"{request_path}/status"))
    walk.met("closed")
    follow(page.get_by_role("button", name="Afmelden"))
    walk.met("signed-out-end")

    history = [(event.kind, event.status, event.other) for event in server.store.events(reference)]
    # (A confirmed match is also kept as the command line's own "match" event, which `helpt` reads.)
    kinds = [kind for kind, _status, _other in history if kind != "match"]
    assert kinds == ["claim", "note", "proposal", "confirm", "undo", "status"], history
    assert history[-1][1] == "closed" and server.store.get(reference).status == "closed"  # type: ignore[union-attr]
    actions = [entry.action for entry in server.store.audit_entries()]
    assert {"intake", "view", "claim", "note", "slip"} <= set(actions) and actions[-1] == "signout"
    walk.page.context.close()
    assert walk.findings == {} and walk.count == 15, walk.findings
