"""The write phase of an import, and what the commit needs around it (table lock, conflict detection)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
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
    many = {c.attname: (slot, c) for slot, (_i, c) in enumerate(importer._plan) if c.many}
    manager = importer.model._default_manager
    new = [r for r in rows if r.pk is None]
    changed = [r for r in rows if r.changed]
    done, total = 0, max(1, len(new) + len(changed))
    # The audit names each new row with str(), which often reads a foreign key: load the
    # referenced rows once per column instead of once per row.
    importer._related_cache = {}
    for slot, (_index, column) in enumerate(importer._plan):
        if column.fk and not column.many:
            pks = {r.values[slot] for r in new if r.values[slot] is not None}
            model = column.model_field.related_model
            importer._related_cache[column.attname] = (column.field, model._base_manager.in_bulk(pks))
    created: list[models.Model] = []
    updated: list[models.Model] = []
    for start in range(0, len(new), importer.batch_size):
        objs: list[models.Model] = []
        batch_rows = new[start:start + importer.batch_size]
        for row in batch_rows:
            values = {a: v for a, v in zip(attnames, row.values, strict=True) if a not in many}
            values.update(importer.new_values(values))
            values.update(importer.derived(values))
            objs.append(importer._instance(values))
        if many:
            with transaction.atomic():
                bulk._insert(importer.model, objs)
                links = _write_links(many, [(obj.pk, row, frozenset()) for obj, row in zip(objs, batch_rows,
                                                                                            strict=True)])
                audit.record_bulk("create", objs, extra=links)  # the links belong to the create event
        else:
            bulk.bulk_insert(importer.model, objs)  # writes the rows' create events too
        created += objs
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
        link_changes: list[tuple[Any, ParsedRow, frozenset[Any] | None]] = []
        for row in batch:
            obj = objs_by_pk[row.pk]
            befores[obj.pk] = audit.snapshot(obj)
            for name in row.changed or ():
                if name in many:
                    continue
                setattr(obj, name, row.values[attnames.index(name)])
                fields.add(name)
            if many and set(row.changed or ()) & set(many):
                link_changes.append((obj.pk, row, None))
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
            if names:
                manager.bulk_update(objs, names)
        links = {}
        if link_changes:
            links = _write_links(many, link_changes)
            for pk, (before, _after) in links.items():
                befores[pk].update(before)
        audit.record_bulk("update", objs, befores, extra={pk: after for pk, (_b, after) in links.items()})
        updated += objs
        done += len(objs)
        if progress:
            progress(50 + 50 * done // total)
    importer.after_write(created, updated)


def _write_links(many: dict[str, tuple[int, Any]], rows: list[tuple[Any, ParsedRow, frozenset[Any] | None]]
                 ) -> dict[Any, Any]:
    """Set the many-to-many links of written rows from the through tables (no ``m2m_changed``: the
    caller audits them). ``rows``: (owner pk, row, links before — None: read them here).

    Returns, for a create (before given), {pk: {field: ids, field_names: names}}, else
    {pk: (before, after)} in the form the m2m receiver (signals.py) records."""
    from chanjiao.core.imports.lookups import linked_ids

    result: dict[Any, Any] = {}
    for slot, column in many.values():
        f = column.model_field
        through = f.remote_field.through
        src = through._meta.get_field(f.m2m_field_name()).attname
        dst = through._meta.get_field(f.m2m_reverse_field_name()).attname
        known = [pk for pk, _row, before in rows if before is None]
        stored = linked_ids(f, known) if known else {}
        add, changes = [], []
        for pk, row, before in rows:
            old = stored.get(pk, frozenset()) if before is None else before
            new = row.values[slot] or frozenset()
            if old == new:
                continue
            if old - new:
                through._base_manager.filter(**{src: pk, f"{dst}__in": old - new}).delete()
            add += [through(**{src: pk, dst: target}) for target in sorted(new - old)]
            changes.append((pk, old, new))
        through._base_manager.bulk_create(add, batch_size=1000)
        ids = {i for _pk, old, new in changes for i in old | new}
        names = {o.pk: str(o) for o in f.related_model._base_manager.filter(pk__in=ids)} if ids else {}
        for pk, old, new in changes:
            if rows[0][2] is not None:  # a create: the links as they now are
                result.setdefault(pk, {}).update(_link_state(f.name, new, names))
            else:
                before, after = result.setdefault(pk, ({}, {}))
                before.update(_link_state(f.name, old, names))
                after.update(_link_state(f.name, new, names))
    return result


def _link_state(name: str, links: frozenset[Any], names: dict[Any, str]) -> dict[str, Any]:
    return {name: sorted(links), f"{name}_names": [names.get(i, f"#{i}") for i in sorted(links)]}


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
