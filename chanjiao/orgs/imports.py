"""Spreadsheet imports: schools (学校标识码), enterprises (统一社会信用代码), contacts, teachers and
committee memberships (organisations by 单位代码, committees by name)."""

from __future__ import annotations

import decimal
import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from chanjiao.catalog.models import Industry, Region
from chanjiao.core.imports import Column, Importer, ImportResult, parse_decimal, parse_digits
from chanjiao.core.imports.cells import code_text, is_number, long_number_message
from chanjiao.core.imports.importer import LOOKUP_BATCH
from chanjiao.core.text import pinyin_initials
from chanjiao.orgs.models import CommitteeMembership, Contact, Enterprise, Organisation, School, Teacher

_USCC_SHAPE = re.compile(rf"[0-9]{{8}}[{re.escape(uscc._alphabet)}]{{10}}")


def parse_uscc(value: Any) -> str:
    """统一社会信用代码 (GB 32100-2015): 18 characters, check character computed by stdnum.

    Full-width letters and digits are folded to ASCII (NFKC). A cell that arrived as a number
    is refused as such: Excel keeps 15 significant digits, so the last three are already lost.
    """
    if is_number(value):
        raise ValueError(long_number_message())
    text = code_text(value)
    # Fast path for the well-formed code (one stdnum call instead of validate's two compactions).
    if _USCC_SHAPE.fullmatch(text) and uscc.calc_check_digit(text[:17]) == text[17]:
        return text
    try:
        return uscc.validate(text)
    except InvalidChecksum:
        raise ValueError(_("校验位错误")) from None
    except ValidationError:
        raise ValueError(_("格式错误，应为 18 位统一社会信用代码")) from None


class OrganisationImporter(Importer):
    """Shared by the organisation kinds: ``kind`` and the pinyin initials are set here."""

    model: type[Organisation]

    def new_values(self, values: dict[str, Any]) -> dict[str, Any]:
        return {"kind": self.model.kind_value}

    def derived(self, values: dict[str, Any]) -> dict[str, Any]:
        # bulk writes skip Organisation.save(), which fills the search initials
        return {"initials": pinyin_initials(values["name"])}


# Code columns shared by the organisation kinds: the level each names is checked (codes.py).
_REGION_HELP = gettext_lazy("县级行政区划代码（GB/T 2260，6 位），如 420502")
_INDUSTRY_HELP = gettext_lazy("国民经济行业分类（GB/T 4754-2017）大类、中类或小类代码，可带门类字母，如 C3411 或 3411")


def region_column() -> Column:
    return Column("所在区县代码", "region", fk="code", levels=(Region.Level.COUNTY,), help=_REGION_HELP,
                  example="420502")


class SchoolImporter(OrganisationImporter):
    model = School
    key = ("school_code",)
    columns = [
        Column("学校标识码", "school_code", required=True, parse=parse_digits(10),
               help=gettext_lazy("教育部学校标识码，10 位数字"), example="4142010001"),
        Column("学校名称", "name", required=True, example="宜昌市第一职业技术学校"),
        Column("简称", "short_name", example="宜昌一职"),
        Column("办学层次", "school_level", example="中职"),
        Column("办学性质", "funding", example="公办"),
        Column("主管部门", "competent_authority", example="宜昌市教育局"),
        region_column(),
        Column("地址", "address", example="湖北省宜昌市西陵区夷陵大道 1 号"),
        Column("网站", "website", example="https://www.example.edu.cn"),
    ]


class EnterpriseImporter(OrganisationImporter):
    model = Enterprise
    key = ("uscc",)
    columns = [
        Column("统一社会信用代码", "uscc", required=True, parse=parse_uscc,
               help=gettext_lazy("18 位统一社会信用代码，系统校验最后一位校验码"), example="91420500MA4F0XXY1B"),
        Column("企业名称", "name", required=True, example="宜昌市示例机械制造有限公司"),
        Column("简称", "short_name", example="示例机械"),
        Column("行业代码", "industry", fk="code", prefix_field="section",
               levels=(Industry.Level.DIVISION, Industry.Level.GROUP, Industry.Level.CLASS),
               help=_INDUSTRY_HELP, example="C3411"),
        Column("企业规模", "size", example="中型"),
        Column("所有制", "ownership", example="民营"),
        Column("从业人数", "headcount", help=gettext_lazy("整数，不小于 0"), example="320"),
        Column("人数统计日期", "headcount_date", help=gettext_lazy("日期，如 2025-12-31"), example="2025-12-31"),
        Column("是否龙头企业", "is_leading", example="否"),
        Column("成立日期", "established", help=gettext_lazy("营业执照上的成立日期，如 2015-06-30"),
               example="2015-06-30"),
        # No 产教融合型企业 column: that status moves only through its workflow (Enterprise.workflow).
        region_column(),
        Column("地址", "address", example="湖北省宜昌市西陵区发展大道 8 号"),
        Column("网站", "website", example="https://www.example.com"),
    ]


# --- people and memberships ----------------------------------------------------------------------
#
# These rows point at an organisation by its code, which is a 学校标识码 for schools and a
# 统一社会信用代码 for everyone else: one "单位代码" column takes either (ORG_CODE below). The
# committee leader's import is scoped by the committees they lead, which are not "editable" by
# them (the committee itself stays with the secretariat): ``owner_targets`` says so.

ORG_CODE = "单位代码"  # Column.fk marker: 10 digits → school_code, anything else → uscc


def org_code_kind(code: str) -> tuple[str, str]:
    """("school_code" | "uscc", normalised code) for a 单位代码 cell; ValueError when it is neither."""
    text = code.strip()
    if len(text) == 10 and text.isdigit() and text.isascii():
        return "school_code", text
    try:
        return "uscc", parse_uscc(text.replace(" ", "").replace("-", ""))
    except ValueError:
        raise ValueError(_("应为 10 位学校标识码或 18 位统一社会信用代码")) from None


class ReferencingImporter(Importer):
    """Foreign keys by 单位代码 (school code or USCC) or by a name, and owner checks per column.

    Columns with ``fk=ORG_CODE`` and owner columns whose importer overrides ``owner_targets`` are
    resolved here (one query per column and LOOKUP_BATCH codes, as the engine does); every other
    foreign key column is left to the engine.
    """

    def fk_code(self, column: Column, obj: Any) -> str:
        # 单位代码 is not a field: a school's 学校标识码, else the USCC (export for re-import, preview).
        if column.fk == ORG_CODE:
            return obj.school_code or obj.uscc or ""
        return super().fk_code(column, obj)

    def _custom(self, column: Column) -> bool:
        return column.fk == ORG_CODE or (
            column.field in self.owner_fields
            and type(self).owner_targets is not Importer.owner_targets)

    def _resolve_foreign_keys(self, rows: list[Any], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        key_slots = [i for i, (_index, c) in enumerate(self._plan) if c.field in self.key]
        written = [tuple(r.values[i] for i in key_slots) for r in rows]
        mine = {slot: codes for slot, codes in fk_codes.items() if self._custom(self._plan[slot][1])}
        super()._resolve_foreign_keys(rows, {s: c for s, c in fk_codes.items() if s not in mine}, result)
        self._resolve_own(rows, mine, result)
        # Two spellings of one organisation (学校标识码 and USCC, lower-case USCC) name the same
        # record: the engine compared the cells, so compare what they resolved to as well.
        seen: dict[tuple, int] = {}
        for n, row in enumerate(rows):
            resolved = tuple(row.values[i] for i in key_slots)
            if None in resolved or "" in resolved:
                continue
            first = seen.setdefault(resolved, n)
            if first != n and written[first] != written[n]:  # equal cells: the engine reported it
                self._error(result, row.number, self._plan[key_slots[0]][1], written[n][0],
                            _("与第 %(row)d 行重复") % {"row": rows[first].number})

    def _resolve_own(self, rows: list[Any], mine: dict[int, set[str]], result: ImportResult) -> None:
        for slot, codes in mine.items():
            column = self._plan[slot][1]
            related = column.model_field.related_model
            manager = related._default_manager
            visible = manager.visible_to(self.user) if hasattr(manager, "visible_to") else manager.all()
            malformed: dict[str, str] = {}
            found = self._targets(column, visible, codes, malformed)
            editable = self._targets(column, self.owner_targets(column), codes, {}) \
                if column.field in self.owner_fields else found
            for row in rows:
                code = row.values[slot]
                if code is None or code == "":
                    continue
                pk = editable.get(code)
                if pk is None or pk is AMBIGUOUS:
                    if code in malformed:
                        reason = malformed[code]
                    elif found.get(code) is AMBIGUOUS:
                        reason = _("名称对应多条%(model)s记录，无法确定") % {"model": related._meta.verbose_name}
                    elif code in found:
                        reason = _("您无权为该%(model)s导入数据") % {"model": related._meta.verbose_name}
                    elif column.fk == ORG_CODE:
                        reason = _("代码不存在（%(model)s）") % {"model": related._meta.verbose_name}
                    else:
                        reason = _("名称不存在（%(model)s）") % {"model": related._meta.verbose_name}
                    self._error(result, row.number, column, code, reason)
                    pk = None
                row.values[slot] = pk

    def _targets(self, column: Column, queryset: QuerySet, codes: set[str],
                 malformed: dict[str, str]) -> dict[str, Any]:
        """code → pk (AMBIGUOUS when a name matches several rows) within ``queryset``."""
        if column.fk != ORG_CODE:
            found: dict[str, Any] = {}
            for code, pk in _lookup_all(queryset, column.fk, codes):
                found[code] = AMBIGUOUS if code in found and found[code] != pk else pk
            return found
        by_kind: dict[str, dict[str, list[str]]] = {"school_code": {}, "uscc": {}}  # normalised → cells
        for code in codes:
            try:
                kind, normalised = org_code_kind(code)
            except ValueError as exc:
                malformed[code] = str(exc)
                continue
            by_kind[kind].setdefault(normalised, []).append(code)
        found = {}
        for kind, wanted in by_kind.items():
            for normalised, pk in _lookup_all(queryset, kind, wanted):
                for code in wanted[normalised]:
                    found[code] = pk
        return found

    # Bulk-created rows name their organisation / school / committee in the audit event
    # (``str(obj)``): the related objects are fetched once per column instead of once per row.


AMBIGUOUS = object()


def _lookup_all(queryset: QuerySet, field_name: str, codes: Any) -> list[tuple[str, Any]]:
    """(code, pk) pairs for every row whose ``field_name`` is one of ``codes``, LOOKUP_BATCH at a time."""
    codes = list(codes)
    pairs: list[tuple[str, Any]] = []
    for start in range(0, len(codes), LOOKUP_BATCH):
        chunk = codes[start:start + LOOKUP_BATCH]
        pairs += queryset.filter(**{f"{field_name}__in": chunk}).values_list(field_name, "pk")
    return pairs


_ORG_CODE_HELP = gettext_lazy("学校填 10 位学校标识码，其他单位填 18 位统一社会信用代码")


class ContactImporter(ReferencingImporter):
    """联系人 by (单位, 姓名): there is no unique constraint, and the phone is what an import updates."""

    model = Contact
    key = ("organisation", "name")
    columns = [
        Column("单位代码", "organisation", required=True, fk=ORG_CODE, help=_ORG_CODE_HELP, example="4141000001"),
        Column("姓名", "name", required=True, example="张老师"),
        Column("职务", "title", example="办公室主任"),
        Column("联系电话", "phone", help=gettext_lazy("手机号 11 位，或带区号的固定电话，如 0717-6123456"),
               example="13912345678"),
        Column("电子邮箱", "email", example="zhang@example.com"),
        Column("主要联系人", "is_primary", help=gettext_lazy("是 / 否"), example="是"),
        Column("备注", "note"),
    ]
    instructions = [gettext_lazy("以“单位代码、姓名”识别同一联系人：再次导入会更新其职务、电话等信息。"),
                    gettext_lazy("学校管理员、企业联系人只能导入本单位的联系人。")]


def parse_years(value: Any) -> decimal.Decimal:
    """企业工作经历（年）: 0–999.9, one decimal place (the column is DECIMAL(4, 1))."""
    number = parse_decimal(value)
    if not number.is_finite():
        raise ValueError(_("应为数字"))
    if number < 0:
        raise ValueError(_("不能小于 0"))
    if number > decimal.Decimal("999.9"):
        raise ValueError(_("不能大于 999.9"))
    if number != number.quantize(decimal.Decimal("0.1")):
        raise ValueError(_("最多保留 1 位小数"))
    return number.quantize(decimal.Decimal("0.1"))


class TeacherImporter(ReferencingImporter):
    """教师 by (学校, 工号) — the 工号 is unique within a school."""

    model = Teacher
    key = ("school", "employee_no")
    columns = [
        Column("学校标识码", "school", required=True, fk="school_code",
               help=gettext_lazy("教育部学校标识码，10 位数字"), example="4141000001"),
        Column("工号", "employee_no", required=True, example="T2024001"),
        Column("姓名", "name", required=True, example="李明"),
        Column("任教专业/学科", "subject", example="机电一体化技术"),
        Column("教师类别", "category",
               help=gettext_lazy("专业课教师 / 实习指导教师 / 公共基础课教师；不填为专业课教师"), example="专业课教师"),
        Column("双师型", "is_dual_qualified", help=gettext_lazy("是 / 否"), example="是"),
        Column("企业工作经历（年）", "enterprise_years", parse=parse_years,
               help=gettext_lazy("数字，最多 1 位小数，如 2.5；不填为 0"), example="2.5"),
        Column("入职日期", "hire_date", help=gettext_lazy("日期，如 2018-09-01"), example="2018-09-01"),
    ]
    instructions = [gettext_lazy("学校管理员只能导入本校教师。")]
    # 入职日期不能晚于今天 etc.: the model's rules (orgs/rules.py), checked per row by the engine.


class CommitteeMembershipImporter(ReferencingImporter):
    """产学合作委员会成员 by (委员会, 单位, 角色, 加入日期) — a membership's history stays as rows."""

    model = CommitteeMembership
    key = ("committee", "organisation", "role", "joined")
    columns = [
        Column("产学合作委员会", "committee", required=True, fk="name",
               help=gettext_lazy("委员会全称，如 智能制造产学合作委员会"), example="智能制造产学合作委员会"),
        Column("单位代码", "organisation", required=True, fk=ORG_CODE, help=_ORG_CODE_HELP, example="4141000001"),
        Column("角色", "role", required=True, example="成员单位"),
        Column("委员姓名", "person_name", example="王强"),
        Column("加入日期", "joined", required=True, help=gettext_lazy("日期，如 2021-03-01"), example="2021-03-01"),
        Column("退出日期", "left", help=gettext_lazy("仍在任的不填")),
        Column("备注", "note"),
    ]
    instructions = [gettext_lazy("以“委员会、单位代码、角色、加入日期”识别同一条成员记录；"
                                 "结束成员关系请填写退出日期。"),
                    gettext_lazy("产学合作委员会负责人只能导入本人所负责委员会的成员。")]

    def owner_targets(self, column: Column) -> QuerySet:
        # The committee is not editable by its leader, its members are: the model states which committees.
        return CommitteeMembership.committee_targets(self.user)
    # 退出日期不能早于加入日期: rule MEM-D1 (orgs/rules.py), checked per row by the engine.
