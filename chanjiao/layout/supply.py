"""Supply against demand per pillar industry (专业与产业匹配, issue #10 point 4): the enrolment and the
graduates of the offerings the crosswalk maps onto each pillar, against the headcount its enterprises
declared — as Figures on the offering-years and demand lists (``pillar`` + ``crosswalk`` + ``year``),
so every number opens exactly the rows it counts; and the heatmap pillar × 专业大类.

Every result states the crosswalk version it used and the demand sources it read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, dimension_param, figure_url
from chanjiao.core.types import User
from chanjiao.layout import crosswalk
from chanjiao.layout.models import CrosswalkVersion

# The demand sources the analysis reads; the postings' classifier versions are named per result.
DEMAND_SOURCES = (gettext_lazy("企业填报的用人需求"), gettext_lazy("招聘网站岗位"))


@dataclass
class PillarRow:
    pillar: Any
    enrolled: int
    enrolled_url: str
    graduates: int
    graduates_url: str
    demand: int
    demand_url: str
    postings: int = 0
    postings_url: str = ""

    @property
    def gap(self) -> int:
        """Declared demand not met by the year's graduates (negative: more graduates than demand)."""
        return self.demand - self.graduates


def _figures(pillar: Any, year: int, version: CrosswalkVersion | None) -> list[Figure]:
    from chanjiao.layout import ui

    params = {"year": str(year), "pillar": str(pillar.pk)}
    if version is not None:
        params["crosswalk"] = str(version.pk)
    return [Figure(f"enrolled-{pillar.pk}", gettext_lazy("招生数"), ui.offering_years, params, total="enrolled",
                   dims=("category",)),
            Figure(f"graduates-{pillar.pk}", gettext_lazy("毕业生数"), ui.offering_years, params, total="graduates",
                   dims=("category",)),
            Figure(f"demand-{pillar.pk}", gettext_lazy("需求人数"), ui.demand, params, total="headcount"),
            Figure(f"postings-{pillar.pk}", gettext_lazy("招聘岗位数"), ui.postings, params)]


def pillars_for(user: User) -> list[Any]:
    from chanjiao.orgs.models import PillarIndustry

    return list(PillarIndustry.objects.visible_to(user).select_related("group").order_by("group__name", "order",
                                                                                        "name", "pk"))


def _pairs(name: str, columns: str, rows: list[tuple[Any, ...]]) -> str:
    """A CTE of literal rows (ids and catalogue codes made here, never user text): ``name(columns)``."""
    def literal(v: Any) -> str:
        if isinstance(v, int):
            return str(int(v))
        text = str(v)
        if not text.replace("_", "").isalnum():  # GB/T 4754 and 专业类 codes: letters and digits only
            raise ValueError(f"not a code: {text!r}")
        return f"'{text}'"

    values = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"{name}({columns}) AS (VALUES {values})"


def _grouped(queryset: Any, sql_tail: str, ctes: list[str]) -> list[tuple[Any, ...]]:
    """Run ``WITH base AS (<the scoped queryset>), <ctes> <sql_tail>`` on the queryset's database: the sums
    per pillar happen in SQL, over the scoped rows grouped first."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    statement = f"WITH base AS ({sql}), {', '.join(ctes)} {sql_tail}"
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


def _supply(user: User, year: int, mapping: dict[int, crosswalk.PillarMap],
            by_category: bool = False) -> dict[Any, tuple[int, int]]:
    """Enrolment and graduates of ``year`` per pillar (per (pillar, 专业大类) ``by_category``): the scoped
    offering-years grouped by major, then summed over what each pillar reaches — majors by their own
    entries, the others by 专业类 (``PillarMap``) — in one statement."""
    from chanjiao.layout.models import OfferingYear

    own = [(pillar, major) for pillar, m in mapping.items() for major in sorted(m.own)]
    classes = [(pillar, c) for pillar, m in mapping.items() for c in sorted(m.classes)]
    if not own and not classes:
        return {}
    refined = next(iter(mapping.values())).refined
    per_major = (OfferingYear.objects.visible_to(user).filter(year=year, offering__major__isnull=False)
                 .values(major=F("offering__major_id"), cls=F("offering__major__class_code"),
                         category=F("offering__major__category_code"))
                 .annotate(enrolled=Sum("enrolled"), graduates=Sum("graduates")).order_by())
    ctes, parts = [], []
    if own:
        ctes.append(_pairs("pm", "pillar, major", own))
        parts.append("SELECT pm.pillar, base.category, base.enrolled, base.graduates FROM pm "
                     "JOIN base ON base.major = pm.major")
    if classes:
        ctes.append(_pairs("pcl", "pillar, cls", classes))
        unrefined = f" WHERE base.major NOT IN ({', '.join(str(int(m)) for m in sorted(refined))})" if refined else ""
        parts.append("SELECT pcl.pillar, base.category, base.enrolled, base.graduates FROM pcl "  # noqa: S608
                     f"JOIN base ON base.cls = pcl.cls{unrefined}")
    group = "x.pillar, x.category" if by_category else "x.pillar"
    # Fixed SQL text; the only values are integers, codes _pairs checked and the queryset's own parameters.
    rows = _grouped(per_major, f"SELECT {group}, SUM(x.enrolled), SUM(x.graduates) "  # noqa: S608
                               f"FROM ({' UNION ALL '.join(parts)}) x GROUP BY {group}", ctes)
    if by_category:
        return {(r[0], r[1]): (int(r[2] or 0), int(r[3] or 0)) for r in rows}
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}


def _demand(user: User, year: int, codes: dict[int, crosswalk.Codes],
            mapping: dict[int, crosswalk.PillarMap], by_category: bool = False) -> dict[Any, int]:
    """Declared demand of ``year`` per pillar (per (pillar, 专业大类) ``by_category``), as ``demand_q``
    selects it: enterprises within the pillar's industries, or without an industry by the 专业类 the
    crosswalk maps onto it."""
    from chanjiao.layout.models import DeclaredDemand

    queryset = DeclaredDemand.objects.visible_to(user).filter(year=year)
    if by_category:
        queryset = queryset.exclude(class_code="")
    per_group = (queryset.values(industry=F("enterprise__industry_id"), cls=F("class_code"))
                 .annotate(n=Sum("headcount")).order_by())
    return _per_pillar(per_group, codes, mapping, by_category)


def _postings(user: User, year: int, codes: dict[int, crosswalk.Codes],
              mapping: dict[int, crosswalk.PillarMap]) -> dict[Any, int]:
    """Job postings of ``year`` per pillar, each post once, as ``postings_q`` selects them: the advertiser
    within the pillar's industries, or (no registered enterprise, or one without an industry) by the 专业类
    the posting was classified to."""
    from chanjiao.layout.models import JobPosting

    per_group = (JobPosting.objects.visible_to(user).filter(year=year, duplicate_of__isnull=True)
                 .values(industry=F("enterprise__industry_id"), cls=F("class_code"))
                 .annotate(n=Count("id")).order_by())
    return _per_pillar(per_group, codes, mapping, False)


def _per_pillar(per_group: Any, codes: dict[int, crosswalk.Codes], mapping: dict[int, crosswalk.PillarMap],
                by_category: bool) -> dict[Any, int]:
    """Sum ``n`` of rows grouped by (industry, 专业类) over the pillars each row reaches — by its industry
    within the pillar's codes, or, without an industry, by the 专业类 the crosswalk maps onto the pillar —
    in one statement."""
    from chanjiao.catalog.models import Industry

    prefixes = [(pillar, code, int(level == Industry.Level.SECTION))
                for pillar, rows in codes.items() for code, level, _section in rows]
    classes = [(pillar, c) for pillar, m in mapping.items() for c in sorted(m.classes)]
    if not prefixes:
        return {}
    # Every key an industry is found under: its 门类, and each of its code's prefixes (2 to 4 digits).
    keys = " UNION ALL ".join(
        ["SELECT id AS industry, section AS code, 1 AS is_section FROM catalog_industry"]
        + [f"SELECT id, substr(code, 1, {n}), 0 FROM catalog_industry WHERE level > 1 AND length(code) >= {n}"  # noqa: S608
           for n in (2, 3, 4)])
    ctes = [_pairs("pc", "pillar, code, is_section", prefixes), f"keys AS ({keys})",
            "within AS (SELECT DISTINCT pc.pillar, keys.industry FROM pc JOIN keys ON keys.code = pc.code "
            "AND keys.is_section = pc.is_section)"]
    by_class = ""
    if classes:
        ctes.append(_pairs("pcl", "pillar, cls", classes))
        by_class = ("UNION ALL SELECT pcl.pillar, base.cls, base.n FROM base JOIN pcl ON pcl.cls = base.cls "
                    "WHERE base.industry IS NULL")
    category = "substr(x.cls, 1, 2)"
    group = f"x.pillar, {category}" if by_category else "x.pillar"
    rows = _grouped(per_group, f"SELECT {group}, SUM(x.n) FROM (SELECT within.pillar, base.cls, base.n FROM base "  # noqa: S608
                               f"JOIN within ON within.industry = base.industry {by_class}) x GROUP BY {group}",
                    ctes)
    if by_category:
        return {(r[0], r[1]): int(r[2] or 0) for r in rows}
    return {r[0]: int(r[1] or 0) for r in rows}


def classifier_versions(user: User, year: int) -> list[str]:
    """The classifier versions that classified the year's postings the user sees (the analysis says which)."""
    from chanjiao.layout.models import JobPosting

    return sorted(v for v in JobPosting.objects.visible_to(user).filter(year=year).exclude(classifier_version="")
                  .order_by().values_list("classifier_version", flat=True).distinct())


def by_pillar(user: User, year: int, version: CrosswalkVersion | None) -> list[PillarRow]:
    """One row per pillar industry the user sees, each number with the list it counts (a Figure's
    drill-down). Four statements and the crosswalk's, whatever the number of pillars."""
    pillars = pillars_for(user)
    codes = crosswalk.codes_of(pillars)
    mapping = crosswalk.pillar_mapping(codes, version)
    supply, demand = _supply(user, year, mapping), _demand(user, year, codes, mapping)
    advertised = _postings(user, year, codes, mapping)
    rows = []
    for p in pillars:
        enrolled, graduates, wanted, posts = _figures(p, year, version)
        e, g = supply.get(p.pk, (0, 0))
        rows.append(PillarRow(p, e, figure_url(enrolled), g, figure_url(graduates), demand.get(p.pk, 0),
                              figure_url(wanted), advertised.get(p.pk, 0), figure_url(posts)))
    return rows


def heatmap(user: User, year: int, version: CrosswalkVersion | None) -> dict[str, Any]:
    """Pillar × 专业大类: graduates against declared demand per cell, each cell with its two lists."""
    from chanjiao.catalog.models import Major

    pillars = pillars_for(user)
    codes = crosswalk.codes_of(pillars)
    mapping = crosswalk.pillar_mapping(codes, version)
    supply, demand = _supply(user, year, mapping, by_category=True), _demand(user, year, codes, mapping, True)
    names = dict(Major.objects.visible_to(user).order_by().values_list("category_code", "category_name").distinct())
    by_pk = {p.pk: p for p in pillars}
    cells: dict[tuple[int, str], dict[str, Any]] = {}
    for (pk, category), (_e, graduates) in supply.items():
        if not graduates:
            continue
        (grads,) = [f for f in _figures(by_pk[pk], year, version) if f.key.startswith("graduates")]
        url = figure_url(grads, {dimension_param(grads.ui, "category"): category})
        cells[(pk, category)] = {"graduates": graduates, "supply_url": url, "demand": 0}
    for (pk, category), n in demand.items():
        cell = cells.setdefault((pk, category), {"graduates": 0, "supply_url": None, "demand": 0})
        cell["demand"] = n
        params = {"year": year, "pillar": pk, "category": category}
        if version is not None:
            params["crosswalk"] = version.pk
        cell["demand_url"] = f"{reverse(ui_demand_list())}?{urlencode(params)}"
    columns = sorted({c for _pk, c in cells})
    return {"pillars": [str(p) for p in pillars],
            "categories": [f"{c} {names.get(c, '')}".strip() for c in columns],
            "cells": [{"x": columns.index(c), "y": [p.pk for p in pillars].index(pk), **v}
                      for (pk, c), v in cells.items()]}


def ui_demand_list() -> str:
    from chanjiao.layout import ui

    return ui.demand.url_name("list")


def version_for(region: str, year: int) -> CrosswalkVersion | None:
    return crosswalk.in_force(region, dt.date(year, 12, 31))
