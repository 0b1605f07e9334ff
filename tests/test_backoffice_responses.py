"""A vacancy response reaches the organisation that published the vacancy, and no other.

The public side: the vacancy page and the confirmation say who receives a response, in both languages (a
built site, and the form handler with payload 2.0 events). The back office: care organisations read and
handle the responses to their own vacancies at /staff/responses, coordinators see all of them, and an
organisation meets "not found" for another's; every other route refuses it. The accounts command links an
organisation's account to its Organisation-id on every store. Everything runs on real stores and the back
office's own HTTP answers.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from backoffice_support import PASSWORD, Browser, Clock, make_account, save_pages, signed_in
from browser_support import Sweep, serve_back_office
from bs4 import BeautifulSoup
from conftest import LEUVEN, BuiltSite, build
from forms_support import VALID, event, form_body
from test_backoffice_core import guarded_routes, send
from test_backoffice_find_logs import check_html
from test_content_checks import translated_project
from test_staff_support import NOW, Staff, expired, help_request, vacancy_response, volunteer

from helpt.app import build_intake
from helpt.forms import VACANCY_RESPONSE
from helpt.intake import Intake
from helpt.settings import load_city
from helpt.staff.vacancies import Vacancies, Vacancy, load_vacancies
from helpt.staff.web.app import BackOffice
from helpt.staff.web.roles import allowed
from helpt.stores import Account
from helpt.stores.sqlite import SQLiteStore

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

CITY = load_city(LEUVEN)
ROUTE_TEXT = "Your response goes to %(organisation)s, for %(contact)s. They can read it in the city's back office as soon as you send it, and contact you themselves."  # noqa: E501
SENT_TEXT = "Your response went to %(organisation)s, for %(contact)s. They can read it in the city's back office now, and contact you themselves."  # noqa: E501
UNKNOWN_TEXT = "Your response went to the organisation of the vacancy. They can read it in the city's back office now, and contact you themselves."  # noqa: E501


def vacancy(key: str, title: str, organisation_id: str, name: str) -> Vacancy:
    return Vacancy(key, {"nl": f"{title} (nl)", "en": title}, organisation_id, {"nl": name, "en": name},
                   {"nl": "het onthaal", "en": "the desk"})  # fmt: skip


VACANCIES = Vacancies({
    "food-parcels": vacancy("food-parcels", "Food parcels", "volle-kar", "De Volle Kar"),
    "face-masks": vacancy("face-masks", "Face masks", "groene-hart", "Het Groene Hart"),
    "care-home-calls": vacancy("care-home-calls", "Care home calls", "groene-hart", "Het Groene Hart"),
})  # fmt: skip
OURS = (vacancy_response("R-AAAA-BBBB", 50, vacancy="food-parcels", name="Piet Peeters", phone="0470 12 34 56"),
        vacancy_response("R-CCCC-DDDD", 10, vacancy="food-parcels", name="Lies Claes"))  # fmt: skip
THEIRS = (vacancy_response("R-EEEE-FFFF", 20, vacancy="face-masks", name="Mia Janssens"),
          vacancy_response("R-GGGG-HHHH", 5, vacancy="care-home-calls", name="Tom Wouters"))  # fmt: skip
GONE = vacancy_response("R-JJJJ-KKKK", 30, vacancy="old-vacancy", name="Bert Goossens")  # its vacancy left the site
OTHERS = (help_request("H-AAAA-BBBB", name="Maria Peeters"), volunteer("V-AAAA-BBBB", name="Piet Peeters"),
          expired(vacancy_response("R-LLLL-MMMM", vacancy="food-parcels", name="Oud Antwoord")))  # fmt: skip


# The public side: the vacancy page and the confirmation ----------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return translated_project(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def site(project: Path, tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build(tmp_path_factory.mktemp("site"), LEUVEN, project_dir=project)


@pytest.fixture
def intake(site: BuiltSite, project: Path, tmp_path: Path) -> Intake:
    store = SQLiteStore(tmp_path / "public" / "helpt.sqlite3")
    theme = project / "theme"
    return build_intake(city_file=LEUVEN, templates_dir=theme / "templates", translations_dir=theme / "translations",
                        site_data_file=site.root / ".helpt" / "site.json", store=store)  # fmt: skip


def theme_text(intake: Intake, lang: str, message: str, **values: str) -> str:
    """A theme string as the page in `lang` says it (the copy's catalog: the translators' once it is filled)."""
    return " ".join(intake.renderer.gettext(lang, message).split()) % values


def described(soup: BeautifulSoup, selector: str) -> dict[str, str]:
    """A description list's terms and what each says."""
    found = soup.select_one(selector)
    assert found is not None, selector
    terms, details = found.select("dt"), found.select("dd")
    return dict(zip([term.get_text() for term in terms], [detail.get_text() for detail in details], strict=True))


def main_text(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").main.get_text(" ").split())


FOOD_PARCELS = {  # as content/vacancies/food-parcels.*.md names them
    "nl": {"organisation": "Voedselhulp De Volle Kar vzw", "contact": "Anna Peeters, vrijwilligerscoördinator"},
    "en": {"organisation": "Voedselhulp De Volle Kar vzw (food aid)", "contact": "Anna Peeters, volunteer coordinator"},
}


@pytest.mark.parametrize("lang, path", [("nl", "voedselpakketten-inpakken-en-rondbrengen"),
                                        ("en", "en/packing-and-delivering-food-parcels")])  # fmt: skip
def test_the_vacancy_page_says_who_receives_a_response_and_when(
    site: BuiltSite, intake: Intake, lang: str, path: str
) -> None:
    page = site.soup(site.root / path / "index.html")
    facts = described(page, "dl.facts")
    assert facts[theme_text(intake, lang, "Contact")] == FOOD_PARCELS[lang]["contact"]
    said = " ".join(page.select_one("p.response-route").get_text().split())
    assert said == theme_text(intake, lang, ROUTE_TEXT, **FOOD_PARCELS[lang])
    if lang == "en":
        assert said == ("Your response goes to Voedselhulp De Volle Kar vzw (food aid), for Anna Peeters, volunteer "
                        "coordinator. They can read it in the city's back office as soon as you send it, and "
                        "contact you themselves.")  # fmt: skip
    assert page.select_one("p.response-route").find_next("form") is not None, "said before the form"
    assert "e-mail" not in said.lower() and "within" not in said, "nothing the platform does not do"


def test_the_confirmation_says_who_received_the_response_in_both_languages(intake: Intake) -> None:
    answer = intake.handle(event("vacancy-response", form_body(VALID["vacancy-response"], "en")))
    location = urlsplit(answer["headers"]["location"])
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert answer["statusCode"] == 303 and query["vacancy"] == "food-parcels" and query["lang"] == "en"
    for lang in ("nl", "en"):
        shown = intake.handle(event("vacancy-response", method="GET", path=location.path,
                                    query=f"lang={lang}&ref={query['ref']}&vacancy=food-parcels"))  # fmt: skip
        text = main_text(shown["body"])
        assert shown["statusCode"] == 200 and query["ref"] in text
        assert theme_text(intake, lang, SENT_TEXT, **FOOD_PARCELS[lang]) in text
        assert "passes your response on" not in text and "within a few days" not in text
        links = BeautifulSoup(shown["body"], "html.parser").select('link[rel="alternate"]')
        assert links and all("vacancy=food-parcels" in link["href"] for link in links), "other languages: same text"
    english = main_text(intake.handle(event(
        "vacancy-response", method="GET", path=location.path, query=f"lang=en&ref={query['ref']}&vacancy=food-parcels"
    ))["body"])  # fmt: skip
    assert ("Your response went to Voedselhulp De Volle Kar vzw (food aid), for Anna Peeters, volunteer coordinator. "
            "They can read it in the city's back office now, and contact you themselves.") in english  # fmt: skip


@pytest.mark.parametrize("vacancy_query", ["", "&vacancy=nope", "&vacancy=%ED%A0%80", "&vacancy=" + "x" * 5000])
def test_a_confirmation_without_a_known_vacancy_speaks_of_the_organisation_in_general(
    intake: Intake, vacancy_query: str
) -> None:
    for lang in ("nl", "en"):
        shown = intake.handle(event("vacancy-response", method="GET", path="/api/vacancy-response/confirmation",
                                    query=f"lang={lang}&ref=R-AAAA-BBBB{vacancy_query}"))  # fmt: skip
        assert shown["statusCode"] == 200 and theme_text(intake, lang, UNKNOWN_TEXT) in main_text(shown["body"])
        links = BeautifulSoup(shown["body"], "html.parser").select('link[rel="alternate"]')
        assert not any("vacancy=" in link["href"] for link in links), "an unknown key is not passed on"


def test_the_form_page_sent_back_with_problems_still_says_who_receives_the_response(intake: Intake) -> None:
    fields = dict(VALID["vacancy-response"], message="")
    for lang in ("nl", "en"):
        answer = intake.handle(event("vacancy-response", form_body(fields, lang)))
        assert answer["statusCode"] == 422
        assert theme_text(intake, lang, ROUTE_TEXT, **FOOD_PARCELS[lang]) in main_text(answer["body"])


def test_a_response_sent_on_the_site_is_read_by_its_organisation_only(
    site: BuiltSite, intake: Intake, tmp_path: Path
) -> None:
    """From the form to the organisation's list, with the vacancies as the build wrote them into site.json."""
    sent = intake.handle(event("vacancy-response", form_body(VALID["vacancy-response"], "nl")))
    reference = parse_qs(urlsplit(sent["headers"]["location"]).query)["ref"][0]
    store = intake.store
    office = BackOffice(CITY, store, clock=Clock(NOW), secure=True,  # type: ignore[arg-type]
                        vacancies=load_vacancies(site.root / ".helpt" / "site.json"))  # fmt: skip
    kar = signed_in(office, make_account(store, "kar", "organisation", organisation="volle-kar"), "en")  # type: ignore[arg-type]
    hof = signed_in(office, make_account(store, "hof", "organisation", organisation="hof-ter-beuken"), "en")  # type: ignore[arg-type]
    assert listed(kar) == [(reference, "Packing and delivering food parcels", "Jan De Smet", "not handled yet")]
    assert listed(hof) == [] and hof.get(f"/staff/responses/{reference}").status == 404
    page = kar.get(f"/staff/responses/{reference}")
    assert page.status == 200 and "jan@example.com" in page.text() and "Vanaf 9 uur." in page.text()


# The back office --------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "data" / "helpt.sqlite3")
    for record in (*OURS, *THEIRS, GONE, *OTHERS):
        assert store.add(record)
    return store


@pytest.fixture
def office(store: SQLiteStore) -> BackOffice:
    return BackOffice(CITY, store, clock=Clock(NOW), secure=True, vacancies=VACANCIES)


@pytest.fixture
def kar(office: BackOffice, store: SQLiteStore) -> Browser:
    """De Volle Kar's account, in English (the new words' Dutch comes with the catalog)."""
    return signed_in(office, make_account(store, "kar", "organisation", organisation="volle-kar"), "en")


def listed(browser: Browser, query: str = "") -> list[tuple[str, str, str, str]]:
    """(reference, vacancy, name, status) of each row of the responses list, top to bottom."""
    page = browser.get("/staff/responses", query)
    assert page.status == 200, page.status
    table = page.soup.select_one('div[aria-labelledby="responses-title"] table')
    rows = table.select("tbody tr") if table else []
    found = []
    for row in rows:
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        found.append((row.th.get_text(strip=True), cells[0], cells[2], cells[3]))
    return found


def events_of(store: SQLiteStore, *references: str) -> dict[str, list[tuple[str, str]]]:
    return {reference: [(e.status, e.by) for e in store.events(reference)] for reference in references}


def test_an_organisation_lands_on_its_responses_after_signing_in(office: BackOffice, store: SQLiteStore) -> None:
    make_account(store, "kar", "organisation", organisation="volle-kar")
    browser = Browser(office)
    signed = browser.sign_in("kar")
    assert signed.status == 303 and signed.location == "/staff/"
    start = browser.get("/staff/")
    assert start.status == 303 and start.location == "/staff/responses", "not a 403: it has no 'Today'"
    page = browser.get("/staff/responses")
    assert page.status == 200 and [a["href"] for a in page.soup.select("nav.menu a")] == ["/staff/responses"]
    assert "refused" not in [entry.action for entry in store.audit_entries(now=NOW)]
    coordinator = signed_in(office, make_account(store, "jan", "coordinator"))
    assert coordinator.get("/staff/").status == 200, "the others still start on 'Today'"


def test_an_organisation_sees_only_the_responses_to_its_own_vacancies_newest_first(kar: Browser) -> None:
    assert listed(kar) == [("R-CCCC-DDDD", "Food parcels", "Lies Claes", "not handled yet"),
                           ("R-AAAA-BBBB", "Food parcels", "Piet Peeters", "not handled yet")]  # fmt: skip
    page = kar.get("/staff/responses")
    assert "Mia" not in page.text() and "Tom" not in page.text() and "Bert" not in page.text()
    assert "Face masks" not in page.text() and "/staff/export" not in page.body, "nor another's vacancy, nor exports"
    assert [th.get_text() for th in page.soup.select("table.records")[1].select("tbody th")] == ["Food parcels"]
    assert page.soup.select("#r-vacancy") == [], "one vacancy: nothing to choose"
    assert listed(kar, "vacancy=face-masks") == listed(kar), "another's vacancy filters nothing"


def test_another_organisations_response_is_not_found_like_one_that_does_not_exist(
    kar: Browser, store: SQLiteStore
) -> None:
    theirs, nowhere = kar.get("/staff/responses/R-EEEE-FFFF"), kar.get("/staff/responses/R-ZZZZ-ZZZZ")
    assert theirs.status == nowhere.status == 404 and theirs.body == nowhere.body
    for reference in ("R-JJJJ-KKKK", "R-LLLL-MMMM", "H-AAAA-BBBB", "V-AAAA-BBBB"):  # gone vacancy, expired, others
        assert kar.get(f"/staff/responses/{reference}").body == nowhere.body, reference
    csrf = kar.get("/staff/responses").csrf()
    for action in ("handled", "undo"):
        answer = kar.post(f"/staff/responses/R-EEEE-FFFF/{action}", {"csrf": csrf})
        assert answer.status == 404 and answer.body == nowhere.body
    assert store.get("R-EEEE-FFFF").status == "new" and store.events("R-EEEE-FFFF") == [], "nothing changed"
    audit = [(e.who, e.action, e.reference) for e in store.audit_entries(now=NOW)]
    assert ("kar", "refused", "R-EEEE-FFFF") in audit and ("kar", "view", "R-EEEE-FFFF") not in audit
    assert ("kar", "status", "R-EEEE-FFFF") not in audit


def test_an_organisation_without_a_known_id_sees_no_response(office: BackOffice, store: SQLiteStore) -> None:
    store.put_account(Account(name="blank", role="organisation"))  # an account written before the id existed
    for name, organisation in (("blank", ""), ("typo", "vole-kar")):
        account = store.get_account(name) or make_account(store, name, "organisation", organisation=organisation)
        browser = signed_in(office, account, "en")
        assert listed(browser) == [], name
        assert "None of the site's vacancies is linked to your account yet." in browser.get("/staff/responses").text()
        for reference in ("R-AAAA-BBBB", "R-EEEE-FFFF", "R-JJJJ-KKKK"):
            assert browser.get(f"/staff/responses/{reference}").status == 404, (name, reference)


def test_a_coordinator_sees_every_response_and_an_export_link_per_vacancy(
    office: BackOffice, store: SQLiteStore
) -> None:
    coordinator = signed_in(office, make_account(store, "jan", "coordinator"), "en")
    assert [row[0] for row in listed(coordinator)] == ["R-GGGG-HHHH", "R-CCCC-DDDD", "R-EEEE-FFFF", "R-JJJJ-KKKK",
                                                       "R-AAAA-BBBB"]  # fmt: skip
    assert listed(coordinator)[3][1] == "old-vacancy", "a vacancy that left the site is named by its key"
    assert [row[0] for row in listed(coordinator, "vacancy=face-masks")] == ["R-EEEE-FFFF"]
    page = coordinator.get("/staff/responses")
    groups = {row.th.get_text(): [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
              for row in page.soup.select("table.records")[1].select("tbody tr")}  # fmt: skip
    assert groups["Face masks"][:3] == ["Het Groene Hart", "1", "1"] and groups["Food parcels"][1:3] == ["2", "2"]
    assert groups["old-vacancy"][:3] == ["no longer on the site", "1", "1"] and groups["Care home calls"][1] == "1"
    exports = [a["href"] for a in page.soup.select('a[href^="/staff/export?"]')]
    assert "/staff/export?form=vacancy_response&vacancy=food-parcels" in exports and len(exports) == 4
    options = [option["value"] for option in page.soup.select("#r-vacancy option")]
    assert options == ["", "care-home-calls", "face-masks", "food-parcels", "old-vacancy"], "by title"
    response = coordinator.get("/staff/responses/R-EEEE-FFFF")
    assert response.status == 200 and "Mia Janssens" in response.text()


def test_an_organisation_reads_what_it_needs_to_contact_the_volunteer_and_no_more(
    kar: Browser, office: BackOffice, store: SQLiteStore
) -> None:
    page = kar.get("/staff/responses/R-AAAA-BBBB")
    answers = described(page.soup, "dl.answers")
    labels = {field.name: field.label for field in VACANCY_RESPONSE.fields}  # English: the message ids
    message = "Ik kan op dinsdag helpen.\nVanaf 9 uur."
    assert answers == {labels["name"]: "Piet Peeters", labels["email"]: "jan@example.com",
                       labels["phone"]: "0470 12 34 56", labels["message"]: message}  # fmt: skip
    assert "food-parcels" not in page.text() and "Maria" not in page.text(), "no key, no other record"
    coordinator = signed_in(office, make_account(store, "jan", "coordinator"), "en")
    everything = coordinator.get("/staff/responses/R-AAAA-BBBB")
    assert len(everything.soup.select("dl.answers dt")) == len(answers) + 1, "the coordinator also reads the consent"


def test_marking_a_response_handled_keeps_it_in_its_history_once_and_can_be_undone(
    kar: Browser, store: SQLiteStore
) -> None:
    csrf = kar.get("/staff/responses/R-AAAA-BBBB").csrf()
    marked = kar.post("/staff/responses/R-AAAA-BBBB/handled", {"csrf": csrf})
    assert marked.status == 303 and marked.location == "/staff/responses/R-AAAA-BBBB?done=handled"
    again = kar.post("/staff/responses/R-AAAA-BBBB/handled", {"csrf": csrf})
    assert again.status == 303
    assert store.get("R-AAAA-BBBB").status == "done" and events_of(store, "R-AAAA-BBBB") == {
        "R-AAAA-BBBB": [("done", "kar")]
    }, "one event, by the organisation's account"
    page = kar.get("/staff/responses/R-AAAA-BBBB", "done=handled")
    assert "Marked as handled." in page.text() and page.soup.select_one("#history li").get_text().endswith("kar: done")
    assert ("R-AAAA-BBBB", "Food parcels", "Piet Peeters", "handled") in listed(kar)
    undone = kar.post("/staff/responses/R-AAAA-BBBB/undo", {"csrf": csrf})
    assert undone.status == 303 and store.get("R-AAAA-BBBB").status == "new"
    assert kar.post("/staff/responses/R-AAAA-BBBB/undo", {"csrf": csrf}).status == 303
    assert events_of(store, "R-AAAA-BBBB")["R-AAAA-BBBB"] == [("done", "kar"), ("new", "kar")]
    actions = [(e.action, e.reference) for e in store.audit_entries(now=NOW) if e.action == "status"]
    assert actions == [("status", "R-AAAA-BBBB")] * 4


def test_marking_handled_needs_the_sessions_csrf_token_and_this_site(kar: Browser, store: SQLiteStore) -> None:
    csrf = kar.get("/staff/responses").csrf()
    for fields, headers in (({}, None), ({"csrf": "wrong"}, None), ({"csrf": csrf}, {"sec-fetch-site": "cross-site"}),
                            ({"csrf": csrf}, {"origin": "https://evil.example"})):  # fmt: skip
        assert kar.post("/staff/responses/R-AAAA-BBBB/handled", fields, headers=headers).status == 403, fields
    assert store.get("R-AAAA-BBBB").status == "new" and store.events("R-AAAA-BBBB") == []


def test_an_organisation_reaches_no_route_but_its_responses_and_its_own_session(
    office: BackOffice, store: SQLiteStore
) -> None:
    account = make_account(store, "kar", "organisation", organisation="volle-kar")
    refused = 0
    for route in guarded_routes():
        browser = signed_in(office, account)
        session = office.sessions.current(browser.cookies)
        assert session is not None
        answer = send(browser, route, session.csrf_token)
        if allowed("organisation", str(route.action)):
            assert route.action in ("responses", "own_session"), route
            assert answer.status < 500 and answer.status != 403, (route, answer.status)
        elif (route.method, route.pattern) == ("GET", "/staff/"):
            assert (answer.status, answer.location) == (303, "/staff/responses")
        else:
            refused += 1
            assert answer.status == 403, (route, answer.status)
    assert refused > 20, "every case-work, privacy, export and log route"
    assert sum(e.action == "refused" for e in store.audit_entries(now=NOW)) == refused


@pytest.mark.parametrize("path", ["/staff/responses/R-%ED%A0%80", "/staff/responses/" + "R" * 3000,
                                  "/staff/responses/R-AAAA-BBBB%00", "/staff/responses/=cmd|'/c calc'!A1"])  # fmt: skip
def test_a_hostile_reference_or_filter_gets_a_clear_page(kar: Browser, path: str) -> None:
    assert kar.get(path).status == 404
    assert kar.post(path + "/handled", {"csrf": kar.get("/staff/responses").csrf()}).status == 404
    for query in ("vacancy=%ED%A0%80", "vacancy=" + "x" * 5000, "vacancy=%00", "vacancy=food-parcels&vacancy=x"):
        assert kar.get("/staff/responses", query).status == 200, query


def test_reading_responses_is_in_the_audit_log_without_personal_data(kar: Browser, store: SQLiteStore) -> None:
    kar.get("/staff/responses", "vacancy=food-parcels")
    kar.get("/staff/responses/R-AAAA-BBBB")
    entries = [(e.who, e.action, e.reference) for e in store.audit_entries(now=NOW)]
    assert entries == [("kar", "responses", ""), ("kar", "view", "R-AAAA-BBBB")]
    kept = json.dumps([dataclasses.astuple(e) for e in store.audit_entries(now=NOW)], default=str)
    assert not any(word in kept for word in ("Piet", "food-parcels", "0470")), "neither names nor the vacancy"


# Accounts ---------------------------------------------------------------------------------------------------


def test_an_organisation_account_names_its_organisation_on_every_store(
    staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_data = tmp_path / "site.json"
    site_data.write_text(json.dumps({"form_pages": {"food-parcels": {"nl": {
        "form": "vacancy_response", "lang": "nl", "title": "Voedselpakketten", "organisation_id": "volle-kar",
        "organisation": "De Volle Kar", "contact": "Anna"}}}}))  # fmt: skip
    monkeypatch.setenv("HELPT_SITE_DATA", str(site_data))

    added = staff("accounts", "add", "kar@volle-kar.example", "--role", "organisation", "--organisation", "volle-kar")
    assert added.code == 0 and "(care organisation volle-kar)" in added.out and added.err == "", added.err
    account = staff.store.get_account("kar@volle-kar.example")  # type: ignore[attr-defined]
    assert (account.role, account.organisation) == ("organisation", "volle-kar")
    assert staff("accounts", "list").out.split()[:4] == ["kar@volle-kar.example", "care", "organisation", "volle-kar"]

    missing = staff("accounts", "add", "hof", "--role", "organisation")
    assert missing.code == 1 and "needs the Organisation-id of its vacancies, for example --organisation" in missing.err
    wrong_role = staff("accounts", "add", "jan", "--role", "coordinator", "--organisation", "volle-kar")
    assert wrong_role.code == 1 and "Only an organisation's account names an organisation" in wrong_role.err
    bad = staff("accounts", "add", "hof", "--role", "organisation", "--organisation", "Hof ter Beuken")
    assert bad.code == 1 and "lower case letters, digits and hyphens only" in bad.err
    assert staff.store.get_account("hof") is None and staff.store.get_account("jan") is None  # type: ignore[attr-defined]

    later = staff("accounts", "add", "hof", "--role", "organisation", "--organisation", "Hof-Ter-Beuken")
    assert later.code == 0, "allowed: its vacancy may be published later"
    assert "no vacancy of the site has Organisation-id hof-ter-beuken (the site's: volle-kar)" in later.err
    assert staff.store.get_account("hof").organisation == "hof-ter-beuken"  # type: ignore[attr-defined]

    assert staff("accounts", "role", "hof", "coordinator").code == 0
    assert staff.store.get_account("hof").organisation == "", "a coordinator is no organisation's"  # type: ignore[attr-defined]
    assert staff("accounts", "role", "hof", "organisation").code == 1
    moved = staff("accounts", "role", "hof", "organisation", "--organisation", "volle-kar")
    assert moved.code == 0 and moved.err == "" and "hof is now: care organisation volle-kar." in moved.out


def test_without_a_built_site_an_unknown_organisation_id_is_not_warned_about(
    staff: Staff, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELPT_SITE_DATA", str(tmp_path / "no-site.json"))
    added = staff("accounts", "add", "kar", "--role", "organisation", "--organisation", "volle-kar")
    assert added.code == 0 and added.err == ""


# The HTML checker and axe -----------------------------------------------------------------------------------


def response_pages(office: BackOffice, store: SQLiteStore) -> dict:
    answers = {}
    for lang in ("nl", "en"):
        kar = signed_in(office, make_account(store, f"kar.{lang}", "organisation", organisation="volle-kar"), lang)
        coordinator = signed_in(office, make_account(store, f"jan.{lang}", "coordinator"), lang)
        blank = signed_in(office, make_account(store, f"blank.{lang}", "organisation", organisation="nobody"), lang)
        kar.post("/staff/responses/R-CCCC-DDDD/handled", {"csrf": kar.get("/staff/responses").csrf()})
        answers |= {
            f"list-organisation-{lang}": kar.get("/staff/responses"),
            f"response-{lang}": kar.get("/staff/responses/R-AAAA-BBBB"),
            f"response-handled-{lang}": kar.get("/staff/responses/R-CCCC-DDDD", "done=handled"),
            f"list-coordinator-{lang}": coordinator.get("/staff/responses"),
            f"list-filtered-{lang}": coordinator.get("/staff/responses", "vacancy=face-masks"),
            f"response-coordinator-{lang}": coordinator.get("/staff/responses/R-JJJJ-KKKK"),
            f"list-empty-{lang}": blank.get("/staff/responses"),
            f"not-found-{lang}": kar.get("/staff/responses/R-EEEE-FFFF"),
        }
    return answers


def test_the_w3c_html_checker_finds_no_errors_on_the_response_pages(
    office: BackOffice, store: SQLiteStore, tmp_path: Path
) -> None:
    from browser_support import require_vnu

    java = require_vnu()
    answers = response_pages(office, store)
    assert {name: a.status for name, a in answers.items() if a.status != 200} == {"not-found-nl": 404,
                                                                                 "not-found-en": 404}  # fmt: skip
    assert check_html(java, save_pages(tmp_path / "pages", answers)) == []


@pytest.fixture
def served(site: BuiltSite, store: SQLiteStore) -> Iterator[str]:
    """The back office on plain HTTP on the loopback address, with the built site's stylesheets."""
    office = BackOffice(CITY, store, secure=False, vacancies=VACANCIES)
    with serve_back_office(office, site.root) as url:
        yield url


def test_axe_finds_no_violations_on_the_response_pages_and_nothing_scrolls_sideways(
    browser, served: str, store: SQLiteStore
) -> None:

    make_account(store, "kar", "organisation", organisation="volle-kar")
    make_account(store, "jan", "coordinator")
    sweep = Sweep()

    def check(page, name: str) -> None:
        sweep.check(page, name)

    for name, lang in (("kar", "nl"), ("jan", "en")):
        context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
        page = context.new_page()
        page.goto(f"{served}/staff/signin?lang={lang}")
        page.locator("#f-name").fill(name)
        page.locator("#f-password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        if name == "kar":
            assert page.url == f"{served}/staff/responses", "signed in, the organisation starts on its responses"
        for path in ("/staff/responses", "/staff/responses?vacancy=food-parcels", "/staff/responses/R-AAAA-BBBB"):
            page.goto(served + path)
            check(page, f"{name}-{lang} {path}")
        page.locator("#handled button").click()  # the organisation marks it handled, the coordinator undoes it
        done = "handled" if name == "kar" else "unhandled"
        assert page.url.endswith(f"/staff/responses/R-AAAA-BBBB?done={done}")
        check(page, f"{name}-{lang} {done}")
        context.close()
    assert sweep.clean(), (sweep.findings, sweep.overflowing)
    assert store.get("R-AAAA-BBBB").status == "new", "handled by one, undone by the other: they saw each other's"
