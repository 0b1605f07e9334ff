"""`helpt export`: the files a coordinator opens in Excel or LibreOffice, read back as a spreadsheet would.

CSV files are read with the csv module, XLSX files opened with openpyxl (in its normal mode, as a spreadsheet
reads the whole file), and the cells checked: headings in the staff member's language, every answer there,
nothing a spreadsheet would run as a formula, phone numbers readable, text byte-exact, expired records
absent, each export in the log; the heading row bold, frozen and filtered, the columns' widths, the two
times as date-times in the city's time, the form's language and the vacancy by name, the matched
references; one vacancy's responses on their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import stat
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import BuiltSite
from forms_support import event, form_body, make_intake
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from test_staff_support import NOW, Staff, expired, help_request, vacancy_response, volunteer

from helpt.staff.casework import match, propose, undo
from helpt.staff.cells import LEFT_TO_RIGHT_MARK
from helpt.staff.export import Selection, selected
from helpt.staff.texts import load_texts
from helpt.stores.sqlite import SQLiteStore
from helpt.submissions import Submission

pytest_plugins = ["dynamodb_servers", "test_staff_support"]

FORMULAS = {
    "equals": '=HYPERLINK("http://example.com","click")',
    "plus": "+1+1",
    "minus": "-2+3",
    "at": "@SUM(A1:A2)",
    "tab": "\t=1+1",
    "carriage_return": "\r=1+1",
    "line_feed": "\n=1+1",
}
PHONE = "+32 470 12 34 56"


def read_csv(path: Path, separator: str = ",") -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so that Excel reads the accents right"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream, delimiter=separator))


def read_xlsx(path: Path) -> tuple[list[str], list[list]]:
    sheet = load_workbook(path).active
    rows = [list(row) for row in sheet.iter_rows()]
    return [cell.value for cell in rows[0]], rows[1:]


def test_a_csv_export_has_every_record_with_headings_in_the_staff_language(staff: Staff) -> None:
    staff.add(help_request("H-1", minutes_ago=30), volunteer("V-1", minutes_ago=60), vacancy_response("R-1"))
    output = staff.tmp_path / "alles.csv"

    result = staff("export", "--output", str(output), lang="nl")

    assert result.code == 0, result.err
    assert "3 rijen geëxporteerd" in result.out
    rows = read_csv(output)
    assert [row["Referentie"] for row in rows] == ["V-1", "H-1", "R-1"], "oldest first"
    request = rows[1]
    assert request["Formulier"] == "Hulpvraag" and request["Kanaal"] == "webformulier"
    assert request["Straat en huisnummer"] == "Kerkstraat 1"
    assert request["Wijk"] == "Leuven" and request["Postcode"] == "3000"
    assert request["Soort hulp"] == "Boodschappen; De hond uitlaten", "several choices, joined readably"
    assert request["Wanneer heb je hulp nodig?"] == "In de komende dagen"
    assert rows[0]["Soort hulp"] == "De hond uitlaten; Een babbel aan de telefoon of via video"
    assert rows[0]["Welke talen spreek je?"] == "Nederlands; English"
    assert rows[2]["Vacature"] == "food-parcels"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600, "personal data: readable by its owner only"
    (entry,) = staff.store.log_entries()
    assert (entry.action, entry.filter, entry.rows) == ("export", "all format=csv", 3)
    assert staff.who in entry.who


def test_an_xlsx_export_has_the_same_rows_as_text_cells(staff: Staff) -> None:
    staff.add(help_request("H-1"), volunteer("V-1"))
    output = staff.tmp_path / "export.xlsx"

    assert staff("export", "--output", str(output)).code == 0

    headings, rows = read_xlsx(output)
    assert headings[:3] == ["Reference", "Form", "Received"]
    assert [row[0].value for row in rows] == ["V-1", "H-1"]
    dates = {headings.index("Received"), headings.index("Deleted after")}
    assert all(cell.data_type == "s" for row in rows for cell in row if cell.value is not None and
               cell.column - 1 not in dates), "every cell text but the two date-times"  # fmt: skip
    assert all(isinstance(row[index].value, dt.datetime) for row in rows for index in dates)
    (entry,) = staff.store.log_entries()
    assert entry.filter == "all format=xlsx" and entry.rows == 2


def test_cells_that_start_like_a_formula_never_become_one(local_staff: Staff) -> None:
    for number, (name, text) in enumerate(FORMULAS.items()):
        local_staff.add(help_request(f"H-{number}", minutes_ago=number + 1, details=text, name=name))
    local_staff.add(help_request("H-ERR", details="#N/A", name="error value"))
    csv_file, xlsx_file = local_staff.tmp_path / "x.csv", local_staff.tmp_path / "x.xlsx"

    assert local_staff("export", "--output", str(csv_file), "--separator", ";").code == 0
    assert local_staff("export", "--output", str(xlsx_file)).code == 0

    by_name = {row["Name"]: row for row in read_csv(csv_file, ";")}
    for name, text in FORMULAS.items():
        assert by_name[name]["Tell us more"] == "'" + text, f"{name}: a ' in front, the rest exactly as sent"
    headings, rows = read_xlsx(xlsx_file)
    details, names = headings.index("Tell us more"), headings.index("Name")
    cells = {row[names].value: row[details] for row in rows}
    for name, text in FORMULAS.items():
        cell = cells[name]
        assert cell.data_type == "s", f"{name}: a text cell, not a formula"
        assert unescape(cell.value) == text, f"{name}: the text itself unchanged"
        assert cell.quotePrefix, f"{name}: Excel's quote prefix keeps it text when edited"
    assert cells["error value"].data_type == "s" and cells["error value"].value == "#N/A"
    with zipfile.ZipFile(xlsx_file) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet, "no formula anywhere in the sheet"


def test_phone_numbers_stay_readable_and_inert(local_staff: Staff) -> None:
    local_staff.add(
        help_request("H-INT", phone=PHONE),
        help_request("H-NAT", minutes_ago=50, phone="0470123456"),
        volunteer("V-BAD", phone="+1+1"),  # not a phone number's shape: neutralised like any other cell
    )
    csv_file, xlsx_file = local_staff.tmp_path / "p.csv", local_staff.tmp_path / "p.xlsx"
    local_staff("export", "--output", str(csv_file))
    local_staff("export", "--output", str(xlsx_file))

    phones = {row["Reference"]: row["Phone number"] for row in read_csv(csv_file)}
    assert phones["H-INT"] == LEFT_TO_RIGHT_MARK + PHONE, "text to a spreadsheet, and reads as typed"
    assert phones["H-INT"].replace(LEFT_TO_RIGHT_MARK, "") == PHONE
    assert not phones["H-INT"].startswith(("=", "+", "-", "@")), "starts with no formula character"
    assert phones["H-NAT"] == LEFT_TO_RIGHT_MARK + "0470123456", "text: the leading zero stays"
    assert phones["V-BAD"] == "'+1+1"
    headings, rows = read_xlsx(xlsx_file)
    column = headings.index("Phone number")
    cells = {row[0].value: row[column] for row in rows}
    assert cells["H-INT"].value == PHONE and cells["H-INT"].data_type == "s"
    assert cells["H-NAT"].value == "0470123456" and cells["H-NAT"].data_type == "s"


def test_text_from_the_web_form_comes_out_byte_exact(leuven_site: BuiltSite, local_staff: Staff) -> None:
    text = {
        "name": "\u200fمحمد\u200f 👩🏽\u200d⚕️ Zoë e\u0301 \u00e9",
        "details": "你好 — क्षत्रिय 𝔘𝔫𝔦 \U0010ffff zero\u200bwidth\u2060 \u202bשלום\u202c\n'quotes' \"dq\" <b>&amp;",
        "street": "Naamsestraat 1\u00a0bus 2 \u2028 next",
    }
    intake = make_intake(leuven_site.root, local_staff.store)
    body = form_body({**_web_answers(), **text})
    assert intake.handle(event("help-request", body))["statusCode"] == 303
    csv_file, xlsx_file = local_staff.tmp_path / "u.csv", local_staff.tmp_path / "u.xlsx"

    local_staff("export", "--output", str(csv_file))
    local_staff("export", "--output", str(xlsx_file))

    (row,) = read_csv(csv_file)
    assert row["Name"].encode() == text["name"].encode()
    assert row["Tell us more"].encode() == text["details"].encode()
    assert row["Street and house number"].encode() == text["street"].encode()
    headings, (cells,) = read_xlsx(xlsx_file)
    for heading, name in (("Name", "name"), ("Tell us more", "details"), ("Street and house number", "street")):
        assert unescape(cells[headings.index(heading)].value).encode() == text[name].encode(), name


def _web_answers() -> dict:
    from forms_support import VALID

    return dict(VALID["help-request"])


def test_control_characters_survive_the_xlsx_format(local_staff: Staff) -> None:
    hard = "a\x00b\x01\x08\x0b\x0c\x1b[31m\x1f\x7f\r\n\ufffe\uffff _x0041_ end"
    local_staff.add(help_request("H-CTRL", details=hard))
    xlsx_file = local_staff.tmp_path / "c.xlsx"

    assert local_staff("export", "--output", str(xlsx_file)).code == 0

    headings, (cells,) = read_xlsx(xlsx_file)
    assert unescape(cells[headings.index("Tell us more")].value) == hard


def test_text_shaped_like_the_formats_own_markup_stays_text(local_staff: Staff) -> None:
    # XlsxWriter copies an inline string shaped like its rich-text XML into the sheet as it is; these rows are
    # Helpt's own (export_xlsx.py), which escape it like any other text.
    shaped = {"H-RICH": "<r><t>bold</t></r>", "H-TAGS": "</t></is></c><c><f>1+1</f></c>", "H-AMP": "a &amp; b"}
    for number, (reference, text) in enumerate(shaped.items()):
        local_staff.add(help_request(reference, minutes_ago=number + 1, details=text))
    xlsx_file = local_staff.tmp_path / "m.xlsx"

    assert local_staff("export", "--output", str(xlsx_file)).code == 0

    headings, rows = read_xlsx(xlsx_file)
    details = {row[0].value: row[headings.index("Tell us more")] for row in rows}
    for reference, text in shaped.items():
        assert details[reference].data_type == "s" and unescape(details[reference].value) == text, reference


def test_a_row_holds_what_each_column_says_of_the_record() -> None:
    # A row is filled from the answers a record holds (export_rows.py); each cell is its column's value.
    from conftest import LEUVEN

    from helpt.settings import load_city
    from helpt.staff.export import columns
    from helpt.staff.export_rows import row_maker

    records = [
        help_request("H-1", phone=PHONE, help=("groceries", "not-a-choice"), consent_read_aloud="yes"),
        volunteer("V-1", availability=("evenings",), extra_field="kept out"),
        vacancy_response("R-1", vacancy="food-parcels"),
        Submission("X-1", "old_form", "nl", NOW, 2**31, {"name": "Ann", "help": ("dog",)}),
    ]
    forms = ("help_request", "volunteer_signup", "vacancy_response")
    table = columns(forms, load_texts("nl"), load_city(LEUVEN), matches={"H-1": ("V-1",), "V-1": ("H-1",)})
    make = row_maker(table)
    for record in records:
        assert make(record) == [column.value(record) for column in table], record.reference


def test_expired_records_are_never_exported(staff: Staff) -> None:
    staff.add(help_request("H-LIVE"), expired(help_request("H-GONE")), expired(volunteer("V-GONE")))
    output = staff.tmp_path / "e.csv"

    assert staff("export", "--output", str(output)).code == 0

    assert [row["Reference"] for row in read_csv(output)] == ["H-LIVE"]
    assert staff.store.log_entries().__next__().rows == 1


def test_an_expired_record_is_skipped_even_if_a_store_returned_it() -> None:
    class LeakyStore:
        """A store whose read forgot the expiry: the export checks each row again."""

        def stream(self, **request: object) -> list[Submission]:
            return [expired(help_request("H-GONE")), help_request("H-LIVE")]

    assert [s.reference for s in selected(LeakyStore(), Selection(), NOW)] == ["H-LIVE"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "expected", "logged"),
    [
        (["--form", "volunteer_signup"], ["V-K", "V-L"], "form=volunteer_signup"),
        (["--status", "matched"], ["H-M"], "status=matched"),
        (["--neighbourhood", "kessel-lo"], ["V-K", "H-K"], "neighbourhood=Kessel-Lo"),
        (["--postcode", "3000"], ["V-L", "H-M"], "postcode=3000"),
        (["--from", "TODAY"], ["H-K", "H-M"], "from=TODAY"),
        (["--to", "YESTERDAY"], ["V-K", "V-L"], "to=YESTERDAY"),
        (["--form", "help_request", "--postcode", "3010"], ["H-K"], "form=help_request postcode=3010"),
    ],
)
def test_filters_select_what_is_exported(staff: Staff, options: list[str], expected: list[str], logged: str) -> None:
    # The requests came in "today" (the local day of H-K), the volunteers two days before.
    requests = [
        help_request("H-K", minutes_ago=2, postcode="3010"),
        help_request("H-M", minutes_ago=1, postcode="3000", status="matched"),
    ]
    staff.add(
        volunteer("V-K", minutes_ago=60 * 49, postcode="3010"),
        volunteer("V-L", minutes_ago=60 * 48, postcode="3000"),
        *requests,
    )
    today = requests[0].created_at.astimezone(ZoneInfo("Europe/Brussels")).date()
    days = {"TODAY": str(today), "YESTERDAY": str(today - dt.timedelta(days=1))}
    options = [days.get(option, option) for option in options]
    for placeholder, day in days.items():
        logged = logged.replace(placeholder, day)
    output = staff.tmp_path / "f.csv"

    result = staff("export", "--output", str(output), *options)

    assert result.code == 0, result.err
    assert [row["Reference"] for row in read_csv(output)] == expected
    (entry,) = staff.store.log_entries()
    assert entry.filter == logged + " format=csv"


def test_an_unknown_neighbourhood_is_named_with_the_choices(local_staff: Staff) -> None:
    result = local_staff("export", "--output", str(local_staff.tmp_path / "x.csv"), "--neighbourhood", "Atlantis")

    assert result.code == 1
    assert "Atlantis" in result.err and "Heverlee" in result.err
    assert not (local_staff.tmp_path / "x.csv").exists()


def test_a_progress_bar_goes_to_stderr_only_when_asked_or_in_a_terminal(local_staff: Staff) -> None:
    local_staff.add(*(help_request(f"H-{n}", minutes_ago=n + 1) for n in range(3)))
    output = local_staff.tmp_path / "p.csv"

    shown = local_staff("export", "--output", str(output), "--progress")
    quiet = local_staff("export", "--output", str(output))

    assert "Exporting" in shown.err and "3 rows" in shown.err
    assert "Exporting" not in shown.out
    assert quiet.err == "", "not a terminal: no bar unless asked"


def test_a_failed_export_leaves_no_file(tmp_path: Path, local_staff: Staff) -> None:
    local_staff.add(help_request("H-1"))
    output = tmp_path / "out" / "broken.csv"
    # The store's file is replaced by something that is not a database: the read fails half-way.
    path = Path(local_staff.options[1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(b"not a database at all" * 100)

    result = local_staff("export", "--output", str(output))

    assert result.code == 1 and "store" in result.err
    assert not output.exists() and list(output.parent.glob("*")) == []


def test_the_sqlite_store_keeps_no_open_read_while_an_export_writes(local_staff: Staff) -> None:
    # Each page is its own short read: a form can write while a long export is being written.
    store: SQLiteStore = local_staff.store  # type: ignore[assignment]
    for number in range(5):
        store.add(help_request(f"H-{number}", minutes_ago=10 - number))
    pages = store.stream(forms=("help_request",), now=NOW, page_rows=2)
    first = next(pages)
    store.add(help_request("H-NEW", minutes_ago=0))

    assert [first.reference, *(s.reference for s in pages)] == ["H-0", "H-1", "H-2", "H-3", "H-4", "H-NEW"]


def test_a_request_for_someone_else_exports_each_persons_answers_under_their_own_heading(local_staff: Staff) -> None:
    mother = help_request(
        "H-ASKED", for_whom="someone-else", phone="", asker_name="Els Peeters", asker_phone=PHONE,
        relationship="mijn moeder", agreed="yes", help=("pharmacy",), health_consent_other="yes",
    )  # fmt: skip
    old = help_request("H-OLD", minutes_ago=90)
    for name in ("asker_name", "asker_phone", "asker_email", "health_consent_other"):
        del old.answers[name]  # stored before the form asked the asker about herself
    local_staff.add(mother, old)
    csv_file, xlsx_file = local_staff.tmp_path / "two.csv", local_staff.tmp_path / "two.xlsx"

    assert local_staff("export", "--output", str(csv_file), "--form", "help_request", lang="nl").code == 0
    assert local_staff("export", "--output", str(xlsx_file), "--form", "help_request").code == 0

    rows = {row["Referentie"]: row for row in read_csv(csv_file)}
    asked = rows["H-ASKED"]
    assert (asked["Naam"], asked["Naam aanvrager"]) == ("Maria Peeters", "Els Peeters")
    assert asked["Telefoonnummer"] == "" and asked["Telefoonnummer aanvrager"] == LEFT_TO_RIGHT_MARK + PHONE
    assert asked["Hoe de aanvrager de persoon kent"] == "mijn moeder"
    assert asked["Toestemming voor geneesmiddelen, door de aanvrager voor de persoon"] == "ja"
    assert rows["H-OLD"]["Naam aanvrager"] == "" and rows["H-OLD"]["Telefoonnummer"] == LEFT_TO_RIGHT_MARK + (
        "0470 12 34 56"
    )
    headings, _ = read_xlsx(xlsx_file)
    assert "Your name" not in headings and "Your phone number" not in headings, "whose answer, not 'your'"
    assert {"Asker's name", "Asker's phone number", "Asker's e-mail address", "Name", "Phone number"} <= set(headings)


# A spreadsheet to work in ----------------------------------------------------------------------------------

ZONE = ZoneInfo("Europe/Brussels")


def site_data(path: Path) -> Path:
    """A build's site data with two vacancies, as the build writes it (the staff tool reads HELPT_SITE_DATA)."""
    pages = {
        key: {lang: {"form": "vacancy_response", "lang": lang, "title": title, "organisation_id": "red-cross",
                     "organisation": "Rode Kruis", "contact": "Els"} for lang, title in titles.items()}
        for key, titles in (("food-parcels", {"nl": "Voedselpakketten rondbrengen", "en": "Delivering food parcels"}),
                            ("face-masks", {"nl": "Mondmaskers naaien", "en": "Sewing face masks"}))
    }  # fmt: skip
    path.write_text(json.dumps({"form_pages": pages}), encoding="utf-8")
    return path


def local(moment: dt.datetime) -> dt.datetime:
    """To the second in the city's time, without a time zone: what a spreadsheet cell holds."""
    return moment.astimezone(ZONE).replace(tzinfo=None, microsecond=0)


def test_an_xlsx_export_opens_ready_to_work_in(staff: Staff, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELPT_SITE_DATA", str(site_data(tmp_path / "site.json")))
    request, helper, other = help_request("H-1", 90), volunteer("V-1", 120), volunteer("V-2", 100)
    staff.add(request, helper, other, help_request("H-2", 80, lang="en"),
              vacancy_response("R-1", 30), vacancy_response("R-2", 20, vacancy="closed-vacancy"))  # fmt: skip
    match(staff.store, "H-1", "V-2", "ann", NOW)
    undo(staff.store, "H-1", "V-2", "not free after all", "ann", NOW)
    match(staff.store, "H-1", "V-1", "ann", NOW)
    propose(staff.store, "H-2", "V-2", "ann", NOW)  # proposed only: not matched
    output = staff.tmp_path / "werk.xlsx"

    assert staff("export", "--output", str(output), lang="nl").code == 0

    sheet = load_workbook(output).active
    rows = [list(row) for row in sheet.iter_rows()]
    headings = [cell.value for cell in rows[0]]
    assert all(cell.font.bold for cell in rows[0]) and not rows[1][0].font.bold, "a bold heading row"
    assert sheet.freeze_panes == "A2", "the heading stays in view"
    assert sheet.auto_filter.ref == f"A1:{rows[0][-1].column_letter}{len(rows)}", "a filter over every row"
    # The widths as Excel shows them: the file holds each with Excel's own padding (5 pixels, 7 to a character).
    widths = {
        heading: round(sheet.column_dimensions[cell.column_letter].width - 5 / 7)
        for heading, cell in zip(headings, rows[0], strict=True)
    }
    assert widths["Referentie"] == 14 and widths["Vertel ons meer"] == 50 and widths["Telefoonnummer"] == 18
    assert all(8 <= width <= 50 for width in widths.values()), widths
    by_reference = {row[0].value: dict(zip(headings, row, strict=True)) for row in rows[1:]}
    assert list(by_reference) == ["V-1", "V-2", "H-1", "H-2", "R-1", "R-2"]
    first = by_reference["H-1"]
    assert first["Ontvangen"].value == local(request.created_at) and first["Ontvangen"].is_date
    assert first["Ontvangen"].number_format == "yyyy-mm-dd hh:mm", "to the minute, as staff read times"
    deleted = dt.datetime.fromtimestamp(request.expires_at, dt.UTC)
    assert first["Gewist na"].value == local(deleted) and first["Gewist na"].is_date
    assert first["Taal van het formulier"].value == "Nederlands"
    assert by_reference["H-2"]["Taal van het formulier"].value == "Engels", "named in staff's language"
    matched = load_texts("nl").gettext("Matched with")
    assert first[matched].value == "V-1", "the undone match is gone"
    assert by_reference["V-1"][matched].value == "H-1" and by_reference["V-2"][matched].value is None
    assert by_reference["H-2"][matched].value is None, "a proposal is not a match"
    assert by_reference["R-1"]["Vacature"].value == "food-parcels"
    title = load_texts("nl").gettext("Vacancy title")  # the catalog's word, whichever it is
    assert by_reference["R-1"][title].value == "Voedselpakketten rondbrengen"
    assert by_reference["R-2"][title].value == "closed-vacancy", "no longer on the site: its key"
    assert first[title].value is None


def test_a_csv_export_has_the_same_columns_with_the_times_as_text(
    local_staff: Staff, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HELPT_SITE_DATA", str(site_data(tmp_path / "site.json")))
    request = help_request("H-1", 90)
    local_staff.add(request, volunteer("V-1"), vacancy_response("R-1"))
    match(local_staff.store, "H-1", "V-1", "ann", NOW)
    csv_file, xlsx_file = local_staff.tmp_path / "x.csv", local_staff.tmp_path / "x.xlsx"

    assert local_staff("export", "--output", str(csv_file), "--separator", ";").code == 0
    assert local_staff("export", "--output", str(xlsx_file)).code == 0

    rows = {row["Reference"]: row for row in read_csv(csv_file, ";")}
    headings, _cells = read_xlsx(xlsx_file)
    assert list(rows["H-1"]) == headings, "the same columns in the same order"
    assert rows["H-1"]["Received"] == local(request.created_at).strftime("%Y-%m-%d %H:%M"), "to the minute"
    assert rows["H-1"]["Form language"] == "Dutch" and rows["H-1"]["Matched with"] == "V-1"
    assert rows["V-1"]["Matched with"] == "H-1" and rows["R-1"]["Vacancy title"] == "Delivering food parcels"


def test_the_columns_say_only_what_the_chosen_form_has(local_staff: Staff) -> None:
    local_staff.add(vacancy_response("R-1"), volunteer("V-1"))
    responses, volunteers = local_staff.tmp_path / "r.csv", local_staff.tmp_path / "v.csv"

    assert local_staff("export", "--output", str(responses), "--form", "vacancy_response").code == 0
    assert local_staff("export", "--output", str(volunteers), "--form", "volunteer_signup").code == 0

    (response,) = read_csv(responses)
    assert "Matched with" not in response and response["Vacancy title"] == "food-parcels", "no site data here"
    (signup,) = read_csv(volunteers)
    assert "Vacancy title" not in signup and signup["Matched with"] == ""


def test_one_vacancys_responses_can_be_handed_over_on_their_own(staff: Staff) -> None:
    staff.add(
        vacancy_response("R-1", 30), vacancy_response("R-2", 20, vacancy="face-masks"),
        vacancy_response("R-3", 10), help_request("H-1"),
    )  # fmt: skip
    output = staff.tmp_path / "voedselpakketten.csv"

    result = staff("export", "--output", str(output), "--vacancy", "food-parcels")

    assert result.code == 0, result.err
    assert [row["Reference"] for row in read_csv(output)] == ["R-1", "R-3"]
    (entry,) = staff.store.log_entries()
    assert (entry.filter, entry.rows) == ("vacancy=food-parcels format=csv", 2)


def test_a_vacancy_goes_with_vacancy_responses_only(local_staff: Staff) -> None:
    output = local_staff.tmp_path / "x.csv"

    result = local_staff("export", "--output", str(output), "--form", "help_request", "--vacancy", "food-parcels")

    assert result.code == 1 and "Only vacancy responses have a vacancy" in result.err
    assert not output.exists() and list(local_staff.store.log_entries()) == []


def test_the_matches_read_holds_one_small_entry_per_matched_record_and_nothing_expired(staff: Staff) -> None:
    staff.add(help_request("H-1"), help_request("H-2"), help_request("H-3"), volunteer("V-1"), volunteer("V-3"))
    match(staff.store, "H-1", "V-1", "ann", NOW)
    match(staff.store, "H-2", "V-1", "ann", NOW)  # a volunteer can help more than one person
    propose(staff.store, "H-3", "V-3", "ann", NOW)  # proposed, not (yet) matched
    staff.add(expired(help_request("H-OLD")))

    assert staff.store.matches(now=NOW) == {"H-1": ("V-1",), "H-2": ("V-1",), "V-1": ("H-1", "H-2")}
    undo(staff.store, "H-1", "V-1", "wrong match", "ann", NOW)
    assert staff.store.matches(now=NOW) == {"H-2": ("V-1",), "V-1": ("H-2",)}
    assert staff.store.matches(now=dt.datetime.fromtimestamp(help_request("H-X").expires_at, dt.UTC)) == {}
