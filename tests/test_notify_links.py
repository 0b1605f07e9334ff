"""The links in Helpt's messages and the pages they open (helpt.notify.links, helpt.staff.web.answer_views).

A coordinator proposes a volunteer in the real back office; the proposal message a notifier keeps carries the
"yes" and "no" links, and a browser without a session opens them as a volunteer would. What is checked is what
the store holds afterwards (both histories, the address marks, the audit log) and what the pages say: a GET
never records (mail scanners open every link), the POST records once, expired, changed, foreign and stale links
are refused in words, the pages come in both languages with the city's phone line, and pass vnu and axe.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from backoffice_support import Answer, Browser, Clock, make_account, save_pages, signed_in
from browser_support import Sweep, require_vnu, serve_back_office
from conftest import LEUVEN
from test_backoffice_find_logs import check_html
from test_staff_support import NOW, help_request, volunteer

from helpt.notify import Message
from helpt.notify.links import ANSWER_DAYS, BadLink, Links
from helpt.notify.triggers import after_match_step
from helpt.settings import load_city
from helpt.staff import casework
from helpt.staff.texts import load_texts
from helpt.staff.web.app import BackOffice
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR

CITY = load_city(LEUVEN)
LINKS = Links(b"s" * 32, CITY.site_url)
REQUEST, HELPER, OTHER = "H-AAAA-BBBB", "V-AAAA-BBBB", "V-CCCC-DDDD"
HELPER_EMAIL = "ann@example.com"
REQUEST_PAGE = f"/staff/requests/{REQUEST}"


class Kept:
    """A notifier that keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def send(self, message: Message) -> None:
        self.messages.append(message)


class WithoutMarks(SQLiteStore):
    """A store without the notify half's address marks (as before it existed): the page's fallback."""

    mark_address = None  # type: ignore[assignment]


def _records(store: SQLiteStore) -> None:
    for record in (
        help_request(REQUEST, name="Maria Peeters", street="Kerkstraat 1", email="maria@example.com"),
        volunteer(HELPER, name="Ann Janssens", email=HELPER_EMAIL, lang="en"),
        volunteer(OTHER, name="Bert Claes", email="bert@example.com"),
    ):
        store.add(record)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def kept() -> Kept:
    return Kept()


@pytest.fixture
def office(tmp_path: Path, clock: Clock, kept: Kept) -> BackOffice:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    _records(store)
    return BackOffice(CITY, store, clock=clock, secure=True, notifier=kept, links=LINKS)


def propose(office: BackOffice, kept: Kept, volunteer_ref: str = HELPER) -> Message:
    """Propose through the back office as a coordinator does; the proposal message it queued."""
    coordinator = signed_in(office, make_account(office.store, f"cora-{len(kept.messages)}", "coordinator"))
    csrf = coordinator.get(REQUEST_PAGE).csrf()
    assert coordinator.post(f"{REQUEST_PAGE}/propose", {"csrf": csrf, "volunteer": volunteer_ref}).status == 303
    message = kept.messages[-1]
    assert message.kind == "volunteer_proposal"
    return message


def split(url: str) -> tuple[str, dict[str, str]]:
    """A link's path and query, as the back office gets them."""
    parts = urlsplit(url)
    assert url.startswith(CITY.site_url.rstrip("/"))
    return parts.path, {name: values[0] for name, values in parse_qs(parts.query).items()}


def token_of(url: str) -> str:
    return split(url)[1]["token"]


def visitor(office: BackOffice) -> Browser:
    """Someone with the message and no session: a volunteer, or their mail provider's link scanner."""
    return Browser(office)


def open_link(office: BackOffice, url: str) -> Answer:
    path, query = split(url)
    return visitor(office).get(path, query)


def press(office: BackOffice, url: str, **headers: str) -> Answer:
    """The page's button: its form posts the token back to the form's action."""
    page = open_link(office, url)
    form = page.soup.find("form")
    assert form is not None, page.text()
    token = form.find("input", attrs={"name": "token"})["value"]
    action = urlsplit(str(form["action"]))
    browser = visitor(office)
    return browser.post(action.path, {"token": str(token)}, query=action.query, headers=headers or None)


def answers(store: SQLiteStore, reference: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.reason, e.other) for e in store.events(reference) if e.kind == "answer"]


# A GET shows, the POST records, once ------------------------------------------------------------------------


def says(answer: Answer, message: str) -> bool:
    """Whether the page's heading is this message, in whichever of the city's languages the link was made in."""
    return answer.soup.h1.get_text() in {load_texts(lang).gettext(message) for lang in ("nl", "en")}


def test_opening_a_link_shows_the_task_and_records_nothing(office: BackOffice, kept: Kept) -> None:
    message = propose(office, kept)
    before = [store_events(office, ref) for ref in (REQUEST, HELPER)]
    for _scanner in range(3):  # a mail scanner, a link preview, the volunteer: all GETs
        page = open_link(office, message.values["yes_link"])
        assert page.status == 200 and says(page, "Can you help?")
    assert [store_events(office, ref) for ref in (REQUEST, HELPER)] == before
    text = page.text()
    assert "Groceries" in text and "Yes, I can" in text and "Maria" not in text and "Kerkstraat" not in text
    assert page.headers["cache-control"] == "no-store" and page.soup.find("input", attrs={"name": "csrf"}) is None
    assert "answer" not in [entry.action for entry in office.store.audit_entries()]


def store_events(office: BackOffice, reference: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.reason, e.other) for e in office.store.events(reference)]


def test_the_answer_is_kept_once_on_both_histories_and_shown_on_the_request_page(
    office: BackOffice, kept: Kept
) -> None:
    message = propose(office, kept)
    done = press(office, message.values["yes_link"])
    assert done.status == 200 and says(done, "Thank you for helping")
    assert answers(office.store, REQUEST) == [("answer", "yes", HELPER)]
    assert answers(office.store, HELPER) == [("answer", "yes", REQUEST)]
    # Replayed: the same button again, the other link, a GET: all say it is answered; nothing is added.
    again = press_again(office, message.values["yes_link"])
    assert again.status == 200 and says(again, "You already answered")
    for url in (message.values["yes_link"], message.values["no_link"]):
        assert says(open_link(office, url), "You already answered")
    assert answers(office.store, REQUEST) == [("answer", "yes", HELPER)]
    assert answers(office.store, HELPER) == [("answer", "yes", REQUEST)]
    assert [(e.action, e.who, e.reference) for e in office.store.audit_entries() if e.action == "answer"] == [
        ("answer", HELPER, REQUEST)
    ]
    coordinator = signed_in(office, make_account(office.store, "ella", "coordinator"), "en")
    assert "answered the proposal by its link: yes, I can" in coordinator.get(REQUEST_PAGE).text()
    volunteer_page = coordinator.get(f"/staff/volunteers/{HELPER}").text()
    assert f"answered the proposal for {REQUEST} by its link: yes, I can" in volunteer_page


def press_again(office: BackOffice, url: str) -> Answer:
    """The button of a page left open, pressed a second time (the page was read before the first press)."""
    path, query = split(url)
    return visitor(office).post(path, {"token": query["token"]}, query=f"lang={query.get('lang', '')}")


def test_not_this_time_is_kept_as_no(office: BackOffice, kept: Kept) -> None:
    message = propose(office, kept)
    done = press(office, message.values["no_link"])
    assert says(done, "Thank you for letting us know")
    assert answers(office.store, REQUEST) == [("answer", "no", HELPER)]


# Refused links ------------------------------------------------------------------------------------------------


def test_a_link_past_its_days_is_expired_and_records_nothing(office: BackOffice, kept: Kept, clock: Clock) -> None:
    message = propose(office, kept)
    page = open_link(office, message.values["yes_link"])  # opened in time, pressed too late
    clock.advance(days=ANSWER_DAYS)
    path, query = split(message.values["yes_link"])
    late = visitor(office).post(path, {"token": query["token"]}, query="lang=en")
    assert page.status == 200 and late.status == 410 and says(late, "This link has expired")
    assert f"{ANSWER_DAYS} days" in late.text() and CITY.phone in late.text()
    assert open_link(office, message.values["yes_link"]).status == 410
    assert answers(office.store, REQUEST) == answers(office.store, HELPER) == []
    clock.advance(seconds=-1)
    assert LINKS.read_answer(query["token"], clock.now).answer == "yes", "the last second still counts"


def changed(token: str, at: int) -> str:
    """The token with one character changed (to another base64url character)."""
    swap = "A" if token[at] != "A" else "B"
    return token[:at] + swap + token[at + 1 :]


def test_a_changed_cut_or_foreign_token_does_not_work(office: BackOffice, kept: Kept) -> None:
    message = propose(office, kept)
    token = token_of(message.values["yes_link"])
    body, _mac = token.split(".")
    foreign = Links(b"t" * 32, CITY.site_url).answer_token(REQUEST, HELPER, "yes", NOW)
    unsubscribe = LINKS.unsubscribe_token(HELPER_EMAIL)
    bad = {
        "a byte of the payload": changed(token, 3),
        "a byte of the signature": changed(token, len(body) + 5),
        "cut short": token[:-4],
        "no signature": body,
        "another city's secret": foreign,
        "an unsubscribe token": unsubscribe,
        "empty": "",
        "two dots": token + ".x",
        "very long": "A" * 5000 + "." + "B" * 43,
        "control characters": "\x00\x1b." + token,
        "a formula": "=HYPERLINK(1)",
    }
    sent = {what: f"token={quote(value)}" for what, value in bad.items()}
    sent["a lone surrogate"] = "token=%ED%A0%80" + token  # U+D800 as a browser would never send it
    sent["not UTF-8"] = "token=%FF%FE" + token
    for what, encoded in sent.items():
        browser = visitor(office)
        for answer in (browser.get("/staff/answer", f"{encoded}&lang=en"),
                       browser._send("POST", "/staff/answer", "lang=en", encoded, dict(browser.headers))):  # fmt: skip
            assert answer.status == 400, what
            assert answer.soup.h1.get_text() in ("This link does not work", "We could not read what was sent"), what
    # The other way round: an answer token does not unsubscribe anybody.
    refused = visitor(office).post("/staff/unsubscribe", {"token": token}, query="lang=en")
    assert refused.status == 400 and office.store.address_mark(HELPER_EMAIL) is None
    assert answers(office.store, REQUEST) == answers(office.store, HELPER) == []
    with pytest.raises(BadLink, match="tampered"):
        LINKS.read_unsubscribe(token)


def test_a_link_of_an_earlier_proposal_or_a_finished_request_answers_nothing(
    office: BackOffice, kept: Kept, clock: Clock
) -> None:
    first = propose(office, kept)
    clock.advance(minutes=5)
    casework.undo(office.store, REQUEST, HELPER, "wrong volunteer", "cora", clock.now)
    undone = press_again(office, first.values["yes_link"])
    assert says(undone, "This request is no longer open")
    clock.advance(minutes=5)
    second = propose(office, kept)
    assert token_of(second.values["yes_link"]) != token_of(first.values["yes_link"])
    stale = press_again(office, first.values["yes_link"])
    assert says(stale, "This request is no longer open"), "an old link does not answer a new ask"
    assert answers(office.store, HELPER) == []
    assert says(press(office, second.values["no_link"]), "Thank you for letting us know")
    # Another volunteer's link once the request is finished.
    other = propose(office, kept, OTHER)
    casework.set_status(office.store, REQUEST, "done", "", "cora", clock.now)
    assert says(press_again(office, other.values["yes_link"]), "This request is no longer open")
    assert answers(office.store, OTHER) == []


def test_a_link_for_a_volunteer_matched_already_answers_nothing(office: BackOffice, kept: Kept, clock: Clock) -> None:
    message = propose(office, kept)
    casework.confirm(office.store, REQUEST, HELPER, "cora", clock.now)  # agreed on the phone
    assert says(open_link(office, message.values["no_link"]), "This request is no longer open")
    assert answers(office.store, HELPER) == []


# Unsubscribing ------------------------------------------------------------------------------------------------


def test_unsubscribing_marks_the_address_on_the_post_only(office: BackOffice, kept: Kept) -> None:
    message = propose(office, kept)
    url = message.values["unsubscribe"]
    page = open_link(office, url)
    assert page.status == 200 and says(page, "Stop the messages?") and HELPER_EMAIL in page.text()
    assert office.store.address_mark(HELPER_EMAIL) is None, "a GET (a mail scanner) stops nothing"
    done = press(office, url)
    assert done.status == 200 and says(done, "No more messages")
    assert office.store.address_mark(HELPER_EMAIL.upper()) == "unsubscribed"
    assert press_again(office, url).status == 200, "a second press says the same"
    assert [e.action for e in office.store.audit_entries()].count("unsubscribe") == 2
    # The wish is kept by the mark, not in anyone's history.
    assert "unsubscribe" not in [e.kind for e in office.store.events(HELPER)]


def test_without_address_marks_the_wish_is_kept_on_each_record_with_the_address(tmp_path: Path, clock: Clock) -> None:
    store = WithoutMarks(tmp_path / "helpt.sqlite3")
    _records(store)
    store.add(help_request("H-CCCC-DDDD", for_whom="someone-else", email="", asker_email="ANN@example.com "))
    kept = Kept()
    office = BackOffice(CITY, store, clock=clock, secure=True, notifier=kept, links=LINKS)
    url = LINKS.unsubscribe_url(HELPER_EMAIL, "en")
    assert open_link(office, url).status == 200 and not any(e.kind == "unsubscribe" for e in store.events(HELPER))
    assert says(press(office, url), "No more messages")
    marked = {ref for ref in (REQUEST, HELPER, OTHER, "H-CCCC-DDDD") if any(
        e.kind == "unsubscribe" for e in store.events(ref))}  # fmt: skip
    assert marked == {HELPER, "H-CCCC-DDDD"}
    press_again(office, url)
    assert [e.kind for e in store.events(HELPER)].count("unsubscribe") == 1
    casework.propose(store, REQUEST, HELPER, "cora", clock.now)
    sent = after_match_step("proposal", store, CITY, kept, LINKS, load_texts, REQUEST, HELPER, clock.now)
    assert sent == 0 and kept.messages == [], "nobody proposes to an address that said stop"


# Both languages, the phone line, the header -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pages_speak_the_volunteers_language_with_the_phone_line_under_the_public_name(
    office: BackOffice, kept: Kept, lang: str
) -> None:
    message = propose(office, kept)
    path, query = split(with_lang(message.values["yes_link"], lang))
    page = visitor(office).get(path, query)
    _ = office.texts(lang).gettext  # the page's words come from this language's catalog
    assert page.soup.html["lang"] == lang
    assert page.soup.title.get_text() == f"{_('Can you help?')} – {CITY.site_name[lang]}"
    assert page.soup.select_one(".site-name").get_text() == CITY.site_name[lang]
    assert "back office" not in page.text().lower() and "backoffice" not in page.text().lower()
    assert page.soup.find("button").get_text() == _("Yes, I can")
    hours = " ".join(office.pages.frame(office.texts(lang))["hours"].split())
    assert page.soup.select_one(".call-box a")["href"] == CITY.phone_uri and CITY.phone in page.text()
    assert hours in page.text() and hours != office.pages.frame(office.texts("en" if lang == "nl" else "nl"))["hours"]
    (switch,) = page.soup.select(".languages a")
    other = "en" if lang == "nl" else "nl"
    assert switch["lang"] == other and parse_qs(urlsplit(switch["href"]).query) == {
        "token": [query["token"]], "lang": [other]}  # fmt: skip
    assert page.soup.find("form")["action"] == f"/staff/answer?lang={lang}"
    thanks = press(office, with_lang(message.values["yes_link"], lang))
    assert thanks.soup.html["lang"] == lang and CITY.phone in thanks.text()
    assert thanks.soup.h1.get_text() == _("Thank you for helping")


def with_lang(url: str, lang: str) -> str:
    """The link opening in another language (as the page's language switch makes it)."""
    path, query = split(url)
    return f"{CITY.site_url.rstrip('/')}{path}?{urlencode({**query, 'lang': lang})}"


# The browser's origin -----------------------------------------------------------------------------------------


def test_a_post_from_another_site_is_refused(office: BackOffice, kept: Kept) -> None:
    message = propose(office, kept)
    for url in (message.values["yes_link"], message.values["unsubscribe"]):
        for headers in ({"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
                        {"sec-fetch-site": "same-site"}, {"origin": "https://evil.example"}):  # fmt: skip
            assert press(office, url, **headers).status == 403, (url, headers)
    assert answers(office.store, REQUEST) == answers(office.store, HELPER) == []
    assert office.store.address_mark(HELPER_EMAIL) is None


# W3C checker and axe ------------------------------------------------------------------------------------------


def every_page(office: BackOffice, kept: Kept, clock: Clock) -> dict[str, Answer]:
    """Every page the links open, in both languages."""
    message = propose(office, kept)
    path, query = split(message.values["yes_link"])
    pages: dict[str, Answer] = {}
    for lang in ("nl", "en"):
        browser = visitor(office)
        pages[f"ask-{lang}"] = browser.get(path, {**query, "lang": lang})
        pages[f"ask-no-{lang}"] = browser.get(path, {"token": token_of(message.values["no_link"]), "lang": lang})
        pages[f"tampered-{lang}"] = browser.get(path, {"token": "x.y", "lang": lang})
        unsubscribe_path, unsubscribe_query = split(message.values["unsubscribe"])
        pages[f"unsubscribe-{lang}"] = browser.get(unsubscribe_path, {**unsubscribe_query, "lang": lang})
    pages["thanks-en"] = press(office, message.values["yes_link"])
    for lang in ("nl", "en"):
        pages[f"already-{lang}"] = visitor(office).get(path, {**query, "lang": lang})
        pages[f"stopped-{lang}"] = press(office, with_lang(message.values["unsubscribe"], lang))
    clock.advance(days=ANSWER_DAYS)
    for lang in ("nl", "en"):
        pages[f"expired-{lang}"] = visitor(office).get(path, {**query, "lang": lang})
    return pages


def test_the_w3c_html_checker_finds_no_errors_on_the_link_pages(
    office: BackOffice, kept: Kept, clock: Clock, tmp_path: Path
) -> None:
    java = require_vnu()
    pages = every_page(office, kept, clock)
    assert {name: page.status for name, page in pages.items() if page.status != 200} == {
        "tampered-nl": 400, "tampered-en": 400, "expired-nl": 410, "expired-en": 410}  # fmt: skip
    assert check_html(java, save_pages(tmp_path / "pages", pages)) == []


def stylesheets(folder: Path) -> Path:
    """The two stylesheets the pages load, as the build writes them (helpt_site.plugin.finish_output puts the
    city's colours first): these pages need nothing else of the site, so no whole build is waited for."""
    css = folder / "theme" / "css"
    css.mkdir(parents=True)
    colours = f":root{{--primary:{CITY.primary_colour};--tint:{CITY.tint_colour}}}\n"
    for name in ("site.css", "staff.css"):
        source = (PROJECT_DIR / "theme" / "static" / "css" / name).read_text(encoding="utf-8")
        (css / name).write_text((colours if name == "site.css" else "") + source, encoding="utf-8")
    return folder


@pytest.fixture
def served(tmp_path: Path, clock: Clock, kept: Kept) -> Iterator[tuple[str, BackOffice]]:
    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    _records(store)
    office = BackOffice(CITY, store, clock=clock, secure=False, notifier=kept, links=LINKS)
    with serve_back_office(office, stylesheets(tmp_path / "site")) as url:
        yield url, office


def test_axe_finds_no_violations_on_the_link_pages_in_chromium_without_javascript(
    browser, served: tuple[str, BackOffice], kept: Kept, clock: Clock
) -> None:
    url, office = served
    message = propose(office, kept)

    def local(name: str, lang: str = "en") -> str:
        return with_lang(message.values[name], lang).replace(CITY.site_url.rstrip("/"), url)

    sweep = Sweep()
    # axe is a script: only it may run, past our Content-Security-Policy, which allows none.
    checking = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    plain = browser.new_context(java_script_enabled=False)
    page, volunteer_page = checking.new_page(), plain.new_page()

    def check(name: str) -> None:
        sweep.check(page, name)

    for lang in ("nl", "en"):
        page.goto(local("yes_link", lang))
        check(f"ask-{lang}")
        page.goto(local("unsubscribe", lang))
        check(f"unsubscribe-{lang}")
    page.goto(f"{url}/staff/answer?token=x.y&lang=nl")
    check("tampered-nl")
    # The volunteer, JavaScript off: the button records the answer (Chromium's own Origin and Sec-Fetch-Site).
    volunteer_page.goto(local("yes_link"))
    volunteer_page.get_by_role("button", name="Yes, I can").click()
    assert volunteer_page.locator("h1").inner_text() == "Thank you for helping"
    assert answers(office.store, REQUEST) == [("answer", "yes", HELPER)]
    page.goto(local("yes_link"))
    check("already-en")
    volunteer_page.goto(local("unsubscribe"))
    volunteer_page.get_by_role("button", name="Stop the messages").click()
    assert volunteer_page.locator("h1").inner_text() == "No more messages"
    assert office.store.address_mark(HELPER_EMAIL) == "unsubscribed"
    page.goto(local("unsubscribe"))
    page.get_by_role("button", name="Stop the messages").click()
    check("stopped-en")
    clock.advance(days=ANSWER_DAYS)
    page.goto(local("yes_link"))
    check("expired-en")
    checking.close()
    plain.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)


# Wiring: the preview and the Lambda -----------------------------------------------------------------------------


def queued(store: SQLiteStore) -> list[Message]:
    """The messages waiting in the local store's queue (taken for a moment, as the sender takes them)."""
    from helpt.notify.queue import from_json

    return [from_json(row.body) for row in store.due_notifications(now=2**40, limit=100, lease_seconds=1)]


def test_the_preview_queues_messages_whose_links_open_on_the_preview_and_survive_a_restart(tmp_path: Path) -> None:
    from forms_support import VALID, event, form_body
    from test_notify_triggers import SITE

    from helpt.staff.context import StaffContext, StoreChoice
    from helpt_site.local_api import LocalApi

    output, data = tmp_path / "output", tmp_path / "data"
    (output / ".helpt").mkdir(parents=True)
    (output / ".helpt" / "site.json").write_text(json.dumps(SITE), encoding="utf-8")
    api = LocalApi(PROJECT_DIR, output, LEUVEN, data, site_url="http://127.0.0.1:8123")
    fields = {**VALID["help-request"], "urgency": "today", "email": "maria@example.com"}
    assert api.handle(event("help-request", form_body(fields)))["statusCode"] == 303
    assert api.handle(event("volunteer", form_body(VALID["volunteer"])))["statusCode"] == 303
    messages = queued(api.store)
    assert sorted(m.kind for m in messages) == ["resident_confirmation", "staff_urgent", "volunteer_welcome"]
    request_ref = next(m.reference for m in messages if m.kind == "staff_urgent")
    volunteer_ref = next(m.reference for m in messages if m.kind == "volunteer_welcome")
    office = api._back_office()
    coordinator = signed_in(office, make_account(api.store, "cora", "coordinator"))
    csrf = coordinator.get(f"/staff/requests/{request_ref}").csrf()
    proposed = coordinator.post(f"/staff/requests/{request_ref}/propose", {"csrf": csrf, "volunteer": volunteer_ref})
    assert proposed.status == 303
    (proposal,) = [m for m in queued(api.store) if m.kind == "volunteer_proposal"]
    assert proposal.values["yes_link"].startswith("http://127.0.0.1:8123/staff/answer?token=")
    token = parse_qs(urlsplit(proposal.values["yes_link"]).query)["token"][0]
    # A restart (a new LocalApi over the same data folder) and the command line read the same secret.
    again = LocalApi(PROJECT_DIR, output, LEUVEN, data)
    assert again.links().read_answer(token, dt.datetime.now(dt.UTC)).request == request_ref
    assert again.links().site_url == CITY.site_url.rstrip("/"), "without where it is served: the city's address"
    cli = StaffContext(CITY, load_texts("nl"), StoreChoice(sqlite_path=data / "helpt.sqlite3"))
    assert cli.links.read_answer(token, dt.datetime.now(dt.UTC)).volunteer == volunteer_ref
    assert (data / "link-secret").stat().st_mode & 0o077 == 0, "the secret is readable by its owner only"
    page = Browser(again._back_office()).get("/staff/answer", {"token": token})
    assert page.status == 200 and page.soup.find("button") is not None


def test_the_lambda_back_office_signs_with_the_deployments_secret_and_queues_to_sqs(tmp_path: Path) -> None:
    from helpt.notify.queue import LocalNotifier, SqsNotifier
    from helpt.staff.web.handler import back_office_from_environment

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "translations").symlink_to(PROJECT_DIR / "theme" / "translations")
    secret = "d" * 40
    environ = {"HELPT_BUNDLE_DIR": str(bundle), "HELPT_CITY": str(LEUVEN), "HELPT_STORE": "sqlite",
               "HELPT_SQLITE_PATH": str(tmp_path / "helpt.sqlite3"), "HELPT_LINK_SECRET": secret}  # fmt: skip
    office = back_office_from_environment(environ)
    token = Links(secret.encode(), CITY.site_url).unsubscribe_token(HELPER_EMAIL)
    assert office.links.read_unsubscribe(token) == HELPER_EMAIL
    assert isinstance(office.notifier, LocalNotifier)
    queue_url = "https://sqs.eu-west-1.amazonaws.com/123456789012/helpt-notify"
    on_aws = back_office_from_environment({**environ, "HELPT_NOTIFY_QUEUE_URL": queue_url, "AWS_REGION": "eu-west-1"})
    assert isinstance(on_aws.notifier, SqsNotifier) and on_aws.notifier.queue_url == queue_url
    with pytest.raises(ValueError, match="at least 32"):
        back_office_from_environment({**environ, "HELPT_LINK_SECRET": "short"})
    other = Links(b"e" * 40, CITY.site_url).unsubscribe_token(HELPER_EMAIL)
    with pytest.raises(BadLink):
        office.links.read_unsubscribe(other)


def test_without_a_queue_url_or_a_local_queue_nothing_is_queued(tmp_path: Path) -> None:
    from helpt.notify.queue import LocalNotifier, SqsNotifier, notifier_from_environment

    store = SQLiteStore(tmp_path / "helpt.sqlite3")
    assert isinstance(notifier_from_environment({}, store), LocalNotifier)
    url = {"HELPT_NOTIFY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q", "AWS_REGION": "eu-west-1"}
    assert isinstance(notifier_from_environment(url, object()), SqsNotifier)
    assert notifier_from_environment({}, object()) is None, "a store without the queue table: nothing to queue with"


def test_staff_see_on_the_persons_page_that_messages_no_longer_reach_them(office: BackOffice, kept: Kept) -> None:
    coordinator = signed_in(office, make_account(office.store, "mark-reader", "coordinator"), "en")
    assert "do not arrive" not in coordinator.get(f"/staff/volunteers/{HELPER}").text()
    office.store.mark_address(HELPER_EMAIL, "bounced")  # as the bounce handler does, from SES through SNS
    page = coordinator.get(f"/staff/volunteers/{HELPER}").text()
    assert f"messages to {HELPER_EMAIL} do not arrive (it bounces): call instead" in page
    office.store.mark_address(HELPER_EMAIL, "unsubscribed")
    assert f"{HELPER_EMAIL} asked for no more messages" in coordinator.get(f"/staff/volunteers/{HELPER}").text()
