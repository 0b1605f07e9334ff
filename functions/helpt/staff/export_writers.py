"""Writing an export's rows to CSV or XLSX, streamed: a row is made, written and forgotten.

Everything that is the same for every row is worked out once per export: each row comes from export_rows.py,
and each column's kind (text, phone, date-time) decides once how its cells are written.

XLSX: export_xlsx.py.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from helpt.staff.cells import FORMULA_STARTS, csv_cell
from helpt.staff.export_rows import row_maker
from helpt.staff.progress import Tally
from helpt.submissions import Submission

if TYPE_CHECKING:
    from helpt.staff.export import Column

FORMULA_FIRST = frozenset(FORMULA_STARTS)  # each is one character: a cell's first one is looked up


def write_csv(path: Path, table: Sequence[Column], records: Iterable[Submission], tally: Tally, separator: str) -> None:
    """UTF-8 with a byte-order mark (so Excel reads the accents right), every cell neutralised (cells.py)."""
    make = row_maker(table)
    moments = [index for index, column in enumerate(table) if column.moment]
    phones = [index for index, column in enumerate(table) if column.phone]
    texts = [index for index, column in enumerate(table) if not column.moment and not column.phone]
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=separator)
        writer.writerow([csv_cell(column.heading) for column in table])
        write, first = writer.writerow, FORMULA_FIRST
        for record in records:
            cells = make(record)
            for index in moments:  # "2020-03-16 10:30", as strftime("%Y-%m-%d %H:%M") would, four times faster
                cells[index] = cells[index].isoformat(" ", "minutes")  # type: ignore[union-attr]
            for index in texts:  # nearly every cell is empty or starts harmlessly: one look-up decides
                if cells[index][:1] in first:
                    cells[index] = csv_cell(cells[index])  # type: ignore[arg-type]
            for index in phones:
                if cells[index]:
                    cells[index] = csv_cell(cells[index], phone=True)  # type: ignore[arg-type]
            write(cells)
            tally.done()
