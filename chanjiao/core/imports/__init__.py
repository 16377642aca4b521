"""The generic Excel/CSV import (see ``importer.py`` for how a model declares one)."""

from chanjiao.core.imports.cells import (
    Column,
    cell_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_digits,
    parse_int,
    parse_text,
)
from chanjiao.core.imports.files import ImportRefused, inspect_file, normalise_header, read_rows
from chanjiao.core.imports.importer import Importer, ImportResult, RowError, template_bytes

__all__ = [
    "Column", "ImportRefused", "ImportResult", "Importer", "RowError", "cell_text", "inspect_file",
    "normalise_header", "parse_bool", "parse_date", "parse_decimal", "parse_digits", "parse_int", "parse_text",
    "read_rows", "template_bytes",
]
