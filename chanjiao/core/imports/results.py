"""What an import reports: its errors, its counts, its preview; and the rows it carries between phases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows (header = 1)
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ImportResult:
    file_name: str = ""
    sha256: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    refused: str = ""
    committed: bool = False
    header_row: int = 1  # the Excel row taken as the header (titles or blank rows may come first)
    # What a commit will do, row by row (first PREVIEW_ROWS new and changed rows): see preview.build_preview.
    preview: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.error_count

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.error_count}


# --- the importer ------------------------------------------------------------------------------


@dataclass(slots=True)
class ParsedRow:
    """One data row between the phases of an import (parse → resolve → match → check → write)."""

    number: int
    values: list[Any]  # aligned with Importer._plan; FK cells hold the code, then the pk
    pk: int | None
    changed: tuple[str, ...] | None  # attnames that differ from the database (existing rows)
