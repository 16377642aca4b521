"""The landing dashboard: figures declared once (core/figures.py), counted within the user's scope.

Each tile, bar, slice and own-organisation figure is a ``Figure`` over a list page's FilterSet, so
it links to the list that shows exactly the rows it counts. A fixed number of queries per page
(one per figure family), however many rows; nothing is summed in Python over rows.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, FigureValue, declare, evaluate
from chanjiao.core.scoping import get_scope
from chanjiao.orgs import ui as orgs_ui
from chanjiao.orgs.models import OrgKind
from chanjiao.reports import statistics  # noqa: F401  (declares the year's figures: the API and tests list them)

# One tile per kind of organisation; the school and enterprise tiles are broken down by the charts.
ORGANISATIONS = declare(
    Figure("schools", OrgKind.SCHOOL.label, ui=orgs_ui.schools, dims=("school_level", "county", "city")),
    Figure("enterprises", OrgKind.ENTERPRISE.label, ui=orgs_ui.enterprises,
           dims=("industry_section", "county", "city")),
    Figure("departments", OrgKind.DEPARTMENT.label, ui=orgs_ui.departments),
    Figure("associations", OrgKind.ASSOCIATION.label, ui=orgs_ui.associations),
    Figure("institutes", OrgKind.INSTITUTE.label, ui=orgs_ui.institutes),
)
SCHOOLS, ENTERPRISES = ORGANISATIONS[0], ORGANISATIONS[1]
TILE_KINDS = {"schools": OrgKind.SCHOOL, "enterprises": OrgKind.ENTERPRISE, "departments": OrgKind.DEPARTMENT,
              "associations": OrgKind.ASSOCIATION, "institutes": OrgKind.INSTITUTE}

# What the user's own organisations hold ("仅本单位" in each list: the drill-down shows the same rows).
MINE = {"mine": "true"}
SCHOOL_FIGURES = declare(
    Figure("own_teachers", gettext_lazy("教师"), ui=orgs_ui.teachers, params=MINE, dims=("school",)),
    Figure("own_dual_qualified_teachers", gettext_lazy("其中双师型教师"), ui=orgs_ui.teachers,
           params={**MINE, "is_dual_qualified": "true"}, dims=("school",)),
    Figure("own_guidance_committees", gettext_lazy("本校专业教学指导委员会"), ui=orgs_ui.guidance_committees,
           params=MINE),
)
OWN_FIGURES = declare(
    Figure("own_contacts", gettext_lazy("本单位联系人"), ui=orgs_ui.contacts, params=MINE),
    Figure("own_committees", gettext_lazy("参与产学合作委员会（在任）"), ui=orgs_ui.committees, params=MINE),
    Figure("own_guidance_seats", gettext_lazy("专业教学指导委员会委员席位（在任）"), ui=orgs_ui.guidance_members,
           params={**MINE, "current": "true"}),
)


def _item(value: FigureValue) -> dict[str, Any]:
    return {"key": value.key, "label": value.label, "value": value.value, "url": value.drill_url}


def _chart(value: FigureValue, title: str, kind: str) -> dict[str, Any]:
    """An ECharts series whose every bar or slice carries the drill URL of its rows (static/js/charts.js)."""
    return {"key": value.key, "title": title, "type": kind, "labels": [g.label for g in value.groups],
            "values": [g.value for g in value.groups], "urls": [g.drill_url for g in value.groups]}


def dashboard_for(user: Any) -> dict[str, Any]:
    from chanjiao.orgs.models import Organisation

    scope = get_scope(user)
    own = list(Organisation.objects.visible_to(user).filter(pk__in=scope.orgs()).values("id", "name", "kind"))
    tiles: list[dict[str, Any]] = []
    charts: list[dict[str, Any]] = []
    if scope.business_user:
        counted = evaluate(ORGANISATIONS, {}, user)
        tiles = [{**_item(counted[f.key]), "kind": TILE_KINDS[f.key]} for f in ORGANISATIONS]
        by_section = evaluate([ENTERPRISES], {}, user, by="industry_section")[ENTERPRISES.key]
        by_level = evaluate([SCHOOLS], {}, user, by="school_level")[SCHOOLS.key]
        charts = [c for c in (_chart(by_section, _("企业行业分布（国民经济行业门类）"), "bar"),
                              _chart(by_level, _("学校办学层次"), "pie")) if c["values"]]
    figures = own_figures(user, own) if own else []
    from chanjiao.reports.todo import todo_for

    return {"tiles": tiles, "own_organisations": own, "charts": charts, "rollup": city_rollup(user),
            "todo": todo_for(user) if scope.business_user else [],
            "figures": figures, "roles": sorted(scope.roles), "admin_duties": admin_duties(scope)}


# The roll-up by city (issue #8 point 0): schools and enterprises per 市（州）, each cell a drill-down.
ROLLUP = (SCHOOLS, ENTERPRISES)


def reaches_several_cities(user: Any) -> bool:
    """A province's bureau (or an unbounded one) reads many cities: its dashboard rolls up by city."""
    scope = get_scope(user)
    return scope.reads_all and (scope.everywhere or any(len(code) == 2 for code in scope.jurisdictions or ()))


def city_rollup(user: Any) -> dict[str, Any] | None:
    """Per city: the count of each ROLLUP figure and its drill URL, biggest city first; one grouped
    query per figure. None for a user who reads one city only."""
    if not reaches_several_cities(user):
        return None
    counted = {f.key: evaluate([f], {}, user, by="city")[f.key] for f in ROLLUP}
    cities: dict[Any, dict[str, Any]] = {}
    for figure in ROLLUP:
        for group in counted[figure.key].groups:
            row = cities.setdefault(group.key, {"label": group.label, "cells": {}})
            row["cells"][figure.key] = {"value": group.value, "url": group.drill_url}
    rows = [{"label": row["label"], "cells": [row["cells"].get(f.key, {"value": 0, "url": None}) for f in ROLLUP]}
            for row in cities.values()]
    rows.sort(key=lambda r: (-sum(c["value"] for c in r["cells"]), r["label"]))
    return {"columns": [str(f.label) for f in ROLLUP], "rows": rows,
            "totals": [_item(counted[f.key]) for f in ROLLUP]}


def own_figures(user: Any, own: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the user's own organisations hold: people, committee seats, guidance work (a query per family)."""
    declared = [*SCHOOL_FIGURES, *OWN_FIGURES] if any(o["kind"] == OrgKind.SCHOOL for o in own) else [*OWN_FIGURES]
    counted = evaluate(declared, {}, user)
    return [_item(counted[f.key]) for f in declared]


def admin_duties(scope: Any) -> list[dict[str, Any]]:
    """What each system administrator does here (三权分立), with links to the pages of that duty only.

    The text states the scope rules as built: none of the three reads business data; the security
    admin sees organisations only as names to pick when granting a role."""
    from chanjiao.core.roles import Role

    duties = {
        Role.SYSTEM_ADMIN: (
            _("系统管理员：新建和停用账户，为业务用户和其他系统管理员重置密码。角色由安全管理员授予；"
              "安全管理员和审计管理员的账户不由您管理；审计日志只有审计管理员能查阅。"),
            [(_("用户"), "accounts:user_list"), (_("角色授权"), "accounts:membership_list")],
        ),
        Role.SECURITY_ADMIN: (
            _("安全管理员：为用户授予和收回角色（不能给自己授权）。授权时可按名称选择单位，"
              "但不能查看学校、企业等单位的业务数据；账户由系统管理员管理。"),
            [(_("角色授权"), "accounts:membership_list"), (_("用户"), "accounts:user_list")],
        ),
        Role.AUDIT_ADMIN: (
            _("审计管理员：查阅、筛选和导出审计日志，不能修改任何数据，也不管理账户和角色。"),
            [(_("审计日志"), "core:audit_search")],
        ),
    }
    return [{"role": str(Role(role).label), "text": str(text),
             "links": [{"label": str(label), "url": url} for label, url in links]}
            for role, (text, links) in duties.items() if scope.has(role)]
