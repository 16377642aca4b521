"""Issue #8 point 0, "Done when": a city bureau user sees no row of another city on any page, export or
API answer; a province user sees all — over the province dataset's own roles.

The generator (benchmarks/generate.py) writes Hubei at a small scale into a scratch database; each
test points Django's connection at it and signs in as one generated bureau-level user (each city's
bureau, the county bureaus, a secretariat and a leader, the province). For every business list the
rows the user gets — the API's every page, the list page's total and rows, the export — are compared
with the rows an independent statement of the rule in hand-written SQL (``ORACLE`` below) says that
user reaches: a row belongs to its region (a school's people and committees to the school's, a
group's structure to the group's), an organisation also to the jurisdictions it cooperates with.
PostgreSQL only (the generator loads through COPY).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.benchmarks.scratch import serving
from tests.harness.helpers import xlsx_rows

SCALE = 0.02
SEED = 5

pytestmark = [
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="the generator writes through PostgreSQL COPY; SQLite has no COPY"),
    # Autocommit, flushed afterwards: the test's requests run against the scratch database.
    pytest.mark.django_db(transaction=True),
]

# --- the rule, restated in SQL -----------------------------------------------------------------------
# %(codes)s: the user's jurisdiction codes (text[]). WITHIN(x): region code x lies in one of them;
# COVERING(x): ... or is a region containing one of them (a county reads its city's group).
WITHIN = "EXISTS (SELECT 1 FROM unnest(%(codes)s::text[]) j(c) WHERE {x} LIKE j.c || '%%')"
COVERING = ("(" + WITHIN + " OR EXISTS (SELECT 1 FROM unnest(%(codes)s::text[]) j(c) "
            "WHERE length(j.c) > length({x}) AND j.c LIKE {x} || '%%'))")
# The organisations a jurisdiction answers for: its region's, only schools for a county under a city.
OWN_ORGS = """SELECT o.id FROM orgs_organisation o JOIN catalog_region r ON r.id = o.region_id
    WHERE EXISTS (SELECT 1 FROM unnest(%(codes)s::text[]) j(c) WHERE r.code LIKE j.c || '%%'
                  AND (o.kind = 'school' OR length(j.c) < 6 OR substr(j.c, 3, 2) = '90'))"""
GROUPS = "SELECT g.id FROM orgs_vocationalgroup g JOIN catalog_region r ON r.id = g.region_id WHERE "
COOPERATING = f"""
    SELECT m.organisation_id FROM orgs_guidancemember m JOIN orgs_guidancecommittee gc ON gc.id = m.committee_id
      JOIN orgs_organisation s ON s.id = gc.school_id JOIN catalog_region r ON r.id = s.region_id
      WHERE {WITHIN.format(x="r.code")}
    UNION SELECT m.organisation_id FROM orgs_committeemembership m JOIN orgs_committee c ON c.id = m.committee_id
      WHERE c.group_id IN ({GROUPS}{WITHIN.format(x="r.code")})
    UNION SELECT unnest(ARRAY[c.director_id, c.vice_director_id, c.secretary_id]) FROM orgs_committee c
      WHERE c.group_id IN ({GROUPS}{WITHIN.format(x="r.code")})
    UNION SELECT s.organisation_id FROM orgs_boardseat s JOIN orgs_boardterm t ON t.id = s.term_id
      WHERE t.group_id IN ({GROUPS}{WITHIN.format(x="r.code")})
    UNION SELECT unnest(ARRAY[g.secretariat_id, g.lead_school_id]) FROM orgs_vocationalgroup g
      JOIN catalog_region r ON r.id = g.region_id WHERE {WITHIN.format(x="r.code")}
    UNION SELECT e.organisation_id FROM engagement_agreement_enterprises e
      JOIN engagement_agreement_schools a ON a.agreement_id = e.agreement_id
      JOIN orgs_organisation s ON s.id = a.school_id JOIN catalog_region r ON r.id = s.region_id
      WHERE {WITHIN.format(x="r.code")}
    UNION SELECT p.organisation_id FROM engagement_eventparticipation p JOIN engagement_event e ON e.id = p.event_id
      JOIN orgs_committee c ON c.id = e.committee_id WHERE c.group_id IN ({GROUPS}{WITHIN.format(x="r.code")})
    UNION SELECT m.organisation_id FROM engagement_alliance_members m JOIN engagement_alliance a ON a.id = m.alliance_id
      JOIN orgs_organisation s ON s.id = a.lead_school_id JOIN catalog_region r ON r.id = s.region_id
      WHERE {WITHIN.format(x="r.code")}
    UNION SELECT v.enterprise_id FROM engagement_visit v
      JOIN orgs_organisation s ON s.id = v.school_id JOIN catalog_region r ON r.id = s.region_id
      WHERE {WITHIN.format(x="r.code")}
    UNION SELECT p.enterprise_id FROM engagement_teacherpractice p JOIN orgs_teacher t ON t.id = p.teacher_id
      JOIN orgs_organisation s ON s.id = t.school_id JOIN catalog_region r ON r.id = s.region_id
      WHERE {WITHIN.format(x="r.code")}
    UNION SELECT c.enterprise_id FROM engagement_orderclass c
      JOIN orgs_organisation s ON s.id = c.school_id JOIN catalog_region r ON r.id = s.region_id
      WHERE {WITHIN.format(x="r.code")}"""
VISIBLE_ORGS = f"({OWN_ORGS}) UNION ({COOPERATING})"
READ_GROUPS = GROUPS + COVERING.format(x="r.code")


def _kind(kind: str) -> str:
    return f"SELECT id FROM orgs_organisation WHERE kind = '{kind}' AND id IN ({VISIBLE_ORGS})"


SCHOOL_IN = ("SELECT s.id FROM orgs_organisation s JOIN catalog_region r ON r.id = s.region_id WHERE "
             + WITHIN.format(x="r.code"))
ROUNDS = ("SELECT w.id FROM layout_reviewround w JOIN catalog_region r ON r.id = w.region_id WHERE "
          + COVERING.format(x="r.code"))
ORACLE: dict[str, str] = {
    "school": _kind("school"), "enterprise": _kind("enterprise"), "department": _kind("department"),
    "association": _kind("association"), "institute": _kind("institute"),
    "contact": f"SELECT id FROM orgs_contact WHERE organisation_id IN ({VISIBLE_ORGS})",
    "teacher": f"SELECT id FROM orgs_teacher WHERE school_id IN ({SCHOOL_IN})",
    "guidancecommittee": f"SELECT id FROM orgs_guidancecommittee WHERE school_id IN ({SCHOOL_IN})",
    "guidancemember": f"""SELECT m.id FROM orgs_guidancemember m JOIN orgs_guidancecommittee gc
                          ON gc.id = m.committee_id WHERE gc.school_id IN ({SCHOOL_IN})""",
    "vocationalgroup": READ_GROUPS,
    "boardterm": f"SELECT id FROM orgs_boardterm WHERE group_id IN ({READ_GROUPS})",
    "boardseat": f"""SELECT s.id FROM orgs_boardseat s JOIN orgs_boardterm t ON t.id = s.term_id
                     WHERE t.group_id IN ({READ_GROUPS})""",
    "pillarindustry": f"SELECT id FROM orgs_pillarindustry WHERE group_id IN ({READ_GROUPS})",
    "committee": f"SELECT id FROM orgs_committee WHERE group_id IN ({READ_GROUPS})",
    "committeemembership": f"""SELECT m.id FROM orgs_committeemembership m JOIN orgs_committee c
                               ON c.id = m.committee_id WHERE c.group_id IN ({READ_GROUPS})""",
    "ruleparameter": "SELECT id FROM core_ruleparameter WHERE jurisdiction = '' OR "
                     + COVERING.format(x="jurisdiction"),
    "ruleviolation": "SELECT id FROM core_ruleviolation WHERE false",  # the generator writes none
    # The matching cycle (issue #9; the generator writes no such rows yet): an event and its participants
    # belong to the hosting committee's group (read also from the regions it contains), an agreement to
    # each party school's region, an alliance to its lead school's.
    "event": f"""SELECT e.id FROM engagement_event e JOIN orgs_committee c ON c.id = e.committee_id
                 WHERE c.group_id IN ({READ_GROUPS})""",
    "eventparticipation": f"""SELECT p.id FROM engagement_eventparticipation p JOIN engagement_event e
                              ON e.id = p.event_id JOIN orgs_committee c ON c.id = e.committee_id
                              WHERE c.group_id IN ({READ_GROUPS})""",
    "agreement": f"SELECT agreement_id FROM engagement_agreement_schools WHERE school_id IN ({SCHOOL_IN})",
    "alliance": f"SELECT id FROM engagement_alliance WHERE lead_school_id IN ({SCHOOL_IN})",
    "visit": f"SELECT id FROM engagement_visit WHERE school_id IN ({SCHOOL_IN})",  # a visit: its school's
    # The year plan belongs to its group (read also from the regions within the group's), each planned
    # activity to its plan's; a teacher's practice to the teacher's school, an order class to its school.
    "annualplan": f"SELECT id FROM engagement_annualplan WHERE group_id IN ({READ_GROUPS})",
    "plannedactivity": f"""SELECT a.id FROM engagement_plannedactivity a JOIN engagement_annualplan p
                           ON p.id = a.plan_id WHERE p.group_id IN ({READ_GROUPS})""",
    "teacherpractice": f"""SELECT p.id FROM engagement_teacherpractice p JOIN orgs_teacher t ON t.id = p.teacher_id
                           WHERE t.school_id IN ({SCHOOL_IN})""",
    "orderclass": f"SELECT id FROM engagement_orderclass WHERE school_id IN ({SCHOOL_IN})",
    # The major layout (issue #10): an offering, its yearly figures and a school's submission (its items,
    # panel, scores and decisions) follow the school; the expert pool its region; a review round and its
    # rubric their region, read also from the regions within it (a county reads its city's round).
    "offering": f"SELECT id FROM layout_offering WHERE school_id IN ({SCHOOL_IN})",
    "offeringyear": f"""SELECT y.id FROM layout_offeringyear y JOIN layout_offering o ON o.id = y.offering_id
                        WHERE o.school_id IN ({SCHOOL_IN})""",
    "expert": "SELECT e.id FROM layout_expert e JOIN catalog_region r ON r.id = e.region_id WHERE "
              + WITHIN.format(x="r.code"),
    "conflictdeclaration": """SELECT d.id FROM layout_conflictdeclaration d JOIN layout_expert e ON e.id = d.expert_id
                              JOIN catalog_region r ON r.id = e.region_id WHERE """ + WITHIN.format(x="r.code"),
    "reviewround": ROUNDS,
    "rubriccriterion": f"SELECT id FROM layout_rubriccriterion WHERE round_id IN ({ROUNDS})",
    "submission": f"SELECT id FROM layout_submission WHERE school_id IN ({SCHOOL_IN})",
    "submissionitem": f"""SELECT i.id FROM layout_submissionitem i JOIN layout_submission s ON s.id = i.submission_id
                          WHERE s.school_id IN ({SCHOOL_IN})""",
    "expertassignment": f"""SELECT a.id FROM layout_expertassignment a JOIN layout_submission s
                            ON s.id = a.submission_id WHERE s.school_id IN ({SCHOOL_IN})""",
    "score": f"""SELECT c.id FROM layout_score c JOIN layout_expertassignment a ON a.id = c.assignment_id
                 JOIN layout_submission s ON s.id = a.submission_id WHERE s.school_id IN ({SCHOOL_IN})""",
    "decision": f"""SELECT d.id FROM layout_decision d JOIN layout_submissionitem i ON i.id = d.item_id
                    JOIN layout_submission s ON s.id = i.submission_id WHERE s.school_id IN ({SCHOOL_IN})""",
    # The crosswalk: the platform's default (no region) for everyone, and the versions of the regions
    # around the reader's; declared demand by the enterprise's region or the collecting committee's group;
    # scenarios by their region; a 一校一策 and its targets by the school.
    "crosswalkversion": "SELECT v.id FROM layout_crosswalkversion v LEFT JOIN catalog_region r ON r.id = v.region_id "
                        "WHERE v.region_id IS NULL OR " + COVERING.format(x="r.code"),
    "crosswalkentry": """SELECT e.id FROM layout_crosswalkentry e JOIN layout_crosswalkversion v ON v.id = e.version_id
                         LEFT JOIN catalog_region r ON r.id = v.region_id
                         WHERE v.region_id IS NULL OR """ + COVERING.format(x="r.code"),
    "declareddemand": """SELECT d.id FROM layout_declareddemand d JOIN orgs_organisation o ON o.id = d.enterprise_id
                         LEFT JOIN catalog_region r ON r.id = o.region_id
                         LEFT JOIN orgs_committee c ON c.id = d.committee_id
                         LEFT JOIN orgs_vocationalgroup g ON g.id = c.group_id
                         LEFT JOIN catalog_region gr ON gr.id = g.region_id
                         WHERE """ + WITHIN.format(x="r.code") + " OR " + WITHIN.format(x="gr.code"),
    # Job adverts: public market data no region owns — every bureau reads all of them.
    "jobposting": "SELECT id FROM layout_jobposting",
    "scenario": "SELECT s.id FROM layout_scenario s JOIN catalog_region r ON r.id = s.region_id WHERE "
                + WITHIN.format(x="r.code"),
    "scenariochange": """SELECT c.id FROM layout_scenariochange c JOIN layout_scenario s ON s.id = c.scenario_id
                         JOIN catalog_region r ON r.id = s.region_id WHERE """ + WITHIN.format(x="r.code"),
    "schoolpolicy": f"SELECT id FROM layout_schoolpolicy WHERE school_id IN ({SCHOOL_IN})",
    "policytarget": f"""SELECT t.id FROM layout_policytarget t JOIN layout_schoolpolicy p ON p.id = t.policy_id
                        WHERE p.school_id IN ({SCHOOL_IN})""",
}
API = {"school": "schools", "enterprise": "enterprises", "department": "departments",
       "association": "associations", "institute": "institutes", "contact": "contacts", "teacher": "teachers",
       "vocationalgroup": "groups", "boardterm": "board-terms", "boardseat": "board-seats",
       "pillarindustry": "pillar-industries", "committee": "committees",
       "committeemembership": "committee-memberships", "guidancecommittee": "guidance-committees",
       "guidancemember": "guidance-members", "event": "engagement/events",
       "eventparticipation": "engagement/event-participations", "agreement": "engagement/agreements",
       "alliance": "engagement/alliances", "visit": "engagement/visits", "annualplan": "engagement/annual-plans",
       "plannedactivity": "engagement/planned-activities", "teacherpractice": "engagement/teacher-practices",
       "orderclass": "engagement/order-classes", "offering": "layout/offerings",
       "offeringyear": "layout/offering-years", "expert": "layout/experts", "conflictdeclaration": "layout/conflicts",
       "reviewround": "layout/review-rounds", "rubriccriterion": "layout/rubric-criteria",
       "submission": "layout/submissions", "submissionitem": "layout/submission-items",
       "expertassignment": "layout/assignments", "score": "layout/scores", "decision": "layout/decisions",
       "crosswalkversion": "layout/crosswalks", "crosswalkentry": "layout/crosswalk-entries",
       "declareddemand": "layout/demand", "jobposting": "layout/postings", "scenario": "layout/scenarios",
       "scenariochange": "layout/scenario-changes",
       "schoolpolicy": "layout/school-policies", "policytarget": "layout/policy-targets"}


def business_uis() -> list[Any]:
    from tests.populated import registered_uis

    return [ui for ui in registered_uis()
            if not getattr(ui.model, "public_read", False) and not getattr(ui.model, "administrative", False)]


# --- the scratch province ------------------------------------------------------------------------------
def _scratch_url() -> str:
    name = settings.DATABASES["default"]["NAME"]
    name = name if name.startswith("test_") else f"test_{name}"
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}_jur"))


@pytest.fixture(scope="module")
def province() -> Iterator[str]:
    from benchmarks.generate import drop_database, generate

    url = _scratch_url()
    try:
        generate(url, SCALE, SEED, quiet=True)
        _seed_engagement(url)
        yield url
    finally:
        drop_database(url, template=True)


# Beside the generator's matching-cycle rows (generators/engagement.py), these give every engagement oracle
# rows to disagree on, picked by id arithmetic (deterministic), with partners and second schools from anywhere
# in the province (the generated events already have participants: those pairs are skipped).
_SCHOOL_OF = "substr(a.title, 3)::int"  # "协议<school id>"
_SEEDED = "a.title ~ '^协议[0-9]+$'"  # the seeded agreements, not the generated ones
ENGAGEMENT_SEED = [
    """INSERT INTO engagement_event (created_at, updated_at, kind, title, date, place, committee_id,
           policy_briefing, skills_show, seminar, outcome)
       SELECT now(), now(), 'symposium', '对接活动' || c.id, DATE '2024-05-20', '', c.id, false, false, false, ''
       FROM orgs_committee c""",
    """INSERT INTO engagement_eventparticipation (created_at, updated_at, event_id, organisation_id, invited,
           attended, attendees, people)
       SELECT now(), now(), e.id, o.id, true, false, 0, '' FROM engagement_event e CROSS JOIN LATERAL (
           SELECT id FROM orgs_organisation WHERE kind = 'enterprise' ORDER BY (id * 7919 + e.id) % 10007 LIMIT 3) o
       ON CONFLICT (event_id, organisation_id) DO NOTHING""",
    """INSERT INTO engagement_agreement (created_at, updated_at, title, kind, status, forms, hosts_interns, start,
           expected_outcomes, achieved_outcomes)
       SELECT now(), now(), '协议' || s.id, 'deep', 'draft', '[]', false, DATE '2024-09-01', '', ''
       FROM orgs_organisation s WHERE s.kind = 'school' AND s.id % 3 = 0""",
    f"""INSERT INTO engagement_agreement_schools (agreement_id, school_id)
        SELECT a.id, {_SCHOOL_OF} FROM engagement_agreement a WHERE {_SEEDED}
        UNION SELECT a.id, (SELECT id FROM orgs_organisation WHERE kind = 'school' AND id <> {_SCHOOL_OF}
                            ORDER BY (id * 7919 + a.id) % 1009 LIMIT 1)
        FROM engagement_agreement a WHERE a.id % 4 = 0 AND {_SEEDED}""",
    f"""INSERT INTO engagement_agreement_enterprises (agreement_id, organisation_id)
       SELECT a.id, (SELECT id FROM orgs_organisation WHERE kind = 'enterprise'
                     ORDER BY (id * 7919 + a.id * 31) % 10007 LIMIT 1) FROM engagement_agreement a
       WHERE {_SEEDED}""",
    """INSERT INTO engagement_alliance (created_at, updated_at, name, lead_school_id, founded, description)
       SELECT now(), now(), '联盟' || s.id, s.id, DATE '2024-05-20', '' FROM orgs_organisation s
       WHERE s.kind = 'school' AND s.id % 5 = 0""",
    """INSERT INTO engagement_alliance_members (alliance_id, organisation_id)
       SELECT a.id, o.id FROM engagement_alliance a CROSS JOIN LATERAL (
           SELECT id FROM orgs_organisation WHERE kind IN ('enterprise', 'school') AND id <> a.lead_school_id
           ORDER BY (id * 7919 + a.id * 17) % 10007 LIMIT 3) o
       WHERE a.name ~ '^联盟[0-9]+$'""",
    # Each school visits two enterprises of anywhere in the province (its partners become visible to its city).
    """INSERT INTO engagement_visit (created_at, updated_at, school_id, enterprise_id, date, purpose, outcome,
           follow_up)
       SELECT now(), now(), s.id, o.id, DATE '2024-04-10', '走访' || s.id, '', '' FROM orgs_organisation s
       CROSS JOIN LATERAL (SELECT id FROM orgs_organisation WHERE kind = 'enterprise'
                           ORDER BY (id * 7919 + s.id * 13) % 10007 LIMIT 2) o WHERE s.kind = 'school'""",
    # One plan per group, one planned activity per committee (in its group's plan).
    """INSERT INTO engagement_annualplan (created_at, updated_at, group_id, year, number, title, issued_on, summary)
       SELECT now(), now(), g.id, 2024, '文号' || g.id, '计划' || g.id, DATE '2024-03-01', ''
       FROM orgs_vocationalgroup g""",
    """INSERT INTO engagement_plannedactivity (created_at, updated_at, plan_id, committee_id, kind, title, month,
           target_enterprises, target_agreements)
       SELECT now(), now(), p.id, c.id, 'symposium', '计划活动' || c.id, 5, 0, 0
       FROM orgs_committee c JOIN engagement_annualplan p ON p.group_id = c.group_id AND p.year = 2024""",
    # Every third teacher practises at an enterprise of anywhere in the province; every other school runs an
    # order class for one (both make the enterprise a partner of the school's city).
    """INSERT INTO engagement_teacherpractice (created_at, updated_at, teacher_id, enterprise_id, start, "end", form,
           content, pre_service, appraisal, appraisal_note, days, counted_days)
       SELECT now(), now(), t.id, o.id, DATE '2024-07-01', DATE '2024-08-31', 'post', '', false, '', '', 62, 62
       FROM orgs_teacher t CROSS JOIN LATERAL (SELECT id FROM orgs_organisation WHERE kind = 'enterprise'
                                               ORDER BY (id * 7919 + t.id * 19) % 10007 LIMIT 1) o
       WHERE t.id % 3 = 0""",
    """INSERT INTO engagement_orderclass (created_at, updated_at, school_id, enterprise_id, major_id, cohort_year,
           name, planned, enrolled, mentors)
       SELECT now(), now(), s.id, o.id, (SELECT min(id) FROM catalog_major), 2024, '订单班' || s.id, 40, 38, ''
       FROM orgs_organisation s CROSS JOIN LATERAL (SELECT id FROM orgs_organisation WHERE kind = 'enterprise'
                                                    ORDER BY (id * 7919 + s.id * 23) % 10007 LIMIT 1) o
       WHERE s.kind = 'school' AND s.id % 2 = 0""",
    # The major layout: two offerings per school with a year of figures; an expert pool and a review round
    # per city; every other school submits to a round of anywhere (rows whose regions disagree), its first
    # offering as the item, with an expert of anywhere on the panel, a score and a decision.
    """INSERT INTO layout_offering (created_at, updated_at, school_id, major_id, off_catalogue_name, direction,
           cluster, start_year, filed_on, filing_ref, status)
       SELECT now(), now(), s.id, m.id, '', '', '', 2015, DATE '2015-06-01', '', 'enrolling'
       FROM orgs_organisation s CROSS JOIN LATERAL (SELECT id FROM catalog_major ORDER BY (id * 7919 + s.id) % 1009
                                                    LIMIT 2) m WHERE s.kind = 'school'
       ON CONFLICT DO NOTHING""",
    """INSERT INTO layout_offeringyear (created_at, updated_at, offering_id, year, enrolled, students, graduates,
           employed, employed_related)
       SELECT now(), now(), o.id, 2024, 40, 120, 38, 35, 30 FROM layout_offering o ON CONFLICT DO NOTHING""",
    """INSERT INTO layout_expert (created_at, updated_at, name, region_id, title, speciality)
       SELECT now(), now(), '专家' || r.code, r.id, '', '' FROM catalog_region r
       WHERE r.level = 2 AND r.code LIKE '42%'""",
    """INSERT INTO layout_conflictdeclaration (created_at, updated_at, expert_id, organisation_id, reason, declared_on)
       SELECT now(), now(), e.id, (SELECT id FROM orgs_organisation WHERE kind = 'school'
                                   ORDER BY (id * 7919 + e.id) % 1009 LIMIT 1), '曾任职', DATE '2024-01-01'
       FROM layout_expert e""",
    """INSERT INTO layout_reviewround (created_at, updated_at, title, region_id, held_on, scope_note, status)
       SELECT now(), now(), '答辩' || r.code, r.id, DATE '2024-06-20', '', 'open' FROM catalog_region r
       WHERE r.level = 2 AND r.code LIKE '42%'""",
    """INSERT INTO layout_rubriccriterion (created_at, updated_at, round_id, "order", name, max_points, guidance)
       SELECT now(), now(), w.id, 1, '市场需求', 30, '' FROM layout_reviewround w""",
    """INSERT INTO layout_submission (created_at, updated_at, round_id, school_id, submitted_on, principal,
           principal_attended, summary)
       SELECT now(), now(), (SELECT id FROM layout_reviewround ORDER BY (id * 7919 + s.id) % 1009 LIMIT 1), s.id,
              DATE '2024-06-01', '校长', true, '' FROM orgs_organisation s WHERE s.kind = 'school' AND s.id % 2 = 1""",
    """INSERT INTO layout_submissionitem (created_at, updated_at, submission_id, offering_id, proposed_action,
           market_analysis, conditions_analysis, development_plan)
       SELECT now(), now(), b.id, (SELECT min(id) FROM layout_offering WHERE school_id = b.school_id), 'keep',
              '需求', '条件', '规划' FROM layout_submission b""",
    """INSERT INTO layout_expertassignment (created_at, updated_at, submission_id, expert_id)
       SELECT now(), now(), b.id, (SELECT id FROM layout_expert ORDER BY (id * 7919 + b.id) % 1009 LIMIT 1)
       FROM layout_submission b""",
    """INSERT INTO layout_score (created_at, updated_at, assignment_id, item_id, criterion_id, points, comment)
       SELECT now(), now(), a.id, i.id, (SELECT min(c.id) FROM layout_rubriccriterion c
                                         JOIN layout_submission b ON b.round_id = c.round_id
                                         WHERE b.id = a.submission_id), 20, ''
       FROM layout_expertassignment a JOIN layout_submissionitem i ON i.submission_id = a.submission_id""",
    """INSERT INTO layout_decision (created_at, updated_at, item_id, action, conditions, decided_on, status)
       SELECT now(), now(), i.id, 'keep', '', DATE '2024-06-20', 'draft' FROM layout_submissionitem i""",
    # A default crosswalk (no region) and a draft of each city's own; demand of every 50th enterprise, collected
    # by a committee of anywhere; a scenario per city closing one offering of anywhere; a 一校一策 per third school.
    # (the generator may have written the default already)
    """INSERT INTO layout_crosswalkversion (created_at, updated_at, number, title, note, status, published_on)
       SELECT now(), now(), 1, '默认', '', 'published', DATE '2000-01-01'
       WHERE NOT EXISTS (SELECT 1 FROM layout_crosswalkversion WHERE number = 1)""",
    """INSERT INTO layout_crosswalkversion (created_at, updated_at, number, title, region_id, note, status)
       SELECT now(), now(), 1000 + row_number() OVER (ORDER BY r.id), '对照' || r.code, r.id, '', 'draft'
       FROM catalog_region r WHERE r.level = 2 AND r.code LIKE '42%'""",
    """INSERT INTO layout_crosswalkentry (created_at, updated_at, version_id, class_code, industry_id, reason, source)
       SELECT now(), now(), v.id, '4601', (SELECT min(id) FROM catalog_industry), '理由', '依据'
       FROM layout_crosswalkversion v WHERE v.number >= 1000""",
    """INSERT INTO layout_declareddemand (created_at, updated_at, enterprise_id, year, class_code, position, headcount,
           education, committee_id, note)
       SELECT now(), now(), o.id, 2024, '4601', '', 5, 'any',
              (SELECT id FROM orgs_committee ORDER BY (id * 7919 + o.id) % 1009 LIMIT 1), ''
       FROM orgs_organisation o WHERE o.kind = 'enterprise' AND o.id % 50 = 0""",
    # Postings in every county (and some of nowhere known).
    """INSERT INTO layout_jobposting (created_at, updated_at, source, source_ref, title, company_name, company_uscc,
           region_id, place_text, industry_text, category_text, tags, description, education, experience,
           salary_text, salary_months, year, fingerprint, class_code, category_code, classified_by, evidence,
           classifier_version, corrected_class_code)
       SELECT now(), now(), '测试', 'p' || r.id || '-' || n, '数控车工', '某企业' || r.id, '',
              CASE WHEN n = 0 THEN NULL ELSE r.id END, r.name, '', '', '', '', 'any', '', '', 12, 2024,
              md5(r.id || '-' || n), '4601', '46', 'person', '[]', '', '4601'
       FROM catalog_region r CROSS JOIN generate_series(0, 1) n WHERE r.level = 3 AND r.code LIKE '42%'""",
    """INSERT INTO layout_scenario (created_at, updated_at, title, region_id, base_on, base_year, note)
       SELECT now(), now(), '方案' || r.code, r.id, DATE '2024-06-01', 2023, '' FROM catalog_region r
       WHERE r.level = 2 AND r.code LIKE '42%'""",
    """INSERT INTO layout_scenariochange (created_at, updated_at, scenario_id, kind, offering_id, planned_intake, note)
       SELECT now(), now(), s.id, 'close', (SELECT id FROM layout_offering ORDER BY (id * 7919 + s.id) % 1009 LIMIT 1),
              0, '' FROM layout_scenario s""",
    """INSERT INTO layout_schoolpolicy (created_at, updated_at, school_id, title, start_year, end_year, summary)
       SELECT now(), now(), s.id, '一校一策', 2024, 2026, '' FROM orgs_organisation s
       WHERE s.kind = 'school' AND s.id % 3 = 0""",
    """INSERT INTO layout_policytarget (created_at, updated_at, policy_id, action, major_id, cluster, due_year, note)
       SELECT now(), now(), p.id, 'keep', (SELECT min(id) FROM catalog_major), '', 2026, ''
       FROM layout_schoolpolicy p""",
]


def _seed_engagement(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        for statement in ENGAGEMENT_SEED:
            conn.execute(statement)


def _sql(url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _jurisdiction(url: str, username: str) -> list[str]:
    rows = _sql(url, """SELECT DISTINCT r.code FROM accounts_membership m JOIN accounts_user u ON u.id = m.user_id
                        JOIN catalog_region r ON r.id = m.jurisdiction_id WHERE u.username = %s""", [username])
    return [code for (code,) in rows]


def _api_ids(client: Client, name: str) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        path = name if "/" in name else f"orgs/{name}"  # the orgs routes by name, other apps' by app/name
        response = client.get(f"/api/{path}/", {"page_size": "200", "page": str(page)})
        assert response.status_code == 200, (name, response.content[:300])
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        if len(ids) >= body["count"] or not body["results"]:
            return ids
        page += 1


def _check_role(url: str, username: str, *, export: bool) -> dict[str, int]:
    """Every business list of ``username`` equals the oracle's rows; returns the counts seen."""
    from chanjiao.accounts.models import User

    codes = _jurisdiction(url, username)
    assert codes, f"{username} has no jurisdiction in the generated data"
    seen: dict[str, int] = {}
    with serving(url):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for ui in business_uis():
            expected = {pk for (pk,) in _sql(url, ORACLE[ui.name], {"codes": codes})}
            if ui.name in API:
                got = _api_ids(client, API[ui.name])
                assert len(got) == len(set(got)), f"{username} {ui.name}: a row twice in the API"
                beyond, missing = sorted(set(got) - expected)[:5], sorted(expected - set(got))[:5]
                assert set(got) == expected, f"{username} {ui.name}: API rows beyond {beyond}, missing {missing}"
            response = client.get(reverse(ui.url_name("list")), {"per_page": "100"})
            assert response.status_code == 200
            table = response.context["table"]
            assert table.paginator.count == len(expected), (username, ui.name)
            assert {row.record.pk for row in table.paginated_rows} <= expected, (username, ui.name)
            if export and expected:
                response = client.get(reverse(ui.url_name("list")), {"export": "xlsx"})
                assert response.status_code == 200
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert len(xlsx_rows(body)) - 1 == len(expected), (username, ui.name, "export")
            seen[ui.name] = len(expected)
    return seen


# --- the tests -----------------------------------------------------------------------------------------
def test_every_business_list_has_its_statement_in_sql() -> None:
    # A new model's list must state here who reaches its rows, or this harness would skip it.
    assert {ui.name for ui in business_uis()} == set(ORACLE)


def test_each_city_bureau_sees_exactly_its_city(province: str) -> None:
    cities = [name for (name,) in _sql(province, "SELECT username FROM accounts_user WHERE username ~ "
                                                 "'^bureau_42[0-9]{2}$' OR username ~ '^bureau_4290[0-9]{2}$' "
                                                 "ORDER BY username")]
    assert len(cities) == 17  # Hubei's 13 cities and 4 county-level units under the province
    every_school = _sql(province, "SELECT count(*) FROM orgs_organisation WHERE kind = 'school'")[0][0]
    own_schools = 0
    for username in cities:
        seen = _check_role(province, username, export=username == cities[0])
        own = _sql(province, "SELECT count(*) FROM orgs_organisation o JOIN catalog_region r ON r.id = o.region_id "
                             "WHERE o.kind = 'school' AND r.code LIKE %s || '%%'",
                   [_jurisdiction(province, username)[0]])[0][0]
        # Its own schools, and beyond them only the schools that cooperate with its structures (the
        # oracle's equality above says which); a city without schools of its own borrows committee officers.
        assert seen["school"] >= own
        own_schools += own
    assert own_schools == every_school  # the cities partition the province's schools


def test_county_bureaus_see_their_schools_and_partners(province: str) -> None:
    counties = [name for (name,) in _sql(province, "SELECT username FROM accounts_user WHERE username ~ "
                                                   "'^bureau_42[0-9]{4}$' AND username !~ '^bureau_4290' "
                                                   "ORDER BY username")]
    assert len(counties) == 13
    for username in counties[:4]:
        seen = _check_role(province, username, export=False)
        code = _jurisdiction(province, username)[0]
        # A county bureau answers for schools only: every enterprise it reads cooperates with one of them.
        partners = _sql(province, f"SELECT count(DISTINCT organisation_id) FROM ({COOPERATING}) x(organisation_id) "
                                  "JOIN orgs_organisation o ON o.id = x.organisation_id WHERE o.kind = 'enterprise'",
                        {"codes": [code]})
        assert seen["enterprise"] == partners[0][0]


def test_secretariat_and_leader_of_a_city_are_bounded_too(province: str) -> None:
    for username in ("secretariat_4205", "leader_4205"):
        _check_role(province, username, export=False)


def test_the_province_sees_everything_with_a_roll_up_by_city(province: str) -> None:
    from chanjiao.accounts.models import User

    seen = _check_role(province, "bureau_42", export=False)
    # The seeded matching-cycle rows are there to be checked (ENGAGEMENT_SEED): not an empty comparison.
    assert all(seen[name] > 0 for name in ("event", "eventparticipation", "agreement", "alliance", "visit",
                                           "annualplan", "plannedactivity", "teacherpractice", "orderclass")), seen
    totals = dict(_sql(province, "SELECT kind, count(*) FROM orgs_organisation GROUP BY kind"))
    assert seen["enterprise"] == totals["enterprise"] and seen["school"] == totals["school"]
    by_city = dict(_sql(province, """SELECT p.name, count(*) FROM orgs_organisation o
                                     JOIN catalog_region r ON r.id = o.region_id
                                     JOIN catalog_region p ON p.id = r.parent_id
                                     WHERE o.kind = 'enterprise' GROUP BY p.name"""))
    with serving(province):
        client = Client()
        client.force_login(User.objects.get(username="bureau_42"))
        rollup = client.get(reverse("reports:dashboard")).context["dashboard"]["rollup"]
    rows = {re.sub(r"^\d+ ", "", row["label"]): row["cells"][1]["value"] for row in rollup["rows"]}
    assert rows == by_city
