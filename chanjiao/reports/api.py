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
    import chanjiao.reports.dashboard  # noqa: F401  (its declarations fill the registry)

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
