"""The three published lists (三张清单, issue #10 point 8) and the yearly fit report's figures, from the
fit analysis — never from the employment rate alone:

- 限制或撤销专业清单: majors with an offering the warning rules rate red (named with the rules);
- 升级改造专业清单: majors with amber offerings and no red one (density, placement);
- 急需紧缺专业清单: 专业类 whose declared demand exceeds the year's graduates (supply against demand).

Each is one grouped statement; the rule pack and the crosswalk version in force are stated with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy

from chanjiao.core.types import User
from chanjiao.layout import fit, rule_packs
from chanjiao.layout.crosswalk import in_force
from chanjiao.layout.models import CrosswalkVersion, DeclaredDemand, OfferingYear

LIST_LABELS = {"restrict": gettext_lazy("限制或撤销专业清单"), "upgrade": gettext_lazy("升级改造专业清单"),
               "urgent": gettext_lazy("急需紧缺专业清单")}


@dataclass
class Basis:
    """What a list or report rests on: the year, the rule pack and the crosswalk version in force."""

    year: int
    region: str
    pack: rule_packs.RulePack | None
    crosswalk: CrosswalkVersion | None
    made_on: dt.date

    @property
    def pack_name(self) -> str:
        return str(self.pack.name) if self.pack else str(gettext_lazy("全国默认"))

    @property
    def crosswalk_name(self) -> str:
        return str(self.crosswalk) if self.crosswalk else str(gettext_lazy("无已发布的对照表"))


def basis(region: str, year: int, today: dt.date) -> Basis:
    end = fit.year_end(year)
    return Basis(year, region, rule_packs.pack_in_force(region, end) if region else None,
                 in_force(region, end), today)


def by_major(user: User, year: int) -> list[dict[str, Any]]:
    """Per catalogue major live at the end of ``year``: offerings, red, amber and each rule's count."""
    return fit.counts(user, year).majors


def urgent(user: User, year: int) -> list[dict[str, Any]]:
    """专业类 whose declared demand in ``year`` exceeds their graduates, largest gap first."""
    demand = dict(DeclaredDemand.objects.visible_to(user).filter(year=year).exclude(class_code="")
                  .values_list("class_code").annotate(n=Sum("headcount")).order_by())
    supply = dict(OfferingYear.objects.visible_to(user).filter(year=year, offering__major__isnull=False)
                  .values_list("offering__major__class_code").annotate(n=Sum("graduates")).order_by())
    from chanjiao.catalog.models import Major

    names = dict(Major.objects.visible_to(user).filter(class_code__in=list(demand)).order_by()
                 .values_list("class_code", "class_name").distinct())
    rows = [{"class_code": code, "class_name": names.get(code, ""), "demand": n, "graduates": supply.get(code, 0),
             "gap": n - supply.get(code, 0)} for code, n in demand.items() if n > supply.get(code, 0)]
    return sorted(rows, key=lambda r: (-r["gap"], r["class_code"]))


def three_lists(user: User, year: int, counted: fit.Counts | None = None) -> dict[str, list[dict[str, Any]]]:
    """The three lists (``counted``: the fit counts when the caller has them already)."""
    majors = (counted or fit.counts(user, year)).majors
    return {"restrict": [r for r in majors if r["red"]],
            "upgrade": [r for r in majors if not r["red"] and r["amber"]],
            "urgent": urgent(user, year)}
