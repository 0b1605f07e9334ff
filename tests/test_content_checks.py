"""Every build checks the content and stops, naming each problem, rather than publish a broken site."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from conftest import OTHER_CITY, build, build_failure, copy_city, copy_project

from helpt_site.catalogs import catalog_path, extract_messages


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
                f"Title: {key} {lang}\nSummary: s\nOrganisation: o\nOrganisation-id: o\nContact: c\nLocation: l\n"
                f"Schedule: s\nSkills: s\nExpires: {expires.isoformat()}\n\nBody.\n"
            )
    site = build(tmp_path, city_file)
    built = {site.url_path(page) for page in site.pages()}
    assert {"/last-day-nl/", "/en/last-day-en/", "/soep-koken/"} <= built
    assert not [url for url in built if "gone" in url]
    listing = [a.get_text() for a in site.soup(site.root / "en" / "vacancies" / "index.html").select("main li a")]
    assert listing == ["last-day en", "Cooking soup"]


# A vacancy's organisation and contact ---------------------------------------------------------------------


STAND_IN = "[{lang}] "  # what translated_project puts before a theme string the catalog does not translate yet


def translated_project(destination: Path, languages: tuple[str, ...] = ("nl",)) -> Path:
    """The build settings and theme, with every theme string a catalog lacks given a marked stand-in.

    A new theme string stops every build until the translators fill the catalog (test_catalogs says which);
    the checks of the content, the pages and the handler are tested meanwhile on this copy. Once the catalog
    is complete the copy is the theme as it is, so tests that read the translation from the copy's catalog
    then check the real one."""
    project = copy_project(destination)
    theme = project / "theme"
    wanted = [message for message in extract_messages(theme) if message.id]
    for lang in languages:
        po_file = catalog_path(theme / "translations", lang)
        with po_file.open("rb") as stream:
            catalog = read_po(stream, locale=lang)
        for message in wanted:
            known = catalog.get(message.id, message.context)
            if known is None or known.fuzzy or not str(known.string).strip():
                catalog.add(message.id, STAND_IN.format(lang=lang) + str(message.id), context=message.context)
        with po_file.open("wb") as stream:
            write_po(stream, catalog)
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return translated_project(tmp_path_factory.mktemp("project"))


def vacancy_text(title: str, *, organisation_id: str | None = "club", contact: str | None = "Jo") -> str:
    """A vacancy's Markdown, with or without its Organisation-id and Contact lines."""
    lines = [f"Title: {title}", "Summary: s", "Organisation: o"]
    lines += [f"Organisation-id: {organisation_id}"] if organisation_id is not None else []
    lines += [f"Contact: {contact}"] if contact is not None else []
    return "\n".join([*lines, "Location: l", "Schedule: s", "Skills: s", "Expires: 2099-12-31", "", "Body.", ""])


def test_every_vacancy_names_its_organisation_id_and_contact_alike_in_every_language(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture, project: Path
) -> None:
    vacancies = content(city_file) / "vacancies"
    written = {
        "bread.nl.md": vacancy_text("Brood", organisation_id="bread-club"),
        "bread.en.md": vacancy_text("Bread", organisation_id="bakers"),
        "tea.nl.md": vacancy_text("Thee", organisation_id=None),
        "tea.en.md": vacancy_text("Tea", contact=None),
        "jam.nl.md": vacancy_text("Confituur", organisation_id="Jam Club!", contact=""),
        "jam.en.md": vacancy_text("Jam", organisation_id="Jam Club!"),
    }
    for name, text in written.items():
        (vacancies / name).write_text(text)

    printed = build_failure(tmp_path, city_file, capfd, project_dir=project)

    def at(name: str) -> str:
        return f"content/vacancies/{name}:{line_of(vacancies / name, 'Organisation-id:')}"

    bad_id = "Organisation-id must be short, in lower case letters, digits and hyphens, like volle-kar, not 'Jam Club!'"
    assert problems_listed(printed) == [
        f"{at('bread.nl.md')}, {at('bread.en.md')}: Organisation-id differs between the languages of vacancy "
        "'bread'; give them the same id",
        f"{at('jam.en.md')}: {bad_id}",
        "content/vacancies/jam.nl.md: add the metadata line(s) Contact at the top of the file",
        f"{at('jam.nl.md')}: {bad_id}",
        "content/vacancies/tea.en.md: add the metadata line(s) Contact at the top of the file",
        "content/vacancies/tea.nl.md: add the metadata line(s) Organisation-id at the top of the file",
    ]


@pytest.mark.parametrize("written", ["-soup", "soup-", "soup club", "Soup", "s" * 41, "soep-ç"])
def test_an_organisation_id_of_another_form_is_named(
    tmp_path: Path, city_file: Path, capfd: pytest.CaptureFixture, project: Path, written: str
) -> None:
    for lang in ("nl", "en"):
        soup = content(city_file) / "vacancies" / f"soup.{lang}.md"
        soup.write_text(soup.read_text().replace("Organisation-id: soup-club", f"Organisation-id: {written}"))
    printed = build_failure(tmp_path, city_file, capfd, project_dir=project)
    assert [problem.split(": ", 1)[1] for problem in problems_listed(printed)] == [
        f"Organisation-id must be short, in lower case letters, digits and hyphens, like volle-kar, not {written!r}"
    ] * 2


def test_the_site_data_carries_each_vacancys_organisation_id_and_contact(tmp_path: Path, project: Path) -> None:
    from conftest import LEUVEN

    from helpt.staff.vacancies import load_vacancies

    site = build(tmp_path, LEUVEN, project_dir=project)
    data = site.root / ".helpt" / "site.json"
    records = json.loads(data.read_text(encoding="utf-8"))["form_pages"]["food-parcels"]
    assert {lang: (r["organisation_id"], r["organisation"], r["contact"]) for lang, r in records.items()} == {
        "nl": ("volle-kar", "Voedselhulp De Volle Kar vzw", "Anna Peeters, vrijwilligerscoördinator"),
        "en": ("volle-kar", "Voedselhulp De Volle Kar vzw (food aid)", "Anna Peeters, volunteer coordinator"),
    }
    vacancies = load_vacancies(data)  # as the back office reads them
    assert vacancies.organisations() == {
        "groene-hart": "Thuiszorg Het Groene Hart vzw", "hof-ter-beuken": "Woonzorgcentrum Hof ter Beuken",
        "volle-kar": "Voedselhulp De Volle Kar vzw",
    }  # fmt: skip
    assert [v.key for v in vacancies.of_organisation("volle-kar")] == ["food-parcels"]
    assert vacancies.get("care-home-calls").contact_in("en") == "the care home's reception desk"
