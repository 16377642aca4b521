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
    figures = own_figures(user, [o["id"] for o in own]) if own else []
    charts = [c for c in (enterprise_chart, school_chart) if c["values"]] if scope.business_user else []
    return {"tiles": tiles if scope.business_user else [], "own_organisations": own, "charts": charts,
            "figures": figures, "roles": sorted(scope.roles)}


def own_figures(user: Any, org_ids: list[int]) -> list[dict[str, Any]]:
    """What the user's own organisations hold: people, committee seats, guidance work (one query each)."""
    from django.db.models import Q

    from chanjiao.orgs.models import CommitteeMembership, Contact, GuidanceCommittee, GuidanceMember, Teacher

    teachers = Teacher.objects.visible_to(user).filter(school_id__in=org_ids).aggregate(
        total=Count("id"), dual=Count("id", filter=Q(is_dual_qualified=True)))
    figures = [
        (_("本单位联系人"), Contact.objects.visible_to(user).filter(organisation_id__in=org_ids).count(),
         "orgs:contact_list"),
        (_("参与产学合作委员会（在任）"), CommitteeMembership.objects.visible_to(user).current()
         .filter(organisation_id__in=org_ids).values("committee").distinct().count(), "orgs:committeemembership_list"),
        (_("专业教学指导委员会委员席位（在任）"), GuidanceMember.objects.visible_to(user).current()
         .filter(organisation_id__in=org_ids).count(), "orgs:guidancemember_list"),
    ]
    if teachers["total"]:
        figures[:0] = [
            (_("教师"), teachers["total"], "orgs:teacher_list"),
            (_("其中双师型教师"), teachers["dual"], "orgs:teacher_list"),
            (_("本校专业教学指导委员会"), GuidanceCommittee.objects.visible_to(user).filter(school_id__in=org_ids)
             .count(), "orgs:guidancecommittee_list"),
        ]
    return [{"label": str(label), "value": value, "url": url} for label, value, url in figures]
