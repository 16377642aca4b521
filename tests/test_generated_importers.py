"""Generated importer tests (issue #7 gap 8): for every registered importer

(a) a valid row — a fully filled object as 导出（可再导入） writes it, with a fresh natural key —
    imports as exactly one new row whose values equal the source's, and importing it again is a no-op;
(b) for each column, every bad value its type admits (a required cell left empty, an unknown code,
    a code of the wrong level, an unknown choice label, "2024-13-45", "abc" for a number, a broken
    USCC check digit, an overlong text, "12" for a validated or coded text …) is refused with a
    Chinese reason naming that column and the Excel row, and nothing is written. The bad values are
    derived from the column declaration and its model field (``bad_kinds``), so a new column gets
    its cases without an edit here; a column that admits no bad value (optional free text without a
    length limit) is listed as a skipped case whose id says why;
(c) the export of every row re-imports as a no-op: nothing created or updated, no audit event.

Everything runs on the importer API (``Importer(user).validate/commit``) with files written by
openpyxl, as the bureau administrator (who may import every kind).
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import models
from django.urls import get_resolver

from chanjiao.catalog.models import Industry, Region
from chanjiao.core.audit import audit_context
from chanjiao.core.imports import Column, Importer, ImportResult
from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import registry
from chanjiao.engagement.models import Agreement, Event, EventParticipation, OrderClass, TeacherPractice, Visit
from chanjiao.layout.models import (
    CrosswalkEntry,
    CrosswalkVersion,
    DeclaredDemand,
    JobPosting,
    Offering,
    OfferingYear,
)
from chanjiao.orgs.imports import parse_uscc
from chanjiao.orgs.models import CommitteeMembership, Contact, Enterprise, School, Teacher
from tests import factories

try:  # the import package is being split; export_bytes may move to its top level
    from chanjiao.core.imports import export_bytes  # type: ignore[attr-defined]
except ImportError:
    from chanjiao.core.imports.importer import export_bytes

get_resolver().url_patterns  # every app's ui.py registers on URL loading
IMPORTERS: list[type[Importer]] = [ui.importer for ui in registry if ui.importer is not None]
for _importer in IMPORTERS:
    _importer(None)  # binds the columns (model field, parser, choices) for the declarations below

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The parsers cells.py gives a text field by default (plain, or running the field's validators).
TEXT_PARSERS = {"parse_text.<locals>.parse", "_default_parser.<locals>.validated"}
BAD_ROW = 3  # Excel's number of the bad row: header on row 1, a good row on row 2
# What the reason says, for the kinds with one engine message (validators and parsers word their own).
EXPECTED = {"empty": "必填项不能为空", "unknown-code": "不存在", "wrong-level": "此列应填",
            "unknown-label": "不是可选值", "not-integer": "应为整数", "negative": "不能小于",
            "bad-date": "日期格式应为", "check-digit": "校验位", "too-long": "长度超过"}


# --- bad values, derived from the column -------------------------------------------------------

def bad_kinds(importer: type[Importer], column: Column) -> list[str]:
    """The kinds of bad value ``column`` admits, from its declaration and model field alone."""
    f = column.model_field
    # A nullable key column (an agreement's 协议编号) may be empty: the row is then identified otherwise.
    key_needed = column.field in importer.key and not f.null and (importer.model, column.field) not in BLANK_KEY
    kinds = ["empty"] if column.required or key_needed else []
    if column.fk:
        kinds.append("unknown-code")
        if column.is_code_column and column.levels:
            kinds.append("wrong-level")
        return kinds
    if column.choices:
        return [*kinds, "unknown-label"]
    if isinstance(f, models.BooleanField):
        return [*kinds, "not-yes-no"]
    if isinstance(f, models.IntegerField):
        positive = isinstance(f, models.PositiveIntegerField | models.PositiveSmallIntegerField
                              | models.PositiveBigIntegerField)
        return [*kinds, "not-integer", *(["negative"] if positive else [])]
    if isinstance(f, models.DecimalField | models.FloatField):
        return [*kinds, "not-number"]
    if isinstance(f, models.DateField):
        return [*kinds, "bad-date"]
    if column.parse is parse_uscc:
        kinds.append("check-digit")
    if getattr(column.parse, "__qualname__", "") not in TEXT_PARSERS:
        return [*kinds, "malformed"]  # an explicit parser of a coded text (学校标识码, USCC): "12" is no code
    if f.max_length:
        kinds.append("too-long")
    plain = {"MaxLengthValidator", "ProhibitNullCharactersValidator"}
    if any(type(v).__name__ not in plain for v in f.validators):
        kinds.append("invalid")  # URL, e-mail, phone number: "12" is none of them
    return kinds


# Key columns that are blank in valid rows, with the reason (an empty cell there is no bad value).
BLANK_KEY: dict[tuple[type, str], str] = {
    (Offering, "off_catalogue_name"): "a catalogue major leaves it empty (MJ-02: a major or an off-catalogue name)",
    (DeclaredDemand, "class_code"): "a demand may name an occupation only (DEM-D1: an occupation or a 专业类)",
    (DeclaredDemand, "position"): "a demand may name no position (the 专业类 or occupation says what is needed)",
    (DeclaredDemand, "education"): "an empty cell is 不限, the field's default",
}
# Columns a fully filled row leaves empty because another filled column excludes them; another object of
# ``filled`` fills each (the bad values of such a column are tried on that object's row).
EXCLUSIVE: dict[type, set[str]] = {Offering: {"专业代码", "目录外专业名称"}}


def skip_reason(importer: type[Importer], column: Column) -> str:
    f = column.model_field
    return f"optional {type(f).__name__} without length limit or validator: any text is valid"


@dataclass(frozen=True)
class Case:
    importer: type[Importer]
    column: Column
    kind: str  # "" = no bad value exists (skipped)

    @property
    def id(self) -> str:
        what = self.kind or "skip:" + skip_reason(self.importer, self.column)
        return f"{self.importer.__name__}-{self.column.header}-{what}"


CASES = [Case(i, c, kind) for i in IMPORTERS for c in i.columns for kind in (bad_kinds(i, c) or [""])]


def fresh(column: Column, value: Any, n: int) -> Any:
    """A value of the same shape as ``value`` that no row holds yet (a new key, an unknown code)."""
    text = str(value)
    # A date column, or a date cell naming a related row (an event's 活动日期).
    if isinstance(column.model_field, models.DateField) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return (dt.date.fromisoformat(text) - dt.timedelta(days=n)).isoformat()
    if isinstance(column.model_field, models.IntegerField) and not column.fk:  # a year of the key: an earlier one
        return int(text) - n
    if len(text) == 18 and not text.isdigit():  # a USCC, also in a 单位代码 column
        return factories.valid_uscc(8_000_000 + n)
    if text.isdigit():  # 学校标识码, catalog codes: the same number of digits
        return str((int(text) + 7_919 * n) % 10 ** len(text)).zfill(len(text))
    return f"{text}{n}"


def bad_value(case: Case, valid: Any) -> Any:
    column, kind = case.column, case.kind
    if kind == "empty":
        return None
    if kind == "unknown-code":
        return fresh(column, valid, 97)
    if kind == "wrong-level":
        related = column.model_field.related_model
        other = related.objects.exclude(level__in=column.levels).order_by("code").first()
        assert other is not None, f"the catalogs fixture has no {related.__name__} outside {column.levels}"
        return other.code
    if kind == "check-digit":
        text = str(valid)
        return text[:-1] + ("1" if text[-1] != "1" else "2")
    return {"unknown-label": "不存在的选项", "not-yes-no": "也许", "not-integer": "abc", "negative": -1,
            "not-number": "abc", "bad-date": "2024-13-45", "malformed": "12", "invalid": "12",
            "too-long": "字" * ((column.model_field.max_length or 0) + 1)}[kind]


# --- files and counts ----------------------------------------------------------------------------

def read_xlsx(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula (the export's quote-prefixed cells)
    book.save(path)
    return path


def commit(importer: type[Importer], user: Any, path: Path) -> ImportResult:
    with audit_context(user=user, source="test"):
        return importer(user).commit(path, path.name)


def events() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.order_by("pk").values_list("category", "action"))


@dataclass
class Source:
    """A fully filled object of the importer's model and its row as the export writes it."""

    obj: Any
    header: list[str]
    row: list[Any]

    def key_column(self, importer: type[Importer]) -> tuple[Column, bool]:
        """The key column ``keyed`` changes, and whether it is a foreign key column."""
        column = next((c for c in importer.columns if c.field in importer.key and not c.fk and not c.choices
                       and self.row[self.header.index(c.header)] is not None), None)
        if column is not None:
            return column, False
        owners = importer(None).owner_fields
        return [c for c in importer.columns if c.field in importer.key and c.field not in owners and c.fk][-1], True

    def keyed(self, importer: type[Importer], n: int) -> list[Any]:
        """The row with a fresh natural key (the first filled key column that is neither a code nor a choice;
        else the last non-owner foreign key column points at the n-th other existing row)."""
        row = list(self.row)
        column, by_fk = self.key_column(importer)
        if by_fk:
            slot = self.header.index(column.header)
            row[slot] = other_code(importer, column, row[slot], n)
        else:
            slot = self.header.index(column.header)
            row[slot] = fresh(column, row[slot], n)
        for name in ALSO_FRESH.get(importer.model, ()):
            also = next(c for c in importer.columns if c.field == name)
            slot = self.header.index(also.header)
            row[slot] = fresh(also, row[slot], n)
        return row


def other_code(importer: type[Importer], column: Column, code: Any, n: int) -> str:
    """The code of the n-th existing row of the column's model other than ``code`` (by pk)."""
    codes = [importer(None).fk_code(column, obj)
             for obj in column.model_field.related_model._base_manager.order_by("pk")]
    return [c for c in codes if c and c != code][n - 1]


# A copy of an agreement with only a new number is a duplicate (same kind, start date and parties),
# refused like the form refuses it: the fresh row also starts on another day.
ALSO_FRESH: dict[type, tuple[str, ...]] = {Agreement: ("start",)}
# A crosswalk entry's fresh 专业类 comes with a fresh refining major of that class (CW-D1): ``filled`` makes the
# majors ``fresh`` names, each in the fresh class of its row.
ALSO_FRESH[CrosswalkEntry] = ("major",)


def source(importer: type[Importer], user: Any, objects: list[Any], column: Column | None = None) -> Source:
    """The object among ``objects`` whose export row is the fullest (among those filling ``column``); every
    column must be filled, but for the declared ``EXCLUSIVE`` ones, each filled by another object."""
    exported = []
    for obj in objects:
        header, row = read_xlsx(export_bytes(importer, user, importer.model.objects.filter(pk=obj.pk)))[:2]
        exported.append(Source(obj, header, row))
    if column is not None:
        exported = [s for s in exported if s.row[s.header.index(column.header)] is not None] or exported
    best = min(exported, key=lambda s: sum(v is None for v in s.row))
    empty = [h for h, v in zip(best.header, best.row, strict=True) if v is None]
    allowed = EXCLUSIVE.get(importer.model, set())
    assert set(empty) <= allowed, f"fill() leaves {importer.model.__name__} columns empty (fill them there): {empty}"
    return best


@pytest.fixture
def filled(world: Any) -> dict[type, list[Any]]:
    """Objects of every importable model with every import column filled (codes, choices, 是/否,
    dates, text that looks like a formula), and catalog rows of a level no code column takes."""
    province = factories.RegionFactory(code="42", name="湖北省", level=Region.Level.PROVINCE)
    county = factories.RegionFactory(code="420502", name="西陵区", level=Region.Level.COUNTY)
    factories.IndustryFactory(code="C", name="制造业", level=Industry.Level.SECTION, section="C")
    industry = factories.IndustryFactory(code="3411", name="锅炉及辅助设备制造", level=Industry.Level.CLASS,
                                         section="C")
    assert province.level != county.level
    school = factories.SchoolFactory(
        school_code="4141000011", name="丙市职业技术学院", short_name="丙职院", school_level="associate",
        funding="private", competent_authority="丙市教育局", region=county, address="=1+1 号楼",
        website="https://www.example.edu.cn")
    enterprise = factories.EnterpriseFactory(
        uscc=factories.valid_uscc(9_000_011), name="丙市示例机械有限公司", short_name="丙机械", industry=industry,
        size="medium", ownership="mixed", headcount=320, headcount_date=dt.date(2025, 12, 31), is_leading=True,
        established=dt.date(2015, 6, 30), region=county, address="-8 号", website="https://www.example.com")
    contact = factories.ContactFactory(organisation=enterprise, name="张经理", title="人事经理", phone="0717-6123456",
                                       email="zhang@example.com", is_primary=True, note="=HYPERLINK(\"x\")")
    teacher = factories.TeacherFactory(school=school, employee_no="T2024001", name="李明", subject="机电一体化技术",
                                       is_dual_qualified=True, enterprise_years=decimal.Decimal("2.5"),
                                       hire_date=dt.date(2018, 9, 1))
    committee = factories.CommitteeFactory(name="智能制造产学合作委员会", director=world.department)
    membership = factories.CommitteeMembershipFactory(
        committee=committee, organisation=school, role="vice_director", person_name="赵工",
        joined=dt.date(2021, 3, 1), left=dt.date(2024, 6, 30), note="+ 备注")
    # The matching cycle (engagement/imports.py): lists of parties, co-hosts, majors and visitors filled too.
    major = factories.MajorFactory(code="460103", name="数控技术")
    event = factories.EventFactory(kind="symposium", title="2024年智能制造校企合作座谈会", date=dt.date(2024, 5, 20),
                                   place="丙市职教中心", committee=committee, policy_briefing=True, skills_show=False,
                                   seminar=True, outcome="签约 3 项")
    event.co_hosts.set([world.department, world.department_b])
    participation = factories.EventParticipationFactory(event=event, organisation=enterprise, invited=True,
                                                        attended=True, attendees=3, people="张经理、李工")
    agreement = factories.AgreementFactory(
        number="BING-2024-001", title="丙市校企深度合作协议", kind="deep", committee=committee,
        forms=["majors", "training"], hosts_interns=True, signed_on=dt.date(2024, 6, 1), start=dt.date(2024, 9, 1),
        end=dt.date(2027, 8, 31), expected_outcomes="共建实训基地", achieved_outcomes="=建成 1 个")
    agreement.schools.set([school, world.school_a])
    agreement.enterprises.set([enterprise])
    agreement.majors.set([major])
    visit = factories.VisitFactory(school=school, enterprise=enterprise, date=dt.date(2024, 4, 10),
                                   purpose="了解用工需求", outcome="达成订单班意向", follow_up="拟订协议",
                                   follow_up_by=dt.date(2024, 6, 30))
    visit.visitors.set([teacher])
    practice = factories.TeacherPracticeFactory(
        teacher=teacher, enterprise=enterprise, start=dt.date(2024, 7, 1), end=dt.date(2024, 8, 31), form="post",
        content="数控加工工艺", pre_service=True, appraisal="good", appraisal_note="表现良好")
    order_class = factories.OrderClassFactory(
        school=school, enterprise=enterprise, major=major, cohort_year=2024, name="丙机械订单班", planned=40,
        enrolled=38, agreement=agreement, mentors="王工 高级工程师", graduates=36, hired=30, retained=25)
    # The layout (layout/imports.py): a catalogue major, and an off-catalogue one of a 中职 school (MJ-02), other
    # majors for fresh keys, and the catalogue major's yearly figures.
    for code, name in (("460104", "机械制造及自动化"), ("460105", "模具设计与制造"), ("460106", "工业设计")):
        factories.MajorFactory(code=code, name=name)
    offering = factories.OfferingFactory(school=school, major=major, direction="数控设备维修",
                                         cluster="=智能制造专业群", start_year=2016, filed_on=dt.date(2015, 11, 30),
                                         filing_ref="2015-460103-01")
    secondary = factories.SchoolFactory(school_code="4141000012", name="丙市中等职业学校", school_level="secondary")
    off_catalogue = factories.OfferingFactory(school=secondary, major=None, off_catalogue_name="茶艺与茶营销",
                                              direction="茶艺", cluster="文旅专业群", start_year=2019,
                                              filed_on=dt.date(2019, 6, 30), filing_ref="2019-ML-01")
    year = factories.OfferingYearFactory(offering=offering, year=2019, planned_enrolment=90, enrolled=86,
                                         students=252, graduates=80, employed=76, employed_related=61,
                                         starting_salary=4200, satisfaction=decimal.Decimal("92.5"))
    objects = {School: [school], Enterprise: [enterprise], Contact: [contact], Teacher: [teacher],
               CommitteeMembership: [membership], Event: [event], EventParticipation: [participation],
               Agreement: [agreement], Visit: [visit], TeacherPractice: [practice], OrderClass: [order_class],
               Offering: [offering, off_catalogue], OfferingYear: [year], **filled_layout_more(major, enterprise,
                                                                                              committee)}
    missing = [i.model.__name__ for i in IMPORTERS if i.model not in objects]
    assert not missing, f"a new importer: add a fully filled object of {missing} here"
    return objects


def filled_layout_more(major: Any, enterprise: Any, committee: Any) -> dict[type, list[Any]]:
    """The crosswalk's entries (of a draft version: a published one is frozen) and declared demand, every column
    filled; the majors a fresh crosswalk key names (``ALSO_FRESH``), each in the fresh 专业类 of its row."""
    importer = next(i for i in IMPORTERS if i.model is CrosswalkEntry)
    columns = {c.field: c for c in importer.columns}
    for n in (1, 2):  # the good row's and the bad row's keys
        factories.MajorFactory(code=fresh(columns["major"], major.code, n), name=f"对照测试专业{n}",
                               class_code=fresh(columns["class_code"], major.class_code, n))
    occupation = factories.OccupationFactory(code="6-18-01-01", name="车工")
    factories.OccupationFactory(code="6-18-01-02", name="铣工")
    version = CrosswalkVersion.objects.create(number=5, title="丙市专业产业对照表（编辑中）")
    industry = Industry.objects.get(code="3411")
    entry = factories.CrosswalkEntryFactory(version=version, class_code=major.class_code, major=major,
                                            industry=industry, occupation=occupation, reason="=数控技术对应锅炉制造",
                                            source="丙市产业发展规划")
    demand = factories.DeclaredDemandFactory(enterprise=enterprise, year=2019, position="数控车工",
                                             class_code=major.class_code, occupation=occupation,
                                             education="associate", headcount=12, committee=committee,
                                             note="+ 三班倒")
    posting = factories.JobPostingFactory(
        source="BOSS直聘", source_ref="20200420-1", title="数控车工", company_name=enterprise.name,
        company_uscc=enterprise.uscc, place_text="丙市", industry_text="机械制造", category_text="生产制造/普工",
        tags="数控编程, 车床", description="负责数控车床操作", education="secondary", experience="1-3年",
        salary_text="5-8K", year=2019, posted_on=dt.date(2019, 4, 20))
    return {CrosswalkEntry: [entry], DeclaredDemand: [demand], JobPosting: [posting]}


# --- (a) a valid row -----------------------------------------------------------------------------

@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.__name__)
def test_a_valid_row_creates_exactly_that_row(importer: type[Importer], world: Any, filled: dict[type, list[Any]],
                                              tmp_path: Path) -> None:
    user = world.bureau_admin
    src = source(importer, user, filled[importer.model])
    row = src.keyed(importer, 1)
    path = write_xlsx(tmp_path / "valid.xlsx", [src.header, row])
    model = importer.model
    before = set(model._base_manager.values_list("pk", flat=True))
    with audit_context(user=user, source="test"):
        preview = importer(user).validate(path, path.name)
    assert preview.ok, (preview.refused, preview.errors)
    assert (preview.created, preview.updated, preview.unchanged) == (1, 0, 0)
    assert set(model._base_manager.values_list("pk", flat=True)) == before  # validate writes nothing

    written = events()
    result = commit(importer, user, path)
    assert result.committed, (result.refused, result.errors)
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert sorted(events()[len(written):]) == [("data", "create"), ("security", "import")]
    new = set(model._base_manager.values_list("pk", flat=True)) - before
    assert len(new) == 1
    obj = model._base_manager.get(pk=new.pop())
    # Values equal: the new row exports as the row imported, and holds the source's field values.
    assert read_xlsx(export_bytes(importer, user, model.objects.filter(pk=obj.pk)))[1] == row
    key_attnames = {c.attname for c in importer.columns if c.field in importer.key and not c.fk and not c.choices}
    key_attnames.add(src.key_column(importer)[0].attname)  # the key column made fresh
    key_attnames |= {importer.model._meta.get_field(name).attname for name in ALSO_FRESH.get(model, ())}
    for column in importer.columns:
        if column.attname not in key_attnames and not (fk_key_only(importer) and column.field in importer.key):
            assert value_of(obj, column) == value_of(src.obj, column), column.header

    # The same file again: found by its natural key, unchanged, nothing written.
    written = events()
    again = commit(importer, user, path)
    assert again.committed and (again.created, again.updated, again.unchanged) == (0, 0, 1), again.errors
    assert [e for e in events()[len(written):] if e[0] != "security"] == []


def fk_key_only(importer: type[Importer]) -> bool:
    return not any(c.field in importer.key and not c.fk and not c.choices for c in importer.columns)


def value_of(obj: Any, column: Column) -> Any:
    if column.many:  # a many-to-many list: the linked rows
        return set(getattr(obj, column.field).values_list("pk", flat=True))
    return getattr(obj, column.attname)


# --- (b) each column's bad values ----------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_bad_value_is_refused_naming_column_and_row(case: Case, world: Any, filled: dict[type, list[Any]],
                                                      tmp_path: Path) -> None:
    if not case.kind:
        pytest.skip(skip_reason(case.importer, case.column))
    importer, column, user = case.importer, case.column, world.bureau_admin
    src = source(importer, user, filled[importer.model], column)
    good, bad = src.keyed(importer, 1), src.keyed(importer, 2)
    slot = src.header.index(column.header)
    bad[slot] = bad_value(case, bad[slot])
    path = write_xlsx(tmp_path / "bad.xlsx", [src.header, good, bad])
    model = importer.model
    rows_before, events_before = model._base_manager.count(), events()

    result = commit(importer, user, path)

    assert not result.committed and not result.refused
    assert {(e.row, e.column) for e in result.errors} == {(BAD_ROW, column.header)}, result.errors
    for error in result.errors:
        assert CHINESE.search(error.reason), f"not a Chinese reason: {error.reason!r}"
        assert EXPECTED.get(case.kind, "") in error.reason, error
    assert model._base_manager.count() == rows_before  # not even the good row
    assert events()[:len(events_before)] == events_before
    assert events()[len(events_before):] == [("security", "import")]  # only the refused import itself


def test_the_cases_cover_every_column_and_skip_only_free_text() -> None:
    # The generator is only as good as its coverage: every column of every importer has a case,
    # and a skipped column is optional text without a limit (so no value of it can be wrong).
    assert {(c.importer, c.column.header) for c in CASES} == {(i, c.header) for i in IMPORTERS for c in i.columns}
    for case in CASES:
        if not case.kind:
            f = case.column.model_field
            assert not case.column.required and not case.column.fk and not case.column.choices
            assert isinstance(f, models.TextField | models.CharField) and not f.max_length, case.id
    assert sum(1 for c in CASES if c.kind) >= 3 * len(IMPORTERS)


def test_the_bad_values_are_bad_for_their_parsers() -> None:
    # A bad value that a parser accepted would make its case test nothing but the engine's plumbing.
    for case in CASES:
        column = case.column
        if case.kind in {"not-yes-no", "not-integer", "negative", "not-number", "bad-date", "malformed",
                         "invalid", "too-long"}:
            with pytest.raises(Exception):  # ValueError or ValidationError
                column.parse(bad_value(case, ""))  # type: ignore[misc]


# --- (c) export = import --------------------------------------------------------------------------

@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.__name__)
def test_the_export_reimports_as_a_no_op(importer: type[Importer], world: Any, filled: dict[type, list[Any]],
                                         tmp_path: Path) -> None:
    user = world.bureau_admin
    queryset = importer.model.objects.all()
    path = tmp_path / "export.xlsx"
    path.write_bytes(export_bytes(importer, user, queryset))
    count, before = queryset.count(), events()
    assert count >= len(filled[importer.model])

    result = commit(importer, user, path)

    assert result.committed, (result.refused, result.errors)
    assert (result.created, result.updated, result.unchanged) == (0, 0, count)
    assert events()[len(before):] == [("security", "import")]  # no data event
