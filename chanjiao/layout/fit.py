"""The warnings of the fit analysis (专业预警, issue #10 point 4): each offering live at the end of a year
gets the flags of the fit rules (layout/rules.py, event ``fit``) — each naming its rule, threshold (and
the jurisdiction that set it) and observed value — and a rating: red when a red rule is broken, amber
when only amber ones are, green otherwise.

Counts (per school, for the city) are one SQL statement over the rules' scans; the rows of one page are
judged by the same rules in Python on values fetched for the whole page at once (``prefetch``), so a
page costs a fixed number of queries. ``tests/layout/test_fit.py`` proves both agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils.translation import gettext_lazy

from chanjiao.core.rules import ParamResolver, rules_for, scan, scan_buckets, violation_q
from chanjiao.core.types import User
from chanjiao.layout.history import live_on
from chanjiao.layout.models import LIVE_OFFERING_STATUSES, Offering, OfferingYear
from chanjiao.layout.rules import AMBER, FIT, RED, FitRule
from chanjiao.orgs.models import School

GREEN = "green"
RATING_LABELS = {RED: gettext_lazy("红牌"), AMBER: gettext_lazy("黄牌"), GREEN: gettext_lazy("绿牌")}
RATINGS = (RED, AMBER, GREEN)


def fit_rules() -> list[FitRule]:
    return [r for r in rules_for(Offering, FIT) if isinstance(r, FitRule)]


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


@dataclass(frozen=True)
class Flag:
    rule_id: str
    title: str
    citation: str
    rating: str
    message: str
    threshold: dict[str, Any]
    observed: Any
    # Where each threshold came from: "" national, else the region code of the override.
    sources: dict[str, str]

    @property
    def threshold_text(self) -> str:
        """"最少招生人数 30（4205）"-style: each threshold with the jurisdiction that set it."""
        from chanjiao.core.rules import rules

        rule = rules[self.rule_id]
        parts = []
        for p in rule.params:
            if p.name == "enabled":
                continue  # a flag is only ever shown by an enabled rule
            where = self.sources.get(p.name) or str(gettext_lazy("全国默认"))
            parts.append(f"{p.label} {self.threshold.get(p.name)}（{where}）")
        return "；".join(parts)


@dataclass
class Judged:
    offering: Offering
    flags: list[Flag] = field(default_factory=list)

    @property
    def rating(self) -> str:
        ratings = {f.rating for f in self.flags}
        return RED if RED in ratings else (AMBER if AMBER in ratings else GREEN)

    @property
    def rating_label(self) -> str:
        return str(RATING_LABELS[self.rating])

    @property
    def latest(self) -> dict[str, Any] | None:
        """The offering's latest year of figures up to the analysed year (set by ``prefetch``)."""
        return getattr(self.offering, "_fit_latest", None)


def base(user: User, year: int) -> QuerySet[Offering]:
    """The offerings ``user`` may see that were live at the end of ``year``."""
    return live_on(Offering.objects.visible_to(user), year_end(year))


def rating_q(queryset: QuerySet[Offering], year: int, resolver: ParamResolver | None = None) -> dict[str, Q]:
    """A condition per rating, from the rules' scans over ``queryset`` (subqueries: nothing is fetched)."""
    resolver = resolver or ParamResolver(year_end(year))
    by_rating: dict[str, Q] = {RED: Q(pk__in=[]), AMBER: Q(pk__in=[])}
    for rule in fit_rules():
        by_rating[rule.rating] |= Q(pk__in=scan(rule, queryset, resolver=resolver).values("pk"))
    red = by_rating[RED]
    amber = by_rating[AMBER] & ~red
    return {RED: red, AMBER: amber, GREEN: ~red & ~amber}


@dataclass
class Counts:
    """The fit analysis counted three ways from one statement: for the whole of what the user sees, per
    school and per catalogue major (with each rule's count)."""

    city: dict[str, int]
    schools: list[dict[str, Any]]
    majors: list[dict[str, Any]]


def _flags(offerings: QuerySet[Offering], year: int) -> tuple[QuerySet[Offering, Any], list[FitRule]]:
    """``offerings`` as rows of (offering, school, major) with one boolean per fit rule (``violation_q``:
    each jurisdiction by its own thresholds); a rule switched off everywhere is a constant."""
    resolver = ParamResolver(year_end(year))
    flags: dict[str, Any] = {}
    rules = fit_rules()
    for i, rule in enumerate(rules):
        enabled = any(bool(used["enabled"].value) for used in scan_buckets(rule, resolver) if "enabled" in used)
        # "pk IS NULL" is false for every row and typed boolean on every database: a rule that selects
        # nothing (switched off, or an empty list of cities) would otherwise compile to the integer 0.
        never = Q(pk__isnull=True)
        condition = (never | violation_q(rule, resolver)) if enabled else never
        flags[f"rule{i}"] = ExpressionWrapper(condition, output_field=BooleanField())
    rows = offerings.order_by().values(
        offering=F("pk"), school_key=F("school_id"), school_name=F("school__name"), major_key=F("major_id"),
        major_code=F("major__code"), major_name=F("major__name"), major_level=F("major__level"), **flags)
    return rows, rules


def counts(user: User, year: int) -> Counts:
    """Live offerings at the end of ``year`` the user sees, red / amber / green: for all, per school and
    per major, in one statement — each rule's condition evaluated once per offering, then grouped."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    rows, rules = _flags(base(user, year), year)
    flag = [f"rule{i}" for i in range(len(rules))]
    red = " OR ".join(f for f, r in zip(flag, rules, strict=True) if r.rating == RED) or "1 = 0"
    amber = " OR ".join(f for f, r in zip(flag, rules, strict=True) if r.rating == AMBER) or "1 = 0"
    per_rule = ", ".join(f"SUM(CASE WHEN {f} THEN 1 ELSE 0 END)" for f in flag)
    measures = ("COUNT(*), SUM(CASE WHEN red THEN 1 ELSE 0 END), SUM(CASE WHEN amber THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN red OR amber THEN 0 ELSE 1 END), {per_rule}")
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return Counts({"total": 0, **dict.fromkeys(RATINGS, 0)}, [], [])
    # The rule flags are Django's own compiled conditions; the rest is fixed text.
    statement = f"""WITH f AS ({sql}),
        g AS (SELECT f.*, ({red}) AS red, (({amber}) AND NOT ({red})) AS amber FROM f)
        SELECT 0, NULL, NULL, NULL, NULL, NULL, {measures} FROM g
        UNION ALL SELECT 1, school_key, school_name, NULL, NULL, NULL, {measures} FROM g
            GROUP BY school_key, school_name
        UNION ALL SELECT 2, major_key, major_code, major_name, major_level, NULL, {measures} FROM g
            WHERE major_key IS NOT NULL GROUP BY major_key, major_code, major_name, major_level
        ORDER BY 1, 3, 2"""  # noqa: S608 — schools by name, majors by code, in the database's collation
    with connections[rows.db].cursor() as cursor:
        cursor.execute(statement, params)
        found = cursor.fetchall()
    city = {"total": 0, **dict.fromkeys(RATINGS, 0)}
    schools, majors = [], []
    for kind, key, name, major_name, level, _none, total, n_red, n_amber, n_green, *n_rules in found:
        numbers = {"total": int(total or 0), RED: int(n_red or 0), AMBER: int(n_amber or 0), GREEN: int(n_green or 0)}
        if kind == 0:
            city = numbers
        elif kind == 1:
            schools.append({"school_id": key, "school__name": name, **numbers})
        else:
            majors.append({"major_id": key, "major__code": name, "major__name": major_name, "major__level": level,
                           **numbers, **{f"rule_{r.id}": int(n or 0) for r, n in zip(rules, n_rules, strict=True)},
                           "rules": [r.id for r, n in zip(rules, n_rules, strict=True) if n]})
    return Counts(city, schools, majors)


def counts_by_school(user: User, year: int) -> list[dict[str, Any]]:
    """Per school: live offerings and how many are red, amber, green."""
    return counts(user, year).schools


def city_counts(user: User, year: int) -> dict[str, int]:
    return counts(user, year).city


def with_rating(queryset: QuerySet[Offering], year: int, rating: str | None) -> QuerySet[Offering]:
    return queryset.filter(rating_q(queryset, year)[rating]) if rating in RATINGS else queryset


def prefetch(offerings: list[Offering], year: int) -> None:
    """Fetch what the fit rules observe for a whole page at once: the enrolments of the years the rules
    look at, and the 布点率 counts of the page's majors (three queries)."""
    if not offerings:
        return
    # The rules look back ``years`` years (a jurisdiction may lengthen it): fetch a generous window.
    earliest = year - max(int(p.default) for r in fit_rules() for p in r.params if p.name == "years") - 10
    enrolled: dict[int, dict[int, int]] = {o.pk: {} for o in offerings}
    rows: dict[int, dict[int, dict[str, Any]]] = {o.pk: {} for o in offerings}
    latest: dict[int, dict[str, Any]] = {}
    for offering_id, y, planned, n, graduates, employed, related, salary in (
            OfferingYear._base_manager.filter(offering__in=offerings, year__gte=earliest, year__lte=year)
            .order_by("offering_id", "year")
            .values_list("offering_id", "year", "planned_enrolment", "enrolled", "graduates", "employed",
                         "employed_related", "starting_salary")):
        enrolled[offering_id][y] = n
        rows[offering_id][y] = {"planned": planned, "enrolled": n, "graduates": graduates, "employed": employed}
        latest[offering_id] = {"year": y, "enrolled": n, "graduates": graduates, "salary": salary,
                               "employment": employed / graduates if graduates else None,
                               "related": related / employed if employed else None}
    cities = {(o.school.region.code if o.school.region is not None else "")[:4] for o in offerings} - {""}
    city_q = Q(pk__in=[])
    for city in cities:
        city_q |= Q(school__region__code__startswith=city)
    offering_schools: dict[tuple[str, int], set[int]] = {}
    for school_id, code, major_id in (Offering._base_manager.filter(
            city_q, major_id__in={o.major_id for o in offerings if o.major_id}, status__in=LIVE_OFFERING_STATUSES)
            .values_list("school_id", "school__region__code", "major_id")):
        offering_schools.setdefault((code[:4], major_id), set()).add(school_id)
    school_q = Q(pk__in=[])
    for city in cities:
        school_q |= Q(region__code__startswith=city)
    schools: dict[tuple[str, str], int] = {}
    for code, level in School._base_manager.filter(school_q).values_list("region__code", "school_level"):
        schools[(code[:4], level)] = schools.get((code[:4], level), 0) + 1
    pillars_of = _mapped_pillars(offerings)
    demand = _city_demand(offerings, cities)
    for o in offerings:
        city = (o.school.region.code if o.school.region is not None else "")[:4]
        o._fit_pillars = pillars_of[o.pk]  # type: ignore[attr-defined]
        o._fit_demand = (  # type: ignore[attr-defined]
            demand.get((city, o.major.class_code), {}) if o.major is not None else {})
        o._fit_enrolments = enrolled[o.pk]  # type: ignore[attr-defined]
        o._fit_rows = rows[o.pk]  # type: ignore[attr-defined]
        o._fit_latest = latest.get(o.pk)  # type: ignore[attr-defined]
        o._fit_density = {  # type: ignore[attr-defined]
            "offering_schools": len(offering_schools.get((city, o.major_id or 0), ())) if city else 0,
            "schools": schools.get((city, o.school.school_level), 0) if city else 0}


def _city_demand(offerings: list[Offering], cities: set[str]) -> dict[tuple[str, str], dict[int, int]]:
    """What FIT-02 observes, for a page at once: declared demand per (city, 专业类) and year (one query)."""
    from django.db.models import Sum
    from django.db.models.functions import Substr

    from chanjiao.layout.models import DeclaredDemand

    classes = {o.major.class_code for o in offerings if o.major is not None}
    if not cities or not classes:
        return {}
    city_q = Q(pk__in=[])
    for city in cities:
        city_q |= Q(enterprise__region__code__startswith=city)
    result: dict[tuple[str, str], dict[int, int]] = {}
    rows = (DeclaredDemand._base_manager.filter(city_q, class_code__in=classes)
            .annotate(city=Substr("enterprise__region__code", 1, 4)).values_list("city", "class_code", "year")
            .annotate(n=Sum("headcount")).order_by())
    for city, class_code, year, n in rows:
        result.setdefault((city, class_code), {})[year] = n
    return result


def _mapped_pillars(offerings: list[Offering]) -> dict[int, dict[str, Any]]:
    """What FIT-01 observes, for a page at once: the pillar industries of each offering's city and those
    its major reaches through the crosswalk (the pillars, their codes and the crosswalk: four queries)."""
    from django.utils import timezone

    from chanjiao.layout import crosswalk
    from chanjiao.layout.rules import fit_crosswalk
    from chanjiao.orgs.models import PillarIndustry

    pillars = list(PillarIndustry._base_manager.filter(group__region__isnull=False).select_related("group__region")
                   .order_by("pk"))
    mapping = crosswalk.pillar_mapping(crosswalk.codes_of(pillars), fit_crosswalk(timezone.localdate()))
    result = {}
    for o in offerings:
        code = o.school.region.code if o.school.region is not None else ""
        here = [p for p in pillars if code.startswith(p.group.region.code)]  # type: ignore[union-attr]
        mapped = [p.name for p in here if o.major_id in mapping[p.pk].majors]
        result[o.pk] = {"city_pillars": len(here), "mapped": mapped}
    return result


def judge(offerings: list[Offering], year: int, resolver: ParamResolver | None = None) -> list[Judged]:
    """The flags and rating of each offering (call ``prefetch`` first for a page of them)."""
    resolver = resolver or ParamResolver(year_end(year))
    result = []
    for offering in offerings:
        judged = Judged(offering)
        for rule in fit_rules():
            if not rule.applies(offering):
                continue
            used = resolver.values(rule, rule.region_code(offering))
            p = {name: v.value for name, v in used.items()}
            observed = rule.observe(offering)
            if rule.violated(observed, p, resolver.on):
                judged.flags.append(Flag(rule.id, str(rule.title), str(rule.citation), rule.rating,
                                         rule.message(observed, p), p, observed,
                                         {name: v.jurisdiction for name, v in used.items()}))
        result.append(judged)
    return result
