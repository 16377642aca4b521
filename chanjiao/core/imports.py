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

import codecs
import contextlib
import csv
import datetime as dt
import decimal
import gc
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chanjiao.core import audit

# Zip-bomb guards: an .xlsx is a zip; its XML compresses 5–20×, rarely beyond 100×.
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 10_000
LOOKUP_BATCH = 5_000  # keys per IN (...) query; well under SQLite's variable limit
SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "不是"}
_HEADER_NOISE = re.compile(r"[\s*＊]|（必填）|\(必填\)")


class ImportRefused(Exception):
    """The whole file is refused (too big, zip bomb, unreadable, wrong type) — nothing parsed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

    @property
    def ok(self) -> bool:
        return not self.refused and not self.error_count

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.error_count}


# --- cell parsers ----------------------------------------------------------------------------
# A parser takes a non-empty cell (str, int, float, date …) and returns the model value or raises
# ValueError / ValidationError with a Chinese reason.

def cell_text(value: Any) -> str:
    """A cell as the text the user sees: 4142010001.0 → "4142010001", dates ISO, trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\u200b", "").replace("\ufeff", "").strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_text(max_length: int | None = None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = cell_text(value)
        if max_length and len(text) > max_length:
            raise ValueError(_("长度超过 %(n)d 个字符") % {"n": max_length})
        return text
    return parse


def parse_int(min_value: int | None = None, max_value: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError(_("应为整数"))
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text = cell_text(value).replace(",", "")
            if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
                raise ValueError(_("应为整数"))
            number = int(float(text)) if "." in text else int(text)
        if min_value is not None and number < min_value:
            raise ValueError(_("不能小于 %(n)d") % {"n": min_value})
        if max_value is not None and number > max_value:
            raise ValueError(_("不能大于 %(n)d") % {"n": max_value})
        return number
    return parse


def parse_decimal(value: Any) -> decimal.Decimal:
    try:
        return decimal.Decimal(cell_text(value).replace(",", ""))
    except decimal.InvalidOperation:
        raise ValueError(_("应为数字")) from None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if len(text) == 10 and text[4] == "-":
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(text)  # the common case, in C
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("日期格式应为 YYYY-MM-DD"))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("应填“是”或“否”"))


def parse_digits(length: int) -> Callable[[Any], str]:
    """A code of exactly ``length`` digits (学校标识码); numbers typed into Excel are accepted."""
    def parse(value: Any) -> str:
        text = cell_text(value)
        if not (len(text) == length and text.isdigit() and text.isascii()):
            raise ValueError(_("应为 %(n)d 位数字") % {"n": length})
        return text
    return parse


# --- columns -----------------------------------------------------------------------------------

@dataclass
class Column:
    """One spreadsheet column: Chinese header → model field.

    ``parse`` defaults from the model field (text with max length, integer ≥ 0 for positive
    fields, date, 是/否 for booleans); ``choices`` default to the field's choices by Chinese label;
    ``fk`` names the natural-key field of the related model (``"code"`` for catalogs).
    """

    header: str
    field: str
    required: bool = False
    parse: Callable[[Any], Any] | None = None
    choices: Mapping[str, Any] | None = None
    fk: str | None = None
    help: str = ""
    example: str = ""
    # Resolved by Importer.bind():
    model_field: Any = None
    attname: str = ""
    empty: Any = None

    def bind(self, model: type[models.Model]) -> None:
        f = model._meta.get_field(self.field)
        self.model_field = f
        self.attname = f.attname
        if self.fk is None and f.is_relation:
            raise TypeError(f"{model.__name__}.{self.field}: a foreign key column needs fk=<natural key field>")
        if self.choices is None and getattr(f, "choices", None) and not f.is_relation:
            self.choices = {str(label): value for value, label in f.flatchoices if value not in ("", None)}
        if self.parse is None and self.fk is None and not self.choices:
            self.parse = _default_parser(f)
        if f.null:
            self.empty = None
        elif f.has_default():
            self.empty = f.get_default()
        elif isinstance(f, models.CharField | models.TextField):
            self.empty = ""
        else:
            self.empty = None
            self.required = True  # NOT NULL without default: the cell must be filled

    @property
    def choice_labels(self) -> list[str]:
        return list(self.choices or ())


def _default_parser(f: models.Field) -> Callable[[Any], Any]:
    if isinstance(f, models.BooleanField):
        return parse_bool
    if isinstance(f, models.PositiveIntegerField | models.PositiveSmallIntegerField | models.PositiveBigIntegerField):
        return parse_int(min_value=0)
    if isinstance(f, models.IntegerField):
        return parse_int()
    if isinstance(f, models.DecimalField | models.FloatField):
        return parse_decimal
    if isinstance(f, models.DateTimeField):
        raise TypeError(f"{f.name}: give datetime columns an explicit parser")
    if isinstance(f, models.DateField):
        return parse_date
    text = parse_text(getattr(f, "max_length", None))
    plain = {"MaxLengthValidator", "ProhibitNullCharactersValidator"}
    extra = [v for v in f.validators if type(v).__name__ not in plain]
    if not extra:
        return text

    def validated(value: Any) -> str:
        result = text(value)
        for validator in extra:
            validator(result)  # URL / e-mail validators raise ValidationError
        return result
    return validated


# --- file checks and readers -------------------------------------------------------------------

def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def inspect_file(path: Path, file_name: str) -> str:
    """Refuse what we must not parse; return the file's SHA-256 (computed in one streaming pass)."""
    size = path.stat().st_size
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(_("文件过大（%(size)s MB），单个文件上限为 %(limit)s MB，请拆分后分批导入。")
                            % {"size": _mb(size), "limit": _mb(limit)})
    if size == 0:
        raise ImportRefused(_("文件为空。"))
    suffix = Path(file_name).suffix.lower()
    if suffix not in SPREADSHEET_EXTENSIONS | {".csv"}:
        raise ImportRefused(_("仅支持 .xlsx、.xls、.csv 文件，请使用下载的导入模板。"))
    if suffix in {".xlsx", ".xlsm", ".ods"}:
        _check_zip(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_zip(path: Path) -> None:
    """Look at the zip directory (cheap) before any decompression: total size and ratio."""
    refused = ImportRefused(_("文件结构异常（解压后体积过大），已拒绝。请用 Excel/WPS 另存为 .xlsx 后重新上传。"))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportRefused(_("无法读取该文件，请确认是 Excel 保存的 .xlsx 文件。")) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise refused
    total = sum(e.file_size for e in entries)
    max_total = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", settings.IMPORT_MAX_BYTES * 20)
    if total > max_total:
        raise refused
    for entry in entries:
        # Small parts may compress extremely well (empty styles); judge the ratio on big parts only.
        if entry.file_size > 1 << 20 and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise refused


def read_rows(path: Path, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (Excel row number, cells) for every row of the first sheet, header row first."""
    if Path(file_name).suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_workbook(path)


def _read_workbook(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [m for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")
                  and str(m.visible).endswith("Visible")]
        sheet = book.get_sheet_by_name(sheets[0].name) if sheets else book.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError, IndexError) as exc:
        raise ImportRefused(_("无法读取该文件：%(error)s") % {"error": audit.clean_text(str(exc), 200)}) from None
    if sheet.height - 1 > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(_("数据行数（%(rows)d）超过上限 %(limit)d 行，请拆分后分批导入。")
                            % {"rows": sheet.height - 1, "limit": settings.IMPORT_MAX_ROWS})
    first = sheet.start[0] + 1 if sheet.start else 1
    try:
        for offset, row in enumerate(sheet.iter_rows()):
            yield first + offset, row
    except CalamineError as exc:
        raise ImportRefused(_("无法读取该文件：%(error)s") % {"error": audit.clean_text(str(exc), 200)}) from None


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030 — what Excel and WPS write for Chinese CSV."""
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"  # superset of GBK and GB2312


def _read_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    encoding = _detect_encoding(path)
    with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
        sample = fh.readline()
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        fh.seek(0)
        limit = settings.IMPORT_MAX_ROWS
        try:
            for number, row in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
                if number - 1 > limit:
                    raise ImportRefused(_("数据行数超过上限 %(limit)d 行，请拆分后分批导入。") % {"limit": limit})
                yield number, row
        except (UnicodeDecodeError, csv.Error):
            raise ImportRefused(_("无法读取 CSV 文件，请保存为 UTF-8 或 GBK 编码。")) from None


def normalise_header(text: Any) -> str:
    return _HEADER_NOISE.sub("", cell_text(text))


# --- the importer ------------------------------------------------------------------------------

@dataclass(slots=True)
class _Row:
    number: int
    values: list[Any]  # aligned with Importer._plan; FK cells hold the code, then the pk
    pk: int | None
    changed: tuple[str, ...] | None  # attnames that differ from the database (existing rows)


class Importer:
    """Declare once per model; ``Importer(user).validate(path, name)`` / ``.commit(path, name)``."""

    model: ClassVar[type[models.Model]]
    key: ClassVar[tuple[str, ...]]  # natural key: model field names, each also a column
    columns: ClassVar[list[Column]]
    # Foreign keys that decide whose record a row is (e.g. "school"): their targets must be
    # editable by the uploader, not merely visible.
    owner_fields: ClassVar[tuple[str, ...]] = ()
    batch_size: ClassVar[int] = 2_000
    sheet_title: ClassVar[str] = ""
    instructions: ClassVar[list[str]] = []

    def __init__(self, user: Any) -> None:
        self.user = user
        cls = type(self)
        if getattr(cls, "_bound", None) is not cls:
            for column in cls.columns:
                column.bind(cls.model)
            missing = set(cls.key) - {c.field for c in cls.columns}
            if missing:
                raise TypeError(f"{cls.__name__}: key fields {missing} are not columns")
            cls._bound = cls

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
                with transaction.atomic():
                    rows = self._validate(path, file_name, result, progress)
                    if result.ok:
                        self._write(rows, result, progress)
                        result.committed = True
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
                  progress: Callable[[int], None] | None) -> list[_Row]:
        rows_iter = read_rows(path, file_name)
        header_row = next(rows_iter, None)
        if header_row is None:
            raise ImportRefused(_("文件中没有数据。"))
        positions = {normalise_header(h): i for i, h in enumerate(header_row[1]) if cell_text(h)}
        plan: list[tuple[int, Column]] = []
        for column in self.columns:
            index = positions.get(normalise_header(column.header))
            if index is not None:
                plan.append((index, column))
            elif column.required or column.field in self.key:
                self._error(result, header_row[0], column, "", _("缺少必填列“%(h)s”") % {"h": column.header})
        if result.error_count:
            return []
        self._plan = plan
        key_slots = [i for i, (_, c) in enumerate(plan) if c.field in self.key]
        fk_codes: dict[int, set[str]] = {i: set() for i, (_, c) in enumerate(plan) if c.fk}
        seen: dict[tuple, int] = {}
        rows: list[_Row] = []
        width = max(index for index, _ in plan) + 1
        hooked = type(self).clean_row is not Importer.clean_row
        for number, cells in rows_iter:
            if len(cells) < width:
                cells = list(cells) + [None] * (width - len(cells))
            if all(c is None or c == "" for c in cells):
                continue  # blank lines in the middle of a sheet are common
            values: list[Any] = []
            ok = True
            for slot, (index, column) in enumerate(plan):
                raw = cells[index]
                if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                    if column.required:
                        self._error(result, number, column, "", _("必填项不能为空"))
                        ok = False
                    values.append(column.empty)
                    continue
                try:
                    if column.fk:
                        value = cell_text(raw)
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
            rows.append(_Row(number, values, None, None))
            if progress and len(rows) % 10_000 == 0:
                progress(min(40, 5 + len(rows) // 10_000))
        result.rows = len(rows)
        if not rows:
            raise ImportRefused(_("文件中没有数据行。"))
        seen.clear()
        self._resolve_foreign_keys(rows, fk_codes, result)
        self._match_existing(rows, key_slots, result)
        if progress:
            progress(50)
        return rows

    def _resolve_foreign_keys(self, rows: list[_Row], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        """One query per FK column (batched by LOOKUP_BATCH), then a dict lookup per row."""
        for slot, codes in fk_codes.items():
            column = self._plan[slot][1]
            related = column.model_field.related_model
            manager = related._default_manager
            queryset = manager.visible_to(self.user) if hasattr(manager, "visible_to") else manager.all()
            found = _lookup(queryset, column.fk, codes, "pk")
            editable = found
            if column.field in self.owner_fields:
                editable = _lookup(related._default_manager.editable_by(self.user), column.fk, codes, "pk")
            for row in rows:
                code = row.values[slot]
                if code is None or code == "":
                    continue
                pk = editable.get(code)
                if pk is None:
                    reason = (_("您无权为该单位导入数据") if code in found
                              else _("代码不存在（%(model)s）") % {"model": related._meta.verbose_name})
                    self._error(result, row.number, column, code, reason)
                row.values[slot] = pk

    def _match_existing(self, rows: list[_Row], key_slots: list[int], result: ImportResult) -> None:
        """Existing rows by natural key (batched), their current values, and the uploader's scope."""
        from chanjiao.core.views import can_create

        plan = self._plan
        attnames = [c.attname for _, c in plan]
        key_fields = [plan[i][1].attname for i in key_slots]
        manager = self.model._default_manager
        may_create = can_create(self.model, self.user)
        key_column = plan[key_slots[0]][1]
        for start in range(0, len(rows), LOOKUP_BATCH):
            batch = rows[start:start + LOOKUP_BATCH]
            keyed = {tuple(r.values[i] for i in key_slots): r for r in batch}
            keyed = {k: r for k, r in keyed.items() if None not in k and "" not in k}
            if not keyed:
                continue
            # One query per batch on the whole table (the key is unique there); the default
            # manager (proxy kinds) and the uploader's scope are asked only about rows found.
            filters = {f"{name}__in": {k[n] for k in keyed} for n, name in enumerate(key_fields)}
            current = {}
            for record in self.model._base_manager.filter(**filters).values_list("pk", *attnames):
                current[tuple(record[1 + i] for i in key_slots)] = record
            found = [r[0] for r in current.values()]
            editable = set(manager.editable_by(self.user).filter(pk__in=found)
                           .values_list("pk", flat=True)) if found else set()
            outside = [pk for pk in found if pk not in editable]
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
                                    if not _same(row.values[i], record[1 + i]))
        result.created = sum(1 for r in rows if r.pk is None)
        result.updated = sum(1 for r in rows if r.changed)
        result.unchanged = sum(1 for r in rows if r.pk is not None and not r.changed)

    def _write(self, rows: list[_Row], result: ImportResult, progress: Callable[[int], None] | None) -> None:
        attnames = [c.attname for _, c in self._plan]
        manager = self.model._default_manager
        new = [r for r in rows if r.pk is None]
        changed = [r for r in rows if r.changed]
        done, total = 0, max(1, len(new) + len(changed))
        for start in range(0, len(new), self.batch_size):
            objs = []
            for row in new[start:start + self.batch_size]:
                values = dict(zip(attnames, row.values, strict=True))
                values.update(self.new_values(values))
                values.update(self.derived(values))
                objs.append(self._instance(values))
            bulk_insert(self.model, objs)
            record_bulk_events("create", objs)
            done += len(objs)
            if progress:
                progress(50 + 50 * done // total)
        now = timezone.now()
        has_updated_at = any(f.attname == "updated_at" for f in self.model._meta.concrete_fields)
        for start in range(0, len(changed), 500):  # bulk_update builds CASE … WHEN per row: keep batches small
            batch = changed[start:start + 500]
            objs_by_pk = manager.in_bulk([r.pk for r in batch])
            befores, objs, fields = {}, [], set()
            for row in batch:
                obj = objs_by_pk[row.pk]
                befores[obj.pk] = audit.snapshot(obj)
                for name in row.changed or ():
                    setattr(obj, name, row.values[attnames.index(name)])
                fields.update(row.changed or ())
                for name, value in self.derived(vars(obj)).items():
                    setattr(obj, name, value)
                    fields.add(name)
                if has_updated_at:
                    obj.updated_at = now
                objs.append(obj)
            if has_updated_at:
                fields.add("updated_at")
            manager.bulk_update(objs, [self.model._meta.get_field(_field_name(self.model, a)).name for a in fields])
            record_bulk_events("update", objs, befores)
            done += len(objs)
            if progress:
                progress(50 + 50 * done // total)


    def _instance(self, values: dict[str, Any]) -> models.Model:
        """A new, unsaved instance without ``Model.__init__`` (a third of the cost of a bulk create).

        Every concrete field gets its default first, then the row's values, as ``__init__`` would do.
        """
        defaults = getattr(self, "_defaults", None)
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
        return obj


def _field_name(model: type[models.Model], attname: str) -> str:
    for f in model._meta.concrete_fields:
        if f.attname == attname:
            return f.name
    return attname


def _same(new: Any, old: Any) -> bool:
    if new == old:
        return True
    # An empty cell and a NULL / "" column are the same "nothing".
    return new in (None, "") and old in (None, "")


def _lookup(queryset: models.QuerySet, field_name: str, codes: Iterable[str], value_field: str) -> dict[str, Any]:
    codes = list(codes)
    found: dict[str, Any] = {}
    for start in range(0, len(codes), LOOKUP_BATCH):
        chunk = codes[start:start + LOOKUP_BATCH]
        found.update(queryset.filter(**{f"{field_name}__in": chunk}).values_list(field_name, value_field))
    return found


# --- fast writes -------------------------------------------------------------------------------

_PLAIN_TYPES = {"AutoField", "BigAutoField", "CharField", "TextField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField", "SmallIntegerField",
                "BooleanField", "DateField", "DateTimeField", "ForeignKey", "GenericIPAddressField", "SlugField",
                "URLField", "EmailField"}


def bulk_insert(model: type[models.Model], objs: list[models.Model]) -> None:
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
    meta = model._meta.concrete_model._meta
    fields = list(meta.concrete_fields)
    pk = meta.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [meta.db_table, pk.column, len(objs)])
        for obj, (pk_value,) in zip(objs, cursor.fetchall(), strict=True):
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
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
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


def record_bulk_events(action: str, objs: list[models.Model], befores: dict[Any, dict] | None = None) -> None:
    """``audit.record_bulk`` with the same events, written through ``bulk_insert`` (COPY on PostgreSQL)."""
    from django.db import connection

    from chanjiao.core.models import AuditEvent

    if connection.vendor != "postgresql":
        audit.record_bulk(action, objs, befores)
        return
    if not objs:
        return
    # One event built the canonical way, then copied per row with only the object fields changed:
    # audit._event costs more than the row insert itself.
    template = audit._event(action, category="data", obj=objs[0], ctx=audit.current_context())
    base = {k: v for k, v in template.__dict__.items() if k != "_state"}
    snap = _snapshotter(type(objs[0]))
    events = []
    for obj in objs:
        before = (befores or {}).get(obj.pk)
        event = AuditEvent.__new__(AuditEvent)
        event.__dict__.update(base)
        event._state = models.base.ModelState()
        text = str(obj)
        event.object_id = str(obj.pk)
        event.object_repr = text[:200] if text.isprintable() else audit.clean_text(text, 200)
        event.changes = audit.diff(before, snap(obj))
        events.append(event)
    bulk_insert(AuditEvent, events)


def _snapshotter(model: type[models.Model]) -> Callable[[models.Model], dict[str, Any]]:
    """``audit.snapshot`` for many rows of one model: the field plan is worked out once."""
    exclude = set(getattr(model, "audit_exclude", ()))
    masked = set(getattr(model, "audit_masked", ()))
    plan = [(f.attname, f.name in masked) for f in model._meta.concrete_fields if f.name not in exclude]
    scalar = (str, int, float, bool, type(None))

    def snap(obj: models.Model) -> dict[str, Any]:
        data = obj.__dict__
        result = {}
        for attname, mask in plan:
            value = data[attname]
            if mask and value:
                value = audit.mask(str(value))
            result[attname] = value if type(value) in scalar else audit._jsonable(value)
        return result
    return snap


# --- template ----------------------------------------------------------------------------------

def template_bytes(importer: type[Importer]) -> bytes:
    """The .xlsx users fill in: Chinese headers, drop-downs for choices, a 说明 sheet."""
    import xlsxwriter

    from chanjiao.core.exports import safe_cell

    importer(None)  # bind columns
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    title = (importer.sheet_title or str(importer.model._meta.verbose_name))[:31]
    sheet = book.add_worksheet(title)
    required_fmt = book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1, "font_color": "#B42318"})
    optional_fmt = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text_fmt = book.add_format({"num_format": "@"})  # codes stay text: no 4.14201E+09, no lost zeros
    for col, column in enumerate(importer.columns):
        sheet.write_string(0, col, column.header, required_fmt if column.required else optional_fmt)
        sheet.set_column(col, col, max(12, len(column.header) * 2 + 2),
                         text_fmt if column.fk or column.field in importer.key else None)
        if column.example:
            sheet.write_string(1, col, str(safe_cell(column.example)))
        labels = column.choice_labels or (["是", "否"] if isinstance(column.model_field, models.BooleanField) else [])
        if labels:
            sheet.data_validation(1, col, 1_048_575, col, {
                "validate": "list", "source": labels,
                "error_title": str(_("无效的值")), "error_message": str(_("请从下拉列表中选择。")),
            })
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(str(_("说明")))
    bold = book.add_format({"bold": True})
    notes.set_column(0, 0, 22)
    notes.set_column(1, 3, 40)
    notes.write_row(0, 0, [str(_("列名")), str(_("是否必填")), str(_("填写说明")), str(_("可选值"))], bold)
    for row, column in enumerate(importer.columns, start=1):
        labels = column.choice_labels or (["是", "否"] if isinstance(column.model_field, models.BooleanField) else [])
        notes.write_string(row, 0, column.header)
        notes.write_string(row, 1, str(_("必填")) if column.required else str(_("选填")))
        notes.write_string(row, 2, str(column.help or column.model_field.verbose_name))
        notes.write_string(row, 3, "、".join(labels))
    extra = [
        _("第一行为列名，请勿修改；从第二行起每行一条记录（示例行请删除或覆盖）。"),
        _("以“%(key)s”识别同一条记录：已存在的记录会被更新，不存在的会新增；重复导入同一文件不会产生重复数据。")
        % {"key": "、".join(c.header for c in importer.columns if c.field in importer.key)},
        _("文件中任何一行有错误时，整个文件都不会导入；请按错误清单修改后重新上传。"),
        _("单个文件最多 %(rows)d 行、%(mb)s MB。也可另存为 CSV（UTF-8 或 GBK 编码）上传。")
        % {"rows": settings.IMPORT_MAX_ROWS, "mb": _mb(settings.IMPORT_MAX_BYTES)},
        *importer.instructions,
    ]
    start = len(importer.columns) + 2
    for offset, line in enumerate(extra):
        notes.write_string(start + offset, 0, str(line))
    book.close()
    return buffer.getvalue()
