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


def line_of(path: Path, text: str) -> int:
    """The number of the line of a content file that holds `text`, as an editor's editor shows it."""
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def problems_listed(printed: str) -> list[str]:
    """The problems of the one list a stopped build prints."""
    assert printed.count("The build stopped") == 1, printed
    return [line.removeprefix("  - ") for line in printed.splitlines() if line.startswith("  - ")]


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
    expires = line_of(soup, "Expires:")
    assert f"content/vacancies/soup.en.md:{expires}: Expires must be a date like 2027-06-30, not 'soon'" in printed
    assert (
        f"content/vacancies/soup.nl.md:{expires}, content/vacancies/soup.en.md:{expires}: "
        "Expires differs between the languages of vacancy 'soup'"
    ) in printed
    assert f"content/pages/home.nl.md:{line_of(home, 'Fax:')}: {{{{ fax }}}} is not a placeholder" in printed
    assert "content/pages/Extra.md: name the file <key>.<language>.md" in printed


def test_a_page_the_settings_need_must_exist(tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture) -> None:
    for lang in ("nl", "en"):
        (content(city_file) / "pages" / f"accessibility.{lang}.md").unlink()
    printed = build_failure(tmp_path, city_file, capfd)
    assert "the site needs a page with key 'accessibility'" in printed


def test_a_link_to_a_page_that_does_not_exist_is_named_by_its_file_and_line(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    contact = content(city_file) / "pages" / "contact.en.md"
    contact.write_text(contact.read_text() + "\nSee [the old page](/en/old-page/).\n\nBack to [top](#nowhere).\n")
    printed = build_failure(tmp_path, city_file, capfd)
    old_page, top = line_of(contact, "/en/old-page/"), line_of(contact, "#nowhere")
    assert problems_listed(printed) == [
        f"content/pages/contact.en.md:{old_page}: the link '/en/old-page/' points to a page or file that does "
        "not exist",
        f"content/pages/contact.en.md:{top}: the link '#nowhere' points to #nowhere, which is not on that page",
    ]


def test_a_file_link_pelican_cannot_resolve_is_named_by_its_file_and_line(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    contact = content(city_file) / "pages" / "contact.nl.md"
    contact.write_text(contact.read_text() + "\nZie [oud]({filename}oud.nl.md).\n")
    printed = build_failure(tmp_path, city_file, capfd)
    assert problems_listed(printed) == [
        f"content/pages/contact.nl.md:{line_of(contact, 'oud.nl.md')}: the link {{filename}}oud.nl.md points to a "
        "file that does not exist: there is no content/pages/oud.nl.md"
    ]
    assert "Unable to find" not in printed and "warning above" not in printed, "Pelican's own warning is not the report"


def test_a_second_main_heading_is_named_by_its_file_and_line(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    privacy = content(city_file) / "pages" / "privacy.en.md"
    privacy.write_text(privacy.read_text() + "\n# Your rights\n\nText.\n\nHow long\n========\n\n## Fine\n")
    printed = build_failure(tmp_path, city_file, capfd)
    assert problems_listed(printed) == [
        f"content/pages/privacy.en.md:{line_of(privacy, 'Your rights')}: 'Your rights' is a main heading (#), "
        "but a page has one, its Title: start the line with ##",
        f"content/pages/privacy.en.md:{line_of(privacy, 'How long')}: 'How long' is a main heading (#), "
        "but a page has one, its Title: start the line with ##",
    ]


def test_a_broken_link_a_template_made_names_the_page_and_its_content_file(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    project = copy_project(tmp_path / "project")
    base = project / "theme" / "templates" / "base.html"
    base.write_text(base.read_text().replace("</footer>", '<a href="/old-rules/">Rules</a></footer>'))
    printed = build_failure(tmp_path, city_file, capfd, project_dir=project)
    assert (
        "en/contact/index.html (the page of content/pages/contact.en.md; a template made the link): the link "
        "'/old-rules/' points to a page or file that does not exist"
    ) in problems_listed(printed)


def test_content_loading_from_another_site_stops_the_build(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    contact = content(city_file) / "pages" / "contact.en.md"
    contact.write_text(contact.read_text() + "\n![Map](https://maps.example.com/map.png)\n")
    printed = build_failure(tmp_path, city_file, capfd)
    assert (
        f"content/pages/contact.en.md:{line_of(contact, 'maps.example.com')}: the picture "
        "'https://maps.example.com/map.png' loads from another site: self-host it"
    ) in printed


def test_mistakes_of_every_kind_in_several_files_come_in_one_list(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture
) -> None:
    pages = content(city_file) / "pages"
    for lang in ("nl", "en"):  # a page every page's footer links to: the build must not crash or list those links
        (pages / f"accessibility.{lang}.md").unlink()
    privacy = pages / "privacy.nl.md"
    privacy.write_text(privacy.read_text().replace("Summary: Wat we bewaren en hoe lang.\n", ""))
    contact_nl, contact_en, home = pages / "contact.nl.md", pages / "contact.en.md", pages / "home.en.md"
    contact_nl.write_text(contact_nl.read_text() + "\nZie [oud]({filename}oud.nl.md).\n")
    contact_en.write_text(contact_en.read_text() + "\nSee [the old page](/en/old-page/).\n")
    home.write_text(home.read_text() + "\n# Welcome again\n")

    printed = build_failure(tmp_path, city_file, capfd)

    assert problems_listed(printed) == [
        "content/pages/accessibility.<language>.md is missing: the site needs a page with key 'accessibility'",
        f"content/pages/contact.en.md:{line_of(contact_en, 'old-page')}: the link '/en/old-page/' points to a page "
        "or file that does not exist",
        f"content/pages/contact.nl.md:{line_of(contact_nl, 'oud.nl.md')}: the link {{filename}}oud.nl.md points to "
        "a file that does not exist: there is no content/pages/oud.nl.md",
        f"content/pages/home.en.md:{line_of(home, 'Welcome again')}: 'Welcome again' is a main heading (#), but a "
        "page has one, its Title: start the line with ##",
        "content/pages/privacy.nl.md: add the metadata line(s) Summary at the top of the file",
    ]
    assert "could not go on" not in printed


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
