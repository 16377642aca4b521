"""The landing dashboard: figures computed from records, within the user's scope.

One GROUP BY per figure family; nothing is summed in Python over rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from chanjiao.core.scoping import get_scope


def dashboard_for(user: Any) -> dict[str, Any]:
    from chanjiao.catalog.models import Industry
    from chanjiao.orgs.models import Organisation, OrgKind, SchoolLevel

    scope = get_scope(user)
    visible = Organisation.objects.visible_to(user)
    by_kind = dict(visible.order_by().values_list("kind").annotate(n=Count("id")))
    tiles = [{"label": str(label), "value": by_kind.get(kind, 0), "kind": kind} for kind, label in OrgKind.choices]

    sections = dict(
        visible.filter(kind=OrgKind.ENTERPRISE, industry__isnull=False)
        .order_by().values_list("industry__section").annotate(n=Count("id"))
    )
    section_names = dict(Industry.objects.filter(level=Industry.Level.SECTION, code__in=sections)
                         .values_list("code", "name"))
    enterprise_chart = {
        "title": _("企业行业分布（国民经济行业门类）"),
        "type": "bar",
        "labels": [section_names.get(code, code) for code in sorted(sections)],
        "values": [sections[code] for code in sorted(sections)],
    }
    levels = dict(visible.filter(kind=OrgKind.SCHOOL).order_by().values_list("school_level")
                  .annotate(n=Count("id")))
    school_chart = {
        "title": _("学校办学层次"),
        "type": "pie",
        "labels": [str(label) for value, label in SchoolLevel.choices if levels.get(value)],
        "values": [levels[value] for value, _label in SchoolLevel.choices if levels.get(value)],
    }
    own = list(visible.filter(pk__in=scope.orgs()).values("id", "name", "kind"))
    charts = [c for c in (enterprise_chart, school_chart) if c["values"]] if scope.business_user else []
    return {"tiles": tiles if scope.business_user else [], "own_organisations": own, "charts": charts,
            "roles": sorted(scope.roles)}
