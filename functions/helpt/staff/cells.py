"""Making a cell safe to open in Excel and LibreOffice: no text may become a live formula.

A spreadsheet reads a cell that starts with `=`, `+`, `-` or `@` as a formula, and tab, CR and LF in front
can hide one (OWASP, "CSV injection"). Residents type whatever they like, so every such cell is neutralised:

- CSV: the cell gets a `'` in front. A spreadsheet shows the apostrophe, which tells staff the text was
  changed; everything after it is exactly what was sent.
- Phone numbers: `+32 470 12 34 56` with a `'` in front would look like a typo, and `0470123456` loses its
  leading zero when a spreadsheet reads it as a number. So in CSV an answer to a phone question that has a
  phone number's shape (digits, spaces and + / . - ( ) only) gets an invisible LEFT-TO-RIGHT MARK (U+200E)
  in front instead: the cell is then text, starts with no formula character, and reads exactly as typed.
  Any other text in a phone answer is neutralised like every other cell.
- XLSX: every cell is written as a text cell (never as a formula, a number or an error value), and a cell
  that starts with one of the characters above also carries Excel's own "quote prefix" flag, so it stays
  text even when someone edits it. The text itself is unchanged: no apostrophe, phone numbers as typed.
  Characters XML cannot hold (control characters, U+FFFE, U+FFFF) and CR are written with the format's
  own escape `_xHHHH_`, which Excel and LibreOffice turn back into the character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
LEFT_TO_RIGHT_MARK = "\u200e"
_PHONE = re.compile(r"^\+?[0-9][0-9 ./()-]*$")
# XML 1.0 allows tab, LF, CR and these ranges; but a parser reads CR back as LF, so CR is escaped too.
_NOT_IN_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LOOKS_ESCAPED = re.compile("_(x[0-9A-Fa-f]{4}_)")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula.

    >>> starts_like_formula("=1+1"), starts_like_formula("\\n@SUM(A1)"), starts_like_formula("Kerkstraat 1")
    (True, True, False)
    """
    return text.startswith(FORMULA_STARTS)


def is_phone_number(text: str) -> bool:
    """Whether text has the shape of a phone number (as the forms accept one: 6 to 15 digits).

    >>> is_phone_number("+32 470 12 34 56"), is_phone_number("016/27.27.72"), is_phone_number("+1+1")
    (True, True, False)
    """
    return bool(_PHONE.match(text)) and 6 <= len(re.sub(r"\D", "", text)) <= 15


def csv_cell(text: str, *, phone: bool = False) -> str:
    """A cell's text for CSV: a `'` before anything that could be a formula; phone numbers kept readable.

    >>> csv_cell("=HYPERLINK(1)"), csv_cell("-1+1"), csv_cell("Brood en melk")
    ("'=HYPERLINK(1)", "'-1+1", 'Brood en melk')
    >>> csv_cell("+32 470 12 34 56", phone=True) == "\\u200e+32 470 12 34 56"
    True
    """
    if phone and is_phone_number(text):
        return LEFT_TO_RIGHT_MARK + text
    return "'" + text if starts_like_formula(text) else text


def xlsx_text(text: str) -> str:
    """A cell's text for XLSX: characters XML cannot hold as `_xHHHH_`, and an `_xHHHH_` typed as such kept.

    >>> xlsx_text("a\\x00b\\rc"), xlsx_text("_x0041_")
    ('a_x0000_b_x000D_c', '_x005F_x0041_')
    """
    # The underscore of text that already looks like an escape is escaped itself, or Excel would decode it.
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    if _NOT_IN_XML.search(text) is None:  # nearly every cell: one scan, no copy
        return text
    return _NOT_IN_XML.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def xlsx_cell_maker(sheet: Any) -> Callable[[str], Any]:
    """How to write text into a cell of this (openpyxl write-only) sheet: nothing for empty text, the plain
    string where openpyxl makes a text cell of it by itself (much faster than a cell object), else a cell
    forced to text, with the quote prefix when it starts like a formula (see the module docstring).

    openpyxl guesses a type from a plain value: "=..." a formula, "#N/A" an error value; here it is always text.
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    def cell(text: str) -> Any:
        if text == "":
            return None  # nothing written: smaller and faster than an empty text cell
        escaped = xlsx_text(text)
        formula_like = starts_like_formula(text)
        if escaped == text and not formula_like and text not in ERROR_CODES:
            return text
        value = WriteOnlyCell(sheet, value=escaped)
        value.data_type = "s"
        value.quotePrefix = formula_like
        return value

    return cell
