"""Every build checks the content and stops, naming each problem, rather than publish a broken site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import OTHER_CITY, build, build_failure, copy_city, copy_project

from helpt_site.catalogs import catalog_path


@pytest.fixture
def city_file(tmp_path: Path) -> Path:
    return copy_city(OTHER_CITY, tmp_path / "city")


def content(city_file: Path) -> Path:
    return city_file.parent / "content"


def test_every_problem_in_the_content_is_named_at_once(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    pages = content(city_file) / "pages"
    (pages / "contact.en.md").unlink()
    privacy = pages / "privacy.nl.md"
    privacy.write_text(privacy.read_text().replace("Summary: Wat we bewaren en hoe lang.\n", ""))
    soup = content(city_file) / "vacancies" / "soup.en.md"
    soup.write_text(soup.read_text().replace("Expires: 2099-12-31", "Expires: soon"))
    home = pages / "home.nl.md"
    home.write_text(home.read_text() + "\nFax: {{ fax }}\n")
    (pages / "Extra.md").write_text("Title: Extra\nSummary: x\n\nText.\n")

    printed = build_failure(tmp_path, city_file, capfd)

    assert "content/pages/contact.en.md is missing: every page needs a version in each language" in printed
    assert "content/pages/privacy.nl.md: add the metadata line(s) Summary" in printed
    assert "content/vacancies/soup.en.md: Expires must be a date like 2027-06-30, not 'soon'" in printed
    assert "vacancy 'soup': Expires differs between its languages" in printed
    assert "content/pages/home.nl.md: {{ fax }} is not a placeholder" in printed
    assert "content/pages/Extra.md: name the file <key>.<language>.md" in printed


def test_a_page_the_settings_need_must_exist(tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture) -> None:
    for lang in ("nl", "en"):
        (content(city_file) / "pages" / f"accessibility.{lang}.md").unlink()
    printed = build_failure(tmp_path, city_file, capfd)
    assert "the site needs a page with key 'accessibility'" in printed


def test_a_link_to_a_page_that_does_not_exist_stops_the_build(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    contact = content(city_file) / "pages" / "contact.en.md"
    contact.write_text(contact.read_text() + "\nSee [the old page](/en/old-page/) and [top](#nowhere).\n")
    printed = build_failure(tmp_path, city_file, capfd)
    assert "en/contact/index.html: <a> '/en/old-page/' points to a page or file that does not exist" in printed
    assert "en/contact/index.html: <a> '#nowhere' points to #nowhere, which is not on that page" in printed


def test_a_file_link_pelican_cannot_resolve_stops_the_build(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    contact = content(city_file) / "pages" / "contact.nl.md"
    contact.write_text(contact.read_text() + "\nZie [oud]({filename}oud.nl.md).\n")
    printed = build_failure(tmp_path, city_file, capfd)
    assert "Unable to find 'oud.nl.md'" in printed


def test_content_loading_from_another_site_stops_the_build(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    contact = content(city_file) / "pages" / "contact.en.md"
    contact.write_text(contact.read_text() + "\n![Map](https://maps.example.com/map.png)\n")
    printed = build_failure(tmp_path, city_file, capfd)
    assert "<img> 'https://maps.example.com/map.png' loads from another site: self-host it" in printed


def test_a_theme_string_without_translation_stops_the_build(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    project = copy_project(tmp_path / "project")
    po_file = catalog_path(project / "theme" / "translations", "nl")
    catalog = read_po(po_file.open("rb"), locale="nl")
    catalog["Skip to main content"].string = ""
    write_po(po_file.open("wb"), catalog)
    base = project / "theme" / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", "<p>{{ _('A brand new string') }}</p></footer>"))

    printed = build_failure(tmp_path, city_file, capfd, project_dir=project)

    assert "2 problem(s) in the translations of the theme" in printed
    assert "nl/LC_MESSAGES/messages.po: 'Skip to main content' (templates/base.html:" in printed
    assert "'A brand new string' (templates/base.html:" in printed and "is not in the catalog" in printed


def test_bad_city_settings_stop_the_build_with_the_key_to_fix(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    city_file.write_text(city_file.read_text().replace('primary = "#005a8c"', 'primary = "#ffdd00"'))
    printed = build_failure(tmp_path, city_file, capfd)
    assert "theme.primary: white text on #ffdd00 has contrast 1.35:1; pick a darker colour" in printed


def test_an_expired_vacancy_is_left_out_of_the_build(tmp_path: Path, city_file: Path) -> None:
    today = dt.date.today()
    vacancies = content(city_file) / "vacancies"
    for key, expires in (("gone", today - dt.timedelta(days=2)), ("last-day", today + dt.timedelta(days=1))):
        for lang in ("nl", "en"):
            (vacancies / f"{key}.{lang}.md").write_text(
                f"Title: {key} {lang}\nSummary: s\nOrganisation: o\nLocation: l\nSchedule: s\nSkills: s\n"
                f"Expires: {expires.isoformat()}\n\nBody.\n"
            )
    site = build(tmp_path, city_file)
    built = {site.url_path(page) for page in site.pages()}
    assert {"/last-day-nl/", "/en/last-day-en/", "/soep-koken/"} <= built
    assert not [url for url in built if "gone" in url]
    listing = [a.get_text() for a in site.soup(site.root / "en" / "vacancies" / "index.html").select("main li a")]
    assert listing == ["last-day en", "Cooking soup"]
