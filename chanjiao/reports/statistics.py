"""The year's statistics of the matching cycle (issue #9 point 8): what the bureau reports upward.

Every number is a ``Figure`` (core/figures.py) over a list page's FilterSet: the year is one more
filter parameter, so each value — and each bar of a breakdown — links to the list of exactly the
records behind it. Nothing is typed in; nothing is summed in Python over rows. One query per list
(ModelUI) however many years and figures are asked for (``year_figures``), and one per breakdown.

The definitions (what "a symposium in 2019" means) are the FilterSets' own: events of kind 座谈会
dated in the year; departments co-hosting and committees hosting them; enterprises that attended
(出席) them; agreements signed (not drafts) in the year; alliances founded; visits and the
enterprises visited; teacher-practice records starting in the year and their days counted without
overlap (``TeacherPractice.counted_days``); order classes opened (开班年度) and their students; the
year plan's activities and those held.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, FigureValue, declare, evaluate
from chanjiao.engagement import ui as eng
from chanjiao.engagement.fulfilment import by_committee
from chanjiao.orgs import ui as orgs_ui


@dataclass(frozen=True, eq=False)
class YearFigure:
    """A declared figure and the filter parameter that narrows it to one year."""

    figure: Figure
    year_param: str
    unit: Any = ""
    section: Any = ""

    @property
    def key(self) -> str:
        return self.figure.key

    def for_year(self, year: int) -> Figure:
        # A bound copy, not declared: the registry holds the all-years figure only.
        return dataclasses.replace(self.figure, key=f"{self.figure.key}@{year}",
                                   params={**self.figure.params, self.year_param: str(year)})


SYMPOSIUM = {"kind": "symposium"}
_EVENTS, _AGREEMENTS = gettext_lazy("校企对接活动"), gettext_lazy("合作协议与联盟")
_VISITS, _TEACHERS = gettext_lazy("走访企业"), gettext_lazy("教师企业实践与订单培养")
_PLAN = gettext_lazy("计划完成")


def _stat(key: str, label: Any, ui: Any, year_param: str, *, unit: Any, section: Any,
          params: dict[str, str] | None = None, dims: tuple[str, ...] = (), total: str | None = None) -> YearFigure:
    return YearFigure(Figure(key, label, ui=ui, params=params or {}, dims=dims, total=total), year_param, unit, section)


STATISTICS: tuple[YearFigure, ...] = (
    _stat("symposia", gettext_lazy("举办校企合作座谈会"), eng.events, "year", unit=gettext_lazy("场"),
          section=_EVENTS, params=SYMPOSIUM, dims=("committee", "pillar")),
    _stat("symposium_co_hosts", gettext_lazy("联合主办的行业主管部门"), orgs_ui.departments, "symposium_year",
          unit=gettext_lazy("个"), section=_EVENTS),
    _stat("symposium_committees", gettext_lazy("参与主办的产学合作委员会"), orgs_ui.committees, "symposium_year",
          unit=gettext_lazy("个"), section=_EVENTS, dims=("pillar",)),
    _stat("symposium_enterprises", gettext_lazy("出席座谈会的企业（去重）"), orgs_ui.enterprises, "symposium_year",
          unit=gettext_lazy("家"), section=_EVENTS, dims=("county", "industry_section")),
    _stat("events", gettext_lazy("各类校企对接活动"), eng.events, "year", unit=gettext_lazy("场"), section=_EVENTS,
          dims=("kind", "committee")),
    _stat("agreements_signed", gettext_lazy("签署校企合作协议"), eng.agreements, "year", unit=gettext_lazy("份"),
          section=_AGREEMENTS, params={"signed": "true"}, dims=("kind", "committee")),
    _stat("intent_agreements", gettext_lazy("其中：合作意向书"), eng.agreements, "year", unit=gettext_lazy("份"),
          section=_AGREEMENTS, params={"signed": "true", "kind": "intent"}, dims=("committee",)),
    _stat("alliances_founded", gettext_lazy("成立专业发展联盟"), eng.alliances, "year", unit=gettext_lazy("个"),
          section=_AGREEMENTS),
    _stat("visited_enterprises", gettext_lazy("学校走访的企业（去重）"), orgs_ui.enterprises, "visited_year",
          unit=gettext_lazy("家"), section=_VISITS, dims=("county", "industry_section")),
    _stat("visits", gettext_lazy("走访企业次数"), eng.visits, "year", unit=gettext_lazy("次"), section=_VISITS,
          dims=("school", "county")),
    _stat("practice_person_times", gettext_lazy("教师企业实践"), eng.practices, "year", unit=gettext_lazy("人次"),
          section=_TEACHERS, dims=("school", "county")),
    _stat("practice_days", gettext_lazy("教师企业实践天数（去重叠）"), eng.practices, "year", unit=gettext_lazy("天"),
          section=_TEACHERS, dims=("school", "county"), total="counted_days"),
    _stat("order_classes", gettext_lazy("新开订单班"), eng.order_classes, "cohort_year", unit=gettext_lazy("个"),
          section=_TEACHERS, dims=("school", "county")),
    _stat("order_class_students", gettext_lazy("订单班学生"), eng.order_classes, "cohort_year",
          unit=gettext_lazy("人"), section=_TEACHERS, dims=("school", "county"), total="enrolled"),
    _stat("planned_activities", gettext_lazy("年度计划活动"), eng.activities, "year", unit=gettext_lazy("项"),
          section=_PLAN, dims=("committee",)),
    _stat("planned_activities_held", gettext_lazy("其中：已举办"), eng.activities, "year", unit=gettext_lazy("项"),
          section=_PLAN, params={"held": "true"}, dims=("committee",)),
)
declare(*(s.figure for s in STATISTICS))
BY_KEY = {s.key: s for s in STATISTICS}

# The breakdowns the page draws (figure, dimension, title).
BREAKDOWNS: tuple[tuple[str, str, Any], ...] = (
    ("symposia", "committee", gettext_lazy("座谈会：按产学合作委员会")),
    ("agreements_signed", "kind", gettext_lazy("签署协议：按协议类型")),
    ("visits", "county", gettext_lazy("走访企业次数：按学校所在区县")),
    ("practice_person_times", "county", gettext_lazy("教师企业实践人次：按学校所在区县")),
    ("order_class_students", "school", gettext_lazy("订单班学生：按学校")),
    ("symposium_enterprises", "industry_section", gettext_lazy("出席座谈会的企业：按行业门类")),
)


def year_figures(user: Any, years: Iterable[int],
                 keys: Sequence[str] | None = None) -> dict[int, dict[str, FigureValue]]:
    """Every statistic (or those of ``keys``) for each of ``years``, within ``user``'s scope: one query
    per list page, however many years."""
    chosen = [BY_KEY[k] for k in keys] if keys else list(STATISTICS)
    years = sorted(set(years))
    bound = {(y, s.key): s.for_year(y) for y in years for s in chosen}
    values = evaluate(bound.values(), {}, user)
    return {y: {s.key: values[bound[(y, s.key)].key] for s in chosen} for y in years}


def breakdown(user: Any, key: str, dimension: str, year: int) -> FigureValue:
    """One statistic of one year by one dimension (each group with its drill-down)."""
    figure = BY_KEY[key].for_year(year)
    return evaluate([figure], {}, user, by=dimension)[figure.key]


def change(current: int, previous: int | None) -> dict[str, Any]:
    """Year-over-year change: the difference and the percentage (None when last year had none)."""
    if previous is None:
        return {"diff": None, "percent": None}
    diff = current - previous
    return {"diff": diff, "percent": round(100 * diff / previous, 1) if previous else None}


def statistics_table(user: Any, year: int, *, trend_years: int = 4) -> dict[str, Any]:
    """What the statistics page, its export and the API show for ``year``: each figure this year and
    last, the change, the trend over ``trend_years`` years, with drill-down links."""
    years = list(range(year - trend_years + 1, year + 1))
    values = year_figures(user, years)
    rows = []
    for stat in STATISTICS:
        now, before = values[year][stat.key], values.get(year - 1, {}).get(stat.key)
        rows.append({
            "key": stat.key, "label": str(stat.figure.label), "unit": str(stat.unit), "section": str(stat.section),
            "value": now.value, "url": now.drill_url,
            "previous": before.value if before else None, "previous_url": before.drill_url if before else None,
            "change": change(now.value, before.value if before else None),
            "trend": [{"year": y, "value": values[y][stat.key].value, "url": values[y][stat.key].drill_url}
                      for y in years],
        })
    return {"year": year, "years": years, "rows": rows}


def fulfilment(user: Any, year: int) -> list[dict[str, Any]]:
    """Planned vs held activities per committee for ``year`` (the plan page's table, engagement/fulfilment.py)."""
    return by_committee(user, {"year": str(year)})


def charts(user: Any, table: dict[str, Any]) -> list[dict[str, Any]]:
    """ECharts specifications (static/js/charts.js): the trend of the counted figures, and the breakdowns."""
    trend_keys = ("symposia", "agreements_signed", "visits", "practice_person_times", "order_classes")
    by_key = {row["key"]: row for row in table["rows"]}
    result: list[dict[str, Any]] = [{
        "key": "trend", "title": _("近年趋势"), "type": "line", "labels": [str(y) for y in table["years"]],
        "series": [{"name": by_key[k]["label"], "values": [t["value"] for t in by_key[k]["trend"]],
                    "urls": [t["url"] for t in by_key[k]["trend"]]} for k in trend_keys],
    }]
    for key, dimension, title in BREAKDOWNS:
        value = breakdown(user, key, dimension, table["year"])
        if value.groups:
            result.append({"key": f"{key}-{dimension}", "title": str(title), "type": "bar",
                           "labels": [g.label for g in value.groups], "values": [g.value for g in value.groups],
                           "urls": [g.drill_url for g in value.groups]})
    return result


def export_rows(table: dict[str, Any]) -> list[list[Any]]:
    """The 统计表 as spreadsheet rows: one line per figure, the trend years as columns, and the change."""
    years = table["years"]
    header = [_("类别"), _("指标"), _("单位"), *[_("%(y)d年") % {"y": y} for y in years], _("同比增减"),
              _("同比增幅（%）")]
    lines: list[list[Any]] = [header]
    for row in table["rows"]:
        lines.append([row["section"], row["label"], row["unit"], *[t["value"] for t in row["trend"]],
                      row["change"]["diff"], row["change"]["percent"]])
    return lines
