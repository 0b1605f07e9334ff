"""Exporting submissions to CSV or XLSX: streamed, safe to open in a spreadsheet, and logged.

Rows come from the store a page at a time and go straight to the file, so memory stays flat however many
there are (benchmarks/export.py measures it). Expired records are never exported: the store skips them,
and each row is checked again here. Cells are neutralised against formulas as `cells.py` explains.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from helpt.forms import FORMS
from helpt.settings import CitySettings
from helpt.staff.answers import (
    CHANNELS,
    EXTRA_ANSWERS,
    FORM_NAMES,
    SHARED_HEADINGS,
    STATUSES,
    answer_formatter,
    named,
    question,
    question_label,
)
from helpt.staff.cells import csv_cell, starts_like_formula, xlsx_text
from helpt.staff.context import StaffContext
from helpt.staff.files import private_file
from helpt.staff.progress import Tally, progress_bar
from helpt.staff.texts import Texts
from helpt.stores import StaffStore
from helpt.submissions import Submission


@dataclass(frozen=True)
class Selection:
    """Which submissions to export. `description` names the filter in the export log (no personal data)."""

    forms: tuple[str, ...] = tuple(FORMS)
    since: dt.datetime | None = None  # created at or after, inclusive
    until: dt.datetime | None = None  # created before, exclusive
    status: str | None = None
    postcodes: frozenset[str] | None = None
    description: str = "all"

    def keeps(self, submission: Submission) -> bool:
        if self.status is not None and submission.status != self.status:
            return False
        return self.postcodes is None or submission.answers.get("postcode") in self.postcodes


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable[[Submission], str]
    phone: bool = False  # answers to a phone question: kept readable (cells.py)


def columns(forms: Iterable[str], texts: Texts, city: CitySettings) -> list[Column]:
    """The record's details, then every question of the forms in their order, headed in staff's language.

    Everything that does not depend on the record (labels, choice names, the postcode map, the time zone)
    is worked out here once, not for each of a hundred thousand rows.
    """
    _ = texts.gettext
    chosen = [FORMS[name] for name in forms]
    postcodes, zone = city.postcodes, ZoneInfo(city.timezone)

    def when(moment: dt.datetime) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    fixed = [
        Column(_("Reference"), lambda s: s.reference),
        Column(_("Form"), lambda s: named(FORM_NAMES, s.form, texts)),
        Column(_("Received"), lambda s: when(s.created_at)),
        Column(_("Channel"), lambda s: named(CHANNELS, s.channel, texts)),
        Column(_("Status"), lambda s: named(STATUSES, s.status, texts)),
        Column(_("Form language"), lambda s: s.lang),
        Column(_("Neighbourhood"), lambda s: postcodes.get(str(s.answers.get("postcode", "")), "")),
        Column(_("Deleted after"), lambda s: when(dt.datetime.fromtimestamp(s.expires_at, dt.UTC))),
    ]
    answer_columns = []
    for name in [*dict.fromkeys(name for form in chosen for name in form.names), *EXTRA_ANSWERS]:
        asking = [form for form in chosen if name in form.names]
        labels = {question_label(form, name, texts) for form in asking} or {question_label(chosen[0], name, texts)}
        heading = labels.pop() if len(labels) == 1 else _(SHARED_HEADINGS.get(name, name))
        phone = any(form.get(name).kind == "tel" for form in asking)
        answer_columns.append(Column(heading, _answer_getter(name, texts, city), phone))
    return fixed + answer_columns


def _answer_getter(name: str, texts: Texts, city: CitySettings) -> Callable[[Submission], str]:
    # One formatter per form that might hold this answer (the same name can be a different question).
    formatters = {form: answer_formatter(question(FORMS[form], name), texts, city) for form in FORMS}
    plain = answer_formatter(None, texts, city)

    def value(submission: Submission) -> str:
        answer = submission.answers.get(name)
        return "" if answer is None else formatters.get(submission.form, plain)(answer)

    return value


def selected(store: StaffStore, selection: Selection, now: dt.datetime) -> Iterator[Submission]:
    """The selected submissions, oldest first, streamed; an expired one is skipped even if the store erred."""
    for submission in store.stream(forms=selection.forms, since=selection.since, until=selection.until, now=now):
        if not submission.is_expired(now) and selection.keeps(submission):
            yield submission


def write_csv(path: Path, table: list[Column], records: Iterable[Submission], tally: Tally, separator: str) -> None:
    """UTF-8 with a byte-order mark (so Excel reads the accents right), every cell neutralised."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=separator)
        writer.writerow([csv_cell(column.heading) for column in table])
        for record in records:
            writer.writerow([csv_cell(column.value(record), phone=column.phone) for column in table])
            tally.done()


def write_xlsx(path: Path, table: list[Column], records: Iterable[Submission], tally: Tally, sheet_title: str) -> None:
    """openpyxl in write-only mode (rows go to disk as they come); every cell a text cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])

    def cell(text: str) -> WriteOnlyCell | str | None:
        if text == "":
            return None  # nothing written: smaller and faster than an empty text cell
        escaped = xlsx_text(text)
        formula_like = starts_like_formula(text)
        if escaped == text and not formula_like and text not in ERROR_CODES:
            return text  # openpyxl makes plain text a text cell by itself, and a plain value is much faster
        # openpyxl guesses a type from the value ("=..." a formula, "#N/A" an error): it is always text here.
        value = WriteOnlyCell(sheet, value=escaped)
        value.data_type = "s"
        value.quotePrefix = formula_like
        return value

    sheet.append([cell(column.heading) for column in table])
    for record in records:
        sheet.append([cell(column.value(record)) for column in table])
        tally.done()
    workbook.save(path)


def run_export(
    context: StaffContext, selection: Selection, output: Path, file_format: str, separator: str, show_progress: bool
) -> int:
    """Write the export, log it, and only then put the file in place; return the number of rows."""
    _ = context.texts.gettext
    table = columns(selection.forms, context.texts, context.city)
    now = context.now()
    with private_file(output) as temporary:
        with progress_bar(_("Exporting"), _("rows"), enabled=show_progress) as tally:
            records = selected(context.store, selection, now)
            if file_format == "csv":
                write_csv(temporary, table, records, tally, separator)
            else:
                write_xlsx(temporary, table, records, tally, _("Export"))
        context.log("export", f"{selection.description} format={file_format}", tally.count)
    return tally.count
