"""The public figures page (/cijfers/, /en/figures/): counts only, small counts left out, also where they could
be worked out by subtraction; nothing about a person anywhere in the built site; both languages; a page that
says there are no figures yet; the build's choice of where the counts come from; vnu, axe and page weight.

The sites are built for real (Pelican in a child process) from stores and counts files made here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import itertools
import json
import random
import re
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from browser_support import VNU_JAR, axe_results, horizontal_overflow, require_vnu, serve_directory, summarise
from conftest import LEUVEN, BuiltSite, build, build_failure
from test_staff_support import NOW, help_request, volunteer

from helpt.i18n import load_catalogs
from helpt.settings import load_city
from helpt.staff.figures import count
from helpt.staff.figures_public import (
    FEWER,
    HIDDEN,
    THRESHOLD,
    PublicFiguresError,
    check_public,
    protect,
    public_counts,
    read_public,
    write_public,
)
from helpt.stores import Event
from helpt.stores.sqlite import SQLiteStore
from helpt_site.build import PROJECT_DIR
from helpt_site.public_figures import FIGURES_FILE, FIGURES_VARIABLE, find_counts

CITY = load_city(LEUVEN)
PAGES = {"nl": Path("cijfers") / "index.html", "en": Path("en") / "figures" / "index.html"}
NO_FIGURES = "There are no figures yet. They appear here once the city has made them."
# Help requests and volunteers per neighbourhood (Leuven's, then one outside the city), and the requests'
# statuses. Kessel-Lo's 3 requests could be worked out from the total and the others: Wijgmaal's 6 is hidden too.
# Heverlee's 1 and the outsider's 1 volunteer add up to 2, so both would be 1: Wilsele's 5 is hidden, and as
# 1 + 1 + 5 = 7 leaves them 1 still, Kessel-Lo's 9 as well.
REQUESTS = {"3000": 12, "3001": 7, "3010": 3, "3012": 0, "3018": 6, "1000": 0}
VOLUNTEERS = {"3000": 20, "3001": 1, "3010": 9, "3012": 5, "3018": 0, "1000": 1}
STATUSES = ["new"] * 10 + ["contacted"] * 8 + ["matched"] * 6 + ["done"] * 2 + ["closed"] * 2
CONTACT_HOURS = [1, 2, 4, 8, 16, 32]  # call notes; with the two matches: 1 2 4 8 16 30 32 40
MATCH_HOURS = [30, 40]  # too few for a time; first contacts' median (8 + 16) / 2 = 12, 90th 32 + 0.3 * 8 = 34.4


def words(lang: str) -> dict[str, str]:
    """How the page writes a hidden count, in the catalog the build compiled (so: after a build)."""
    catalog = load_catalogs(PROJECT_DIR / "theme" / "translations", CITY.languages)[lang]
    return {"fewer": catalog.gettext("fewer than %(n)s") % {"n": THRESHOLD}, "hidden": catalog.gettext("not shown"),
            "none": catalog.gettext(NO_FIGURES)}  # fmt: skip


def person(number: int) -> dict[str, str]:
    """Answers no page may ever show: each one unique to its record."""
    return {
        "name": f"Zeldzame Naam{number:03d}",
        "phone": f"0470 98 {number // 100:02d} {number % 100:02d}",
        "email": f"persoon{number:03d}@voorbeeld.be",
    }


def fill(store: SQLiteStore) -> list[tuple[str, ...]]:
    """Put the records in the store; return what identifies each person (never to be published)."""
    identifying = []
    statuses, contacts, matches = iter(STATUSES), iter(CONTACT_HOURS), iter(MATCH_HOURS)
    number = 0
    for postcode, how_many in REQUESTS.items():
        for _ in range(how_many):
            number += 1
            reference, status = f"H-QQQQ-{number:04d}", next(statuses)
            answers = {**person(number), "street": f"Verborgenstraat {number}", "asker_name": f"Vrager{number:03d}"}
            record = help_request(reference, 60 * 24 * 3, postcode=postcode, status=status, **answers)
            assert store.add(record)
            identifying.append((reference, *answers.values()))
            # A call note for six of the contacted, a match for two of the matched; the others have no history.
            waits = {"contacted": contacts, "matched": matches}.get(status)
            after = next(waits, None) if waits else None
            if after is not None:
                moment = record.created_at + dt.timedelta(hours=after)
                note = Event(moment, "note", reason="Belde terug")
                assert store.record_event(
                    reference, note if status == "contacted" else Event(moment, "confirm", status, other="V-X")
                )
    for postcode, how_many in VOLUNTEERS.items():
        for _ in range(how_many):
            number += 1
            reference = f"V-QQQQ-{number:04d}"
            assert store.add(volunteer(reference, 60 * 24 * 2, postcode=postcode, **person(number)))
            identifying.append((reference, *person(number).values()))
    return identifying


def possible_values(cells: Sequence[int | str], total: int) -> list[set[int]]:
    """By brute force, every value each hidden cell can have given what is shown: the reader's calculation."""
    hidden = [index for index, cell in enumerate(cells) if cell in (FEWER, HIDDEN)]
    rest = total - sum(cell for cell in cells if isinstance(cell, int))
    ranges = [range(1, THRESHOLD) if cells[index] == FEWER else range(THRESHOLD, rest + 1) for index in hidden]
    found: list[set[int]] = [set() for _ in hidden]
    for values in itertools.product(*ranges):
        if sum(values) == rest:
            for place, value in enumerate(values):
                found[place].add(value)
    return found


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, ...]]]:
    path = tmp_path_factory.mktemp("store") / "helpt.sqlite3"
    return path, fill(SQLiteStore(path))


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory, people: tuple[Path, list]) -> Iterator[BuiltSite]:
    """The preview build (`make serve`), which makes the figures from the local store its forms write to."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(FIGURES_VARIABLE, raising=False)
        patch.setenv("HELPT_SQLITE_PATH", str(people[0]))
        yield build(tmp_path_factory.mktemp("preview"), LEUVEN)


def shown(site: BuiltSite, lang: str) -> dict[str, list[tuple[str, str]]]:
    """Each table of the figures page by its heading's id: (row, cell) as the page writes them."""
    soup = site.soup(site.root / PAGES[lang])
    return {
        table["aria-labelledby"]: [
            (row.th.get_text(strip=True), row.td.get_text(strip=True)) for row in table.tbody("tr")
        ]
        for table in soup.main.select("table")
    }


def read_cell(text: str, lang: str) -> int | str:
    hidden = {words(lang)["fewer"]: FEWER, words(lang)["hidden"]: HIDDEN}
    return hidden.get(text) or int(text.replace(".", "").replace(",", ""))


# The rules ------------------------------------------------------------------------------------------------


def test_no_hidden_count_can_be_worked_out_in_any_column_protect_makes() -> None:
    chance = random.Random(2020)
    checked = dropped = 0
    for _ in range(600):
        values = [chance.choice([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 30]) for _ in range(chance.randint(1, 7))]
        cells = protect(values)
        if cells is None:
            dropped += 1
            continue
        for value, cell in zip(values, cells, strict=True):
            assert cell == value or (cell == FEWER and 0 < value < THRESHOLD) or (cell == HIDDEN and value >= THRESHOLD)
        assert all(len(values) > 1 for values in possible_values(cells, sum(values))), (values, cells)
        checked += 1
    assert checked > 400 and dropped > 10, "both kinds of column were met"


def test_a_file_edited_to_show_a_small_count_or_let_one_be_worked_out_is_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    fill(store)
    counts = public_counts(count(store, CITY, NOW), CITY, NOW)
    assert check_public(counts, CITY) == []
    for change, wrong in [
        (lambda c: c["per_neighbourhood"]["help_request"][2].__setitem__(1, 3), "a count must be 0, 5 or more"),
        (lambda c: c["per_neighbourhood"]["help_request"][4].__setitem__(1, 6), "can be worked out from the total"),
        (lambda c: c["per_neighbourhood"]["help_request"][0].__setitem__(0, "Kerkstraat 1"), "the rows must be"),
        (lambda c: c["totals"].__setitem__("volunteer_signup", 4), "totals.volunteer_signup must be"),
        (lambda c: c.__setitem__("names", ["Maria"]), "not helpt-public-figures"),
        (lambda c: c.__setitem__("threshold", 2), "threshold must be"),
        (lambda c: c["times"].__setitem__("match", {"median_hours": "Maria", "p90_hours": 1}), "times.match"),
    ]:
        edited = json.loads(json.dumps(counts))
        change(edited)
        path = tmp_path / "edited.json"
        write_public(path, edited)
        with pytest.raises(PublicFiguresError, match=re.escape(wrong)):
            read_public(path, CITY)
    (tmp_path / "broken.json").write_bytes(b"\xff{")
    with pytest.raises(PublicFiguresError, match="cannot be read as figures"):
        read_public(tmp_path / "broken.json", CITY)


def test_the_build_takes_the_named_file_then_the_preview_s_store_then_the_content_s_file(tmp_path: Path) -> None:
    store_path = tmp_path / "data" / "helpt.sqlite3"
    store = SQLiteStore(store_path)
    store.add(help_request("H-QQQQ-0001"))
    content = tmp_path / "content"
    content.mkdir()
    city = dataclasses.replace(CITY, content_dir=content)
    named = tmp_path / "named.json"
    write_public(named, public_counts(count(SQLiteStore(tmp_path / "none.sqlite3"), city, NOW), city, NOW))
    in_content = content / FIGURES_FILE
    write_public(in_content, {**json.loads(named.read_text()), "made_at": "2020-03-30T10:00:00+02:00"})
    environ = {"HELPT_SQLITE_PATH": str(store_path)}

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HELPT_SQLITE_PATH", str(store_path))
        assert find_counts(city, preview=True, environ={**environ, FIGURES_VARIABLE: str(named)}) == read_public(
            named, city
        )
        assert find_counts(city, preview=True, environ=environ)["totals"]["help_request"] == FEWER, "the store"
        assert find_counts(city, preview=False, environ=environ)["made_at"] == "2020-03-30T10:00:00+02:00"
        in_content.unlink()
        assert find_counts(city, preview=False, environ=environ) is None, "a published site never shows the preview's"
        patch.setenv("HELPT_SQLITE_PATH", str(tmp_path / "missing.sqlite3"))
        assert find_counts(city, preview=True, environ={}) is None
        assert not (tmp_path / "missing.sqlite3").exists(), "looking for a store does not make one"


# The built page -------------------------------------------------------------------------------------------


def test_the_page_shows_the_counts_with_small_ones_left_out_in_both_languages(preview: BuiltSite) -> None:
    for lang in ("nl", "en"):
        soup = preview.soup(preview.root / PAGES[lang])
        fewer, hidden = words(lang)["fewer"], words(lang)["hidden"]
        assert soup.html["lang"] == lang
        totals = [item.get_text(" ", strip=True) for item in soup.main.select("ul li")]
        assert totals[0].startswith("28 ") and totals[1].startswith("36 "), totals
        tables = shown(preview, lang)
        assert [cell for _row, cell in tables["help_request-per-neighbourhood"]] == ["12", "7", fewer, "0", hidden, "0"]
        assert [cell for _row, cell in tables["volunteer_signup-per-neighbourhood"]] == [
            "20", fewer, hidden, hidden, "0", fewer,
        ]  # fmt: skip
        assert [cell for _row, cell in tables["per-status"]] == ["10", "8", "6", fewer, fewer, "0"]
        times = [item.get_text(" ", strip=True) for item in soup.main.select("dd")]
        if lang == "en":
            assert times == ["Half within 12.0 hours, nine in ten within 34.4 hours.", "Too few yet to say."]
        else:
            assert re.findall(r"\d+,\d", times[0]) == ["12,0", "34,4"] and not re.search(r"\d", times[1])
        made = dt.datetime.now(dt.UTC).astimezone().date()
        assert str(made.year) in soup.main.get_text(), "the day the figures were made"
    alternates = {link["hreflang"]: link["href"] for link in preview.soup(preview.root / PAGES["nl"]).select(
        'link[rel="alternate"]')}  # fmt: skip
    assert alternates == {"nl": "/cijfers/", "en": "/en/figures/", "x-default": "/cijfers/"}


def test_no_small_count_can_be_worked_out_by_subtraction_from_the_page(preview: BuiltSite) -> None:
    for lang in ("nl", "en"):
        soup = preview.soup(preview.root / PAGES[lang])
        totals = [int(item.strong.text.replace(".", "")) for item in soup.main.select("ul li")]
        tables = shown(preview, lang)
        for table, total in (("help_request-per-neighbourhood", totals[0]),
                             ("volunteer_signup-per-neighbourhood", totals[1]), ("per-status", totals[0])):  # fmt: skip
            cells = [read_cell(cell, lang) for _row, cell in tables[table]]
            assert FEWER in cells, table
            assert all(len(values) > 1 for values in possible_values(cells, total)), (table, cells)


def test_nothing_in_the_built_site_says_who_asked_or_offered_help(
    preview: BuiltSite, people: tuple[Path, list[tuple[str, ...]]]
) -> None:
    texts = {path: path.read_bytes().decode("utf-8", "replace") for path in preview.root.rglob("*") if path.is_file()
             and path.suffix in (".html", ".json", ".css", ".txt", ".xml", ".svg")}  # fmt: skip
    assert len(texts) > 30
    every = "\n".join(texts.values())
    for values in people[1]:
        for value in values:
            assert value not in every, value
    assert not re.search(r"\b[HVR]-QQQQ-\d{4}\b|Verborgenstraat|voorbeeld\.be|0470 98", every)


def test_a_site_without_counts_says_there_are_no_figures_yet(tmp_path: Path) -> None:
    if (CITY.content_dir / FIGURES_FILE).exists():
        pytest.skip(f"{CITY.content_dir / FIGURES_FILE} exists: this site has figures")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(FIGURES_VARIABLE, raising=False)
        patch.setenv("HELPT_SQLITE_PATH", str(tmp_path / "no-store.sqlite3"))
        site = build(tmp_path, LEUVEN)
    for lang, page in PAGES.items():
        soup = site.soup(site.root / page)
        assert soup.html["lang"] == lang and words(lang)["none"] in soup.main.get_text()
        assert soup.main.select("table, dl") == []


def test_a_published_site_shows_the_counts_file_and_never_the_local_store(
    tmp_path: Path, people: tuple[Path, list]
) -> None:
    made = dt.datetime(2020, 3, 30, 10, tzinfo=dt.UTC)
    figures = count(SQLiteStore(tmp_path / "empty.sqlite3"), CITY, NOW)
    empty = public_counts(figures, CITY, made, dt.date(2020, 3, 16), dt.date(2020, 3, 29))
    write_public(tmp_path / "figures.json", empty)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HELPT_SQLITE_PATH", str(people[0]))
        patch.setenv(FIGURES_VARIABLE, str(tmp_path / "figures.json"))
        site = build(tmp_path, LEUVEN, publish=True)
    text = site.soup(site.root / PAGES["en"]).main.get_text(" ", strip=True)
    assert "Figures made on March 30, 2020." in text and "from March 16, 2020 to March 29, 2020" in text
    assert "0 help requests came in" in text and "28" not in text


def test_a_counts_file_that_breaks_the_rules_stops_the_build(tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    store = SQLiteStore(tmp_path / "s.sqlite3")
    fill(store)
    counts = public_counts(count(store, CITY, NOW), CITY, NOW)
    counts["per_neighbourhood"]["help_request"][2][1] = 3  # Kessel-Lo's 3, typed in by hand
    write_public(tmp_path / "figures.json", counts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FIGURES_VARIABLE, str(tmp_path / "figures.json"))
        printed = build_failure(tmp_path / "site", LEUVEN, capfd, publish=True)
    assert f"{tmp_path / 'figures.json'}: per_neighbourhood.help_request: a count must be 0, 5 or more" in printed


def test_the_figures_pages_pass_the_w3c_checker_and_stay_light(preview: BuiltSite, tmp_path: Path) -> None:
    java = require_vnu()
    pages = [preview.root / page for page in PAGES.values()]
    checked = subprocess.run(
        [str(java), "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, pages)],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert json.loads(checked.stderr or checked.stdout)["messages"] == []
    for page in pages:
        assert len(gzip.compress(page.read_bytes())) <= 14 * 1024, page
        assert "<script" not in page.read_text(encoding="utf-8")


def test_axe_finds_no_violations_on_the_figures_pages_at_320_px(browser, preview: BuiltSite) -> None:
    findings, overflowing = {}, {}
    with serve_directory(preview.root) as url:
        context = browser.new_context(viewport={"width": 320, "height": 640})
        page = context.new_page()
        for lang, path in PAGES.items():
            page.goto(f"{url}/{path.parent.as_posix()}/")
            results = axe_results(page)
            if results["violations"]:
                findings[lang] = summarise(results["violations"])
            if horizontal_overflow(page) > 0:
                overflowing[lang] = horizontal_overflow(page)
        context.close()
    assert findings == {} and overflowing == {}
