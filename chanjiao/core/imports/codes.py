"""Code columns: cells naming a row of a catalog (region, industry, major …) by its official code.

Shared by every importer, so each code column gets the same three checks:

* **level** — a column takes the catalog levels it names (``Column.levels``): a 区县 column takes
  county codes, not a province (``42``) or a township (``420502001``);
* **prefix** — a catalog field may be written before the code (``Column.prefix_field``):
  GB/T 4754 codes are often written with their 门类 letter, ``C3411``; the letter must be the
  code's own 门类. A letter alone (``C``) is the 门类 itself and passes only where the column
  takes that level;
* **numbers** — a code typed into a General cell arrives as a number and has lost its leading
  zeros (industry ``0131`` → ``131``). The rule: restore the zeros only when exactly one code of
  the whole catalog (any level) reads as that number once its zeros are dropped; when several do
  (``131`` 谷物磨制 and ``0131`` 棉花种植) the cell is refused with a reason saying it became a
  number. A cell is never mapped to a code other than the one the user can have typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from chanjiao.core.imports.cells import Column, NumberCell

_PREFIXED = re.compile(r"([A-Z])(\d+)")
_BATCH = 5_000


def resolve_codes(column: Column, queryset: QuerySet[Any],
                  cells: Iterable[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(cell → pk for the cells that name a code this column takes, cell → reason for the others
    that exist but are refused). Cells in neither dict name no code of the catalog."""
    cells = list(cells)
    related = queryset.model
    labels = {value: str(label) for value, label in related._meta.get_field("level").flatchoices}
    prefix = column.prefix_field
    lengths = sorted(set(queryset.annotate(n=Length("code")).values_list("n", flat=True).distinct()))
    wanted: dict[str, tuple[str, list[str]]] = {}  # cell → (letter written before it, candidate codes)
    for cell in cells:
        text = str(cell)
        if isinstance(cell, NumberCell):
            if text.isdigit():
                wanted[cell] = ("", [text.rjust(n, "0") for n in lengths if n >= len(text)] or [text])
            else:
                wanted[cell] = ("", [text])  # 131.5, -3: no code; reported as not found
            continue
        match = _PREFIXED.fullmatch(text) if prefix else None
        wanted[cell] = (match[1], [match[2]]) if match else ("", [text])
    codes = sorted({code for _letter, candidates in wanted.values() for code in candidates})
    records: dict[str, tuple[Any, Any, Any]] = {}  # code → (pk, level, prefix value)
    for start in range(0, len(codes), _BATCH):
        chunk = codes[start:start + _BATCH]
        for code, pk, level, letter in queryset.filter(code__in=chunk).values_list(
                "code", "pk", "level", prefix or "level"):
            records[code] = (pk, level, letter)
    found: dict[str, Any] = {}
    refused: dict[str, str] = {}
    expected = "、".join(labels.get(level, str(level)) for level in column.levels)
    for cell, (letter, candidates) in wanted.items():
        matches = [code for code in candidates if code in records]
        if not matches:
            continue
        if len(matches) > 1:
            refused[cell] = _("该单元格已被 Excel 转为数字（前导零丢失），可能是 %(codes)s 中的任何一个；"
                              "请将该列设为文本格式后重新填写") % {"codes": "、".join(matches)}
            continue
        code = matches[0]
        pk, level, own_letter = records[code]
        if letter and letter != own_letter:
            refused[cell] = _("代码 %(code)s 的%(field)s是 %(own)s，不是 %(letter)s") % {
                "code": code, "field": related._meta.get_field(prefix).verbose_name,
                "own": own_letter, "letter": letter}
        elif column.levels and level not in column.levels:
            refused[cell] = _("“%(code)s”是%(actual)s代码，此列应填%(expected)s代码") % {
                "code": code, "actual": labels.get(level, str(level)), "expected": expected}
        else:
            found[cell] = pk
    return found, refused
