"""Spreadsheet imports of the major layout: a school's offerings, and the yearly figures it already
reports for its 质量年报 (QR-04/05), one row per offering and year.

Schools are named by 学校标识码, majors by their 2021-catalogue code; an offering in the yearly
figures by the pair 学校标识码 + 专业代码 (``PairColumn``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.imports import Column, code_text, parse_decimal, parse_digits, parse_int
from chanjiao.engagement.imports import EngagementImporter, PairColumn
from chanjiao.layout import postings
from chanjiao.layout.models import CrosswalkEntry, DeclaredDemand, EducationAsked, JobPosting, Offering, OfferingYear
from chanjiao.layout.postings_text import salary_error
from chanjiao.orgs.imports import parse_uscc

_SCHOOL_HELP = gettext_lazy("教育部学校标识码，10 位数字")
_MAJOR_HELP = gettext_lazy("《职业教育专业目录（2021年）》专业代码，如 460103")
_COUNT_HELP = gettext_lazy("整数，不小于 0")


class OfferingImporter(EngagementImporter):
    """专业点 by (学校, 专业代码) — or, for a 中职 major outside the catalogue, (学校, 目录外专业名称)."""

    model = Offering
    key = ("school", "major", "off_catalogue_name")
    blank_key_fields = ("major", "off_catalogue_name")  # one of the two is always blank
    columns = [
        Column("学校标识码", "school", required=True, fk="school_code", help=_SCHOOL_HELP, example="4141000001"),
        Column("专业代码", "major", fk="code", help=_MAJOR_HELP, example="460103"),
        Column("目录外专业名称", "off_catalogue_name",
               help=gettext_lazy("仅中职学校的目录外专业填写，此时专业代码留空")),
        Column("专业方向", "direction"),
        Column("所属专业群", "cluster", example="智能制造专业群"),
        Column("首次招生年度", "start_year", required=True, parse=parse_int(2000, 2100),
               help=gettext_lazy("四位年份，如 2016"), example="2016"),
        Column("备案日期", "filed_on", required=True, help=gettext_lazy("日期，如 2015-11-30"), example="2015-11-30"),
        Column("备案编号", "filing_ref", example="2015-460103-01"),
    ]
    instructions = [gettext_lazy("以“学校标识码、专业代码”（目录外专业：学校标识码、目录外专业名称）识别同一专业点。"),
                    gettext_lazy("新导入的专业点状态为“已备案”；招生、暂停、撤销请在专业点页面办理。"),
                    gettext_lazy("学校管理员只能导入本校的专业点。")]


class OfferingYearImporter(EngagementImporter):
    """专业点年度数据 by (专业点, 年度); the offering by 学校标识码 + 专业代码."""

    model = OfferingYear
    key = ("offering", "year")
    columns = [
        PairColumn("学校标识码", "offering", required=True, fk="school__school_code", read=code_text,
                   help=_SCHOOL_HELP, example="4141000001"),
        PairColumn("专业代码", "offering", required=True, fk="major__code", read=code_text, help=_MAJOR_HELP,
                   example="460103"),
        Column("年度", "year", required=True, parse=parse_int(2000, 2100), help=gettext_lazy("四位年份，如 2019"),
               example="2019"),
        Column("计划招生数", "planned_enrolment", help=_COUNT_HELP, example="90"),
        Column("实际招生数", "enrolled", help=_COUNT_HELP, example="86"),
        Column("在校生数", "students", help=_COUNT_HELP, example="252"),
        Column("毕业生数", "graduates", help=_COUNT_HELP, example="80"),
        Column("毕业去向落实人数", "employed", help=_COUNT_HELP, example="76"),
        Column("对口就业人数", "employed_related", help=_COUNT_HELP, example="61"),
        Column("平均起薪（元/月）", "starting_salary", help=gettext_lazy("整数，元/月"), example="4200"),
        Column("用人单位满意度（%）", "satisfaction", parse=parse_decimal,
               help=gettext_lazy("0–100 的数字，如 92.5"), example="92.5"),
    ]
    instructions = [gettext_lazy("以“学校标识码、专业代码、年度”识别同一条年度数据。"),
                    gettext_lazy("目录外专业的年度数据请在页面录入。"),
                    gettext_lazy("毕业去向落实人数不能多于毕业生数，对口就业人数不能多于落实人数（质量年报口径）。"),
                    gettext_lazy("学校管理员只能导入本校专业点的数据。")]
    pair_missing = (gettext_lazy("学校标识码不存在或该校没有专业点"), gettext_lazy("该校不存在此专业代码的专业点"))


class CrosswalkEntryImporter(EngagementImporter):
    """对照条目 by (版本, 专业类, 细化专业, 行业): a bureau's edits to a draft version, in Excel."""

    model = CrosswalkEntry
    key = ("version", "class_code", "major", "industry")
    blank_key_fields = ("major",)
    columns = [
        Column("对照表版本号", "version", required=True, fk="number", help=gettext_lazy("编辑中的对照表版本号"),
               example="2"),
        Column("专业类代码", "class_code", required=True, parse=parse_digits(4), example="4601"),
        Column("细化到专业代码", "major", fk="code", help=gettext_lazy("可不填；填写后该专业按本条对照"),
               example="460103"),
        Column("行业代码", "industry", required=True, fk="code", prefix_field="section",
               help=gettext_lazy("GB/T 4754—2017 行业代码，如 C38 或 38"), example="38"),
        Column("职业代码", "occupation", fk="code", help=gettext_lazy("《职业分类大典（2022年版）》职业代码，可不填"),
               example="6-18-01-01"),
        Column("对照理由", "reason", required=True, example="电气设备制造需要电气自动化技术人员"),
        Column("依据", "source", required=True, example="宜昌市产业发展规划"),
    ]
    instructions = [gettext_lazy("只能导入到“编辑中”的对照表版本；已发布的版本不能修改，请先新建版本。")]


class DeclaredDemandImporter(EngagementImporter):
    """用人需求 by (企业, 年度, 专业类, 职业, 学历, 岗位) — what the committees collect from their firms."""

    model = DeclaredDemand
    key = ("enterprise", "year", "class_code", "occupation", "education", "position")
    blank_key_fields = ("class_code", "occupation", "position")
    columns = [
        Column("企业统一社会信用代码", "enterprise", required=True, fk="uscc",
               help=gettext_lazy("企业的 18 位统一社会信用代码"), example="91410100MA9000001M"),
        Column("需求年度", "year", required=True, parse=parse_int(2000, 2100), example="2019"),
        Column("岗位名称", "position", example="数控车工"),
        Column("专业类代码", "class_code", parse=parse_digits(4), help=gettext_lazy("如 4601；与职业代码至少填一项"),
               example="4601"),
        Column("职业代码", "occupation", fk="code", help=gettext_lazy("《职业分类大典（2022年版）》职业代码"),
               example="6-18-01-01"),
        Column("学历要求", "education", example="高职专科"),
        Column("需求人数", "headcount", required=True, parse=parse_int(1, 1_000_000), example="12"),
        Column("收集的产学合作委员会", "committee", fk="name", example="装备制造产学合作委员会"),
        Column("备注", "note"),
    ]
    instructions = [gettext_lazy("以“企业、年度、专业类、职业、学历要求、岗位名称”识别同一条需求。"),
                    gettext_lazy("企业联系人只能导入本企业的用人需求。")]


class JobPostingImporter(EngagementImporter):
    """招聘岗位 by (来源, 来源编号): job-board exports and talent-market lists. The salary range, the
    region (from the place text when no code is given), the enterprise, the classification and the
    re-listing link are computed (``layout/postings.py``), never typed."""

    model = JobPosting
    key = ("source", "source_ref")
    batch_size = 5_000
    columns = [
        Column("来源", "source", required=True, help=gettext_lazy("招聘网站或人才市场名称"), example="BOSS直聘"),
        Column("来源编号", "source_ref", required=True,
               help=gettext_lazy("来源网站上的岗位编号或网址，同一来源内不重复"), example="1024"),
        Column("岗位名称", "title", required=True, example="数控车工"),
        Column("招聘单位", "company_name", required=True, example="宜昌某精密机械有限公司"),
        Column("单位统一社会信用代码", "company_uscc", parse=parse_uscc,
               help=gettext_lazy("可不填；填写后优先按它匹配登记企业"), example="91420500MA4F000016"),
        # The region is read from the place (a name or a 行政区划 code), never typed twice.
        Column("工作地点", "place_text", help=gettext_lazy("如 宜昌-夷陵区、湖北省宜昌市、420506"),
               example="宜昌-夷陵区"),
        Column("行业", "industry_text", example="机械制造"),
        Column("职位类别", "category_text", example="生产制造/普工"),
        Column("技能标签", "tags", example="数控编程, 车床"),
        Column("职位描述", "description"),
        # The boards' own words ("本科及以上", "中专/中技") are read, not only the labels (choices={}).
        Column("学历要求", "education", parse=postings.parse_education, choices={}, example="大专"),
        Column("经验要求", "experience", example="1-3年"),
        Column("薪资", "salary_text", help=gettext_lazy("如 4-8千/月、15-25K·14薪、150元/天、面议"), example="5-8K"),
        Column("发布年度", "year", required=True, parse=parse_int(2000, 2100), example="2020"),
        Column("发布日期", "posted_on", help=gettext_lazy("日期，如 2020-04-20"), example="2020-04-20"),
    ]
    instructions = [gettext_lazy("以“来源、来源编号”识别同一条岗位；重新导入同一文件不会重复写入。"),
                    gettext_lazy("薪资按月折算；专业类由分类器按岗位名称、标签、类别和描述判定，可在岗位页面人工更正。"),
                    gettext_lazy("同一单位、同一岗位名称、同一地点的岗位视为重复发布，统计时只计一次。")]

    def clean_row(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        errors = []
        if message := salary_error(values.get("salary_text") or ""):
            errors.append(("薪资", message))
        posted, year = values.get("posted_on"), values.get("year")
        if posted and year and posted.year != year:
            errors.append(("发布日期", _("发布日期 %(d)s 不在发布年度 %(y)s 内") % {"d": posted.isoformat(),
                                                                                  "y": year}))
        return errors

    def derived(self, values: dict[str, Any]) -> dict[str, Any]:
        if self._deriver is None:  # the lookups, once per import
            self._deriver = postings.Deriver(enterprises=postings.EnterpriseIndex.of(),
                                             regions=postings.RegionIndex.of_catalogue())
        return self._deriver(values)

    def after_write(self, created: list[models.Model], updated: list[models.Model]) -> None:
        postings.link_relistings({obj.fingerprint for obj in [*created, *updated]})  # type: ignore[attr-defined]

    def _cell(self, column: Column, value: Any) -> Any:
        if column.field == "education" and value:
            return str(EducationAsked(value).label)  # exported as its label, read back by parse_education
        return super()._cell(column, value)

    _deriver: postings.Deriver | None = None
