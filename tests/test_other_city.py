"""Re-branding: another city's settings and content give that city's site, with no trace of Leuven."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from conftest import OTHER_CITY, BuiltSite, build, copy_city, copy_project
from pdf_support import reader, text

from helpt_site.catalogs import catalog_path, extract_messages, update_catalogs

LEUVEN_TRACES = re.compile(r"leuven|016/27\.27\.72|27\.27\.72|\+3216272772|corona@|helpt@", re.IGNORECASE)


def readable_text(path: Path) -> str:
    """What a file says: a PDF's extracted text and metadata, a text file's text (pictures say nothing)."""
    if path.suffix == ".pdf":
        return text(path) + str(reader(path).metadata)
    if path.suffix == ".png":
        return ""
    return path.read_text("utf-8")


def test_another_citys_build_has_no_trace_of_leuven(other_city_site: BuiltSite) -> None:
    files = [path for path in other_city_site.root.rglob("*") if path.is_file()]
    assert len(files) > 10 and any(path.suffix == ".pdf" for path in files)
    traces = {
        str(path.relative_to(other_city_site.root)): sorted(set(LEUVEN_TRACES.findall(readable_text(path))))
        for path in files
        if LEUVEN_TRACES.search(readable_text(path))
    }
    assert traces == {}


def test_another_citys_build_shows_its_own_name_phone_hours_and_colours(other_city_site: BuiltSite) -> None:
    site = other_city_site
    home = site.soup(site.root / "en" / "index.html")
    text = " ".join(home.get_text().split())
    assert home.title.get_text() == "Zonnedorp Cares"
    assert "09/123.45.67" in text and "Monday to Friday, 9:00 AM to 5:00 PM" in text
    assert "9990 Zonnedorp, 9991 Maanhoek, and 9992 Maanhoek" in text
    assert home.find("a", href="tel:+3291234567") is not None
    assert home.find("a", href="mailto:zorg@zonnedorp.example") is not None
    nl_text = " ".join(site.soup(site.root / "index.html").get_text().split())
    assert "van maandag tot vrijdag, van 09:00 tot 17:00" in nl_text
    assert (site.root / "theme/css/site.css").read_text().startswith(":root{--primary:#005a8c;")
    assert [a["href"] for a in home.select("nav.menu a")] == [
        "https://helpt.zonnedorp.example/en/contact/",
        "https://helpt.zonnedorp.example/en/vacancies/",
    ]


def test_a_third_language_is_a_settings_line_a_catalog_and_translated_content(tmp_path: Path) -> None:
    city_file = copy_city(OTHER_CITY, tmp_path / "city")
    settings = city_file.read_text()
    settings = settings.replace('order = ["nl", "en"]', 'order = ["nl", "en", "fr"]')
    settings = settings.replace('en = "Zonnedorp Cares"', 'en = "Zonnedorp Cares"\nfr = "Zonnedorp Aide"')
    city_file.write_text(settings)
    for english in (tmp_path / "city" / "content").rglob("*.en.md"):
        french = english.with_name(english.name.replace(".en.md", ".fr.md"))
        french.write_text(re.sub(r"^Title: (.*)$", r"Title: \1 (fr)", english.read_text(), flags=re.M))
    project = copy_project(tmp_path / "project")
    translations = project / "theme" / "translations"
    update_catalogs(translations, extract_messages(project / "theme"), ("fr",))
    po_file = catalog_path(translations, "fr")
    catalog = read_po(po_file.open("rb"), locale="fr")
    for message in catalog:
        if isinstance(message.id, tuple):
            message.string = tuple(message.id[min(form, 1)] for form in range(catalog.num_plurals))
        elif message.id:
            message.string = message.id.replace("Skip to main content", "Aller au contenu")
    write_po(po_file.open("wb"), catalog)

    site = build(tmp_path, city_file, publish=True, project_dir=project)

    french_home = site.soup(site.root / "fr" / "index.html")
    assert french_home.html["lang"] == "fr"
    assert french_home.select_one(".skip-link").get_text() == "Aller au contenu"
    assert [link["hreflang"] for link in french_home.select('link[rel="alternate"]')] == [
        "nl", "en", "fr", "x-default",
    ]  # fmt: skip
    switcher = {a["hreflang"]: a.get_text() for a in french_home.select("nav.languages a")}
    assert switcher == {"nl": "Nederlands", "en": "English"}
    dutch_switcher = {
        a["hreflang"]: a.get_text() for a in site.soup(site.root / "index.html").select("nav.languages a")
    }
    assert dutch_switcher == {"en": "English", "fr": "Français"}
    assert (site.root / "fr" / "contact-fr" / "index.html").is_file()
