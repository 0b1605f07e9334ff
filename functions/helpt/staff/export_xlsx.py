"""Writing an export to XLSX, streamed: XlsxWriter makes the workbook, Helpt writes the rows of its sheet.

Measured on Helpt's own cells (benchmarks/export.py, 100,000 rows of 34 columns, about 18 cells filled per
row): openpyxl's write-only mode takes about 50 s (an object per cell, serialised through lxml), XlsxWriter's
constant-memory mode about 14 s (some ten Python calls and three regular expressions per cell), against
under 1 s for a plain `csv.writer` dump. Neither gets near the few seconds a hundred thousand rows should
take, and in both the cost is the per-cell work of a general writer. So the work is split:

- XlsxWriter, which is well kept and whose files Excel and LibreOffice open without complaint, writes the
  whole workbook: styles, the bold wrapped heading row, column widths, the frozen pane, the filter, the
  parts and relations of the package. It is made once the rows are written, when their number is known.
- The sheet's rows are written here, as XlsxWriter writes them in constant-memory mode (inline strings,
  one `<c>` per filled cell, date-times as day numbers with a number format), straight to a temporary file
  as they come: memory stays flat. Each column's kind is decided once per export, and a cell that needs
  no escaping (nearly all) is written as it is after one scan.
- The two are joined into the file: XlsxWriter's sheet with the rows put into its `<sheetData>`.

Cells are safe as cells.py explains: every text cell an inline string (never a formula, number or error
value), the quote-prefix style on text that starts like a formula, characters XML cannot hold as `_xHHHH_`.
The temporary files live in a folder of the export's own beside the file, deleted however the export ends, so
that a long-running back office never leaves half an export (personal data) behind.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from helpt.staff.cells import xlsx_text
from helpt.staff.export_rows import row_maker
from helpt.staff.export_writers import FORMULA_FIRST
from helpt.staff.progress import Tally
from helpt.submissions import Submission

if TYPE_CHECKING:
    from helpt.staff.export import Column

XLSX_TIME = "yyyy-mm-dd hh:mm"  # as the CSV shows the times, as a spreadsheet's number format
SHEET = "xl/worksheets/sheet1.xml"
# Day 0 of a spreadsheet's dates (as Excel counts from 1900-03-01 on, past its leap-year bug).
EPOCH, DAY = dt.datetime(1899, 12, 30), dt.timedelta(days=1)
# Deflate at zlib's fastest level: the sheet is most of the file, and level 6 takes three times as long
# for a file about a fifth smaller.
COMPRESS_LEVEL = 1
_NEEDS_ESCAPE = re.compile("[&<>_\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
_BUFFER = 1 << 20


def write_xlsx(
    path: Path, table: Sequence[Column], records: Iterable[Submission], tally: Tally, sheet_title: str
) -> None:
    """Text cells that are never formulas, the two times as date cells, a bold frozen heading row with a
    filter over every row written, columns sized by kind (export.py's widths)."""
    # Beside the file: a folder as private as the one the file is made in (files.py), not the shared /tmp.
    with tempfile.TemporaryDirectory(prefix=f".{path.name}.", suffix=".rows", dir=path.parent) as scratch:
        rows_file = Path(scratch) / "rows.xml"
        with rows_file.open("w", encoding="utf-8", buffering=_BUFFER) as rows:
            count = _write_rows(rows, table, records, tally, MOMENT_STYLE, QUOTED_STYLE)
        skeleton = Path(scratch) / "workbook.xlsx"
        _workbook(skeleton, table, count, sheet_title)
        _join(skeleton, rows_file, path, table, count)


# The cell styles the rows use, by their index in the workbook's styles: _workbook checks they are these.
MOMENT_STYLE, QUOTED_STYLE = 1, 2


def _write_rows(
    rows: IO[str], table: Sequence[Column], records: Iterable[Submission], tally: Tally, moment: int, quoted: int
) -> int:
    make, first, needs_escape = row_maker(table), FORMULA_FIRST, _NEEDS_ESCAPE.search
    letters = [_letter(index) for index in range(len(table))]
    moments = [column.moment for column in table]
    number = 1  # row 1 is the heading row, which XlsxWriter writes
    for record in records:
        number += 1
        row = str(number)
        parts = [f'<row r="{row}">']
        for index, value in enumerate(make(record)):
            if value == "":
                continue  # an empty cell is not written at all: smaller and faster
            if moments[index]:
                parts.append(f'<c r="{letters[index]}{row}" s="{moment}"><v>{(value - EPOCH) / DAY!r}</v></c>')  # type: ignore[operator]
                continue
            text = value if needs_escape(value) is None else _escaped(value)  # type: ignore[arg-type]
            style = f' s="{quoted}"' if value[:1] in first else ""  # type: ignore[index]
            space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""  # type: ignore[index,union-attr]
            parts.append(f'<c r="{letters[index]}{row}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        parts.append("</row>")
        rows.write("".join(parts))
        tally.done()
    return number - 1


def _escaped(text: str) -> str:
    return xlsx_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _letter(index: int) -> str:
    """A column's letters: 0 is A, 25 Z, 26 AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _workbook(path: Path, table: Sequence[Column], count: int, sheet_title: str) -> None:
    """The workbook with its heading row only, made by XlsxWriter, its filter over the `count` rows."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet(sheet_title[:31])
    moment = workbook.add_format({"num_format": XLSX_TIME})
    quoted = workbook.add_format({"quote_prefix": True})
    # The rows refer to these styles by number: asked for first, they take the first numbers after Excel's
    # own "General" (XlsxWriter numbers a format when it is first used, which here is only in the rows).
    if (moment._get_xf_index(), quoted._get_xf_index()) != (MOMENT_STYLE, QUOTED_STYLE):
        raise RuntimeError("XlsxWriter numbered the export's cell styles otherwise")
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for index, column in enumerate(table):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.heading, bold)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, len(table) - 1)
    workbook.close()


def _join(skeleton: Path, rows_file: Path, path: Path, table: Sequence[Column], count: int) -> None:
    """The workbook's parts copied into `path`, the rows put into its sheet after the heading row."""
    last = _letter(len(table) - 1)
    writing = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
    with zipfile.ZipFile(skeleton) as source, writing as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info, source.read(info))
                continue
            head, tail = source.read(info).decode("utf-8").split("</sheetData>")
            # The sheet's extent: XlsxWriter saw the heading row only.
            extent = f'<dimension ref="A1:{last}1"/>'
            if extent not in head:
                raise RuntimeError("XlsxWriter wrote the sheet's extent otherwise")
            head = head.replace(extent, f'<dimension ref="A1:{last}{count + 1}"/>')
            with target.open(SHEET, "w", force_zip64=True) as out, rows_file.open("rb") as rows:
                out.write(head.encode("utf-8"))
                shutil.copyfileobj(rows, out, _BUFFER)
                out.write(f"</sheetData>{tail}".encode())
