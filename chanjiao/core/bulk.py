"""Fast INSERT of many model rows: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

_PLAIN_TYPES = {"AutoField", "BigAutoField", "CharField", "TextField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "SmallIntegerField",
                "BooleanField", "DateField", "DateTimeField", "ForeignKey", "GenericIPAddressField", "SlugField",
                "URLField", "EmailField"}


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT ``objs``, set their primary keys and — for audited models — write their ``create``
    events (``audit.record_bulk``) in the same transaction: a caller cannot forget the audit."""
    from django.db import transaction

    from chanjiao.core import audit
    from chanjiao.core.audited_writes import is_audited

    if not objs:
        return
    with transaction.atomic():
        _insert(model, objs)
        if is_audited(model):
            audit.record_bulk("create", objs)


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT ``objs`` and set their primary keys: ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere.

    Why COPY: Django's PostgreSQL bulk_create sends each column as an array, which psycopg escapes
    in Python — ten times slower than COPY's row writer. Primary keys come from the table's
    sequence in one query, so the audit events can name the new rows.
    """
    from django.db import connection

    if not objs:
        return
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs)
        return
    concrete = model._meta.concrete_model
    assert concrete is not None  # set for every non-abstract model
    meta = concrete._meta
    fields = list(meta.concrete_fields)
    pk = meta.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, pk.column, len(objs)])
        # In ascending order: audit events are chained in id order (``audit.record_bulk``).
        for obj, pk_value in zip(objs, sorted(row[0] for row in cursor.fetchall()), strict=True):
            setattr(obj, pk.attname, pk_value)
        # Per field: read the attribute as is, or let the field prepare it (pre_save fills
        # auto_now(_add) timestamps as bulk_create would; non-plain types get their DB form).
        simple, special = [], []
        for index, f in enumerate(fields):
            hooks = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            if f.get_internal_type() in _PLAIN_TYPES and not hooks:
                simple.append((index, f.attname))
            else:
                special.append((index, f, f.get_internal_type() in _PLAIN_TYPES))
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)  # concrete: never None
        table = connection.ops.quote_name(meta.db_table)
        width = len(fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                data = obj.__dict__
                row: list[Any] = [None] * width
                for index, attname in simple:
                    row[index] = data[attname]
                for index, f, is_plain in special:
                    value = f.pre_save(obj, True)
                    row[index] = value if is_plain else f.get_db_prep_save(value, connection)
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
