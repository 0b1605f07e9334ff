"""A record as one row of an export, filled from what the record holds rather than asked of every column.

A large export is a hundred thousand rows of some thirty columns, most of them empty for a given form (a
volunteer has no street, a help request no availability). Asking each column of each row for its value costs
a call per cell; here the row starts as all empty cells, the record's own few details are put in, and then
each answer it holds is written into its column, with the formatter for that form's question chosen once per
export. The cells are the same as a column's `value` gives (tests/test_staff_export.py compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from helpt.staff.answers import answer_formatter
from helpt.submissions import Answer, Submission

if TYPE_CHECKING:  # export.py imports this module
    from helpt.staff.export import Column, Value

Slots = dict[str, tuple[int, Callable[[Answer], str]]]


def row_maker(table: Sequence[Column]) -> Callable[[Submission], list[Value]]:
    """How to make a record's row of this table; every cell text or a date-time, "" when empty."""
    plain = answer_formatter(None, None, None)  # type: ignore[arg-type] (no labels: needs neither)
    blank: list[Value] = [""] * len(table)
    fixed = [(index, column.value) for index, column in enumerate(table) if column.answer is None]
    answered = [(index, column) for index, column in enumerate(table) if column.answer is not None]
    forms = {form for _index, column in answered for form in column.formats or {}}
    by_form: dict[str, Slots] = {
        form: {column.answer: (index, (column.formats or {}).get(form, plain)) for index, column in answered}  # type: ignore[misc]
        for form in forms
    }
    other: Slots = {column.answer: (index, plain) for index, column in answered}  # type: ignore[misc]

    def row(record: Submission) -> list[Value]:
        cells = blank.copy()
        for index, value in fixed:
            cells[index] = value(record)
        slots = by_form.get(record.form, other)
        for name, answer in record.answers.items():
            slot = slots.get(name)
            if slot is not None:
                index, shown = slot
                # Free text (most answers) is shown as it is: no call for it.
                cells[index] = answer if shown is plain and answer.__class__ is str else shown(answer)
        return cells

    return row
