"""Every built page, in every language, in Debian's Chromium: axe-core, keyboard, layout, no JavaScript.

Pages are discovered from the build output, so a new page is checked without editing these tests.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
from browser_support import (
    ARTEFACTS,
    axe_results,
    focus_report,
    horizontal_overflow,
    serve_directory,
    summarise,
    write_artefact,
)
from conftest import BuiltSite


@pytest.fixture(scope="module")
def site_url(leuven_site: BuiltSite) -> Iterator[str]:
    with serve_directory(leuven_site.root) as url:
        yield url


@pytest.fixture(params=[True, False], ids=["javascript-on", "javascript-off"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return request.param


def page_urls(site: BuiltSite) -> list[str]:
    return [site.url_path(page) for page in site.pages()]


def test_axe_finds_no_violations_on_any_page(browser, site_url: str, leuven_site: BuiltSite) -> None:
    context = browser.new_context()
    page = context.new_page()
    violations, incomplete = {}, {}
    urls = page_urls(leuven_site)
    for path in urls:
        page.goto(site_url + path)
        results = axe_results(page)
        if results["violations"]:
            violations[path] = summarise(results["violations"])
        if results["incomplete"]:
            incomplete[path] = summarise(results["incomplete"])
    context.close()
    # Findings axe cannot decide go to a person: see artefacts/axe-incomplete.json.
    write_artefact("axe-incomplete.json", {"pages_checked": len(urls), "incomplete": incomplete})
    assert len(urls) >= 20
    assert violations == {}


def test_pages_are_the_same_without_javascript(browser, site_url: str, leuven_site: BuiltSite) -> None:
    """No page has or needs a script, so what axe saw with JavaScript on is what everyone gets."""
    contexts = {js: browser.new_context(java_script_enabled=js) for js in (True, False)}
    pages = {js: context.new_page() for js, context in contexts.items()}
    for path in page_urls(leuven_site):
        seen = {}
        for js, page in pages.items():
            page.goto(site_url + path)
            seen[js] = (page.title(), page.locator("body *").count(), page.locator("main").inner_text())
        assert seen[True] == seen[False], path
        assert pages[True].locator("script").count() == 0, path
    for context in contexts.values():
        context.close()


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_the_main_content(
    browser, site_url: str, leuven_site: BuiltSite, javascript: bool
) -> None:
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    for path in page_urls(leuven_site):
        page.goto(site_url + path)
        page.keyboard.press("Tab")
        focused = focus_report(page)
        assert "skip-link" in focused["cls"] and focused["visible"], (path, focused)
        assert page.locator(".skip-link").is_visible(), f"{path}: the skip link shows when it has focus"
        page.keyboard.press("Enter")
        assert focus_report(page)["id"] == "main", path
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)") or (
            page.locator("main a").count() == 0
        ), f"{path}: the next Tab stays in the main content"
    context.close()


def test_focus_is_visible_on_everything_the_keyboard_reaches(browser, site_url: str, leuven_site: BuiltSite) -> None:
    context = browser.new_context()
    page = context.new_page()
    invisible, reached = [], 0
    for path in page_urls(leuven_site):
        page.goto(site_url + path)
        # Tab until focus leaves the page: a radio group is one stop, the hidden bot field none.
        limit = page.locator("a[href], button, input, select, textarea").count() + 2
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused = focus_report(page)
            if focused["tag"] == "body":
                break
            reached += 1
            if not focused["visible"]:
                invisible.append((path, focused))
    context.close()
    assert reached > 300
    assert invisible == []


def test_no_page_scrolls_sideways_at_320_by_640(
    browser, site_url: str, leuven_site: BuiltSite, javascript: bool
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=javascript)
    page = context.new_page()
    overflowing = {}
    for path in page_urls(leuven_site):
        page.goto(site_url + path)
        if horizontal_overflow(page) > 0:
            overflowing[path] = horizontal_overflow(page)
    context.close()
    assert overflowing == {}


def test_language_switcher_and_menu_work_without_javascript(browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/hulp-vragen/")
    page.get_by_role("link", name="English").click()
    assert page.url == site_url + "/en/ask-for-help/"
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Volunteer").click()
    assert page.url == site_url + "/en/volunteer/"
    assert page.title() == "Volunteer – Leuven Helps"
    page.get_by_role("link", name="Nederlands").click()
    assert page.title() == "Vrijwilliger worden – Leuven Helpt"
    context.close()


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize(("lang", "path"), [("nl", "/"), ("en", "/en/")])
def test_home_page_screenshots_are_written_for_people_to_look_at(
    browser, site_url: str, width: int, lang: str, path: str
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(site_url + path)
    target = ARTEFACTS / "screenshots" / f"home-{lang}-{width}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    context.close()
    header = target.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    png_width, png_height = struct.unpack(">II", header[16:24])
    assert png_width == width and png_height >= 800
