"""The write phase of an import, and what the commit needs around it (table lock, conflict detection)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from chanjiao.core import audit, bulk
from chanjiao.core.imports.results import ImportResult, ParsedRow
from chanjiao.core.scoping import unscoped

if TYPE_CHECKING:
    from chanjiao.core.imports.importer import Importer


def write_rows(importer: Importer, rows: list[ParsedRow], result: ImportResult,
               progress: Callable[[int], None] | None) -> None:
    """The commit's writes (the file is clean): new rows by ``bulk_insert``, changed rows by
    ``bulk_update`` in small batches, each with its audit events; unchanged rows not at all."""
    attnames = [c.attname for _, c in importer._plan]
    manager = importer.model._default_manager
    new = [r for r in rows if r.pk is None]
    changed = [r for r in rows if r.changed]
    done, total = 0, max(1, len(new) + len(changed))
    # The audit names each new row with str(), which often reads a foreign key: load the
    # referenced rows once per column instead of once per row.
    importer._related_cache = {}
    for slot, (_index, column) in enumerate(importer._plan):
        if column.fk:
            pks = {r.values[slot] for r in new if r.values[slot] is not None}
            model = column.model_field.related_model
            importer._related_cache[column.attname] = (column.field, model._base_manager.in_bulk(pks))
    for start in range(0, len(new), importer.batch_size):
        objs: list[models.Model] = []
        for row in new[start:start + importer.batch_size]:
            values = dict(zip(attnames, row.values, strict=True))
            values.update(importer.new_values(values))
            values.update(importer.derived(values))
            objs.append(importer._instance(values))
        bulk.bulk_insert(importer.model, objs)  # writes the rows' create events too
        done += len(objs)
        if progress:
            progress(50 + 50 * done // total)
    now = timezone.now()
    has_updated_at = any(f.attname == "updated_at" for f in importer.model._meta.concrete_fields)
    for start in range(0, len(changed), 500):  # bulk_update builds CASE … WHEN per row: keep batches small
        batch = changed[start:start + 500]
        # Joined up front: the audit events name each row with str(), which often reads a foreign key.
        related = [f.name for f in importer.model._meta.concrete_fields if f.many_to_one]
        # The rows to change were checked editable by the uploader during validation.
        with unscoped("rows checked editable during validation"):
            objs_by_pk = manager.select_related(*related).in_bulk([r.pk for r in batch])
        befores: dict[Any, dict[str, Any]] = {}
        objs = []
        fields: set[str] = set()
        for row in batch:
            obj = objs_by_pk[row.pk]
            befores[obj.pk] = audit.snapshot(obj)
            for name in row.changed or ():
                setattr(obj, name, row.values[attnames.index(name)])
            fields.update(row.changed or ())
            for name, value in importer.derived(vars(obj)).items():
                setattr(obj, name, value)
                fields.add(name)
            if has_updated_at:
                obj.updated_at = now  # type: ignore[attr-defined]  # checked on the model's fields above
            objs.append(obj)
        if has_updated_at:
            fields.add("updated_at")
        with audit.bulk_write("import: befores taken above, events by record_bulk"):
            names = [importer.model._meta.get_field(field_name(importer.model, a)).name for a in fields]
            manager.bulk_update(objs, names)
        audit.record_bulk("update", objs, befores)
        done += len(objs)
        if progress:
            progress(50 + 50 * done // total)


def lock_table(model: type[models.Model]) -> None:
    """Wait for any other import of ``model``'s table; released when the transaction ends.

    Keyed by the concrete model, so imports of two organisation kinds (one table, shared unique
    codes) wait for each other too.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the database's single write lock
    concrete = model._meta.concrete_model
    assert concrete is not None  # a model class (not abstract) always has one
    label = concrete._meta.label_lower
    key = int.from_bytes(hashlib.sha256(f"chanjiao.import:{label}".encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])




_CONFLICT_SQLSTATES = {"23505", "23503", "40P01", "40001"}
_CONFLICT_SQLITE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_FOREIGNKEY"}


def write_conflict(exc: BaseException) -> bool:
    """Whether ``exc`` (or the driver error it wraps: COPY raises psycopg's own) is a write conflict."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if state in _CONFLICT_SQLSTATES or getattr(current, "sqlite_errorname", None) in _CONFLICT_SQLITE:
            return True
        current = current.__cause__ or current.__context__
    return False


def field_name(model: type[models.Model], attname: str) -> str:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return f.name
    return attname
