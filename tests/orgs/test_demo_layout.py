"""The demo city's major layout (MISSION part 3): built once with the real catalogues, its history shows the
seed article's 149 majors at the end of the 12th five-year plan (2015-12-31) and 49 after the second round
of defence reviews (December 2019) — counted by ``history.layout_on`` and, independently, by hand-written
SQL over the offerings and their status changes; the history page shows the same; every decision of both
rounds is applied and dates its offering's change; no expert reviews a school they must avoid (REV-01); the
majors cut are the weak ones; a second build creates nothing.

The expected 149 and 49 are the article's (../shared/seed), typed here, never read from ``chanjiao/demo``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from chanjiao.accounts.models import User
from chanjiao.core import rules
from chanjiao.core.workflow import StatusChange
from chanjiao.demo.city import build_city
from chanjiao.layout import crosswalk, fit, history, rule_packs, supply
from chanjiao.layout import rules as layout_rules
from chanjiao.layout.models import (
    Decision,
    DeclaredDemand,
    Expert,
    ExpertAssignment,
    Offering,
    OfferingYear,
    ReviewRound,
    Score,
    Submission,
    SubmissionItem,
)
from chanjiao.layout.services import item_results
from chanjiao.orgs.models import CommitteeMembership
from tests.core.test_figures import shown_count

pytestmark = pytest.mark.django_db

# The seed: "全市职业学校已从“十二五”末的149个专业调整为目前的49个专业"; rounds in June 2017 and December 2019.
MAJORS_END_OF_12TH_PLAN = 149
MAJORS_AFTER_SECOND_ROUND = 49
END_2015 = dt.date(2015, 12, 31)
END_2019 = dt.date(2019, 12, 31)

TABLES = ["layout_offering", "layout_offeringyear", "layout_expert", "layout_conflictdeclaration",
          "layout_reviewround", "layout_rubriccriterion", "layout_submission", "layout_submissionitem",
          "layout_expertassignment", "layout_score", "layout_decision", "layout_crosswalkversion",
          "layout_crosswalkentry", "layout_declareddemand", "core_statuschange", "core_auditevent"]


# demo_city: tests/conftest.py (built once per module, rolled back after it)


@pytest.fixture(autouse=True)
def _city(demo_city: None, db: Any) -> None:
    """Every test here sees the built city (and rolls back its own changes)."""


def _one(sql: str, *params: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _rows(sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _rounds() -> list[tuple[int, dt.date]]:
    """(id, held_on) of the demo's review rounds in 宜昌, oldest first (SQL)."""
    return [(pk, _date(day)) for pk, day in _rows(
        "SELECT r.id, r.held_on FROM layout_reviewround r JOIN catalog_region g ON g.id = r.region_id "
        "WHERE g.code = '4205' ORDER BY r.held_on")]


def _after(round_id: int) -> dt.date:
    """The day a round's decisions took effect: its latest decision date (SQL)."""
    return _date(_one("SELECT MAX(d.decided_on) FROM layout_decision d "
                      "JOIN layout_submissionitem i ON i.id = d.item_id JOIN layout_submission s ON s.id = "
                      "i.submission_id WHERE s.round_id = %s", round_id))


def majors_by_sql(day: dt.date) -> int:
    """Distinct majors live on ``day``, written out independently of history.py: an offering is live when
    it was filed by then and every cancellation effective by then was undone by a re-filing effective by
    then; a catalogue major counts once by id, an off-catalogue major once by name."""
    recorded = "date(sc.created_at)" if connection.vendor == "sqlite" else "CAST(sc.created_at AS date)"
    effective = f"COALESCE(sc.effective_on, {recorded})"
    changes = ("SELECT COUNT(*) FROM core_statuschange sc JOIN django_content_type ct ON ct.id = sc.content_type_id "
               "WHERE ct.app_label = 'layout' AND ct.model = 'offering' AND sc.object_id = o.id "
               f"AND {effective} <= %s")
    return _one(
        "SELECT COUNT(DISTINCT o.major_id) + COUNT(DISTINCT CASE WHEN o.major_id IS NULL "
        "THEN o.off_catalogue_name END) FROM layout_offering o "
        f"WHERE o.filed_on <= %s AND ({changes} AND sc.target = 'cancelled') = ({changes} AND sc.source = 'cancelled')",
        day, day, day)


# -- (a) the history ------------------------------------------------------------------------------------------


def test_the_layout_history_goes_from_149_to_49():
    offerings = Offering.objects.all()
    (first, held_1), (second, held_2) = _rounds()
    assert (held_1.year, held_1.month, held_2.year, held_2.month) == (2017, 6, 2019, 12)
    after_1, after_2 = _after(first), _after(second)
    assert history.layout_on(offerings, END_2015).majors == MAJORS_END_OF_12TH_PLAN
    assert majors_by_sql(END_2015) == MAJORS_END_OF_12TH_PLAN
    # Nothing changed between the end of 2015 and the first round; the first round took the city to 80–100.
    assert history.layout_on(offerings, held_1 - dt.timedelta(days=1)).majors == MAJORS_END_OF_12TH_PLAN
    middle = history.layout_on(offerings, after_1).majors
    assert 80 <= middle <= 100
    assert majors_by_sql(after_1) == middle
    for day in (after_2, END_2019):
        assert history.layout_on(offerings, day).majors == MAJORS_AFTER_SECOND_ROUND, day
        assert majors_by_sql(day) == MAJORS_AFTER_SECOND_ROUND, day
    # The day before the second round the city still had the first round's layout.
    assert history.layout_on(offerings, after_2 - dt.timedelta(days=1)).majors == middle
    # The same major at several schools: more offerings than majors, at each point.
    assert history.layout_on(offerings, END_2015).offerings > MAJORS_END_OF_12TH_PLAN
    assert history.layout_on(offerings, END_2019).offerings > MAJORS_AFTER_SECOND_ROUND


def test_offerings_fit_their_schools_and_have_clusters():
    # A 中职 school offers 中职 majors (or, MJ-02, a few off-catalogue ones); a 高职 college associate majors.
    assert _one("SELECT COUNT(*) FROM layout_offering o JOIN orgs_organisation s ON s.id = o.school_id "
                "JOIN catalog_major m ON m.id = o.major_id WHERE m.level <> s.school_level") == 0
    off = _rows("SELECT s.school_level, o.off_catalogue_name FROM layout_offering o "
                "JOIN orgs_organisation s ON s.id = o.school_id WHERE o.major_id IS NULL")
    assert 1 <= len({name for _l, name in off}) <= 3 and {level for level, _n in off} == {"secondary"}
    assert {r[0] for r in _rows("SELECT DISTINCT s.school_level FROM layout_offering o "
                                "JOIN orgs_organisation s ON s.id = o.school_id")} == {"secondary", "associate"}
    years = [_date(d).year for (d,) in _rows("SELECT filed_on FROM layout_offering WHERE filed_on < '2017-01-01'")]
    assert min(years) >= 2005 and max(years) <= 2015
    # Duplication: some majors at several schools; clusters named per school.
    assert _one("SELECT COUNT(*) FROM (SELECT major_id FROM layout_offering WHERE major_id IS NOT NULL "
                "GROUP BY major_id HAVING COUNT(*) >= 3) x") >= 5
    assert _one("SELECT COUNT(*) FROM layout_offering WHERE cluster = ''") == 0
    assert _one("SELECT COUNT(*) FROM (SELECT DISTINCT school_id, cluster FROM layout_offering) x") >= 23


def test_yearly_figures_cover_the_live_years_and_hold_ofy_d1():
    assert not rules.scan(layout_rules.GraduatesAccountedFor(), OfferingYear._base_manager.all()).exists()
    assert {r[0] for r in _rows("SELECT DISTINCT year FROM layout_offeringyear")} == set(range(2013, 2021))
    # No figures for a year after the offering was cancelled, nor before it started.
    assert _one("SELECT COUNT(*) FROM layout_offeringyear y JOIN layout_offering o ON o.id = y.offering_id "
                "WHERE y.year < o.start_year") == 0
    cancelled_after = _one(
        "SELECT COUNT(*) FROM layout_offeringyear y JOIN layout_offering o ON o.id = y.offering_id "
        "JOIN core_statuschange sc ON sc.object_id = o.id JOIN django_content_type ct ON ct.id = sc.content_type_id "
        "WHERE ct.app_label = 'layout' AND ct.model = 'offering' AND sc.target = 'cancelled' "
        "AND y.year > CAST(SUBSTR(CAST(sc.effective_on AS VARCHAR(10)), 1, 4) AS INTEGER)")
    assert cancelled_after == 0
    # Every offering that had started recruiting by 2016 has figures for 2016; one that never did has none.
    started = ("EXISTS (SELECT 1 FROM core_statuschange sc JOIN django_content_type ct ON ct.id = sc.content_type_id "
               "WHERE ct.app_label = 'layout' AND ct.model = 'offering' AND sc.object_id = o.id "
               "AND sc.transition = 'start_enrolment' AND sc.effective_on <= '2016-12-31')")
    assert _one(f"SELECT COUNT(*) FROM layout_offering o WHERE {started} AND NOT EXISTS ("
                "SELECT 1 FROM layout_offeringyear y WHERE y.offering_id = o.id AND y.year = 2016)") == 0
    assert _one("SELECT COUNT(*) FROM layout_offering o WHERE NOT EXISTS (SELECT 1 FROM core_statuschange sc "
                "JOIN django_content_type ct ON ct.id = sc.content_type_id WHERE ct.app_label = 'layout' "
                "AND ct.model = 'offering' AND sc.object_id = o.id AND sc.transition = 'start_enrolment') "
                "AND EXISTS (SELECT 1 FROM layout_offeringyear y WHERE y.offering_id = o.id)") == 0


def _employment(statuses_sql: str) -> float:
    graduates, employed = _rows(
        "SELECT SUM(y.graduates), SUM(y.employed) FROM layout_offeringyear y JOIN layout_offering o "
        f"ON o.id = y.offering_id WHERE y.year IN (2014, 2015, 2016) AND {statuses_sql}")[0]
    return employed / graduates


def test_the_majors_cut_are_the_weak_ones():
    first, _held = _rounds()[0]
    decided = ("o.id IN (SELECT i.offering_id FROM layout_decision d "
               "JOIN layout_submissionitem i ON i.id = d.item_id JOIN layout_submission s ON s.id = "
               "i.submission_id WHERE s.round_id = {round} AND d.action IN ({acts}))")
    cut = decided.format(round=first, acts="'cancel', 'merge'")
    kept = decided.format(round=first, acts="'keep', 'strengthen'")
    assert _employment(cut) < _employment(kept) - 0.1
    fill = ("SELECT 1.0 * SUM(y.enrolled) / SUM(y.planned_enrolment) FROM layout_offeringyear y "
            "JOIN layout_offering o ON o.id = y.offering_id WHERE y.year IN (2014, 2015, 2016) AND {where}")
    assert float(_one(fill.format(where=cut))) < float(_one(fill.format(where=kept))) - 0.2
    # The experts' results agree: every cut major scored below the mean of the kept ones.
    results = item_results(Score.objects.all())
    by_action: dict[str, list[Decimal]] = {}
    for d in Decision.objects.select_related("item__submission"):
        if d.item.submission.round_id == first and d.item_id in results:
            by_action.setdefault(d.action, []).append(results[d.item_id].result)
    kept_scores = by_action["keep"] + by_action["strengthen"]
    assert max(by_action["cancel"] + by_action["merge"]) < sum(kept_scores) / len(kept_scores)


# -- (b) the page ----------------------------------------------------------------------------------------------


def test_the_history_page_shows_149_and_49():
    client = Client()
    client.force_login(User.objects.get(username="demo_bureau"))
    response = client.get("/layout/timeline/")
    assert response.status_code == 200
    page = response.content.decode()
    shown = {day: int(n) for day, n in re.findall(
        r'<tr data-day="(\d{4}-\d\d-\d\d)">.*?data-count="majors">(\d+)<', page, flags=re.S)}
    second, _held = _rounds()[1]
    assert shown["2015-12-31"] == MAJORS_END_OF_12TH_PLAN
    assert shown[_after(second).isoformat()] == MAJORS_AFTER_SECOND_ROUND
    assert shown["2019-12-31"] == MAJORS_AFTER_SECOND_ROUND
    # The offerings count links to the list of exactly those offerings.
    link = re.search(r'<tr data-day="2015-12-31">.*?<a href="([^"]+)" data-count="offerings">(\d+)<', page, flags=re.S)
    assert shown_count(client, link.group(1).replace("&amp;", "&")) == int(link.group(2))


# -- (c) the decisions -------------------------------------------------------------------------------------------


TRANSITION = {"suspend": "suspend", "cancel": "cancel", "merge": "cancel"}


def test_every_decision_is_applied_and_dates_its_offerings_change():
    rounds = _rounds()
    assert {s for (s,) in _rows("SELECT DISTINCT status FROM layout_reviewround")} == {"decided"}
    items = SubmissionItem.objects.filter(submission__round_id__in=[pk for pk, _d in rounds])
    assert items.count() > 300
    decisions = list(Decision.objects.filter(item__in=items).select_related("item__submission__round"))
    assert len(decisions) == items.count()
    actions = {d.action for d in decisions}
    assert actions == {"keep", "strengthen", "merge", "suspend", "cancel", "open"}
    for d in decisions:
        assert d.status == "applied", d
        assert d.decided_on == d.item.submission.round.held_on
        if d.action in TRANSITION:
            change = StatusChange.objects.of(Offering(pk=d.item.offering_id)).filter(
                transition=TRANSITION[d.action]).get(effective_on=d.decided_on)
            assert change.actor.username == "demo_bureau"
        elif d.action == "open":
            opened = Offering.objects.get(school_id=d.item.submission.school_id, major_id=d.item.new_major_id)
            assert opened.filed_on == d.decided_on
        else:  # kept: no change of the offering that day
            assert not StatusChange.objects.of(Offering(pk=d.item.offering_id)).filter(
                effective_on=d.decided_on).exists()
    # Every change of an offering is dated: 开始招生 by the first September, the rest by the decisions.
    undated = _one("SELECT COUNT(*) FROM core_statuschange sc "
                   "JOIN django_content_type ct ON ct.id = sc.content_type_id WHERE ct.app_label = 'layout' "
                   "AND ct.model = 'offering' AND sc.effective_on IS NULL")
    assert undated == 0


def test_the_rounds_went_through_their_workflow_with_principals_present():
    for pk, _held in _rounds():
        round_ = ReviewRound.objects.get(pk=pk)
        assert [c.transition for c in round_.status_history().order_by("pk")] == ["open", "start_review", "decide"]
        assert [(c.name, c.max_points) for c in round_.criteria.order_by("order")] == [
            ("市场需求", 30), ("办学条件", 30), ("发展规划", 25), ("答辩表现", 15)]
        subs = Submission.objects.filter(round=round_)
        assert subs.count() >= 20
        assert subs.filter(principal_attended=True).count() >= subs.count() - 1
        assert not subs.filter(principal="").exists()
        assert SubmissionItem.objects.filter(submission__round=round_, proposed_action="open").exists()


# -- (d) the panels --------------------------------------------------------------------------------------------


def test_no_expert_reviews_a_school_they_must_avoid():
    assert ExpertAssignment.objects.count() > 0
    assert not rules.scan(layout_rules.NoReviewOfOwnOrConflicted(), ExpertAssignment._base_manager.all()).exists()
    # The avoidance is real: experts work at demo schools and declared conflicts with others.
    assert Expert.objects.filter(organisation__kind="school").count() >= 3
    assert _one("SELECT COUNT(*) FROM layout_conflictdeclaration") >= 3
    for rule, qs in ((layout_rules.ScoreBelongsToItsAssignment(), Score._base_manager.all()),
                     (layout_rules.PointsWithinCriterion(), Score._base_manager.all()),
                     (layout_rules.ItemFitsItsAction(), SubmissionItem._base_manager.all()),
                     (layout_rules.DecisionFitsItsItem(), Decision._base_manager.all()),
                     (layout_rules.OffCatalogueOnlyForSecondary(), Offering._base_manager.all())):
        assert not rules.scan(rule, qs).exists(), rule.id


def test_panels_of_five_to_seven_score_every_criterion():
    panel = [n for (n,) in _rows("SELECT COUNT(*) FROM layout_expertassignment GROUP BY submission_id")]
    assert min(panel) >= 5 and max(panel) <= 7
    assert len(panel) == _one("SELECT COUNT(*) FROM layout_submission")
    # Per assignment and item of its submission: exactly one score per criterion of the round.
    assert _one("SELECT COUNT(*) FROM layout_expertassignment a JOIN layout_submissionitem i "
                "ON i.submission_id = a.submission_id JOIN layout_submission s ON s.id = a.submission_id "
                "JOIN layout_rubriccriterion c ON c.round_id = s.round_id "
                "WHERE NOT EXISTS (SELECT 1 FROM layout_score x WHERE x.assignment_id = a.id AND x.item_id = "
                "i.id AND x.criterion_id = c.id)") == 0
    assert _one("SELECT COUNT(*) FROM (SELECT assignment_id, item_id, criterion_id FROM layout_score "
                "GROUP BY assignment_id, item_id, criterion_id HAVING COUNT(*) > 1) x") == 0
    # The demo expert account is one expert of the pool, with assignments to score.
    expert = Expert.objects.get(user__username="demo_expert")
    assert expert.region.code == "4205" and expert.assignments.exists()
    assert 15 <= Expert.objects.filter(region__code="4205").count() <= 25


def test_layout_records_pass_the_models_own_validation_and_are_audited():
    for model in (Offering, OfferingYear, Expert, Submission, SubmissionItem, ExpertAssignment, Score, Decision,
                  DeclaredDemand):
        rows = list(model._base_manager.order_by("pk")[::40])
        assert rows, model.__name__
        for row in rows:
            row.full_clean()
        events = _one("SELECT COUNT(DISTINCT object_id) FROM core_auditevent WHERE object_type = %s "
                      "AND action = 'create'", f"layout.{model._meta.model_name}")
        assert events == model._base_manager.count(), model.__name__


# -- (e) idempotent --------------------------------------------------------------------------------------------


def _table_counts() -> dict[str, int]:
    return {t: _one(f"SELECT COUNT(*) FROM {t}") for t in TABLES}


def test_a_rebuild_creates_nothing():
    before = _table_counts()
    summary = build_city()
    assert {k: v for k, v in summary.created.items() if v} == {}
    assert _table_counts() == before
    assert history.layout_on(Offering.objects.all(), END_2019).majors == MAJORS_AFTER_SECOND_ROUND



# -- (f) supply against demand ---------------------------------------------------------------------------------
#
# The mapping rule, written from chanjiao/layout/crosswalk.py's docstring: a pillar names GB/T 4754 codes at any
# level; an entry's industry overlaps a pillar's code when one lies within the other (a 门类 letter contains
# every code of its section). An offering belongs to the pillar when its major's own entries overlap it, or —
# for a major without entries of its own in the version — its 专业类's entries do. Demand belongs when the
# enterprise's industry lies within a pillar code, or, for an enterprise without one, by its 专业类's entries.

YEAR = 2019
_OVERLAP = ("EXISTS (SELECT 1 FROM orgs_pillarindustry_industries pi JOIN catalog_industry p ON p.id = pi.industry_id "
            "JOIN catalog_industry ei ON ei.id = {entry}.industry_id WHERE pi.pillarindustry_id = %s AND ("
            "(p.level = 1 AND ei.section = p.code) OR (ei.level = 1 AND p.section = ei.code) OR (p.level > 1 AND "
            "ei.level > 1 AND (ei.code LIKE p.code || '%%' OR p.code LIKE ei.code || '%%'))))")
_WITHIN = ("EXISTS (SELECT 1 FROM orgs_pillarindustry_industries pi JOIN catalog_industry p ON p.id = pi.industry_id "
           "WHERE pi.pillarindustry_id = %s AND ((p.level = 1 AND fi.section = p.code) "
           "OR (p.level > 1 AND fi.level > 1 AND fi.code LIKE p.code || '%%')))")
_IN_4205 = ("EXISTS (SELECT 1 FROM catalog_region g WHERE g.id = {org}.region_id AND g.code LIKE '4205%%')")


def supply_by_sql(pillar_id: int, year: int, version_id: int) -> tuple[int, int]:
    """(enrolled, graduates) of ``year`` over the offerings of 宜昌 schools the crosswalk maps onto the pillar."""
    own = ("EXISTS (SELECT 1 FROM layout_crosswalkentry e WHERE e.version_id = %s AND e.major_id = o.major_id "
           f"AND {_OVERLAP.format(entry='e')})")
    refined = "EXISTS (SELECT 1 FROM layout_crosswalkentry r WHERE r.version_id = %s AND r.major_id = o.major_id)"
    by_class = ("EXISTS (SELECT 1 FROM layout_crosswalkentry c WHERE c.version_id = %s AND c.major_id IS NULL "
                f"AND c.class_code = m.class_code AND {_OVERLAP.format(entry='c')})")
    enrolled, graduates = _rows(
        "SELECT COALESCE(SUM(y.enrolled), 0), COALESCE(SUM(y.graduates), 0) FROM layout_offeringyear y "
        "JOIN layout_offering o ON o.id = y.offering_id JOIN catalog_major m ON m.id = o.major_id "
        "JOIN orgs_organisation s ON s.id = o.school_id "
        f"WHERE y.year = %s AND {_IN_4205.format(org='s')} AND ({own} OR (NOT {refined} AND {by_class}))",
        year, version_id, pillar_id, version_id, version_id, pillar_id)[0]
    return int(enrolled), int(graduates)


def demand_by_sql(pillar_id: int, year: int, version_id: int) -> int:
    """Headcount declared for ``year`` by enterprises of 宜昌 within the pillar (or, without an industry, by
    the 专业类 asked for)."""
    by_class = ("EXISTS (SELECT 1 FROM layout_crosswalkentry c WHERE c.version_id = %s AND c.major_id IS NULL "
                f"AND c.class_code = d.class_code AND {_OVERLAP.format(entry='c')})")
    return int(_one(
        "SELECT COALESCE(SUM(d.headcount), 0) FROM layout_declareddemand d "
        "JOIN orgs_organisation f ON f.id = d.enterprise_id LEFT JOIN catalog_industry fi ON fi.id = f.industry_id "
        f"WHERE d.year = %s AND {_IN_4205.format(org='f')} AND ((f.industry_id IS NOT NULL AND {_WITHIN}) "
        f"OR (f.industry_id IS NULL AND {by_class}))", year, pillar_id, version_id, pillar_id))


def _bureau() -> User:
    return User.objects.get(username="demo_bureau")


def _version() -> Any:
    version = crosswalk.in_force("4205", dt.date(YEAR, 12, 31))
    assert version is not None and version.number == 1 and version.status == "published"
    return version


def test_the_shipped_crosswalk_is_loaded_once_and_in_force():
    version = _version()
    assert _one("SELECT COUNT(*) FROM layout_crosswalkversion") == 1
    entries = _one("SELECT COUNT(*) FROM layout_crosswalkentry WHERE version_id = %s", version.pk)
    with crosswalk.DEFAULT_FILE.open(encoding="utf-8") as handle:
        assert entries == sum(1 for _line in handle) - 1  # every row of the shipped file (header aside)
    assert crosswalk.load_default() == (version, 0)


def test_supply_and_demand_per_pillar_equal_hand_written_sql_and_open_their_rows():
    version = _version()
    bureau = _bureau()
    rows = supply.by_pillar(bureau, YEAR, version)
    assert {r.pillar.pk for r in rows} == {pk for (pk,) in _rows("SELECT id FROM orgs_pillarindustry")}
    client = Client()
    client.force_login(bureau)
    for row in rows:
        enrolled, graduates = supply_by_sql(row.pillar.pk, YEAR, version.pk)
        assert (row.enrolled, row.graduates) == (enrolled, graduates), row.pillar
        assert row.demand == demand_by_sql(row.pillar.pk, YEAR, version.pk), row.pillar
        # Every pillar reaches some of the demo's offerings through the crosswalk, and some declared demand.
        assert row.graduates > 0 and row.enrolled > 0 and row.demand > 0, row.pillar
        for url, value, total in ((row.graduates_url, row.graduates, "graduates"),
                                  (row.demand_url, row.demand, "headcount")):
            page = client.get(url)
            assert page.status_code == 200, url
            assert {t["field"]: t["value"] for t in page.context["totals"]}[total] == value, (row.pillar, total)


def test_demand_grows_where_supply_falls_and_falls_elsewhere():
    version = _version()
    series = {name: [(supply_by_sql(pk, y, version.pk)[1], demand_by_sql(pk, y, version.pk)) for y in (2017, 2020)]
              for pk, name in _rows("SELECT id, name FROM orgs_pillarindustry")}
    for name in ("电子信息", "医药健康", "装备制造"):
        (supply_2017, demand_2017), (supply_2020, demand_2020) = series[name]
        assert demand_2020 > 1.3 * demand_2017 and supply_2020 <= supply_2017, name
        assert demand_2020 > supply_2020, name  # by 2020 the firms ask for more than the majors supply
    falling = [n for n, ((_s0, d0), (_s1, d1)) in series.items() if d1 < 0.8 * d0]
    assert 1 <= len(falling) <= 3, falling


def test_declared_demand_comes_from_each_committees_firms_for_its_pillar():
    assert _one("SELECT COUNT(*) FROM layout_declareddemand") > 1000
    assert {y for (y,) in _rows("SELECT DISTINCT year FROM layout_declareddemand")} == {2017, 2018, 2019, 2020}
    assert _one("SELECT COUNT(*) FROM layout_declareddemand WHERE headcount < 1 OR headcount > 40 "
                "OR position = '' OR committee_id IS NULL") == 0
    # The firm was a member of the collecting committee that year.
    periods: dict[tuple[int, int], list[tuple[dt.date, dt.date | None]]] = {}
    for committee, org, joined, left in CommitteeMembership.objects.values_list(
            "committee_id", "organisation_id", "joined", "left"):
        periods.setdefault((committee, org), []).append((joined, left))
    demand = DeclaredDemand.objects.values_list("committee_id", "enterprise_id", "year")
    assert all(any(joined <= dt.date(y, 12, 31) and (left is None or left > dt.date(y, 1, 1))
                   for joined, left in periods.get((c, e), [])) for c, e, y in demand)
    # The 专业类 asked for is one the crosswalk maps onto the committee's pillar; the education fits its level.
    version = _version()
    mapped = ("EXISTS (SELECT 1 FROM layout_crosswalkentry c WHERE c.version_id = %s AND c.major_id IS NULL "
              f"AND c.class_code = d.class_code AND {_OVERLAP.format(entry='c').replace('= %s', '= k.pillar_id', 1)})")
    assert _one("SELECT COUNT(*) FROM layout_declareddemand d JOIN orgs_committee k ON k.id = d.committee_id "
                f"WHERE NOT {mapped}", version.pk) == 0
    level = _rows("SELECT DISTINCT m.level, d.education FROM layout_declareddemand d JOIN catalog_major m "
                  "ON m.class_code = d.class_code")
    assert set(level) == {("secondary", "secondary"), ("associate", "associate")}
    assert not rules.scan(layout_rules.DemandNamesWhatIsNeeded(), DeclaredDemand._base_manager.all()).exists()


def test_the_supply_demand_page_states_v1_and_every_pillar():
    client = Client()
    client.force_login(_bureau())
    response = client.get(f"/layout/supply-demand/?year={YEAR}")
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'data-version="1">[^<]*v1', page)
    assert response.context["version"].number == 1
    pillars = {pk for (pk,) in _rows("SELECT id FROM orgs_pillarindustry")}
    assert {int(pk) for pk in re.findall(r'data-pillar="(\d+)"', page)} == pillars
    assert page.count("data-pillar=") == len(pillars) == 11


# -- (g) the fit warnings ---------------------------------------------------------------------------------------


def _flags(year: int) -> set[tuple[int, str]]:
    """(offering, rule) of every flag the fit rules give the offerings live at the end of ``year`` (each
    rule's SQL scan, with the thresholds in force that day)."""
    offerings = fit.base(_bureau(), year)
    resolver = rules.ParamResolver(fit.year_end(year))
    return {(pk, rule.id) for rule in fit.fit_rules()
            for pk in rules.scan(rule, offerings, resolver=resolver).values_list("pk", flat=True)}


def _judged(year: int) -> set[tuple[int, str]]:
    """The same, judged offering by offering in Python (as the fit page's rows are)."""
    offerings = list(fit.base(_bureau(), year).select_related("school__region", "major"))
    fit.prefetch(offerings, year)
    return {(j.offering.pk, f.rule_id) for j in fit.judge(offerings, year) for f in j.flags}


def _shown(page: str, testid: str) -> dict[str, int]:
    block = re.search(rf'data-testid="{testid}".*?</(?:table|form)>', page, flags=re.S)
    counts: dict[str, int] = {}
    for key, n in re.findall(r'data-count="(\w+)">(\d+)<', block.group(0)):
        counts[key] = counts.get(key, 0) + int(n)
    return counts


@pytest.mark.parametrize("year", [2016, YEAR])
def test_the_fit_page_counts_equal_the_city_counts_and_the_school_table(year: int):
    client = Client()
    client.force_login(_bureau())
    response = client.get(f"/layout/fit/?year={year}")
    assert response.status_code == 200
    page = response.content.decode()
    city = fit.city_counts(_bureau(), year)
    assert _shown(page, "fit-city") == city
    assert _shown(page, "fit-schools") == city
    assert city["red"] + city["amber"] + city["green"] == city["total"] > 0
    red_rules = {r.id for r in fit.fit_rules() if r.rating == "red"}
    assert len({pk for pk, rule in _flags(year) if rule in red_rules}) == city["red"]
    if year == YEAR:  # the page's rows are judged in Python: the same flags as the scans (77 offerings)
        assert _judged(year) == _flags(year)


def test_before_the_first_round_the_weak_majors_are_red():
    city = fit.city_counts(_bureau(), 2016)
    assert city["red"] >= 20
    # What is red in 2016 is what the first round cut: every MJ-08A flag is on an offering a decision stopped.
    stopped = {pk for (pk,) in _rows("SELECT i.offering_id FROM layout_decision d JOIN layout_submissionitem i "
                                     "ON i.id = d.item_id WHERE d.action IN ('cancel', 'merge', 'suspend')")}
    flagged = {pk for pk, rule in _flags(2016) if rule == "MJ-08A"}
    assert flagged and flagged <= stopped
    assert fit.city_counts(_bureau(), YEAR)["red"] < city["red"]


@pytest.mark.parametrize("year", [2016, YEAR])
def test_the_jilin_city_pack_changes_the_warnings(year: int):
    national = _flags(year)
    assert rule_packs.apply_pack(rule_packs.PACKS["jilin_city"], "4205", dt.date(2015, 1, 1)) > 0
    jilin = _flags(year)
    assert jilin != national
    assert any(rule == "JL-01" for _pk, rule in jilin)
    assert not any(rule == "MJ-08A" for _pk, rule in jilin)  # the pack replaces it
    client = Client()
    client.force_login(_bureau())
    page = client.get(f"/layout/fit/?year={year}").content.decode()
    assert 'data-pack="jilin_city"' in page
    assert _shown(page, "fit-city") == fit.city_counts(_bureau(), year)


def test_the_moe_2011_pack_flags_the_weak_majors_low_placement():
    national = _flags(2016)
    assert not any(rule == "EMP-60" for _pk, rule in national)
    rule_packs.apply_pack(rule_packs.PACKS["moe_2011"], "4205", dt.date(2015, 1, 1))
    moe = _flags(2016)
    low = {pk for pk, rule in moe if rule == "EMP-60"}
    assert low and national < moe  # the national flags stay; EMP-60 adds its own
    # The flagged are the weak majors: placement under 60 % in 2015 and 2016 (SQL), all cut in the first round.
    under = {pk for (pk,) in _rows(
        "SELECT offering_id FROM layout_offeringyear WHERE year IN (2015, 2016) AND graduates > 0 "
        "AND employed * 100 < 60 * graduates GROUP BY offering_id HAVING COUNT(*) = 2")}
    live = set(fit.base(_bureau(), 2016).values_list("pk", flat=True))
    assert low == under & live


def test_the_demo_loads_the_job_board_postings_as_a_demand_source():
    from chanjiao.layout.models import JobPosting

    # Both shared files (../shared/data/job_postings: 1,603 前程无忧 + 6,599 BOSS直聘 rows), every row kept.
    assert JobPosting.objects.filter(source="前程无忧").count() == 1603
    assert JobPosting.objects.filter(source="BOSS直聘").count() == 6599
    classified = JobPosting.objects.exclude(class_code="")
    assert classified.count() > JobPosting.objects.count() / 2
    assert not classified.filter(evidence=[]).exists()  # every classification names its words
    assert JobPosting.objects.filter(region__code="310120").exists()  # "上海-奉贤区" → the county
    rows = supply.by_pillar(_bureau(), 2020, supply.version_for("4205", 2020))
    assert sum(r.postings for r in rows) > 0
    client = Client()
    client.force_login(_bureau())
    row = max(rows, key=lambda r: r.postings)
    assert shown_count(client, row.postings_url) == row.postings
