"""Export what I see: the scoped, filtered list as .xlsx, formula injection neutralised."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(rows: Iterable[Iterable[Any]], sheet_name: str = "Sheet1") -> bytes:
    """Write rows (first row = header) to an .xlsx in constant memory."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet(sheet_name[:31])
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if r == 0:
                sheet.write_string(r, c, str(value), header)
            elif value is None:
                continue
            elif isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(safe_cell(str(value))))
    book.close()
    return buffer.getvalue()
