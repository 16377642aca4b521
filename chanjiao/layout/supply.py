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

from django.db.models import Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy

from chanjiao.core.figures import Figure, evaluate
from chanjiao.core.types import User
from chanjiao.layout import crosswalk
from chanjiao.layout.models import CrosswalkVersion, DeclaredDemand

# The demand sources the analysis reads (postings join when their issue lands).
DEMAND_SOURCES = (gettext_lazy("企业填报的用人需求"),)


@dataclass
class PillarRow:
    pillar: Any
    enrolled: int
    enrolled_url: str
    graduates: int
    graduates_url: str
    demand: int
    demand_url: str

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
            Figure(f"demand-{pillar.pk}", gettext_lazy("需求人数"), ui.demand, params, total="headcount")]


def pillars_for(user: User) -> list[Any]:
    from chanjiao.orgs.models import PillarIndustry

    return list(PillarIndustry.objects.visible_to(user).select_related("group").order_by("group__name", "order",
                                                                                        "name", "pk"))


def by_pillar(user: User, year: int, version: CrosswalkVersion | None) -> list[PillarRow]:
    """One row per pillar industry the user sees (one statement per list, whatever the number of pillars)."""
    pillars = pillars_for(user)
    figures = [f for p in pillars for f in _figures(p, year, version)]
    values = evaluate(figures, {}, user) if figures else {}
    rows = []
    for p in pillars:
        e, g, d = (values[f"{k}-{p.pk}"] for k in ("enrolled", "graduates", "demand"))
        rows.append(PillarRow(p, e.value, e.drill_url, g.value, g.drill_url, d.value, d.drill_url))
    return rows


def heatmap(user: User, year: int, version: CrosswalkVersion | None) -> dict[str, Any]:
    """Pillar × 专业大类: graduates against declared demand per cell, each cell with its two lists."""
    from chanjiao.layout import ui

    pillars = pillars_for(user)
    cells: dict[tuple[int, str], dict[str, Any]] = {}
    categories: dict[str, str] = {}
    for p in pillars:
        (grads,) = [f for f in _figures(p, year, version) if f.key.startswith("graduates")]
        value = evaluate([grads], {}, user, by="category")[grads.key]
        for group in value.groups:
            categories.setdefault(str(group.key), group.label)
            cells[(p.pk, str(group.key))] = {"graduates": group.value, "supply_url": group.drill_url, "demand": 0}
        codes = crosswalk.pillar_codes(p)
        demand = (DeclaredDemand.objects.visible_to(user).filter(crosswalk.demand_q(codes, version), year=year)
                  .exclude(class_code="").annotate(category=Substr("class_code", 1, 2))
                  .values("category").annotate(n=Sum("headcount")).order_by())
        for row in demand:
            cell = cells.setdefault((p.pk, row["category"]), {"graduates": 0, "supply_url": None, "demand": 0})
            cell["demand"] = row["n"]
            params = {"year": year, "pillar": p.pk, "category": row["category"]}
            if version is not None:
                params["crosswalk"] = version.pk
            cell["demand_url"] = f"{reverse(ui.demand.url_name('list'))}?{urlencode(params)}"
            categories.setdefault(row["category"], row["category"])
    columns = sorted(categories)
    return {"pillars": [str(p) for p in pillars], "categories": [f"{c} {categories[c]}".strip() for c in columns],
            "cells": [{"x": columns.index(c), "y": [p.pk for p in pillars].index(pk), **v}
                      for (pk, c), v in cells.items()]}


def version_for(region: str, year: int) -> CrosswalkVersion | None:
    return crosswalk.in_force(region, dt.date(year, 12, 31))
