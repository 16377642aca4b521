"""Export what I see: the scoped, filtered list as .xlsx, formula injection neutralised."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, Any
from urllib.parse import quote

import xlsxwriter
from django.http import FileResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(rows: Iterable[Iterable[Any]], sheet_name: str = "Sheet1") -> bytes:
    """Write rows (first row = header) to an .xlsx in constant memory."""
    return xlsx_book([(sheet_name, rows)])


def xlsx_book(sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]]) -> bytes:
    """Several sheets of rows (each first row = header) in one .xlsx, in constant memory; text cells
    are neutralised against formula injection (``safe_cell``)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    for sheet_name, rows in sheets:
        sheet = book.add_worksheet(sheet_name[:31])
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


def content_disposition(ascii_name: str, name: str) -> str:
    """RFC 6266/5987: the (Chinese) ``name`` for every current browser, ``ascii_name`` for the rest;
    always a download, never shown inline."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def private_download(file: IO[bytes], *, content_type: str, ascii_name: str, name: str, size: int) -> FileResponse:
    """A stored file for one reader: a download, not sniffed, not cached by anyone on the way."""
    response = FileResponse(file, content_type=content_type)
    response["Content-Disposition"] = content_disposition(ascii_name, name)
    response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
