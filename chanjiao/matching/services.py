"""Partner matching (issue #11 point 5): the enterprises that fit a school's major, and the offerings that
supply an enterprise's demand — each recommendation with the named reasons its score is the sum of.

A signal is a number of points from the tables below, computed in the database: the candidates are one
queryset (read through ``visible_to(user)``), every signal an annotation on it (a scalar subquery per kind of
record: demand, postings, agreements, visits …), the score their sum, and the database orders and cuts the
list. A call costs a handful of queries whatever the number of candidates; only the ``limit`` rows returned
are turned into Python objects. Points are whole numbers, so a score is exactly the sum of its reasons.

The counts behind a signal come from the base managers (``_base_manager``): they are aggregates over the
whole platform (how many people a firm asked for, how many agreements it signed with this school), never rows
handed to the reader; only the candidates themselves are scoped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import (
    Case,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from chanjiao.catalog.models import Major
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope
from chanjiao.engagement.models import (
    Agreement,
    AgreementStatus,
    EventParticipation,
    OrderClass,
    TeacherPractice,
    Visit,
)
from chanjiao.layout import crosswalk
from chanjiao.layout.models import (
    CrosswalkEntry,
    CrosswalkVersion,
    DeclaredDemand,
    JobPosting,
    Offering,
    OfferingStatus,
    OfferingYear,
    SubmissionItem,
)
from chanjiao.orgs.models import Enterprise, EnterpriseSize, Organisation
from chanjiao.orgs.models.organisations import is_county

# -- the points -------------------------------------------------------------------------------------------------
# (threshold, points), highest first: the first threshold the value reaches gives the points.
Tiers = tuple[tuple[int, int], ...]

INDUSTRY_POINTS = 30  # the firm's industry lies within one the crosswalk maps the major's 专业类 onto
INDUSTRY_BROAD_POINTS = 15  # the firm is registered only at a coarser level (its 门类/大类 contains one)
CLASS_POINTS = 20  # rank_offerings: the offering's 专业类 is one the firm asks for
DEMAND_TIERS: Tiers = ((20, 25), (5, 20), (1, 15))  # people asked for in the recent years
DEMAND_OLDER_POINTS = 5  # demand only in earlier years
DEMAND_YEARS = 3  # "recent": the reference year and the two before it
POSTING_TIERS: Tiers = ((10, 15), (3, 10), (1, 5))  # job adverts (re-listings not counted)
SAME_COUNTY_POINTS = 10
SAME_CITY_POINTS = 5
# Size matters little: a large firm hosts more students, a small one may fit better.
SIZE_POINTS = {EnterpriseSize.LARGE: 4, EnterpriseSize.MEDIUM: 3, EnterpriseSize.SMALL: 2, EnterpriseSize.MICRO: 1}
GRADUATE_TIERS: Tiers = ((100, 6), (40, 4), (1, 2))  # rank_offerings: graduates of the offering's latest year
AGREEMENT_TIERS: Tiers = ((2, 30), (1, 20))
AGREEMENT_MAJOR_POINTS = 10  # one of those agreements names a major of the same 专业类
ORDER_CLASS_TIERS: Tiers = ((1, 15),)
VISIT_TIERS: Tiers = ((3, 10), (1, 5))
PRACTICE_TIERS: Tiers = ((5, 10), (1, 5))
EVENT_TIERS: Tiers = ((1, 3),)

# Agreements that show cooperation happened (a draft was never signed).
COOPERATING = (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)
LIVE_OFFERINGS = (OfferingStatus.FILED, OfferingStatus.ENROLLING)
WITHHELD_DEMAND = gettext_lazy("申报过该专业类的用人需求（人数仅申报企业和收集需求的产学合作委员会可见）")


class Reason(NamedTuple):
    """One signal of a recommendation: its code, Chinese label, points and what it rests on."""

    code: str
    label: StrOrPromise
    weight: int
    detail: str


@dataclass
class Recommendation:
    """An enterprise (``rank_enterprises``) or an offering (``rank_offerings``), its score and the reasons
    the score sums."""

    obj: Any
    score: int
    reasons: list[Reason]

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def name(self) -> str:
        return str(self.obj)

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.reasons]


@dataclass(frozen=True)
class Signal:
    code: str
    label: StrOrPromise  # lazy: shown in the reader's language
    points: Any  # an integer expression over the candidate's annotations
    detail: Callable[[Any], str]  # the annotated candidate → the explanation, in the active language


# -- expressions ------------------------------------------------------------------------------------------------
def _count(queryset: QuerySet[Any]) -> Coalesce:
    """COUNT(DISTINCT pk) of ``queryset`` as a scalar subquery: no GROUP BY, so always one row per outer row
    (a many-to-many join cannot count a record twice)."""
    n = Func(F("pk"), function="COUNT", template="COUNT(DISTINCT %(expressions)s)", output_field=IntegerField())
    return Coalesce(Subquery(queryset.order_by().values(n=n), output_field=IntegerField()), 0)


def _sum(queryset: QuerySet[Any], field: str) -> Coalesce:
    total = Func(F(field), function="SUM", output_field=IntegerField())
    return Coalesce(Subquery(queryset.order_by().values(n=total), output_field=IntegerField()), 0)


def _tiered(name: str, tiers: Tiers) -> Case:
    return Case(*[When(**{f"{name}__gte": threshold}, then=Value(points)) for threshold, points in tiers],
                default=Value(0), output_field=IntegerField())


def _when(condition: Q, points: int) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0), output_field=IntegerField())


def _city_prefix(code: str) -> str:
    """The city a county code lies in (4205 for 420506). A county directly under the province (xx90xx) is run
    like a city: it is its own "city"."""
    return code[:4] if is_county(code) else code


def _size_points(path: str = "size") -> Case:
    return Case(*[When(**{path: size}, then=Value(points)) for size, points in SIZE_POINTS.items()],
                default=Value(0), output_field=IntegerField())


def _ranked(candidates: QuerySet[Any], values: dict[str, Any], signals: list[Signal], *,
            only: Collection[str] | None, limit: int) -> list[Recommendation]:
    """The ``limit`` best candidates by the sum of the signals' points (ties by pk): one query."""
    active = [s for s in signals if only is None or s.code in only]
    points = {f"pts_{s.code}": s.points for s in active}
    total: Any = Value(0)
    for name in points:
        total = total + F(name)
    rows = (candidates.annotate(**values).annotate(**points)
            .annotate(m_score=ExpressionWrapper(total, output_field=IntegerField()))
            .order_by("-m_score", "pk")[:limit])
    out = []
    for row in rows:
        if row.m_score <= 0:  # the rest score nothing either (ordered): no reason, no recommendation
            break
        reasons = [Reason(s.code, s.label, getattr(row, f"pts_{s.code}"), s.detail(row))
                   for s in active if getattr(row, f"pts_{s.code}")]
        out.append(Recommendation(row, row.m_score, reasons))
    return out


def may_match_for(user: Any, organisation_id: int) -> bool:
    """May ``user`` read recommendations for the organisation ``organisation_id`` (a school, or an
    enterprise)? They rest on its cooperation records — how many agreements, order classes and visits it
    has with each candidate — which only its own staff and the global readers may read; anyone else
    (another school, a competitor) may not see them summed up either. The pages call this before
    ranking, and show their buttons only when it holds."""
    scope = get_scope(user)
    return scope.reads_all or organisation_id in scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT)


def _withhold_headcounts(recommendations: list[Recommendation], user: Any,
                         firm_of: Callable[[Recommendation], int]) -> list[Recommendation]:
    """The demand reason names a headcount only to a reader who may read that firm's declared demand (the firm
    itself, the committee that collected it, the global readers). Others — a school looking for partners — learn
    that the firm asked for the class and the points it earned, not how many people (one query, and none when
    no recommendation has a demand reason)."""
    firms = {firm_of(rec) for rec in recommendations if "demand" in rec.codes}
    if not firms or get_scope(user).reads_all:
        return recommendations
    readable = set(DeclaredDemand.objects.visible_to(user).filter(enterprise_id__in=firms)
                   .values_list("enterprise_id", flat=True).distinct())
    for rec in recommendations:
        if "demand" in rec.codes and firm_of(rec) not in readable:
            rec.reasons = [r._replace(detail=str(WITHHELD_DEMAND)) if r.code == "demand" else r
                           for r in rec.reasons]
    return recommendations


# -- past cooperation (shared by both directions) ----------------------------------------------------------------
def _cooperation(school: Any, enterprise: Any, *, class_code: Any, exclude_agreements: Collection[int],
                 as_of: dt.date | None) -> tuple[dict[str, Any], list[Signal]]:
    """The annotations and signals of a school's past cooperation with an enterprise. ``school`` and
    ``enterprise`` are each a pk or an ``OuterRef`` to the candidate; agreements in ``exclude_agreements``
    (and the order classes resting on them) are ignored; with ``as_of`` only what happened before it counts."""
    excluded = sorted(exclude_agreements)
    # Internal counting over the whole platform (see the module docstring): the base managers.
    agreements = Agreement._base_manager.filter(schools=school, enterprises=enterprise, status__in=COOPERATING)
    orders = OrderClass._base_manager.filter(school_id=school, enterprise_id=enterprise)
    visits = Visit._base_manager.filter(school_id=school, enterprise_id=enterprise)
    practice = TeacherPractice._base_manager.filter(teacher__school_id=school, enterprise_id=enterprise)
    # The firm's attendances at events the school attended too (a join, not a nested subquery: ``school`` may
    # be an OuterRef, which must point at the candidate).
    events = EventParticipation._base_manager.filter(organisation_id=enterprise, attended=True,
                                                     event__participations__organisation_id=school,
                                                     event__participations__attended=True)
    if excluded:
        agreements = agreements.exclude(pk__in=excluded)
        orders = orders.filter(Q(agreement__isnull=True) | ~Q(agreement_id__in=excluded))
    if as_of is not None:
        agreements = agreements.filter(Q(signed_on__lt=as_of) | Q(signed_on__isnull=True, start__lt=as_of))
        orders = orders.filter(cohort_year__lt=as_of.year)
        visits = visits.filter(date__lt=as_of)
        practice = practice.filter(start__lt=as_of)
        events = events.filter(event__date__lt=as_of)
    values = {
        "m_agreements": _count(agreements),
        "m_agreements_major": _count(agreements.filter(majors__class_code=class_code)),
        "m_orders": _count(orders),
        "m_visits": _count(visits),
        "m_practice": _count(practice),
        "m_events": _count(events),
    }
    signals = [
        Signal("agreements", gettext_lazy("合作协议"), _tiered("m_agreements", AGREEMENT_TIERS),
               lambda r: _("与该校签有校企合作协议 %(n)s 份") % {"n": r.m_agreements}),
        Signal("agreement_major", gettext_lazy("同类专业协议"),
               _when(Q(m_agreements_major__gte=1), AGREEMENT_MAJOR_POINTS),
               lambda r: _("其中 %(n)s 份协议涉及同一专业类的专业") % {"n": r.m_agreements_major}),
        Signal("order_classes", gettext_lazy("订单班"), _tiered("m_orders", ORDER_CLASS_TIERS),
               lambda r: _("在该校开设订单班 %(n)s 个") % {"n": r.m_orders}),
        Signal("visits", gettext_lazy("走访"), _tiered("m_visits", VISIT_TIERS),
               lambda r: _("该校走访该企业 %(n)s 次") % {"n": r.m_visits}),
        Signal("practice", gettext_lazy("教师企业实践"), _tiered("m_practice", PRACTICE_TIERS),
               lambda r: _("该校教师到该企业实践 %(n)s 人次") % {"n": r.m_practice}),
        Signal("events", gettext_lazy("共同参加活动"), _tiered("m_events", EVENT_TIERS),
               lambda r: _("与该校共同出席对接活动 %(n)s 场") % {"n": r.m_events}),
    ]
    return values, signals


def _demand(enterprise: Any, class_code: Any, *, ref_year: int | None, as_of: dt.date | None
            ) -> tuple[dict[str, Any], list[Signal]]:
    """Declared demand and job postings of ``enterprise`` for ``class_code`` (each a value or an OuterRef)."""
    demand = DeclaredDemand._base_manager.filter(enterprise_id=enterprise, class_code=class_code)
    postings = JobPosting._base_manager.filter(enterprise_id=enterprise, class_code__startswith=class_code,
                                               duplicate_of__isnull=True)  # a re-listing is the same vacancy
    if as_of is not None:
        postings = postings.filter(year__lte=as_of.year)
    recent: Any = Value(0)
    older: Any = Value(0)
    first = 0
    if ref_year is not None:  # else no demand on record anywhere: nothing recent, nothing older
        first = ref_year - DEMAND_YEARS + 1
        recent = _sum(demand.filter(year__gte=first, year__lte=ref_year), "headcount")
        older = _count(demand.filter(year__lt=first))
    values = {"m_demand": recent, "m_demand_older": older, "m_postings": _count(postings)}
    demand_points = Case(*[When(m_demand__gte=t, then=Value(p)) for t, p in DEMAND_TIERS],
                         When(m_demand_older__gte=1, then=Value(DEMAND_OLDER_POINTS)),
                         default=Value(0), output_field=IntegerField())

    def demand_detail(r: Any) -> str:
        if r.m_demand:
            return _("%(a)s—%(b)s 年申报该专业类用人需求 %(n)s 人") % {"a": first, "b": ref_year, "n": r.m_demand}
        return _("%(a)s 年以前申报过该专业类用人需求（%(n)s 条）") % {"a": first, "n": r.m_demand_older}

    signals = [
        Signal("demand", gettext_lazy("用人需求"), demand_points, demand_detail),
        Signal("postings", gettext_lazy("招聘岗位"), _tiered("m_postings", POSTING_TIERS),
               lambda r: _("发布该专业类招聘岗位 %(n)s 个（重复发布不计）") % {"n": r.m_postings}),
    ]
    return values, signals


def _ref_year(as_of: dt.date | None) -> int | None:
    """The year "recent demand" ends with: the evaluation's day, else the latest year any demand was
    declared for (demand is collected in yearly rounds; today's year may have none yet)."""
    if as_of is not None:
        return as_of.year
    year = DeclaredDemand._base_manager.aggregate(y=Max("year"))["y"]  # platform-wide bookkeeping, no rows
    return int(year) if year is not None else None


# -- enterprises for a major --------------------------------------------------------------------------------------
Target = Offering | SubmissionItem | tuple[Organisation, Major]


def school_and_major(target: Target) -> tuple[Organisation, Major]:
    """An offering, a review item (its offering, or the new major it proposes) or (school, major)."""
    school: Organisation
    major: Major | None
    if isinstance(target, SubmissionItem):
        if target.offering is not None:
            return school_and_major(target.offering)
        school, major = target.submission.school, target.new_major
    elif isinstance(target, Offering):
        offering = target
        if not (Offering.school.is_cached(offering) and Offering.major.is_cached(offering)):
            # One query for the offering, its school and region and its major (instead of one each).
            offering = Offering._base_manager.select_related("school__region", "major").get(pk=offering.pk)
        if offering.major is None:
            raise ValueError("目录外专业没有专业类，无法按专业类匹配企业。")
        school, major = offering.school, offering.major
    else:
        school, major = target
    if major is None:
        raise ValueError("请指定目录专业。")
    return school, major


def _major_industries(major: Major, version: CrosswalkVersion | None) -> crosswalk.Codes:
    """The GB/T 4754 codes the crosswalk ``version`` maps the major onto: the entries refining the major
    itself if it has any, else its 专业类's (the same rule as ``crosswalk.PillarMap``)."""
    if version is None:
        return []
    # The published crosswalk is public reference data (CrosswalkEntry's own rule lets every business user read it).
    rows = list(CrosswalkEntry._base_manager.filter(version_id=version.pk)
                .filter(Q(major_id=major.pk) | Q(major__isnull=True, class_code=major.class_code))
                .values_list("major_id", "industry__code", "industry__level", "industry__section"))
    own = [(c, lv, s) for m, c, lv, s in rows if m is not None]
    return own or [(c, lv, s) for _m, c, lv, s in rows]


def rank_enterprises(target: Target, *, user: Any, limit: int = 10,
                     exclude_agreements: Collection[int] = frozenset(), as_of: dt.date | None = None,
                     only: Collection[str] | None = None) -> list[Recommendation]:
    """The enterprises (those ``user`` may see) that best fit a school's major: an ``Offering``, a review
    ``SubmissionItem`` or ``(school, major)`` for a major not offered yet. Signals: industry through the
    crosswalk in force, declared demand and postings for the major's 专业类, the same county/city, size and
    past cooperation with the school (``exclude_agreements`` ignored). ``as_of`` counts only what was on record
    before that day; ``only`` keeps the named signals (ablations, baselines). Five queries (six for a
    reader who may not read every firm's demand: whose headcounts it may see)."""
    school, major = school_and_major(target)
    region = school.region if school.region_id else None
    version = crosswalk.in_force(region.code if region else None, as_of or timezone.localdate())
    codes = _major_industries(major, version)
    ref_year = _ref_year(as_of)

    values: dict[str, Any] = {
        "m_industry": (Case(When(crosswalk.industry_within_q(codes), then=Value(2)),
                            When(crosswalk.industry_overlap_q(codes), then=Value(1)),
                            default=Value(0), output_field=IntegerField()) if codes else Value(0)),
        "m_place": Value(0),
    }
    if region is not None:
        values["m_place"] = Case(When(region_id=region.pk, then=Value(2)),
                                 When(region__code__startswith=_city_prefix(region.code), then=Value(1)),
                                 default=Value(0), output_field=IntegerField())
    demand_values, demand_signals = _demand(OuterRef("pk"), major.class_code, ref_year=ref_year, as_of=as_of)
    coop_values, coop_signals = _cooperation(school.pk, OuterRef("pk"), class_code=major.class_code,
                                             exclude_agreements=exclude_agreements, as_of=as_of)
    values |= demand_values | coop_values
    version_label = _("对照表 v%(n)s") % {"n": version.number} if version else _("对照表")
    signals = [
        Signal("industry", gettext_lazy("行业对口"),
               Case(When(m_industry=2, then=Value(INDUSTRY_POINTS)),
                    When(m_industry=1, then=Value(INDUSTRY_BROAD_POINTS)),
                    default=Value(0), output_field=IntegerField()),
               lambda r: (_("所属行业 %(code)s %(industry)s 在%(version)s中对应%(cls)s（%(cls_code)s）")
                          % {"code": r.industry.code, "industry": r.industry.name, "version": version_label,
                             "cls": major.class_name, "cls_code": major.class_code}
                          + ("" if r.m_industry == 2 else _("（企业行业登记较粗，部分对应）")))),
        *demand_signals,
        Signal("same_county", gettext_lazy("同区县"), _when(Q(m_place=2), SAME_COUNTY_POINTS),
               lambda r: _("与学校同在%(place)s") % {"place": r.region.name}),
        Signal("same_city", gettext_lazy("同市"), _when(Q(m_place=1), SAME_CITY_POINTS),
               lambda r: _("位于%(place)s，与学校同市") % {"place": r.region.name}),
        Signal("size", gettext_lazy("企业规模"), _size_points(),
               lambda r: _("%(size)s企业") % {"size": r.get_size_display()}),
        *coop_signals,
    ]
    candidates = Enterprise.objects.visible_to(user).select_related("industry", "region")
    return _withhold_headcounts(_ranked(candidates, values, signals, only=only, limit=limit), user,
                                lambda rec: rec.pk)


def rank_by_size(*, user: Any, limit: int = 10) -> list[Organisation]:
    """The baseline: the enterprises ``user`` sees, largest first (ties by pk). One query."""
    return list(Enterprise.objects.visible_to(user).annotate(m_size=_size_points())
                .order_by("-m_size", "pk")[:limit])


# -- offerings for an enterprise ----------------------------------------------------------------------------------
def demanded_classes(enterprise: Organisation, *, as_of: dt.date | None = None) -> list[str]:
    """The 专业类 an enterprise asks for: its declared demand and its postings (one query)."""
    demand = DeclaredDemand._base_manager.filter(enterprise_id=enterprise.pk).exclude(class_code="")
    postings = (JobPosting._base_manager.filter(enterprise_id=enterprise.pk, duplicate_of__isnull=True)
                .exclude(class_code__in=("", "00")))  # 00: no vocational major needed
    if as_of is not None:
        demand, postings = demand.filter(year__lte=as_of.year), postings.filter(year__lte=as_of.year)
    rows = demand.order_by().values_list("class_code").union(postings.order_by().values_list("class_code"))
    return sorted({code for (code,) in rows})


def rank_offerings(enterprise: Organisation, *, user: Any, class_code: str | None = None, limit: int = 10,
                   as_of: dt.date | None = None, only: Collection[str] | None = None) -> list[Recommendation]:
    """The live offerings (filed or enrolling, those ``user`` may see) that best supply an enterprise: of the
    专业类 given, else of those its demand and postings ask for, or mapped onto its industry by the crosswalk.
    Signals: the class asked for, demand and postings for it, the crosswalk, the same county/city, the
    offering's graduates and past cooperation with its school. Six to eight queries."""
    region = enterprise.region if enterprise.region_id else None
    classes = [class_code] if class_code else demanded_classes(enterprise, as_of=as_of)
    by_crosswalk: Q | None = None
    industry = enterprise.industry if enterprise.industry_id else None
    if industry is not None:
        version = crosswalk.in_force(region.code if region else None, as_of or timezone.localdate())
        mapped = crosswalk.pillar_mapping({0: [(industry.code, industry.level, industry.section)]}, version)[0]
        if mapped.own or mapped.classes:
            by_crosswalk = mapped.q()
    reach = Q(major__class_code__in=classes) if classes else None
    if by_crosswalk is not None:
        reach = by_crosswalk if reach is None else reach | by_crosswalk
    if reach is None:
        return []  # nothing asked for, no industry to map: no offering supplies a known need
    ref_year = _ref_year(as_of)
    years = OfferingYear._base_manager.filter(offering_id=OuterRef("pk"))
    if as_of is not None:
        years = years.filter(year__lte=as_of.year)
    latest = years.order_by("-year")
    values: dict[str, Any] = {
        "m_class": _when(Q(major__class_code__in=classes), 1) if classes else Value(0),
        "m_crosswalk": _when(by_crosswalk, 1) if by_crosswalk is not None else Value(0),
        "m_place": Value(0),
        "m_graduates": Coalesce(Subquery(latest.values("graduates")[:1], output_field=IntegerField()), 0),
        "m_graduates_year": Subquery(latest.values("year")[:1], output_field=IntegerField()),
    }
    if region is not None:
        values["m_place"] = Case(When(school__region_id=region.pk, then=Value(2)),
                                 When(school__region__code__startswith=_city_prefix(region.code), then=Value(1)),
                                 default=Value(0), output_field=IntegerField())
    demand_values, demand_signals = _demand(enterprise.pk, OuterRef("major__class_code"), ref_year=ref_year,
                                            as_of=as_of)
    coop_values, coop_signals = _cooperation(OuterRef("school_id"), enterprise.pk,
                                             class_code=OuterRef("major__class_code"),
                                             exclude_agreements=frozenset(), as_of=as_of)
    values |= demand_values | coop_values
    signals = [
        Signal("class", gettext_lazy("需求专业类"), _when(Q(m_class=1), CLASS_POINTS),
               lambda r: _("企业需要%(cls)s（%(code)s）的毕业生") % {"cls": r.major.class_name,
                                                                   "code": r.major.class_code}),
        *demand_signals,
        Signal("industry", gettext_lazy("行业对口"), _when(Q(m_crosswalk=1), INDUSTRY_POINTS),
               lambda r: _("对照表中%(cls)s对应企业所属行业 %(industry)s") % {"cls": r.major.class_name,
                                                                      "industry": enterprise.industry}),
        Signal("same_county", gettext_lazy("同区县"), _when(Q(m_place=2), SAME_COUNTY_POINTS),
               lambda r: _("学校与企业同在%(place)s") % {"place": r.school.region.name}),
        Signal("same_city", gettext_lazy("同市"), _when(Q(m_place=1), SAME_CITY_POINTS),
               lambda r: _("学校位于%(place)s，与企业同市") % {"place": r.school.region.name}),
        Signal("graduates", gettext_lazy("毕业生规模"), _tiered("m_graduates", GRADUATE_TIERS),
               lambda r: _("%(year)s 年毕业生 %(n)s 人") % {"year": r.m_graduates_year, "n": r.m_graduates}),
        *coop_signals,
    ]
    candidates = (Offering.objects.visible_to(user).filter(reach, status__in=LIVE_OFFERINGS, major__isnull=False)
                  .select_related("school__region", "major"))
    return _withhold_headcounts(_ranked(candidates, values, signals, only=only, limit=limit), user,
                                lambda rec: enterprise.pk)


def explain(recommendations: Iterable[Recommendation]) -> list[str]:
    """One line per recommendation: the name, the score and its reasons (for a report or a shell)."""
    return [f"{r.name}：{r.score} 分（" + "；".join(f"{x.label}+{x.weight}：{x.detail}" for x in r.reasons) + "）"
            for r in recommendations]
