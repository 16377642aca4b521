"""Scenario planning (调整方案推演, issue #10 point 7): what a draft set of changes would do — to the
count of distinct majors, to the 布点率 of the majors it touches, and to each pillar industry's supply —
before anything is decided; and turning it into a round's proposed decisions.

The base is what the reader sees: the scenario region's offerings live on the base day and their
figures of the base year, counted in the database; the changes are applied on top (closing removes an
offering's figures, opening adds its planned intake).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from chanjiao.core.scoping import region_q
from chanjiao.core.types import User
from chanjiao.layout import crosswalk, history
from chanjiao.layout.models import (
    ChangeKind,
    Decision,
    Offering,
    OfferingYear,
    ProposedAction,
    ReviewRound,
    RoundStatus,
    Scenario,
    ScenarioChange,
    SubmissionItem,
)
from chanjiao.orgs.models import School


@dataclass
class Effect:
    offerings: tuple[int, int]  # before, after
    majors: tuple[int, int]
    density: list[dict[str, Any]]  # per touched major: schools offering before/after, schools of its level
    pillars: list[dict[str, Any]]  # per pillar: enrolment before/after
    crosswalk: Any


def _base(user: User, scenario: Scenario) -> Any:
    region = scenario.region.code
    return history.live_on(Offering.objects.visible_to(user).filter(region_q("school__region__code", [region])),
                           scenario.base_on)


def effect(user: User, scenario: Scenario) -> Effect:
    changes = list(ScenarioChange.objects.visible_to(user).filter(scenario=scenario)
                   .select_related("offering__major", "offering__school", "school", "major"))
    closing = {c.offering_id for c in changes if c.kind == ChangeKind.CLOSE and c.offering_id}
    opening = [c for c in changes if c.kind == ChangeKind.OPEN and c.school_id and c.major_id]
    base = _base(user, scenario)
    before = history.layout_on(base, scenario.base_on)
    kept_majors = set(base.exclude(pk__in=closing).filter(major__isnull=False).order_by()
                      .values_list("major_id", flat=True).distinct())
    off_catalogue = (base.exclude(pk__in=closing).filter(major__isnull=True).order_by()
                     .values("off_catalogue_name").distinct())
    after_majors = len(kept_majors | {c.major_id for c in opening}) + off_catalogue.count()
    closing_live = base.filter(pk__in=closing).count()
    after_offerings = before.offerings - closing_live + len(opening)
    return Effect((before.offerings, after_offerings), (before.majors, after_majors),
                  _density(user, scenario, base, changes, closing), _pillars(user, scenario, base, closing, opening),
                  crosswalk.in_force(scenario.region.code, scenario.base_on))


def _density(user: User, scenario: Scenario, base: Any, changes: list[ScenarioChange],
             closing: set[int]) -> list[dict[str, Any]]:
    touched: dict[int, Any] = {}
    for c in changes:
        major = c.offering.major if c.offering is not None else c.major
        if major is not None:
            touched[major.pk] = major
    if not touched:
        return []
    counts = (base.filter(major_id__in=touched).values("major_id")
              .annotate(before=Count("school_id", distinct=True),
                        closing=Count("school_id", distinct=True, filter=Q(pk__in=closing))).order_by())
    offering_schools = {row["major_id"]: row for row in counts}
    levels = dict(School.objects.visible_to(user).filter(region_q("region__code", [scenario.region.code]))
                  .values_list("school_level").annotate(n=Count("pk")).order_by())
    rows = []
    for pk, major in sorted(touched.items(), key=lambda kv: kv[1].code):
        counted = offering_schools.get(pk, {"before": 0, "closing": 0})
        opened = sum(1 for c in changes if c.kind == ChangeKind.OPEN and c.major_id == pk)
        level = {"secondary": "secondary", "associate": "associate", "bachelor": "bachelor_voc"}.get(major.level, "")
        schools = levels.get(level, 0)
        after = counted["before"] - counted["closing"] + opened
        rows.append({"major": major, "schools": schools, "before": counted["before"], "after": after,
                     "rate_before": _rate(counted["before"], schools), "rate_after": _rate(after, schools)})
    return rows


def _rate(k: int, n: int) -> float | None:
    return round(k * 100 / n, 1) if n else None


def _pillars(user: User, scenario: Scenario, base: Any, closing: set[int],
             opening: list[ScenarioChange]) -> list[dict[str, Any]]:
    """Enrolment per pillar industry before and after: one statement for all pillars (a sum per pillar)."""
    from chanjiao.layout.supply import pillars_for

    version = crosswalk.in_force(scenario.region.code, scenario.base_on)
    pillars = pillars_for(user)
    mapping = crosswalk.pillar_mapping(crosswalk.codes_of(pillars), version)
    years = OfferingYear.objects.visible_to(user).filter(year=scenario.base_year, offering__in=base)
    sums: dict[str, Any] = {}
    for p in pillars:
        mapped = mapping[p.pk].q("offering__")
        sums[f"before_{p.pk}"] = Sum("enrolled", filter=mapped)
        sums[f"closing_{p.pk}"] = Sum("enrolled", filter=mapped & Q(offering_id__in=closing))
    totals = years.aggregate(**sums) if sums else {}
    rows = []
    for p in pillars:
        before = totals.get(f"before_{p.pk}") or 0
        # A major not yet offered counts where the crosswalk maps it (the same mapping as the offerings').
        added = sum(c.planned_intake for c in opening if c.major_id in mapping[p.pk].majors)
        rows.append({"pillar": p, "before": before, "after": before - (totals.get(f"closing_{p.pk}") or 0) + added})
    return rows


def to_round(scenario: Scenario, round_: ReviewRound, *, by: User) -> tuple[int, list[str]]:
    """Propose the scenario's changes as draft decisions of ``round_`` for the majors its submissions
    include (a change whose major no school submitted is named back, not invented). Returns the number
    of decisions created and the skipped changes."""
    if round_.status not in (RoundStatus.OPEN, RoundStatus.REVIEWING):
        raise ValueError(_("只能转为接受申报或专家评审中的评审轮次的拟定决定。"))
    created, skipped = 0, []
    note = _("来自调整方案“%(title)s”") % {"title": scenario.title}
    with transaction.atomic():
        for change in ScenarioChange._base_manager.filter(scenario=scenario).select_related("offering", "major"):
            if change.kind == ChangeKind.CLOSE:
                item = SubmissionItem._base_manager.filter(submission__round=round_,
                                                           offering_id=change.offering_id or 0).first()
                action = ProposedAction.CANCEL
            else:
                item = SubmissionItem._base_manager.filter(submission__round=round_,
                                                           submission__school_id=change.school_id or 0,
                                                           new_major_id=change.major_id).first()
                action = ProposedAction.OPEN
            if item is None:
                skipped.append(str(change))
                continue
            if Decision._base_manager.filter(item=item).exists():
                skipped.append(str(change))
                continue
            decision = Decision(item=item, action=action, decided_on=round_.held_on, conditions=note)
            decision.full_clean()
            decision.save()
            created += 1
        scenario.round = round_
        scenario.save()
    return created, skipped
