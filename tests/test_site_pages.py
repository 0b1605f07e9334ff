"""The built Leuven site, page by page: languages, alternates, switcher, skip link, footer, menu, titles, layout."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from conftest import BuiltSite

from helpt.forms import FORMS
from helpt.i18n import language_name, load_catalogs
from helpt.pages import PageRenderer
from helpt_site.build import PROJECT_DIR


def test_home_pages_are_at_the_root_and_under_each_language(leuven_site: BuiltSite) -> None:
    assert leuven_site.soup(leuven_site.root / "index.html").html["lang"] == "nl"
    assert leuven_site.soup(leuven_site.root / "en" / "index.html").html["lang"] == "en"


def test_every_page_declares_its_language(leuven_site: BuiltSite) -> None:
    wrong = {
        leuven_site.url_path(page): leuven_site.soup(page).html.get("lang")
        for page in leuven_site.pages()
        if leuven_site.soup(page).html.get("lang") != leuven_site.expected_lang(page)
    }
    assert len(leuven_site.pages()) >= 2 * 9
    assert wrong == {}


def test_every_page_lists_each_language_version_itself_and_x_default_with_absolute_urls(
    leuven_published: BuiltSite,
) -> None:
    site = leuven_published
    for page in site.pages():
        alternates = {link["hreflang"]: link["href"] for link in site.soup(page).select('link[rel="alternate"]')}
        where = site.url_path(page)
        assert list(alternates) == ["nl", "en", "x-default"], where
        assert all(href.startswith("https://www.leuvenhelpt.be/") for href in alternates.values()), where
        assert alternates[site.expected_lang(page)] == site.siteurl + where, f"{where} does not list itself"
        assert alternates["x-default"] == alternates["nl"], where
        for lang in ("nl", "en"):
            other = site.page_at(alternates[lang])
            assert site.soup(other).html["lang"] == lang, f"{where} -> {alternates[lang]}"
            back = {link["hreflang"]: link["href"] for link in site.soup(other).select('link[rel="alternate"]')}
            assert back == alternates, f"{alternates[lang]} and {where} disagree on their versions"


def test_local_preview_links_stay_on_the_local_server(leuven_site: BuiltSite) -> None:
    hrefs = [link["href"] for page in leuven_site.pages() for link in leuven_site.soup(page).select("link, a")]
    assert not [href for href in hrefs if "leuvenhelpt.be" in href]


def test_language_switcher_links_to_the_same_page_in_the_other_language(leuven_site: BuiltSite) -> None:
    for page in leuven_site.pages():
        soup = leuven_site.soup(page)
        lang = leuven_site.expected_lang(page)
        other = "en" if lang == "nl" else "nl"
        links = soup.select("nav.languages a")
        assert len(links) == 1, leuven_site.url_path(page)
        link = links[0]
        assert link.get_text() == language_name(other) == {"en": "English", "nl": "Nederlands"}[other]
        assert (link["lang"], link["hreflang"]) == (other, other)
        alternate = soup.select_one(f'link[rel="alternate"][hreflang="{other}"]')
        assert link["href"] == alternate["href"]
        target = leuven_site.soup(leuven_site.page_at(link["href"]))
        assert target.select_one(f'nav.languages a[hreflang="{lang}"]')["href"] == leuven_site.url_path(page)


def test_skip_link_comes_first_and_moves_to_the_main_content(leuven_site: BuiltSite) -> None:
    for page in leuven_site.pages():
        soup = leuven_site.soup(page)
        first_focusable = soup.body.find(["a", "button", "input", "select", "textarea", "summary"])
        assert "skip-link" in first_focusable.get("class", []), leuven_site.url_path(page)
        assert first_focusable["href"] == "#main"
        main = soup.find("main")
        assert main["id"] == "main" and main["tabindex"] == "-1"


def test_each_page_has_one_h1_and_a_unique_page_and_site_title(leuven_site: BuiltSite) -> None:
    titles = Counter()
    for page in leuven_site.pages():
        soup = leuven_site.soup(page)
        assert len(soup.find_all("h1")) == 1, leuven_site.url_path(page)
        title = soup.title.get_text()
        site_name = leuven_site.city.site_name[leuven_site.expected_lang(page)]
        assert title == site_name or title.endswith(f" – {site_name}"), title
        titles[title] += 1
    assert [title for title, count in titles.items() if count > 1] == []


def test_footer_gives_the_phone_line_hours_e_mail_and_statements_on_every_page(
    leuven_site: BuiltSite,
) -> None:
    hours = {"nl": "elke dag van 08:00 tot 20:00", "en": "every day, 8:00 AM to 8:00 PM"}
    statements = {"nl": {"/privacyverklaring/", "/toegankelijkheidsverklaring/"},
                  "en": {"/en/privacy-statement/", "/en/accessibility-statement/"}}  # fmt: skip
    for page in leuven_site.pages():
        lang = leuven_site.expected_lang(page)
        footer = leuven_site.soup(page).find("footer")
        text = " ".join(footer.get_text().split())
        assert "016/27.27.72" in text and hours[lang] in text, leuven_site.url_path(page)
        hrefs = {a["href"] for a in footer.find_all("a")}
        assert {"tel:+3216272772", "mailto:leuven.helpt@leuven.be", "mailto:corona@leuven.be"} <= hrefs
        assert statements[lang] <= hrefs


def test_home_page_puts_the_phone_line_first(leuven_site: BuiltSite) -> None:
    for home, lang in (
        (leuven_site.root / "index.html", "nl"),
        (leuven_site.root / "en" / "index.html", "en"),
    ):
        main = leuven_site.soup(home).find("main")
        first_section = main.find(class_="call-box")
        assert first_section is not None and first_section.find_previous_sibling() == main.find("h1")
        assert first_section.find("a", href="tel:+3216272772").get_text() == "016/27.27.72"
        links = {a["href"] for a in main.find_all("a")}
        wanted = {
            "nl": {"/hulp-vragen/", "/vrijwilliger-worden/"},
            "en": {"/en/ask-for-help/", "/en/volunteer/"},
        }
        assert wanted[lang] <= links


def test_menu_is_the_curated_list_from_the_settings(leuven_site: BuiltSite) -> None:
    city = leuven_site.city
    for page in leuven_site.pages():
        lang = leuven_site.expected_lang(page)
        links = leuven_site.soup(page).select("nav.menu a")
        assert len(links) == len(city.menu) == 6
        for link in links:
            target = leuven_site.page_at(link["href"])
            assert leuven_site.soup(target).html["lang"] == lang
        current = [link["href"] for link in links if link.get("aria-current") == "page"]
        assert current in ([], [leuven_site.url_path(page)])


def test_stylesheet_carries_the_city_colours_and_a_print_style(leuven_site: BuiltSite) -> None:
    css = (leuven_site.root / "theme" / "css" / "site.css").read_text()
    assert css.startswith(":root{--primary:#a3001b;--tint:#fbeff1}")
    assert "@media print" in css


def test_vacancies_are_listed_with_their_end_date_in_each_language(other_city_site: BuiltSite) -> None:
    site = other_city_site
    nl = " ".join(site.soup(site.root / "vacatures" / "index.html").find("main").get_text().split())
    en = " ".join(site.soup(site.root / "en" / "vacancies" / "index.html").find("main").get_text().split())
    assert "Soep koken" in nl and "Open tot 31 december 2099" in nl
    assert "Cooking soup" in en and "Open until December 31, 2099" in en
    facts = site.soup(site.root / "soep-koken" / "index.html").select("dl.facts dd")
    assert [dd.get_text() for dd in facts] == [
        "Soepclub",
        "Mieke, de kok van de soepclub",
        "Dorpsplein",
        "woensdag",
        "koken",
        "31 december 2099",
    ]


def _gap_below_the_menu(html: str, site: BuiltSite, tag: str, css_class: str = "") -> float:
    """How far below the menu bar the first `tag` (with `css_class`) starts, in CSS px, as a browser lays out the
    page on a screen (WeasyPrint's CSS engine, with the built stylesheet)."""
    from weasyprint import HTML

    relative = html.replace('href="/', 'href="').replace('src="/', 'src="')  # root-relative URLs: the output folder
    document = HTML(string=relative, base_url=f"{site.root}/", media_type="screen").render()
    # The laid-out boxes of the first page (the tree WeasyPrint's own layout tests look at).
    boxes = [box for box in document.pages[0]._page_box.descendants() if getattr(box, "element_tag", None)]

    def first(tag: str, css_class: str = "") -> Any:
        tagged = (box for box in boxes if box.element_tag == tag)
        return next(box for box in tagged if not css_class or css_class in (box.element.get("class") or "").split())

    menu, target = first("nav", "menu"), first(tag, css_class)
    return target.border_box_y() - (menu.border_box_y() + menu.border_height())


def test_the_page_heading_keeps_its_distance_from_the_menu_bar(leuven_site: BuiltSite) -> None:
    for page in ("contact/index.html", "en/index.html"):
        html = (leuven_site.root / page).read_text(encoding="utf-8")
        assert _gap_below_the_menu(html, leuven_site, "h1") >= 18, page  # 1 rem: it does not touch the bar


def test_the_confirmation_box_keeps_its_distance_from_the_menu_bar(leuven_site: BuiltSite) -> None:
    translations = PROJECT_DIR / "theme" / "translations"
    renderer = PageRenderer(
        PROJECT_DIR / "theme" / "templates",
        leuven_site.city,
        load_catalogs(translations, leuven_site.city.languages),
        json.loads((leuven_site.root / ".helpt" / "site.json").read_text(encoding="utf-8")),
    )
    html = renderer.confirmation(FORMS["help_request"], "nl", "HLP-ABCD-1234")
    assert 'class="panel"' in html
    assert _gap_below_the_menu(html, leuven_site, "div", "panel") >= 18
