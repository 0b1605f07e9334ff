"""Each form as a person uses it in Chromium: send it empty, read the problems, fix them, get the
confirmation, and find the record kept. With JavaScript off (the journey must work without it) and on
(axe-core checks every page the journey meets: error, confirmation and problem pages included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import axe_results, serve_directory, summarise
from conftest import LEUVEN, BuiltSite
from forms_support import broken_store

from helpt_site.build import PROJECT_DIR
from helpt_site.local_api import LocalApi


@pytest.fixture
def served(leuven_site: BuiltSite, tmp_path: Path) -> Iterator[tuple[str, LocalApi]]:
    api = LocalApi(PROJECT_DIR, leuven_site.root, LEUVEN, tmp_path / "data")
    with serve_directory(leuven_site.root, api) as url:
        yield url, api


def no_axe_violations(page, javascript: bool) -> None:
    if javascript:
        violations = summarise(axe_results(page)["violations"])
        assert violations == [], page.url


def fill_help_request(page) -> None:
    page.fill("#f-name", "Maria Peeters")
    page.fill("#f-phone", "0470 12 34 56")
    page.fill("#f-street", "Kerkstraat 1")
    page.fill("#f-postcode", "3010")
    page.check("#f-help-groceries")
    page.check("#f-help-pharmacy")
    page.check("#f-urgency-days")
    page.check("#f-for_whom-self")
    page.check("#f-language-nl")
    page.check("#f-consent-yes")
    page.check("#f-health_consent-yes")


def fill_help_request_for_someone_else(page) -> None:
    """A daughter asks for her mother, who has no phone: the mother's address, the daughter's number."""
    page.check("#f-for_whom-someone-else")
    page.fill("#f-name", "Josée Vermeulen")
    page.fill("#f-street", "Diestsestraat 7")
    page.fill("#f-postcode", "3000")
    page.check("#f-language-nl")
    page.fill("#f-asker_name", "Lien Vermeulen")
    page.fill("#f-asker_phone", "0470 99 88 77")
    page.fill("#f-relationship", "my mother")
    page.check("#f-agreed-yes")
    page.check("#f-help-pharmacy")
    page.check("#f-urgency-today")
    page.check("#f-consent-yes")
    page.check("#f-health_consent_other-yes")


def fill_volunteer(page) -> None:
    page.fill("#f-name", "Ann Janssens")
    page.fill("#f-email", "ann@example.com")
    page.fill("#f-phone", "0470 65 43 21")
    page.fill("#f-postcode", "3001")
    page.check("#f-help-dog")
    page.check("#f-availability-evenings")
    page.check("#f-languages-en")
    page.check("#f-adult-yes")
    page.check("#f-safety-yes")
    page.check("#f-consent-yes")


def fill_vacancy_response(page) -> None:
    page.fill("#f-name", "Jan De Smet")
    page.fill("#f-email", "jan@example.com")
    page.fill("#f-message", "Ik help graag op dinsdag.")
    page.check("#f-consent-yes")


JOURNEYS = [
    ("/hulp-vragen/", "Fout: ", fill_help_request, "help_request", "We hebben je hulpvraag ontvangen"),
    ("/en/ask-for-help/", "Error: ", fill_help_request_for_someone_else, "help_request", "We received your request"),
    ("/en/volunteer/", "Error: ", fill_volunteer, "volunteer_signup", "Thank you for signing up"),
    ("/voedselpakketten-inpakken-en-rondbrengen/", "Fout: ", fill_vacancy_response, "vacancy_response", None),
]


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript-off", "javascript-on"])
@pytest.mark.parametrize(
    ("path", "error_prefix", "fill", "form", "thanks"), JOURNEYS, ids=[j[2].__name__ for j in JOURNEYS]
)
def test_a_person_completes_the_form(
    browser, served, path: str, error_prefix: str, fill, form: str, thanks: str | None, javascript: bool
) -> None:
    url, api = served
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(url + path)
    no_axe_violations(page, javascript)

    page.get_by_role("button").last.click()  # the form's own button, sent empty
    assert page.title().startswith(error_prefix)
    summary = page.locator("main .error-summary")
    assert summary.is_visible() and summary.locator("a").count() >= 4
    first_link = summary.locator("a").first
    first_link.click()
    target = first_link.get_attribute("href")
    assert page.evaluate("() => location.hash") == target
    no_axe_violations(page, javascript)

    fill(page)
    page.get_by_role("button").last.click()
    confirmed = r"/api/[a-z-]+/confirmation\?lang=(nl|en)&ref=[A-Z]-[A-Z2-7]{4}-[A-Z2-7]{4}(&vacancy=[a-z0-9-]+)?$"
    assert re.search(confirmed, page.url)
    if thanks:
        assert page.locator("h1").inner_text() == thanks
    reference = page.locator(".reference").inner_text()
    no_axe_violations(page, javascript)
    kept = api.store.get(reference)
    assert kept is not None and kept.form == form and kept.channel == "web"
    if fill is fill_help_request_for_someone_else:
        assert (kept.answers["name"], kept.answers["phone"], kept.answers["asker_phone"]) == (
            "Josée Vermeulen", "", "0470 99 88 77")  # fmt: skip
    context.close()


def test_a_store_failure_shows_the_problem_page_with_the_answers_still_there(
    browser, leuven_site: BuiltSite, tmp_path: Path
) -> None:
    api = LocalApi(PROJECT_DIR, leuven_site.root, LEUVEN, tmp_path / "data")
    api.store = broken_store(tmp_path / "broken")
    with serve_directory(leuven_site.root, api) as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(url + "/en/volunteer/")
        fill_volunteer(page)
        page.get_by_role("button").last.click()
        problem = page.locator("main .error-summary")
        assert "problem with the service" in problem.inner_text() and "016/27.27.72" in problem.inner_text()
        assert page.input_value("#f-email") == "ann@example.com" and page.is_checked("#f-languages-en")
        no_axe_violations(page, True)
        context.close()
