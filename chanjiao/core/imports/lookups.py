"""Small helpers the import phases share: blank cells, "same value", batched lookups by natural key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from chanjiao.core.imports.cells import cell_text

LOOKUP_BATCH = 5_000  # keys per IN (...) query; well under SQLite's variable limit


def blank(cell: Any) -> bool:
    """An empty cell: nothing, or text that is only spaces and invisible characters."""
    return cell is None or cell == "" or (isinstance(cell, str) and not cell_text(cell))


def same(new: Any, old: Any) -> bool:
    if new == old:
        return True
    # An empty cell and a NULL / "" column are the same "nothing".
    return new in (None, "") and old in (None, "")


def lookup(queryset: models.QuerySet[Any], field_name: str, codes: Iterable[str], value_field: str) -> dict[str, Any]:
    codes = list(codes)
    found: dict[str, Any] = {}
    for start in range(0, len(codes), LOOKUP_BATCH):
        chunk = codes[start:start + LOOKUP_BATCH]
        # Keyed by the cell's text: an integer key (a crosswalk's 版本号) must match the cell "5" too.
        found.update((str(k), v) for k, v in queryset.filter(**{f"{field_name}__in": chunk})
                     .values_list(field_name, value_field))
    return found


def linked_ids(f: Any, owner_pks: list[Any]) -> dict[Any, frozenset[Any]]:
    """{owner pk: frozenset of target pks} of many-to-many field ``f``, from its through table
    (plain link rows, no scoped read), LOOKUP_BATCH owners per query."""
    through = f.remote_field.through
    src = through._meta.get_field(f.m2m_field_name()).attname
    dst = through._meta.get_field(f.m2m_reverse_field_name()).attname
    links: dict[Any, set[Any]] = {pk: set() for pk in owner_pks}
    for start in range(0, len(owner_pks), LOOKUP_BATCH):
        chunk = owner_pks[start:start + LOOKUP_BATCH]
        for owner, target in through._base_manager.filter(**{f"{src}__in": chunk}).values_list(src, dst):
            links[owner].add(target)
    return {pk: frozenset(ids) for pk, ids in links.items()}
