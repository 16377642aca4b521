"""Set-based writes that still leave their audit trail (issue #7, gaps 1 and 2).

``ScopedQuerySet.update/bulk_create/bulk_update/delete`` come here. The rule: a write on an
``AuditMixin`` model either writes its data events (set-based: one SELECT of the affected rows, the
write, one batched INSERT of events — never a per-row ``save()``) or is refused before it writes.
History records (``history_record = True``) are never deleted, whatever the path; the ``pre_delete``
receiver in ``signals.py`` covers the collector (instance, cascade and base-manager deletes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections, models, transaction
from django.utils.translation import gettext as _

from chanjiao.core import audit
from chanjiao.core.scoping import unscoped

# Rows per UPDATE … WHERE pk IN (…): well under SQLite's bound-parameter limit.
CHUNK = 500


def is_audited(model: type[models.Model]) -> bool:
    from chanjiao.core.models import AuditMixin

    return issubclass(model, AuditMixin)


class HistoryRecordProtected(PermissionDenied):
    """History rows are ended, never deleted (CommitteeMembership, GuidanceMember, RuleViolation …)."""


def refuse_history_delete(model: type[models.Model]) -> None:
    if getattr(model, "history_record", False):
        raise HistoryRecordProtected(_("“%(model)s”是历史记录，只能结束，不能删除。")
                                     % {"model": model._meta.verbose_name})


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _related(model: type[models.Model]) -> list[str]:
    # The events name each row with str(), which often reads a foreign key: join them up front.
    return [f.name for f in model._meta.concrete_fields if f.many_to_one]


def _rows(model: type[models.Model], db: str, pks: Sequence[Any], lock: bool = False) -> list[models.Model]:
    rows: list[models.Model] = []
    for chunk in _chunks(pks):
        qs = model._base_manager.using(db).select_related(*_related(model)).filter(pk__in=chunk)
        if lock and connections[db].features.has_select_for_update:
            qs = qs.select_for_update(of=("self",)) if connections[db].features.has_select_for_update_of else qs
        rows.extend(qs)
    return rows


def _changed(objs: Iterable[models.Model], befores: dict[Any, dict[str, Any]]) -> list[models.Model]:
    """The rows whose audited values differ from their snapshot in ``befores`` (timestamps alone don't count)."""
    result = []
    for obj in objs:
        changes = audit.diff(befores.get(obj.pk), audit.snapshot(obj))
        if set(changes) - audit.UNTRACKED_CHANGES:
            result.append(obj)
    return result


def update(queryset: models.QuerySet[Any], values: dict[str, Any], plain_update: Callable[..., int]) -> int:
    """``queryset.update(**values)`` with one data event per changed row."""
    model = queryset.model
    if not is_audited(model):
        return plain_update(**values)
    db = queryset.db
    # Reading the rows a write targets is the write's own bookkeeping, not a read for a user.
    with transaction.atomic(using=db), unscoped("the rows an audited update targets"):
        pks = list(queryset.order_by().values_list("pk", flat=True))
        if not pks:
            return 0
        befores = {obj.pk: audit.snapshot(obj) for obj in _rows(model, db, pks, lock=True)}
        count = 0
        for chunk in _chunks(pks):
            count += model._base_manager.using(db).filter(pk__in=chunk).update(**values)
        audit.record_bulk("update", _changed(_rows(model, db, pks), befores), befores)
    return count


def bulk_create(queryset: models.QuerySet[Any], objs: Iterable[models.Model], create: Callable[..., list[Any]],
                kwargs: dict[str, Any]) -> list[Any]:
    """``bulk_create`` that audits the new rows, unless the caller audits them (``audit.bulk_write``)."""
    model = queryset.model
    if not is_audited(model) or audit.bulk_write_reason() is not None:
        return create(objs, **kwargs)
    if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
        # The database does not say which rows it inserted, updated or skipped: no honest events.
        raise audit.UnauditedWrite(
            f"bulk_create(ignore_conflicts/update_conflicts) on audited {audit.object_label(model)} cannot be "
            "audited; wrap it in audit.bulk_write(reason) and call audit.record_bulk yourself.")
    with transaction.atomic(using=queryset.db):
        made = create(objs, **kwargs)
        if any(obj.pk is None for obj in made):
            raise audit.UnauditedWrite(f"bulk_create on {audit.object_label(model)} returned no primary keys")
        audit.record_bulk("create", made)
    return made


def bulk_update(queryset: models.QuerySet[Any], objs: Iterable[models.Model], fields: Sequence[str],
                update_rows: Callable[..., int], kwargs: dict[str, Any]) -> int:
    """``bulk_update`` with a before/after event per changed row, unless inside ``audit.bulk_write``."""
    model = queryset.model
    if not is_audited(model):
        return update_rows(objs, fields, **kwargs)
    db = queryset.db
    # Django's bulk_update runs queryset.update() per batch: on the base manager, so that the audited
    # update() above does not audit the same rows a second time.
    plain: Callable[..., int] = model._base_manager.using(db).bulk_update
    if audit.bulk_write_reason() is not None:
        return plain(objs, fields, **kwargs)
    objs = list(objs)
    with transaction.atomic(using=db):
        pks = [obj.pk for obj in objs]
        befores = {obj.pk: audit.snapshot(obj) for obj in _rows(model, db, pks, lock=True)}
        count = plain(objs, fields, **kwargs)
        audit.record_bulk("update", _changed(_rows(model, db, pks), befores), befores)
    return count
