"""Loading the official code tables (``manage.py load_catalogs``).

Two phases, so that bad input writes nothing: every file is read and checked completely first
(row shape, code format per level, parent exists, duplicates, level consistent); only when no
error was found are all tables written in one transaction with bulk statements. Rows are matched
by their official code, so loading the same files again changes nothing and writes no audit events.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from chanjiao.catalog.models import Industry, Major, Occupation, Region
from chanjiao.core import audit, bulk
from chanjiao.core.text import pinyin_initials

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
AUDIT_SOURCE = "command:load_catalogs"
BATCH_SIZE = 1000

MAJORS_FILE = "vocational_majors_2021/vocational_majors_2021.csv"
INDUSTRIES_FILE = "industry_gbt4754_2017/gbt4754_2017.csv"
OCCUPATIONS_FILE = "occupations_2022/occupations_2022.csv"
PROVINCES_FILE = "admin_divisions/provinces.csv"
CITIES_FILE = "admin_divisions/cities.csv"
AREAS_FILE = "admin_divisions/areas.csv"
STREETS_FILE = "admin_divisions/streets_hubei.csv"  # optional: township level, Hubei only

EDITIONS: dict[type[models.Model], str] = {
    Major: "2021",
    Industry: "GB/T 4754-2017",
    Occupation: "2022",
    Region: "2023",
}

MAX_LISTED_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    """One problem in a source file: where it is and why, in Chinese."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"第 {self.line} 行" if self.line else "文件"
        return f"{self.file} {where}：{self.reason}"


class CatalogDataError(Exception):
    """The source files have errors; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        listed = "\n".join(str(e) for e in errors[:MAX_LISTED_ERRORS])
        more = f"\n……另有 {len(errors) - MAX_LISTED_ERRORS} 处错误未列出" if len(errors) > MAX_LISTED_ERRORS else ""
        super().__init__(f"标准代码文件共有 {len(errors)} 处错误，未写入任何数据：\n{listed}{more}")


@dataclass
class Entry:
    """One row to be stored: its code, depth in the tree, parent's code and the other field values."""

    code: str
    depth: int
    parent_code: str
    values: dict[str, Any]
    file: str
    line: int


@dataclass
class TableReport:
    label: str
    total: int = 0
    created: int = 0
    updated: int = 0
    not_in_source: int = 0
    per_level: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def line(self) -> str:
        levels = "、".join(f"{k} {v}" for k, v in self.per_level.items())
        text = (f"{self.label}：共 {self.total} 条（{levels}）；新增 {self.created}，更新 {self.updated}，"
                f"未变 {self.total - self.created - self.updated}")
        if self.note:
            text += f"；{self.note}"
        if self.not_in_source:
            text += f"；库中另有 {self.not_in_source} 条不在本次文件中（保留未删）"
        return text


@dataclass
class LoadReport:
    tables: list[TableReport] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(t.created + t.updated for t in self.tables)

    def lines(self) -> list[str]:
        return [t.line() for t in self.tables]


# --------------------------------------------------------------------------- reading and checking


def _read_rows(data_dir: Path, rel: str, columns: list[str], errors: list[RowError], *,
               optional: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (line number, {column: stripped value}); shape errors go to ``errors``."""
    path = data_dir / rel
    if not path.exists():
        if not optional:
            errors.append(RowError(rel, 0, "文件不存在"))
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        errors.append(RowError(rel, 0, "文件不是 UTF-8 编码"))
        return
    reader = csv.reader(text.splitlines(keepends=True))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != columns:
        errors.append(RowError(rel, 1, f"表头应为：{','.join(columns)}"))
        return
    last = reader.line_num
    for row in reader:
        line, last = last + 1, reader.line_num  # the line a (possibly multi-line) record starts on
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            errors.append(RowError(rel, line, f"列数应为 {len(columns)}，实际为 {len(row)}"))
            continue
        yield line, {c: v.strip() for c, v in zip(columns, row, strict=True)}


def _require_name(rel: str, line: int, name: str, errors: list[RowError]) -> bool:
    if not name:
        errors.append(RowError(rel, line, "名称为空"))
        return False
    if len(name) > 200:
        errors.append(RowError(rel, line, "名称超过 200 字"))
        return False
    return True


def _check_tree(entries: list[Entry], errors: list[RowError], *, check_parents: bool = True) -> None:
    """Duplicate codes, and every parent present one level up (codes are unique per table)."""
    first_seen: dict[str, Entry] = {}
    for e in entries:
        if e.code in first_seen:
            other = first_seen[e.code]
            errors.append(RowError(e.file, e.line, f"代码 {e.code} 重复（首次出现在 {other.file} 第 {other.line} 行）"))
        else:
            first_seen[e.code] = e
    if not check_parents:
        return
    for e in entries:
        if not e.parent_code:
            continue
        parent = first_seen.get(e.parent_code)
        if parent is None:
            errors.append(RowError(e.file, e.line, f"上级代码 {e.parent_code} 不存在"))
        elif parent.depth != e.depth - 1:
            errors.append(RowError(e.file, e.line, f"上级代码 {e.parent_code} 的层级与本行不衔接"))


MAJOR_LEVELS = {
    # file level → (model level, level_name, allowed first two digits of the 专业大类 code)
    "VOCATIONAL_SECONDARY": (Major.Level.SECONDARY, "中等职业教育", range(61, 80)),
    "VOCATIONAL_ASSOCIATE": (Major.Level.ASSOCIATE, "高等职业教育专科", range(41, 60)),
    "VOCATIONAL_BACHELOR": (Major.Level.BACHELOR, "高等职业教育本科", range(21, 40)),
}
MAJOR_COLUMNS = ["level", "level_name", "category_code", "category_name", "class_code", "class_name",
                 "major_code", "major_name", "state_controlled_K"]


def read_majors(data_dir: Path, errors: list[RowError]) -> list[Entry]:
    rel = MAJORS_FILE
    entries: list[Entry] = []
    names_by_code: dict[str, tuple[str, int]] = {}  # 大类/类 code → (name, first line): one name per code
    for line, r in _read_rows(data_dir, rel, MAJOR_COLUMNS, errors):
        spec = MAJOR_LEVELS.get(r["level"])
        if spec is None:
            errors.append(RowError(rel, line, f"层次“{r['level']}”不是中职、专科或本科"))
            continue
        level, level_name, category_range = spec
        problems = []
        if r["level_name"] != level_name:
            problems.append(f"层次名称应为“{level_name}”")
        cat, cls, code = r["category_code"], r["class_code"], r["major_code"]
        if not re.fullmatch(r"\d{2}", cat) or int(cat) not in category_range:
            first, last = category_range.start, category_range.stop - 1
            problems.append(f"专业大类代码“{cat}”不符合{level_name}的编码（{first}–{last}）")
        if not re.fullmatch(r"\d{4}", cls) or not cls.startswith(cat):
            problems.append(f"专业类代码“{cls}”应为以大类代码 {cat} 开头的 4 位数字")
        if not re.fullmatch(r"\d{6}K?", code) or not code.startswith(cls):
            problems.append(f"专业代码“{code}”应为以专业类代码 {cls} 开头的 6 位数字（国控专业后缀 K）")
        if r["state_controlled_K"] not in ("", "Y") or (r["state_controlled_K"] == "Y") != code.endswith("K"):
            problems.append("国控标记（state_controlled_K）与代码的 K 后缀不一致")
        for c, n, what in ((cat, r["category_name"], "专业大类"), (cls, r["class_name"], "专业类")):
            if not n:
                problems.append(f"{what}名称为空")
            elif (seen := names_by_code.setdefault(c, (n, line)))[0] != n:
                problems.append(f"{what} {c} 的名称“{n}”与第 {seen[1]} 行的“{seen[0]}”不一致")
        if problems:
            errors.extend(RowError(rel, line, p) for p in problems)
            continue
        if not _require_name(rel, line, r["major_name"], errors):
            continue
        entries.append(Entry(code, 1, "", {
            "name": r["major_name"], "level": level, "category_code": cat, "category_name": r["category_name"],
            "class_code": cls, "class_name": r["class_name"], "state_controlled": code.endswith("K"),
        }, rel, line))
    _check_tree(entries, errors, check_parents=False)
    return entries


INDUSTRY_COLUMNS = ["code", "level", "level_name", "section", "division", "group", "class", "name", "description"]
INDUSTRY_LEVELS = {  # level → (name, code pattern, column holding the code, column holding the parent's code)
    1: ("门类", r"[A-T]", "section", ""),
    2: ("大类", r"\d{2}", "division", "section"),
    3: ("中类", r"\d{3}", "group", "division"),
    4: ("小类", r"\d{4}", "class", "group"),
}
INDUSTRY_LEVELS_BY_COL = {"division": 2, "group": 3}


def read_industries(data_dir: Path, errors: list[RowError]) -> list[Entry]:
    rel = INDUSTRIES_FILE
    entries: list[Entry] = []
    for line, r in _read_rows(data_dir, rel, INDUSTRY_COLUMNS, errors):
        level = int(r["level"]) if r["level"].isdigit() else 0
        if level not in INDUSTRY_LEVELS:
            errors.append(RowError(rel, line, f"层级“{r['level']}”应为 1–4"))
            continue
        level_name, pattern, own_col, parent_col = INDUSTRY_LEVELS[level]
        code = r["code"]
        problems = []
        if r["level_name"] != level_name:
            problems.append(f"层级名称应为“{level_name}”")
        if not re.fullmatch(pattern, code):
            problems.append(f"{level_name}代码“{code}”格式不对")
        if r[own_col] != code:
            problems.append(f"{own_col} 列应与代码 {code} 相同")
        # The hierarchy columns must be the code's own prefixes (门类 letter aside).
        for col, size in (("division", 2), ("group", 3)):
            if level > INDUSTRY_LEVELS_BY_COL[col] and r[col] != code[:size]:
                problems.append(f"{col} 列应为 {code[:size]}")
        if not re.fullmatch(r"[A-T]", r["section"]):
            problems.append(f"门类“{r['section']}”应为 A–T 中的一个字母")
        if problems:
            errors.extend(RowError(rel, line, p) for p in problems)
            continue
        if not _require_name(rel, line, r["name"], errors):
            continue
        entries.append(Entry(code, level, r[parent_col] if parent_col else "", {
            "name": r["name"], "level": level, "section": r["section"], "description": r["description"],
            "derived": False,
        }, rel, line))
    entries += _derived_groups(entries, errors)
    _check_tree(entries, errors)
    # A 大类 and its 小类 must sit in the same 门类 as their parents.
    section_of = {e.code: e.values["section"] for e in entries}
    for e in entries:
        if e.parent_code in section_of and section_of[e.parent_code] != e.values["section"]:
            errors.append(RowError(e.file, e.line, f"门类 {e.values['section']} 与上级 {e.parent_code} 的门类不一致"))
    return entries


def _derived_groups(entries: list[Entry], errors: list[RowError]) -> list[Entry]:
    """The standard prints no row for a 中类 holding a single 小类: derive it from that 小类."""
    groups = {e.code for e in entries if e.depth == 3}
    orphans: dict[str, list[Entry]] = {}
    for e in entries:
        if e.depth == 4 and e.parent_code not in groups:
            orphans.setdefault(e.parent_code, []).append(e)
    derived = []
    for group, classes in orphans.items():
        if len(classes) > 1:
            # Several 小类 under a missing 中类: the name cannot be taken from one of them.
            errors.extend(RowError(e.file, e.line, f"中类 {group} 缺失，且其下有 {len(classes)} 个小类，无法派生")
                          for e in classes)
            continue
        only = classes[0]
        derived.append(Entry(group, 3, group[:2], {
            "name": only.values["name"], "level": Industry.Level.GROUP, "section": only.values["section"],
            "description": "", "derived": True,
        }, only.file, only.line))
    return derived


OCCUPATION_COLUMNS = ["code", "level", "level_name", "name", "parent_code", "major_code", "middle_code",
                      "minor_code", "gbm"]
OCCUPATION_LEVEL_NAMES = {1: "大类", 2: "中类", 3: "小类", 4: "细类"}


def read_occupations(data_dir: Path, errors: list[RowError]) -> list[Entry]:
    rel = OCCUPATIONS_FILE
    entries: list[Entry] = []
    for line, r in _read_rows(data_dir, rel, OCCUPATION_COLUMNS, errors):
        level = int(r["level"]) if r["level"].isdigit() else 0
        if level not in OCCUPATION_LEVEL_NAMES:
            errors.append(RowError(rel, line, f"层级“{r['level']}”应为 1–4"))
            continue
        code = r["code"]
        problems = []
        if r["level_name"] != OCCUPATION_LEVEL_NAMES[level]:
            problems.append(f"层级名称应为“{OCCUPATION_LEVEL_NAMES[level]}”")
        if not re.fullmatch(r"\d" + r"-\d{2}" * (level - 1), code):
            problems.append(f"{OCCUPATION_LEVEL_NAMES[level]}代码“{code}”格式不对（如 4-04-05-05）")
        elif r["parent_code"] != code.rpartition("-")[0]:
            problems.append(f"上级代码应为“{code.rpartition('-')[0]}”")
        if r["gbm"] and not re.fullmatch(r"\d{1,10}", r["gbm"]):
            problems.append(f"GB/T 6565 代码“{r['gbm']}”应为数字")
        if problems:
            errors.extend(RowError(rel, line, p) for p in problems)
            continue
        if not _require_name(rel, line, r["name"], errors):
            continue
        entries.append(Entry(code, level, r["parent_code"], {"name": r["name"], "level": level, "gbm": r["gbm"]},
                             rel, line))
    _check_tree(entries, errors)
    return entries


REGION_FILES = [
    # (file, level, columns, code length, parent column, optional)
    (PROVINCES_FILE, Region.Level.PROVINCE, ["code", "name"], 2, "", False),
    (CITIES_FILE, Region.Level.CITY, ["code", "name", "provinceCode"], 4, "provinceCode", False),
    (AREAS_FILE, Region.Level.COUNTY, ["code", "name", "cityCode", "provinceCode"], 6, "cityCode", False),
    (STREETS_FILE, Region.Level.TOWNSHIP, ["code", "name", "areaCode", "provinceCode", "cityCode"], 9, "areaCode",
     True),
]
PREFIX_COLUMNS = {"provinceCode": 2, "cityCode": 4, "areaCode": 6}


def read_regions(data_dir: Path, errors: list[RowError]) -> list[Entry]:
    entries: list[Entry] = []
    for rel, level, columns, size, parent_col, optional in REGION_FILES:
        for line, r in _read_rows(data_dir, rel, columns, errors, optional=optional):
            code = r["code"]
            problems = []
            if not re.fullmatch(rf"\d{{{size}}}", code):
                problems.append(f"{level.label}代码“{code}”应为 {size} 位数字")
            else:
                # NBS codes are prefix codes: every ancestor column must be the code's own prefix.
                problems += [f"{col} 应为 {code[:n]}" for col, n in PREFIX_COLUMNS.items()
                             if col in r and r[col] != code[:n]]
            if problems:
                errors.extend(RowError(rel, line, p) for p in problems)
                continue
            if not _require_name(rel, line, r["name"], errors):
                continue
            entries.append(Entry(code, int(level), r[parent_col] if parent_col else "",
                                 {"name": r["name"], "level": int(level)}, rel, line))
    _check_tree(entries, errors)
    return entries


@dataclass(frozen=True)
class CatalogSpec:
    model: type[models.Model]
    label: str
    reader: Callable[[Path, list[RowError]], list[Entry]]
    level_label: Callable[[Any], str]


def _choice_label(model: type[models.Model]) -> Callable[[Any], str]:
    labels = dict(model._meta.get_field("level").choices)
    return lambda value: str(labels[value])


CATALOGS = [
    CatalogSpec(Major, "专业", read_majors, _choice_label(Major)),
    CatalogSpec(Industry, "国民经济行业", read_industries, _choice_label(Industry)),
    CatalogSpec(Occupation, "职业", read_occupations, _choice_label(Occupation)),
    CatalogSpec(Region, "行政区划", read_regions, _choice_label(Region)),
]


def _selected(only: Iterable[type[models.Model]] | None) -> list[CatalogSpec]:
    return [spec for spec in CATALOGS if only is None or spec.model in set(only)]


def read_all(data_dir: Path | None = None, only: Iterable[type[models.Model]] | None = None,
             ) -> dict[type[models.Model], list[Entry]]:
    """Read and check every file (or those of ``only``); raise ``CatalogDataError`` with all problems found."""
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    errors: list[RowError] = []
    parsed = {spec.model: spec.reader(data_dir, errors) for spec in _selected(only)}
    if errors:
        raise CatalogDataError(errors)
    return parsed


# --------------------------------------------------------------------------- writing


def _sync(spec: CatalogSpec, entries: list[Entry]) -> TableReport:
    """Create missing rows and update changed ones, a tree level at a time so parents get ids first."""
    model = spec.model
    edition = EDITIONS[model]
    has_parent = any(f.name == "parent" for f in model._meta.fields)
    existing = {o.code: o for o in model._base_manager.all()}
    pk_by_code = {code: o.pk for code, o in existing.items()}
    report = TableReport(spec.label, total=len(entries))
    for e in entries:
        key = spec.level_label(e.values["level"])
        report.per_level[key] = report.per_level.get(key, 0) + 1
    now = timezone.now()
    by_depth: dict[int, list[Entry]] = {}
    for e in entries:
        by_depth.setdefault(e.depth, []).append(e)
    for depth in sorted(by_depth):
        new, changed, befores = [], [], {}
        update_fields: set[str] = set()
        for e in by_depth[depth]:
            obj = existing.get(e.code)
            # Pinyin is the slow part of a reload: reuse the stored initials while the name is unchanged.
            initials = obj.initials if obj is not None and obj.name == e.values["name"] and obj.initials \
                else pinyin_initials(e.values["name"])
            desired = {**e.values, "initials": initials, "edition": edition}
            if has_parent:
                desired["parent_id"] = pk_by_code[e.parent_code] if e.parent_code else None
            if obj is None:
                new.append(model(code=e.code, **desired))
                continue
            diffs = {k: v for k, v in desired.items() if getattr(obj, k) != v}
            if diffs:
                befores[obj.pk] = audit.snapshot(obj)
                for k, v in diffs.items():
                    setattr(obj, k, v)
                obj.updated_at = now  # bulk_update skips auto_now
                update_fields |= {"parent" if k == "parent_id" else k for k in diffs}
                changed.append(obj)
        bulk.bulk_insert(model, new)  # COPY on PostgreSQL
        if any(o.pk is None for o in new):  # backends that return no ids from bulk inserts
            ids = dict(model._base_manager.filter(code__in=[o.code for o in new]).values_list("code", "pk"))
            for o in new:
                o.pk = ids[o.code]
        pk_by_code.update((o.code, o.pk) for o in new)
        if changed:
            model._base_manager.bulk_update(changed, [*sorted(update_fields), "updated_at"], batch_size=BATCH_SIZE)
        # bulk_insert wrote the new rows' create events; _base_manager.bulk_update writes none.
        audit.record_bulk("update", changed, befores)
        report.created += len(new)
        report.updated += len(changed)
    report.not_in_source = len(set(existing) - {e.code for e in entries})
    if model is Industry:
        report.note = f"其中由小类派生的中类 {sum(e.values['derived'] for e in entries)} 条"
    return report


def load_catalogs(data_dir: Path | None = None, only: Iterable[type[models.Model]] | None = None) -> LoadReport:
    """Check all files, then write all tables (or those of ``only``) in one transaction (idempotent by code)."""
    parsed = read_all(data_dir, only)
    report = LoadReport()
    with audit.audit_context(source=AUDIT_SOURCE), transaction.atomic():
        for spec in _selected(only):
            report.tables.append(_sync(spec, parsed[spec.model]))
    return report


def level_counts(model: type[models.Model]) -> Counter:
    """Rows per level in the database (for reports and tests)."""
    return Counter(dict(model._base_manager.order_by().values_list("level").annotate(n=models.Count("id"))))
