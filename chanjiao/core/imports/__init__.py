"""The generic Excel/CSV import (see ``importer.py`` for how a model declares one)."""

from chanjiao.core.imports.cells import (
    Column,
    NumberCell,
    cell_text,
    code_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_digits,
    parse_int,
    parse_text,
)
from chanjiao.core.imports.codes import resolve_codes
from chanjiao.core.imports.files import ImportRefused, inspect_file, normalise_header, read_rows, sniff
from chanjiao.core.imports.importer import Importer, ImportResult, RowError, template_bytes

__all__ = [
    "Column", "ImportRefused", "ImportResult", "Importer", "NumberCell", "RowError", "cell_text", "code_text",
    "inspect_file", "normalise_header", "parse_bool", "parse_date", "parse_decimal", "parse_digits", "parse_int",
    "parse_text", "read_rows", "resolve_codes", "sniff", "template_bytes",
]
