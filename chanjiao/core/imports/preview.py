"""The import preview: what a commit adds and changes, as the user would write it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chanjiao.core.imports.results import ParsedRow

if TYPE_CHECKING:
    from chanjiao.core.imports.importer import Importer


def build_preview(importer: Importer, new: list[ParsedRow],
                  changed: list[tuple[ParsedRow, tuple[Any, ...]]]) -> dict[str, Any]:
    """The rows a commit adds and changes, as the user would write them (codes, labels, 是/否).

    ``{"columns": [header…], "new": [{"row": n, "cells": [text…]}],
    "changed": [{"row": n, "cells": [{"old": text, "new": text, "changed": bool}…]}]}``
    """
    plan = importer._plan
    codes: dict[int, dict[Any, str]] = {}
    for slot, (_index, column) in enumerate(plan):
        if column.fk:
            values = [r.values[slot] for r in new] + [r.values[slot] for r, _old in changed]
            values += [old[slot] for _r, old in changed]
            pks = {pk for v in values for pk in (v if column.many else (v,))}
            codes[slot] = importer._fk_codes(column, {pk for pk in pks if pk is not None})

    def text(slot: int, value: Any) -> str:
        if value is None or value == "":
            return ""
        if plan[slot][1].many:  # a list cell: its codes, as the export writes them
            return "、".join(sorted(c for c in (codes[slot].get(pk, "") for pk in value) if c))
        cell = codes[slot].get(value, "") if slot in codes else importer._cell(plan[slot][1], value)
        return "" if cell is None else str(cell)

    columns_changed = [plan[slot][1].attname for slot in range(len(plan))]
    return {
        "columns": [c.header for _i, c in plan],
        "new": [{"row": r.number, "cells": [text(s, v) for s, v in enumerate(r.values)]} for r in new],
        "changed": [{"row": r.number, "cells": [
            {"old": text(s, old[s]), "new": text(s, r.values[s]), "changed": columns_changed[s] in (r.changed or ())}
            for s in range(len(plan))]} for r, old in changed],
    }
