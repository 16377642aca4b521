"""GET /api/reports/figures: the declared figures (core/figures.py), counted within the caller's scope.

The same declarations and the same evaluation as the dashboard; each value carries the list page
(``drill_url``) that shows exactly the rows it counts.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from chanjiao.core import figures
from chanjiao.core.api import ERRORS_READ

router = Router(tags=["统计"])


class GroupOut(Schema):
    key: str  # the filter value that selects the group (the drill URL's parameter)
    label: str
    value: int
    drill_url: str | None


class FigureOut(Schema):
    key: str
    label: str
    value: int
    drill_url: str
    groups: list[GroupOut]


class FigureQuery(Schema):
    names: str = ""  # comma-separated figure keys; empty: every declared figure
    by: str | None = None  # a dimension every requested figure declares


@router.get("/figures", response={200: list[FigureOut], **ERRORS_READ}, summary="统计数字",
            operation_id="reports_figures")
def figure_values(request: HttpRequest, query: Query[FigureQuery]) -> list[dict[str, Any]]:
    import chanjiao.reports.dashboard  # noqa: F401  (its declarations, and the statistics', fill the registry)

    known = {f.key: f for f in figures.registry}
    names = list(dict.fromkeys(n.strip() for n in query.names.split(",") if n.strip())) or list(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise HttpError(400, _("没有这些统计项：%(names)s") % {"names": "、".join(unknown)})
    chosen = [known[n] for n in names]
    if query.by is not None:
        lacking = [f.key for f in chosen if query.by not in f.dims]
        if lacking:
            raise HttpError(400, _("这些统计项不能按“%(by)s”分组：%(names)s") % {"by": query.by,
                                                                            "names": "、".join(lacking)})
    try:
        values = figures.evaluate(chosen, {}, request.user, by=query.by)
    except figures.FigureError as exc:
        raise HttpError(400, _("筛选条件有误：%(e)s") % {"e": exc}) from exc
    return [{"key": v.key, "label": v.label, "value": v.value, "drill_url": v.drill_url,
             "groups": [{"key": figures.param_value(g.key), "label": g.label, "value": g.value,
                         "drill_url": g.drill_url} for g in v.groups]}
            for v in (values[n] for n in names)]


class TrendOut(Schema):
    year: int
    value: int
    url: str


class ChangeOut(Schema):
    diff: int | None
    percent: float | None


class StatisticOut(Schema):
    key: str
    label: str
    unit: str
    section: str
    value: int
    url: str  # the list page of exactly the records counted
    previous: int | None
    change: ChangeOut
    trend: list[TrendOut]
    groups: list[GroupOut] | None = None  # with ``by``: the year's value by that dimension, each with its list


class StatisticsOut(Schema):
    year: int
    years: list[int]
    rows: list[StatisticOut]


class StatisticsQuery(Schema):
    year: int | None = None  # this year when absent
    by: str | None = None  # a dimension (committee, pillar, county, school, kind…): rows that have it are broken down


@router.get("/statistics", response={200: StatisticsOut, **ERRORS_READ}, summary="年度校企对接统计",
            operation_id="reports_statistics")
def year_statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> dict[str, Any]:
    from chanjiao.reports.statistics import BY_KEY, STATISTICS, breakdown, statistics_table
    from chanjiao.reports.statistics_views import FIRST_YEAR, LAST_YEAR, chosen_year

    if query.year is not None and not FIRST_YEAR <= query.year <= LAST_YEAR:
        raise HttpError(400, _("年度应在 %(a)d—%(b)d 之间。") % {"a": FIRST_YEAR, "b": LAST_YEAR})
    year, _problem = chosen_year(None if query.year is None else str(query.year))
    table = statistics_table(request.user, year)
    if query.by is not None:
        known = {d for s in STATISTICS for d in s.figure.dims}
        if query.by not in known:
            raise HttpError(400, _("不能按“%(by)s”分组；可选：%(names)s") % {"by": query.by,
                                                                       "names": "、".join(sorted(known))})
        for row in table["rows"]:
            if query.by in BY_KEY[row["key"]].figure.dims:
                value = breakdown(request.user, row["key"], query.by, year)
                row["groups"] = [{"key": figures.param_value(g.key), "label": g.label, "value": g.value,
                                  "drill_url": g.drill_url} for g in value.groups]
    return table
