"""The yearly 专业设置与产业发展匹配分析报告 (issue #10 point 8) as .docx and .xlsx: the layout, supply
against demand per pillar industry, the warnings per school and the three lists — stating its data
year, the day it was made, the rule pack and the crosswalk version it used."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.exports import xlsx_book
from chanjiao.core.rules import STATUS_LABELS
from chanjiao.core.types import User
from chanjiao.layout import fit, history, lists, supply
from chanjiao.layout.models import Offering


def contents(user: User, basis: lists.Basis) -> dict[str, Any]:
    """Every table of the report, as rows (first row = header)."""
    year = basis.year
    point = history.layout_on(Offering.objects.visible_to(user), fit.year_end(year))
    counted = fit.counts(user, year)  # the tiles, the school table and the lists: one statement
    city = counted.city
    overview = [[_("指标"), _("数值")],
                [_("年末开设专业数"), point.majors], [_("年末专业点数"), point.offerings],
                [_("红牌专业点"), city["red"]], [_("黄牌专业点"), city["amber"]], [_("绿牌专业点"), city["green"]]]
    pillars: list[list[Any]] = [[_("百亿产业"), _("招生数"), _("毕业生数"), _("企业需求人数"),
                                 _("缺口（需求 − 毕业生）"), _("招聘岗位数")]]
    pillars += [[str(r.pillar), r.enrolled, r.graduates, r.demand, r.gap, r.postings]
                for r in supply.by_pillar(user, year, basis.crosswalk)]
    schools = [[_("学校"), _("专业点"), _("红牌"), _("黄牌"), _("绿牌")]]
    schools += [[r["school__name"], r["total"], r["red"], r["amber"], r["green"]]
                for r in counted.schools]
    three = lists.three_lists(user, year, counted)
    restrict = [[_("专业代码"), _("专业名称"), _("开设学校数"), _("红牌专业点"), _("触发规则")]]
    restrict += [[r["major__code"], r["major__name"], r["total"], r["red"], "、".join(r["rules"])]
                 for r in three["restrict"]]
    upgrade = [[_("专业代码"), _("专业名称"), _("开设学校数"), _("黄牌专业点"), _("触发规则")]]
    upgrade += [[r["major__code"], r["major__name"], r["total"], r["amber"], "、".join(r["rules"])]
                for r in three["upgrade"]]
    urgent = [[_("专业类代码"), _("专业类"), _("企业需求人数"), _("毕业生数"), _("缺口")]]
    urgent += [[r["class_code"], r["class_name"], r["demand"], r["graduates"], r["gap"]] for r in three["urgent"]]
    rules = [[_("规则"), _("名称"), _("等级"), _("依据"), _("核实情况")]]
    rules += [[r.id, str(r.title), str(fit.RATING_LABELS[r.rating]), str(r.citation),
               str(STATUS_LABELS.get(r.status, r.status))] for r in fit.fit_rules()]
    basis_rows = [[_("项目"), _("内容")], [_("数据年度"), year], [_("生成日期"), basis.made_on.isoformat()],
                  [_("地区"), basis.region or _("全平台")], [_("预警规则包"), basis.pack_name],
                  [_("专业产业对照表"), basis.crosswalk_name],
                  [_("需求来源"), "、".join(str(s) for s in supply.DEMAND_SOURCES)],
                  [_("岗位分类器版本"), "、".join(supply.classifier_versions(user, year)) or "—"]]
    return {"basis": basis_rows, "overview": overview, "pillars": pillars, "schools": schools,
            "restrict": restrict, "upgrade": upgrade, "urgent": urgent, "rules": rules}


SHEETS = (("basis", gettext_lazy("报告依据")), ("overview", gettext_lazy("总体情况")),
          ("pillars", gettext_lazy("产业匹配")), ("schools", gettext_lazy("各校预警")),
          ("restrict", gettext_lazy("限制或撤销")), ("upgrade", gettext_lazy("升级改造")),
          ("urgent", gettext_lazy("急需紧缺")), ("rules", gettext_lazy("预警规则")))


def title(basis: lists.Basis) -> str:
    return _("%(year)d年专业设置与产业发展匹配分析报告") % {"year": basis.year}


def as_xlsx(user: User, basis: lists.Basis) -> bytes:
    tables = contents(user, basis)
    return xlsx_book([(str(name), tables[key]) for key, name in SHEETS])


def as_docx(user: User, basis: lists.Basis) -> bytes:
    from docx import Document

    tables = contents(user, basis)
    doc = Document()
    doc.add_heading(title(basis), level=0)
    doc.add_paragraph(_("数据年度：%(year)d；生成日期：%(day)s；预警规则包：%(pack)s；专业产业对照表：%(cw)s。") % {
        "year": basis.year, "day": basis.made_on.isoformat(), "pack": basis.pack_name, "cw": basis.crosswalk_name})
    sections = (("overview", _("一、总体情况")), ("pillars", _("二、专业与产业匹配")),
                ("schools", _("三、各校专业预警")),
                ("restrict", _("四、限制或撤销专业清单")), ("upgrade", _("五、升级改造专业清单")),
                ("urgent", _("六、急需紧缺专业清单")), ("rules", _("七、预警规则及依据")))
    for key, heading in sections:
        doc.add_heading(heading, level=1)
        rows = tables[key]
        if len(rows) == 1:
            doc.add_paragraph(_("（无）"))
            continue
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = "" if value is None else str(value)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
