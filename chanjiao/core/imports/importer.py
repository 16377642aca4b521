"""Generic Excel/CSV import: declare an ``Importer`` per model, get validate → preview → atomic commit.

An importer names its model, its natural key and its columns (Chinese header → model field). The
engine then

* refuses oversized files and zip bombs before parsing (AS-06, REL-03),
* streams the rows once, parsing every cell and collecting *every* error — (Excel row, column,
  value, reason) — instead of stopping at the first (REL-01, STYLE item 7),
* resolves foreign keys by their natural key with one query per column, looks existing rows up
  by natural key in batches and checks the uploader's scope (REL-05),
* writes only when the whole file is clean, in one ``transaction.atomic()``: new rows with
  ``bulk_create``, changed rows with ``bulk_update``, unchanged rows not at all, so a re-import
  changes nothing (REL-06/07); one data audit event per written row, one security event per import.

Example::

    class EnterpriseImporter(Importer):
        model = Enterprise
        key = ("uscc",)
        columns = [
            Column("统一社会信用代码", "uscc", required=True, parse=parse_uscc),
            Column("企业名称", "name", required=True),
            Column("行业代码", "industry", fk="code"),     # catalog.Industry by GB/T 4754 code
            Column("企业规模", "size"),                     # choices by Chinese label
        ]
"""


from __future__ import annotations

import datetime as dt
import gc
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from chanjiao.core import audit
from chanjiao.core.imports.cells import Column, cell_text
from chanjiao.core.imports.codes import resolve_codes
from chanjiao.core.imports.files import ImportRefused, inspect_file, normalise_header, read_rows
from chanjiao.core.imports.lookups import LOOKUP_BATCH, blank, linked_ids, lookup, same
from chanjiao.core.imports.preview import build_preview
from chanjiao.core.imports.results import ImportResult, ParsedRow, RowError
from chanjiao.core.imports.workbooks import export_bytes, template_bytes
from chanjiao.core.imports.writing import lock_table, write_conflict, write_rows
from chanjiao.core.models import owner_fields_of
from chanjiao.core.scoping import jurisdiction_message, region_q, unscoped, write_jurisdictions
from chanjiao.core.types import User

# Names other modules import from here (the module was split; these keep working).
__all__ = ["LOOKUP_BATCH", "ImportResult", "Importer", "RowError", "export_bytes", "template_bytes"]

HEADER_SEARCH_ROWS = 20  # the header row is looked for among this many rows at the top of the sheet
PREVIEW_ROWS = 100  # new and changed rows shown in the preview, each


class Importer:
    """Declare once per model; ``Importer(user).validate(path, name)`` / ``.commit(path, name)``."""

    model: ClassVar[type[models.Model]]
    key: ClassVar[tuple[str, ...]]  # natural key: model field names, each also a column
    # Key fields that may be blank (a nullable foreign key, an optional text): a blank cell then matches a
    # blank value (an off-catalogue offering names no catalogue major; demand may name no occupation).
    blank_key_fields: ClassVar[tuple[str, ...]] = ()
    columns: ClassVar[list[Column]]
    batch_size: ClassVar[int] = 2_000
    sheet_title: ClassVar[StrOrPromise] = ""
    instructions: ClassVar[list[StrOrPromise]] = []
    _bound: ClassVar[type[Importer] | None] = None  # the class whose columns are bound (not a subclass's)

    def __init__(self, user: User | None) -> None:
        self.user = user
        cls = type(self)
        if cls._bound is not cls:
            for column in cls.columns:
                column.bind(cls.model)
            missing = set(cls.key) - {c.field for c in cls.columns}
            if missing:
                raise TypeError(f"{cls.__name__}: key fields {missing} are not columns")
            if any(c.many and c.field in cls.key for c in cls.columns):
                raise TypeError(f"{cls.__name__}: a many-to-many column cannot be part of the key")
            if any("owner_fields" in vars(klass) for klass in cls.__mro__ if klass is not Importer):
                raise TypeError(f"{cls.__name__}: declare owner_fields on the model, not on the importer")
            cls._bound = cls
        # Set by _validate / write_rows / _instance, read by the later phases.
        self._plan: list[tuple[int, Column]] = []
        self._related_cache: dict[str, tuple[str, dict[Any, models.Model]]] = {}
        self._defaults: tuple[dict[str, Any], list[models.Field[Any, Any]]] | None = None

    @property
    def owner_fields(self) -> tuple[str, ...]:
        """Foreign keys that decide whose record a row is (e.g. "school"), as the model declares them
        (``AuditMixin.owner_fields``): their targets must be editable by the uploader, not merely visible."""
        return owner_fields_of(self.model)

    # -- hooks for subclasses -------------------------------------------------------------------
    def new_values(self, values: dict[str, Any]) -> dict[str, Any]:
        """Extra field values (by attname) for a new row, e.g. a proxy model's ``kind``."""
        return {}

    def derived(self, values: dict[str, Any]) -> dict[str, Any]:
        """Fields computed from the row (bulk writes skip ``save()``), by attname; ``values`` by attname."""
        return {}

    def clean_row(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        """Cross-column checks; return [(column header, reason)]. ``values`` by field name."""
        return []

    def after_write(self, created: list[models.Model], updated: list[models.Model]) -> None:
        """Work the bulk write skipped (``save()`` is not called), run in the commit's transaction
        after every row is written: e.g. derived columns that depend on other rows."""

    # -- public API -------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def validate(self, path: Path, file_name: str, progress: Callable[[int], None] | None = None) -> ImportResult:
        """Dry run: every error of the whole file, and what a commit would do. Writes nothing."""
        return self._run(path, file_name, commit=False, progress=progress)

    def commit(self, path: Path, file_name: str, progress: Callable[[int], None] | None = None) -> ImportResult:
        """Validate again (the database may have changed) and, only when clean, write in one transaction."""
        return self._run(path, file_name, commit=True, progress=progress)

    # -- engine -----------------------------------------------------------------------------------
    def _run(self, path: Path, file_name: str, *, commit: bool,
             progress: Callable[[int], None] | None) -> ImportResult:
        result = ImportResult(file_name=file_name)
        # Hundreds of thousands of small, acyclic objects: the cyclic GC would walk them all again
        # and again (a third of the run time at 100,000 rows) and find nothing to free.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            result.sha256 = inspect_file(path, file_name)
            if commit:
                try:
                    with transaction.atomic():
                        # One import of a table at a time (PostgreSQL; SQLite's write lock already
                        # serialises): the second waits here, then validates against the first's
                        # committed rows, so it updates or skips them instead of inserting them again.
                        lock_table(self.model)
                        rows = self._validate(path, file_name, result, progress)
                        if result.ok:
                            write_rows(self, rows, result, progress)
                            result.committed = True
                except Exception as exc:
                    if not write_conflict(exc):
                        raise
                    # Another writer (a form, the API, an import of another kind) took the same keys
                    # between our validation and our write: everything was rolled back.
                    result.committed = False
                    result.refused = _("另一项导入或编辑同时修改了相同的记录，本次未写入任何数据，请重新导入。")
            else:
                self._validate(path, file_name, result, progress)
        except ImportRefused as exc:
            result.refused = exc.message
        except Exception:
            self._record(result, commit, outcome="failure")
            raise
        finally:
            if gc_was_enabled:
                gc.enable()
        # Errors are found column by column (cells, then foreign keys, then existing rows): list them
        # in the order of the file, which is how the user works through them.
        order = {c.header: n for n, c in enumerate(self.columns)}
        result.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        if commit or not result.ok:
            self._record(result, commit, outcome="success" if result.committed else "failure")
        return result

    def _record(self, result: ImportResult, commit: bool, outcome: str) -> None:
        audit.record_security("import", outcome=outcome, message=f"{self.label} {result.file_name}",
                              details={"model": audit.object_label(self.model), "file_name": result.file_name,
                                       "sha256": result.sha256, "mode": "commit" if commit else "validate",
                                       "refused": result.refused, **result.counts()})

    def _error(self, result: ImportResult, row: int, column: Column | str, value: Any, reason: str) -> None:
        result.error_count += 1
        if len(result.errors) < 1000:
            header = column.header if isinstance(column, Column) else column
            text = cell_text(value)
            if isinstance(column, Column) and column.field in getattr(self.model, "audit_masked", ()):
                text = audit.mask(text)
            result.errors.append(RowError(row, header, text[:200], reason))

    def _validate(self, path: Path, file_name: str, result: ImportResult,
                  progress: Callable[[int], None] | None) -> list[ParsedRow]:
        header_row, rows_iter = self._find_header(read_rows(path, file_name))
        result.header_row = header_row[0]
        positions = {normalise_header(h): i for i, h in enumerate(header_row[1]) if cell_text(h)}
        plan: list[tuple[int, Column]] = []
        for column in self.columns:
            index = positions.get(normalise_header(column.header))
            if index is not None:
                plan.append((index, column))
            elif column.required or column.field in self.key:
                reason = _("缺少必填列“%(h)s”") % {"h": column.header}
                if header_row[0] != 1:
                    reason += _("（第 %(row)d 行被视为列名行）") % {"row": header_row[0]}
                self._error(result, header_row[0], column, "", reason)
        if result.error_count:
            return []
        self._plan = plan
        key_slots = [i for i, (_, c) in enumerate(plan) if c.field in self.key]
        fk_codes: dict[int, set[str]] = {i: set() for i, (_, c) in enumerate(plan) if c.fk}
        seen: dict[tuple[Any, ...], int] = {}
        rows: list[ParsedRow] = []
        width = max(index for index, _ in plan) + 1
        hooked = type(self).clean_row is not Importer.clean_row
        for number, cells in rows_iter:
            if len(cells) < width:
                cells = list(cells) + [None] * (width - len(cells))
            if all(blank(c) for c in cells):
                continue  # blank lines in the middle of a sheet are common
            values: list[Any] = []
            ok = True
            for slot, (index, column) in enumerate(plan):
                raw = cells[index]
                if blank(raw):  # also a cell of only zero-width spaces / BOMs
                    if column.required:
                        self._error(result, number, column, "", _("必填项不能为空"))
                        ok = False
                    values.append(column.empty)
                    continue
                value: Any
                try:
                    if column.many:  # a list of codes: each looked up like a single one
                        value = column.fk_items(raw)
                        fk_codes[slot].update(value)
                    elif column.fk:
                        # Codes: full-width → ASCII; a number stays marked as one (lost zeros?).
                        value = column.fk_text(raw)
                        fk_codes[slot].add(value)
                    elif column.choices:
                        label = cell_text(raw)
                        if label not in column.choices:
                            raise ValueError(_("不是可选值（可选：%(c)s）") % {"c": "、".join(column.choices)})
                        value = column.choices[label]
                    else:
                        value = column.parse(raw)  # type: ignore[misc]
                except ValidationError as exc:
                    self._error(result, number, column, raw, "；".join(str(m) for m in exc.messages))
                    ok = False
                    value = None
                except ValueError as exc:
                    self._error(result, number, column, raw, str(exc))
                    ok = False
                    value = None
                values.append(value)
            if hooked and ok:
                by_field = {c.field: values[i] for i, (_, c) in enumerate(plan)}
                for header, reason in self.clean_row(by_field):
                    self._error(result, number, header, by_field.get(header, ""), reason)
            key = tuple(values[i] for i in key_slots)
            if None not in key and "" not in key:
                first = seen.get(key)
                if first is not None:
                    column = plan[key_slots[0]][1]
                    self._error(result, number, column, key[0] if len(key) == 1 else key,
                                _("与第 %(row)d 行重复") % {"row": first})
                else:
                    seen[key] = number
            rows.append(ParsedRow(number, values, None, None))
            if progress and len(rows) % 10_000 == 0:
                progress(min(40, 5 + len(rows) // 10_000))
        result.rows = len(rows)
        if not rows:
            raise ImportRefused(_("文件中没有数据行。"))
        seen.clear()
        self._resolve_foreign_keys(rows, fk_codes, result)
        self._match_existing(rows, key_slots, result)
        self._require_jurisdiction(rows, result)
        self._check_rules(rows, result)
        if progress:
            progress(50)
        return rows

    def _check_rules(self, rows: list[ParsedRow], result: ImportResult) -> None:
        """The model's rules (core/rules/) on every row that would be written — the same check as
        the form's ``clean()``: new rows as built for the insert, changed rows as they would be saved.

        Cheap per row: the parameters are read once, related rows once per column, existing rows
        once per batch; the rules themselves are plain Python on the instance.
        """
        from chanjiao.core import rules

        if not rules.rules_for(self.model, rules.SAVE):
            return
        # Every error of the file is reported, but a row with a bad cell is not judged further.
        failed = {e.row for e in result.errors}
        resolver = rules.ParamResolver()
        attnames = [c.attname for _, c in self._plan]
        by_field = {c.field: c for _, c in self._plan}
        related = {}
        links = {c.attname for _, c in self._plan if c.many}  # not on an unsaved instance: checked by clean_row
        for slot, (_index, column) in enumerate(self._plan):
            if column.fk and not column.many:
                pks = {r.values[slot] for r in rows if r.values[slot] is not None}
                related[column.attname] = (column.field, column.model_field.related_model._base_manager.in_bulk(pks))
        for start in range(0, len(rows), LOOKUP_BATCH):
            batch = [r for r in rows[start:start + LOOKUP_BATCH]
                     if r.number not in failed and (r.pk is None or r.changed)]
            existing = self.model._base_manager.in_bulk([r.pk for r in batch if r.pk is not None])
            for row in batch:
                values = {a: v for a, v in zip(attnames, row.values, strict=True) if a not in links}
                if row.pk is None:
                    values.update(self.new_values(values))
                    obj = self._instance(values)
                else:
                    obj = existing[row.pk]
                    for name in row.changed or ():
                        if name not in links:
                            setattr(obj, name, values[name])
                for attname, (name, objects) in related.items():
                    target = objects.get(getattr(obj, attname))
                    if target is not None:
                        obj._state.fields_cache[name] = target
                for finding in rules.check(obj, rules.SAVE, resolver=resolver):
                    if finding.blocking:
                        column = by_field.get(finding.field or "") or self._plan[0][1]
                        self._error(result, row.number, column, getattr(obj, column.attname, ""), finding.message)

    def _find_header(self, rows: Iterator[tuple[int, list[Any]]]
                     ) -> tuple[tuple[int, list[Any]], Iterator[tuple[int, list[Any]]]]:
        """The header row, found by its labels among the first HEADER_SEARCH_ROWS rows (a title,
        a merged title or blank rows may come first), and the rows after it.

        The first row holding every required column's label wins; else the row holding the most
        labels (the missing ones are reported on it); else row 1 of the sheet.
        """
        wanted = {normalise_header(c.header) for c in self.columns}
        needed = {normalise_header(c.header) for c in self.columns if c.required or c.field in self.key}
        seen: list[tuple[int, list[Any]]] = []
        best, best_score = -1, 0
        for row in rows:
            seen.append(row)
            labels = {normalise_header(h) for h in row[1] if isinstance(h, str)}
            if needed <= labels:
                return row, rows
            score = len(labels & wanted)
            if score > best_score:
                best, best_score = len(seen) - 1, score
            if len(seen) >= HEADER_SEARCH_ROWS:
                break
        if not seen:
            raise ImportRefused(_("文件中没有数据。"))
        if best < 0:
            best = next((i for i, (_n, cells) in enumerate(seen) if not all(blank(c) for c in cells)), 0)
        return seen[best], itertools.chain(seen[best + 1:], rows)

    def owner_targets(self, column: Column) -> models.QuerySet[Any]:
        """Rows an owner column may point to for this uploader (default: those they may edit)."""
        targets: models.QuerySet[Any] = column.model_field.related_model._default_manager.editable_by(self.user)
        return targets

    def _resolve_foreign_keys(self, rows: list[ParsedRow], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        """One query per FK column (batched by LOOKUP_BATCH), then a dict lookup per row."""
        for slot, codes in fk_codes.items():
            column = self._plan[slot][1]
            assert column.fk  # fk_codes holds the foreign key columns only
            related = column.model_field.related_model
            manager = related._default_manager
            queryset = manager.visible_to(self.user) if hasattr(manager, "visible_to") else manager.all()
            # The field's own restriction (an enterprise column takes enterprises only), as the form's choices.
            limit = column.model_field.get_limit_choices_to()
            if limit:
                queryset = queryset.complex_filter(limit)
            refused: dict[str, str] = {}
            if column.is_code_column:  # catalog codes: level, prefix letter, numbers (codes.py)
                found, refused = resolve_codes(column, queryset, codes)
            else:
                found = lookup(queryset, column.fk, codes, "pk")
            editable = found
            if column.field in self.owner_fields:
                targets = self.owner_targets(column)
                editable = lookup(targets.complex_filter(limit) if limit else targets, column.fk, codes, "pk")
            outside = self._outside_jurisdiction(column, found)
            for row in rows:
                code = row.values[slot]
                if column.many:
                    row.values[slot] = self._resolve_items(result, row.number, column, code, editable, found,
                                                           refused, outside)
                    continue
                if code is None or code == "":
                    continue
                pk = editable.get(code)
                if pk is not None and pk in outside:
                    self._error(result, row.number, column, code, jurisdiction_message(self._jurisdictions))
                elif pk is None:
                    reason = (refused.get(code) or (_("您无权为该单位导入数据") if code in found
                              else _("代码不存在（%(model)s）") % {"model": related._meta.verbose_name}))
                    self._error(result, row.number, column, code, reason)
                row.values[slot] = pk

    def _resolve_items(self, result: ImportResult, number: int, column: Column, codes: Any,
                       editable: dict[str, Any], found: dict[str, Any], refused: dict[str, str],
                       outside: set[Any]) -> frozenset[Any]:
        """A many-to-many cell's codes → the set of pks; each code that resolves to nothing is an error."""
        pks = set()
        related = column.model_field.related_model
        for code in codes or ():
            pk = editable.get(code)
            if pk is not None and pk in outside:
                self._error(result, number, column, code, jurisdiction_message(self._jurisdictions))
            elif pk is None:
                reason = (refused.get(code) or (_("您无权为该单位导入数据") if code in found
                          else _("代码不存在（%(model)s）") % {"model": related._meta.verbose_name}))
                self._error(result, number, column, code, reason)
            else:
                pks.add(pk)
        return frozenset(pks)

    @property
    def _jurisdictions(self) -> frozenset[str]:
        return write_jurisdictions(self.user) or frozenset()

    def _outside_jurisdiction(self, column: Column, found: dict[str, Any]) -> set[Any]:
        """The regions in ``found`` a bounded bureau may not file rows under (ScopedModelForm's rule)."""
        if column.field != getattr(self.model, "jurisdiction_field", None) or write_jurisdictions(self.user) is None:
            return set()
        related = column.model_field.related_model
        inside = set(related._base_manager.filter(region_q("code", self._jurisdictions), pk__in=found.values())
                     .values_list("pk", flat=True))
        return set(found.values()) - inside

    def _require_jurisdiction(self, rows: list[ParsedRow], result: ImportResult) -> None:
        """A bounded bureau's new rows name a region of its own (an edit keeps the row's region)."""
        name = getattr(self.model, "jurisdiction_field", None)
        if not name or write_jurisdictions(self.user) is None:
            return
        slot = next((i for i, (_, c) in enumerate(self._plan) if c.field == name), None)
        header = next((c.header for c in self.columns if c.field == name), name)
        for row in rows:
            if row.pk is None and (slot is None or row.values[slot] in (None, "")):
                self._error(result, row.number, header, "", jurisdiction_message(self._jurisdictions))

    def _match_existing(self, rows: list[ParsedRow], key_slots: list[int], result: ImportResult) -> None:
        """Existing rows by natural key (batched), their current values, and the uploader's scope."""
        from chanjiao.core.scoping import can_create

        plan = self._plan
        attnames = [c.attname for _, c in plan]
        key_fields = [plan[i][1].attname for i in key_slots]
        # Many-to-many columns are read from their through tables; the record keeps the plan's order.
        concrete = [a for a, (_i, c) in zip(attnames, plan, strict=True) if not c.many]
        many = [(slot, c) for slot, (_i, c) in enumerate(plan) if c.many]
        manager: Any = self.model._default_manager  # scoped: every importable model has editable_by
        may_create = can_create(self.model, self.user)
        key_column = plan[key_slots[0]][1]
        optional = {n for n, slot in enumerate(key_slots) if plan[slot][1].field in self.blank_key_fields}
        changed_before: list[tuple[ParsedRow, tuple[Any, ...]]] = []  # (row, its database values) for the preview
        for start in range(0, len(rows), LOOKUP_BATCH):
            batch = rows[start:start + LOOKUP_BATCH]
            keyed = {tuple(r.values[i] for i in key_slots): r for r in batch}
            # A blank part of the key matches only where the importer says it may be blank.
            keyed = {k: r for k, r in keyed.items()
                     if all(v not in (None, "") or n in optional for n, v in enumerate(k))}
            if not keyed:
                continue
            # One query per batch on the whole table (the key is unique there); the default
            # manager (proxy kinds) and the uploader's scope are asked only about rows found.
            current: dict[tuple[Any, ...], tuple[Any, ...]] = {}
            records = list(self.model._base_manager.filter(_key_q(key_fields, keyed, optional))
                           .values_list("pk", *concrete))
            links = {slot: linked_ids(c.model_field, [r[0] for r in records]) for slot, c in many}
            for flat in records:
                full = flat
                if links:  # put each row's link sets into their columns' places
                    values = iter(flat[1:])
                    full = (flat[0], *(links[slot][flat[0]] if slot in links else next(values)
                                       for slot in range(len(plan))))
                current[tuple(full[1 + i] for i in key_slots)] = full
            found = [r[0] for r in current.values()]
            editable = set(manager.editable_by(self.user).filter(pk__in=found)
                           .values_list("pk", flat=True)) if found else set()
            outside = [pk for pk in found if pk not in editable]
            # Which refused rows are of this kind at all (a school's code taken by an enterprise)
            # decides the message only; nothing of them is shown.
            with unscoped("the kind of rows already refused, for the message"):
                own_kind = set(manager.filter(pk__in=outside).values_list("pk", flat=True)) if outside else set()
            for key, row in keyed.items():
                record = current.get(key)
                if record is None:
                    if not may_create:
                        self._error(result, row.number, key_column, key[0], _("您无权新建此类记录"))
                    continue
                pk = record[0]
                if pk not in editable:
                    self._error(result, row.number, key_column, key[0],
                                _("该记录不在您的管理范围内，无权修改") if pk in own_kind
                                else _("该代码已被其他类型的记录使用"))
                    continue
                row.pk = pk
                row.changed = tuple(name for i, name in enumerate(attnames)
                                    if not same(row.values[i], record[1 + i]))
                if row.changed and len(changed_before) < PREVIEW_ROWS:
                    changed_before.append((row, record[1:]))
        result.created = sum(1 for r in rows if r.pk is None)
        result.updated = sum(1 for r in rows if r.changed)
        result.unchanged = sum(1 for r in rows if r.pk is not None and not r.changed)
        if not result.error_count:
            new = [r for r in rows if r.pk is None][:PREVIEW_ROWS]
            changed_before.sort(key=lambda pair: pair[0].number)
            result.preview = build_preview(self, new, changed_before)

    # -- values as the spreadsheet holds them (export for re-import, preview) ---------------------
    def fk_code(self, column: Column, obj: models.Model) -> str:
        """The code a foreign key cell holds for ``obj`` (the column's natural key field)."""
        code: str = getattr(obj, column.fk or "pk")
        return code

    def _fk_codes(self, column: Column, pks: set[Any]) -> dict[Any, str]:
        related = column.model_field.related_model
        return {obj.pk: self.fk_code(column, obj) for obj in related._base_manager.filter(pk__in=pks)} if pks else {}

    def _cell(self, column: Column, value: Any) -> Any:
        """A field value (by attname, not a foreign key) as the cell this column's parser accepts."""
        if value is None or value == "":
            return None
        if column.choices:
            labels = getattr(column, "_labels", None)
            if labels is None:
                labels = column._labels = {v: label for label, v in column.choices.items()}  # type: ignore[attr-defined]
            return labels.get(value, str(value))
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) \
                else value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, int):
            return value
        return str(value)  # text, Decimal (exactly as stored: "2.5", not a float)

    def export_rows(self, queryset: models.QuerySet[Any]) -> Iterable[list[Any]]:
        """The header, then one row per object: exactly this importer's columns and cell values."""
        yield [c.header for c in self.columns]
        fks = [c.field for c in self.columns if c.fk and not c.many]
        # A row's own links, like its foreign keys, are read through the base manager (the row was scoped).
        many = [models.Prefetch(c.field, queryset=c.model_field.related_model._base_manager.all())
                for c in self.columns if c.many]
        for obj in queryset.select_related(*fks).prefetch_related(*many).iterator(chunk_size=2_000):
            row = []
            for column in self.columns:
                if column.many:
                    codes = sorted(self.fk_code(column, t) or "" for t in getattr(obj, column.field).all())
                    row.append("、".join(c for c in codes if c) or None)
                elif column.fk:
                    target = getattr(obj, column.field)
                    row.append(None if target is None else (self.fk_code(column, target) or None))
                else:
                    row.append(self._cell(column, getattr(obj, column.attname)))
            yield row

    def _instance(self, values: dict[str, Any]) -> models.Model:
        """A new, unsaved instance without ``Model.__init__`` (a third of the cost of a bulk create).

        Every concrete field gets its default first, then the row's values, as ``__init__`` would do.
        """
        defaults = self._defaults
        if defaults is None:
            defaults = self._defaults = ({}, [])
            for f in self.model._meta.concrete_fields:
                if f.primary_key:
                    defaults[0][f.attname] = None
                elif callable(f.default):
                    defaults[1].append(f)
                else:
                    defaults[0][f.attname] = f.get_default()
        obj = self.model.__new__(self.model)
        data = obj.__dict__
        data.update(defaults[0])
        for f in defaults[1]:
            data[f.attname] = f.get_default()
        data.update(values)
        obj._state = models.base.ModelState()
        for attname, (name, objects) in self._related_cache.items():
            target = objects.get(values.get(attname))
            if target is not None:
                obj._state.fields_cache[name] = target
        return obj


def _key_q(key_fields: list[str], keyed: dict[tuple[Any, ...], Any], optional: set[int]) -> Q:
    """Rows whose key parts are among the batch's values (blank parts: NULL or "", where allowed)."""
    q = Q()
    for n, name in enumerate(key_fields):
        values = {k[n] for k in keyed}
        part = Q(**{f"{name}__in": values - {None, ""}})
        if n in optional and None in values:
            part |= Q(**{f"{name}__isnull": True})
        if n in optional and "" in values:
            part |= Q(**{name: ""})
        q &= part
    return q
