"""Issue #8 point 4: query budgets — every page and API endpoint has a checked-in number of SQL queries.

Generated over the registry: each ModelUI's list (as its reader and, for business data, as a school
admin), detail, edit (GET), history, API list and API detail, plus the dashboard, the figures API, the
audit search and the jobs list. Two checks per page:

* **budget**: the page's query count with the 1× data set is at most its entry in
  ``tests/query_budgets.json`` (a page that gets cheaper passes; refresh the file to lock the gain in);
* **N+1**: the same page with three times as many rows (every list, tab, history and job list grows)
  needs exactly as many queries — a page whose cost grows with its rows fails, naming the repeated SQL.
  ``TOLERANCE`` lists the pages allowed a fixed number of extra queries at 3× and why (none today);
  ``KNOWN_N_PLUS_ONE`` the N+1s found and not yet fixed, each with its cause.

Counted: every statement the request sends, except transaction control (``SAVEPOINT``/``RELEASE``/
``BEGIN``/``COMMIT``), which differs between PostgreSQL's ``ATOMIC_REQUESTS`` and SQLite's request
transactions and is no data access. Each page is requested once before it is measured, so per-process
caches (content types, rule parameters) do not make the count depend on test order.

Budgets: ``"<page id>": n`` when SQLite and PostgreSQL agree, ``{"postgresql": n, "sqlite": m}`` when
they differ. Refresh after a deliberate change with

    QUERY_BUDGETS_UPDATE=1 CHANJIAO_PROFILE=test .venv/bin/pytest -p no:xdist -q tests/test_query_budgets.py

(again with ``DATABASE_URL=postgres://…`` for PostgreSQL) and review the diff of the JSON file.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chanjiao.accounts.models import Membership
from chanjiao.core.registry import ModelUI
from chanjiao.core.roles import Role
from tests import factories, populated
from tests.conftest import World, build_world

pytestmark = pytest.mark.django_db

BUDGETS = Path(__file__).with_name("query_budgets.json")
UPDATE = os.environ.get("QUERY_BUDGETS_UPDATE") == "1"
UIS: dict[str, ModelUI] = {ui.name: ui for ui in populated.registered_uis()}
# Who opens a model's pages: administrative models are their admins' alone, tokens their owner's.
PERSONA = {"user": "system_admin", "membership": "security_admin", "apitoken": "school_admin_a",
           "score": "expert"}  # scores: their expert writes and reads their history; the bureau only reads
# Who reads a history (core.models.history_rule): the audit admin for what nobody edits through a form.
HISTORY_PERSONA = {"user": "audit_admin", "membership": "audit_admin", "apitoken": "audit_admin",
                   "ruleviolation": "audit_admin", "major": "audit_admin", "industry": "audit_admin",
                   "occupation": "audit_admin", "region": "audit_admin"}
# The lists a school admin reads too (their own school's rows, or the public catalogue).
SCHOOL_LISTS = {name for name, ui in UIS.items() if ui.app_label in {"orgs", "catalog", "engagement"}}
# page id -> fixed extra queries allowed at 3× the rows, with the reason. Empty: every page is flat.
TOLERANCE: dict[str, tuple[int, str]] = {}
# page id -> cause: N+1s this test found and chanjiao/ has not fixed yet. Their growth is reported, not
# failed, and the entry must go as soon as the page is flat (the test then fails until it is removed).
KNOWN_N_PLUS_ONE: dict[str, str] = {}
BASE, MORE = 2, 4  # rows added per model: 1× = anchors + BASE, 3× = anchors + BASE + MORE
HOW_TO_UPDATE = ("QUERY_BUDGETS_UPDATE=1 CHANJIAO_PROFILE=test .venv/bin/pytest -p no:xdist -q "
                 "tests/test_query_budgets.py (once more with DATABASE_URL=postgres://… for PostgreSQL)")
_TX_CONTROL = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|BEGIN|COMMIT)\b", re.I)


# --- the data: one fully populated anchor per model, and rows that grow every page --------------------------------


@dataclass
class Data:
    world: World
    anchors: dict[str, Any]
    grown: int = 0


def _anchors(world: World) -> dict[str, Any]:
    """The object each model's detail, edit, history and API detail pages show (tests/populated.py builders
    where they do not collide; the chained builders would create the same committee twice)."""
    from chanjiao.orgs.models import BoardSeat, Committee, CommitteeMembership, GuidanceCommittee, GuidanceMember

    populated.catalog(world)
    p = populated
    a: dict[str, Any] = {"region": world.region, "industry": world.industry, "major": world.major,
                         "occupation": factories.OccupationFactory()}
    for name in ("school", "enterprise", "department", "association", "institute", "contact", "teacher"):
        a[name] = p.BUILDERS[name][1](world)
    a["vocationalgroup"], a["boardterm"], a["pillarindustry"] = p._group(world), p._term(world), p._pillar(world)
    a["boardseat"] = BoardSeat.objects.create(term=a["boardterm"], role="vice_chair", organisation=world.school_a,
                                              contact=a["contact"], person_name="张理事", person_title="院长")
    a["committee"] = Committee.objects.create(
        group=a["vocationalgroup"], pillar=a["pillarindustry"], name="智能制造产学合作委员会",
        director=world.department, vice_director=world.school_a, secretary=world.school_b, founded=p.DAY)
    a["committeemembership"] = CommitteeMembership.objects.create(
        committee=a["committee"], organisation=world.enterprise, role="vice_director", person_name="王委员",
        joined=dt.date(2019, 3, 5))
    a["guidancecommittee"] = GuidanceCommittee.objects.create(
        school=world.school_a, name="数控技术专业教学指导委员会", major=world.major, committee=a["committee"],
        founded=p.DAY)
    a["guidancemember"] = GuidanceMember.objects.create(
        committee=a["guidancecommittee"], organisation=world.enterprise, person_name="李专家", role="vice_chair",
        joined=dt.date(2019, 3, 5))
    a["membership"] = p._membership(world)
    a["user"] = a["membership"].user
    a["ruleparameter"] = p._rule_parameter(world)
    a["ruleviolation"] = _violation(world.enterprise, 0)
    a["apitoken"] = factories.issue_token(world.school_admin_a, "锚点令牌")[0]
    # The matching cycle: one event of the anchor committee, and the builders' rows recorded with it.
    from chanjiao.engagement.models import Event

    world.event = Event.objects.create(kind="symposium", title="校企合作座谈会", date=p.DAY, committee=a["committee"],
                                       policy_briefing=True)
    world.event.co_hosts.set([world.department])
    a["event"], a["eventparticipation"] = world.event, p._participation(world)
    a["agreement"], a["alliance"] = p._agreement(world), p._alliance(world)
    a["visit"] = p._visit(world)
    # The year plan (its activity of the anchor committee), a practice at the anchor enterprise, an order class.
    a["annualplan"], a["plannedactivity"] = p._plan(world), p._planned_activity(world)
    a["teacherpractice"], a["orderclass"] = p._practice(world), p._order_class(world)
    # The major layout: the builders (each builds on the ones before, once per world).
    world.demand_committee = a["committee"]  # the anchor committee collects the anchor demand
    for name in ("offering", "offeringyear", "expert", "conflictdeclaration", "reviewround", "rubriccriterion",
                 "submission", "submissionitem", "expertassignment", "score", "decision", "crosswalkversion",
                 "crosswalkentry", "declareddemand", "jobposting", "scenario", "scenariochange", "schoolpolicy",
                 "policytarget"):
        a[name] = p.BUILDERS[name][1](world)
    assert set(a) >= set(UIS), f"no anchor for {sorted(set(UIS) - set(a))}: add one in _anchors()"
    return a


def _violation(obj: Any, n: int) -> Any:
    from chanjiao.core.rules import RuleViolation

    now = timezone.now()
    return RuleViolation.objects.create(
        rule_id=f"PE-{n:02d}", content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk, object_repr=str(obj), observed=None, message="测试违反", first_seen=now, last_seen=now)


def _grow(data: Data, n: int) -> None:
    """``n`` more rows of every model, each pointing at the anchors (so their detail tabs grow as well as
    the lists), and ``n`` more changes of every anchor (so each history grows)."""
    from chanjiao.core.rules import RuleParameter

    w, a, f = data.world, data.anchors, factories
    for i in range(data.grown, data.grown + n):
        region = f.RegionFactory(code=f"4102{i:02d}", name=f"测试区{i}")
        industry = f.IndustryFactory(code=f"35{i:02d}", name=f"测试行业{i}")
        f.OccupationFactory(code=f"6-{i:02d}-00-01")
        major = f.MajorFactory(code=f"5601{i:02d}")
        school = f.SchoolFactory(region=region)
        firm = f.EnterpriseFactory(region=w.region, industry=industry, uscc=f.valid_uscc(8_000_000 + i))
        f.DepartmentFactory()
        f.AssociationFactory(industry=industry, region=w.region)
        f.InstituteFactory(industry=industry, region=w.region)
        f.ContactFactory(organisation=w.school_a)
        f.ContactFactory(organisation=w.enterprise)
        f.TeacherFactory(school=w.school_a)
        f.TeacherFactory(school=school)
        group = f.VocationalGroupFactory(secretariat=w.department_b, lead_school=school)
        f.BoardTermFactory(group=a["vocationalgroup"], number=10 + i)
        f.BoardSeatFactory(term=a["boardterm"], organisation=w.school_a, contact=a["contact"])
        f.BoardSeatFactory(term=a["boardterm"], organisation=firm)
        pillar = f.PillarIndustryFactory(group=a["vocationalgroup"])
        pillar.industries.set([industry, w.industry])
        committee = f.CommitteeFactory(group=a["vocationalgroup"], pillar=a["pillarindustry"], director=firm,
                                       vice_director=w.school_a)
        f.CommitteeFactory(group=group, pillar=pillar, director=w.department)
        f.CommitteeMembershipFactory(committee=a["committee"], organisation=firm)
        f.CommitteeMembershipFactory(committee=committee, organisation=w.enterprise)
        f.CommitteeMembershipFactory(committee=committee, organisation=w.school_a)
        guidance = f.GuidanceCommitteeFactory(school=w.school_a, major=major, committee=a["committee"])
        f.GuidanceMemberFactory(committee=a["guidancecommittee"], organisation=firm)
        f.GuidanceMemberFactory(committee=guidance, organisation=w.enterprise)
        user = f.UserFactory()
        Membership.objects.create(user=user, role=Role.SCHOOL_ADMIN, organisation=w.school_a)
        f.issue_token(w.school_admin_a, f"令牌{i}")
        f.RuleParameterFactory(jurisdiction=w.region.code)
        _violation(w.enterprise, i + 1)
        _violation(school, i + 1)
        f.JobFactory(user=w.bureau_admin)
        f.JobFactory(user=w.school_admin_a)
        f.EventFactory(committee=a["committee"]).co_hosts.set([w.department])
        f.EventParticipationFactory(event=a["event"], organisation=firm)
        f.EventParticipationFactory(event=f.EventFactory(committee=committee), organisation=w.enterprise)
        f.AgreementFactory(schools=[w.school_a, school], enterprises=[w.enterprise, firm], committee=a["committee"],
                           signing_event=a["event"]).majors.set([major])
        f.AllianceFactory(lead_school=w.school_a, founding_event=a["event"]).members.set([firm, w.enterprise])
        f.VisitFactory(school=w.school_a, enterprise=w.enterprise).visitors.set([f.TeacherFactory(school=w.school_a)])
        f.VisitFactory(school=school, enterprise=firm)
        f.AnnualPlanFactory(group=a["vocationalgroup"], year=2040 + i)
        f.AnnualPlanFactory(group=group, year=2019).issuers.set([w.department, firm])
        activity = f.PlannedActivityFactory(plan=a["annualplan"], committee=a["committee"], department=w.department,
                                            host=firm)
        f.EventFactory(committee=a["committee"], planned_activity=a["plannedactivity"])
        f.EventFactory(committee=a["committee"], planned_activity=activity)
        start = dt.date(2015, 1, 1) + dt.timedelta(days=40 * i)
        f.TeacherPracticeFactory(teacher=a["teacher"], enterprise=w.enterprise, start=start,
                                 end=start + dt.timedelta(days=19))
        f.TeacherPracticeFactory(teacher=f.TeacherFactory(school=school), enterprise=firm)
        f.OrderClassFactory(school=w.school_a, enterprise=w.enterprise, major=major, agreement=a["agreement"])
        f.OrderClassFactory(school=school, enterprise=firm, major=major)
        # The major layout: rows of every list and of each anchor's tabs.
        offering = f.OfferingFactory(school=w.school_a, major=major)
        f.OfferingFactory(school=school, major=major)
        f.OfferingYearFactory(offering=a["offering"], year=2040 + i)
        f.OfferingYearFactory(offering=offering, year=2019)
        expert = f.ExpertFactory(region=w.region, organisation=firm)
        f.ConflictDeclarationFactory(expert=a["expert"], organisation=school)
        f.RubricCriterionFactory(round=a["reviewround"], name=f"评分项{i}")
        f.SubmissionFactory(round=f.ReviewRoundFactory(region=w.region), school=w.school_a)
        item = f.SubmissionItemFactory(submission=a["submission"], offering=offering)
        f.ExpertAssignmentFactory(submission=a["submission"], expert=expert)
        f.ScoreFactory(assignment=a["expertassignment"], item=item, criterion=a["rubriccriterion"])
        f.DecisionFactory(item=f.SubmissionItemFactory(submission=a["submission"]))
        f.CrosswalkEntryFactory(version=a["crosswalkversion"], industry=industry)
        f.CrosswalkVersionFactory()
        f.DeclaredDemandFactory(enterprise=w.enterprise, year=2040 + i, committee=a["committee"])
        f.DeclaredDemandFactory(enterprise=firm)
        f.JobPostingFactory(enterprise=w.enterprise, region=w.region, year=2040 + i)
        f.JobPostingFactory(enterprise=firm)
        f.ScenarioChangeFactory(scenario=a["scenario"], offering=offering)
        f.ScenarioFactory(region=w.region)
        f.PolicyTargetFactory(policy=a["schoolpolicy"], major=major)
        f.SchoolPolicyFactory(school=w.school_a)
        for obj in a.values():
            _touch(obj, i)
    assert RuleParameter.objects.exists()
    data.grown += n


def _touch(obj: Any, i: int) -> None:
    """One more audited change of ``obj``: a free-text field it has, else nothing (a catalog row or a
    token is not edited through the platform; its history grows with what refers to it, if anything)."""
    for name in ("note", "description", "short_name", "person_title", "title", "subject", "source_note", "content",
                 "mentors"):
        if any(f.name == name for f in obj._meta.concrete_fields):
            setattr(obj, name, f"第{i}次修改")
            obj.save()
            return
    if obj._meta.model_name == "user":
        obj.phone = f"1381234{i:04d}"
        obj.save()


def _data() -> Data:
    world = build_world()
    data = Data(world, _anchors(world))
    _grow(data, BASE)
    return data


# --- measuring ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    id: str
    persona: str
    url: Callable[[Data], str]


def _client(data: Data, persona: str) -> Client:
    client = Client()
    client.force_login(data.world.users[persona])
    return client


def measure(data: Data, page: Page) -> tuple[int, list[str]]:
    """(queries, their SQL) of one request of ``page``, after a first request that warms per-process caches."""
    client, url = _client(data, page.persona), page.url(data)
    warm = client.get(url)
    assert warm.status_code == 200, f"{page.id}: {url} answered {warm.status_code} to {page.persona}"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{page.id}: {url} answered {response.status_code}"
    sql = [q["sql"] for q in captured.captured_queries if not _TX_CONTROL.match(q["sql"])]
    return len(sql), sql


def _shape(sql: str) -> str:
    # The same statement with other values: what an N+1 repeats.
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def n_plus_one(page_id: str, once: tuple[int, list[str]], thrice: tuple[int, list[str]]) -> str | None:
    """None when the page costs the same at 3× the rows (within its TOLERANCE), else why not."""
    allowed = TOLERANCE.get(page_id, (0, ""))[0]
    if thrice[0] <= once[0] + allowed:
        return None
    more = Counter(map(_shape, thrice[1])) - Counter(map(_shape, once[1]))
    repeated = "\n  ".join(f"+{n}× {s[:300]}" for s, n in more.most_common(3))
    return (f"{page_id}: N+1 — {once[0]} queries with the 1× rows, {thrice[0]} with 3× the rows "
            f"(allowed extra: {allowed}). Statements that grew:\n  {repeated}")


def _vendor_budget(entry: Any) -> int | None:
    if isinstance(entry, dict):
        return entry.get(connection.vendor)
    return entry


@contextmanager
def _locked_budgets() -> Iterator[dict[str, Any]]:
    # Read-modify-write under a lock: several update runs (or xdist workers) must not lose each other's rows.
    BUDGETS.touch(exist_ok=True)
    with BUDGETS.open("r+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        budgets = json.loads(text) if text.strip() else {}
        yield budgets
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(dict(sorted(budgets.items())), ensure_ascii=False, indent=1) + "\n")


def _record(page_id: str, count: int) -> None:
    """Store ``count`` for this vendor; one number while the vendors agree, a dict by vendor once they differ."""
    with _locked_budgets() as budgets:
        entry = budgets.get(page_id)
        vendor = connection.vendor
        if entry is None or entry == count:
            budgets[page_id] = count
            return
        by_vendor = dict(entry) if isinstance(entry, dict) else {v: entry for v in ("postgresql", "sqlite")}
        by_vendor[vendor] = count
        budgets[page_id] = (by_vendor[vendor] if len(set(by_vendor.values())) == 1 and len(by_vendor) > 1
                            else dict(sorted(by_vendor.items())))


def _budgets() -> dict[str, Any]:
    return json.loads(BUDGETS.read_text(encoding="utf-8")) if BUDGETS.exists() else {}


def check_pages(pages: list[Page], data: Data | None = None) -> None:
    """Measure ``pages`` at 1× and 3× the rows; fail with every budget overrun, missing budget and N+1."""
    data = data or _data()
    once = {page.id: measure(data, page) for page in pages}
    _grow(data, MORE)
    thrice = {page.id: measure(data, page) for page in pages}
    budgets, problems, missing = _budgets(), [], []
    for page in pages:
        count = once[page.id][0]
        if UPDATE:
            _record(page.id, count)
        else:
            budget = _vendor_budget(budgets.get(page.id))
            if budget is None:
                missing.append(f"{page.id} (measured {count})")
            elif count > budget:
                extra = "\n  ".join(s[:200] for s in once[page.id][1])
                problems.append(f"{page.id}: {count} queries, budget {budget} ({connection.vendor}). "
                                f"Queries:\n  {extra}")
        found = n_plus_one(page.id, once[page.id], thrice[page.id])
        if found and page.id not in KNOWN_N_PLUS_ONE:
            problems.append(found)
        elif not found and page.id in KNOWN_N_PLUS_ONE:
            problems.append(f"{page.id} no longer grows with its rows: delete it from KNOWN_N_PLUS_ONE")
    if missing:
        problems.append(f"no query budget for {connection.vendor} in {BUDGETS.name}: {', '.join(missing)}. Add it "
                        f"with: {HOW_TO_UPDATE} — then review and commit the file")
    assert not problems, "\n".join(problems)


# --- the pages ------------------------------------------------------------------------------------------------


def _api_paths() -> dict[str, str]:
    """operationId → path, from the OpenAPI description (crud_router names them ``<model>_list``/``_get``)."""
    from chanjiao.api.api import api

    schema = api.get_openapi_schema()
    return {op["operationId"]: path for path, ops in schema["paths"].items()
            for method, op in ops.items() if method == "get"}


API = _api_paths()


def model_pages(name: str) -> list[Page]:
    ui = UIS[name]
    persona = PERSONA.get(name, "bureau_admin")

    def url(action: str) -> Callable[[Data], str]:
        return lambda d: reverse(ui.url_name(action), args=[d.anchors[name].pk])

    pages = [Page(ui.url_name("list"), persona, lambda d: reverse(ui.url_name("list"))),
             Page(ui.url_name("detail"), persona, url("detail")),
             Page(ui.url_name("history"), HISTORY_PERSONA.get(name, persona), url("history"))]
    if name in SCHOOL_LISTS:
        pages.append(Page(f"{ui.url_name('list')}@school_admin", "school_admin_a",
                          lambda d: reverse(ui.url_name("list"))))
    if ui.form is not None:
        pages.append(Page(ui.url_name("edit"), persona, url("edit")))
    if f"{name}_list" in API:
        path = API[f"{name}_list"]
        pages.append(Page(f"api:{path}", persona, lambda d: path))
    if f"{name}_get" in API:
        path_ = API[f"{name}_get"]
        pages.append(Page(f"api:{path_}", persona, lambda d: path_.format(pk=d.anchors[name].pk)))
    return pages


def _first_job(data: Data) -> int:
    from chanjiao.core.jobs import Job

    return Job.objects.filter(user=data.world.bureau_admin).order_by("pk").values_list("pk", flat=True)[0]


SITE_PAGES = [
    Page("reports:dashboard", "bureau_admin", lambda d: "/"),
    Page("reports:dashboard@school_admin", "school_admin_a", lambda d: "/"),
    Page("api:/api/reports/figures", "bureau_admin", lambda d: "/api/reports/figures"),
    Page("api:/api/reports/figures?by=county", "bureau_admin",
         lambda d: "/api/reports/figures?names=schools,enterprises&by=county"),
    Page("core:audit_search", "audit_admin", lambda d: "/audit/"),
    Page("core:job_list", "bureau_admin", lambda d: "/jobs/"),
    Page("core:job_detail", "bureau_admin",
         lambda d: f"/jobs/{_first_job(d)}/"),
]


@pytest.mark.parametrize("name", sorted(UIS))
def test_model_pages_stay_within_budget_and_flat(name: str) -> None:
    check_pages(model_pages(name))


def test_site_pages_stay_within_budget_and_flat() -> None:
    check_pages(SITE_PAGES)


def test_every_budget_belongs_to_a_page() -> None:
    """A budget whose page no longer exists is stale: the file lists exactly the measured pages."""
    known = {p.id for name in UIS for p in model_pages(name)} | {p.id for p in SITE_PAGES}
    stale = sorted(set(_budgets()) - known)
    assert not stale, f"budgets for pages that are no longer measured: {stale} — delete them from {BUDGETS.name}"


def test_dropping_a_join_is_caught_as_n_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proof the N+1 check bites: without the contact list's join its organisation column costs one
    query per row, and the check names that statement."""
    ui = UIS["contact"]
    page = Page(ui.url_name("list"), "bureau_admin", lambda d: reverse(ui.url_name("list")))
    data = _data()
    monkeypatch.setattr(ui, "joined", lambda queryset: queryset)  # what a forgotten select_related does
    once = measure(data, page)
    _grow(data, MORE)
    thrice = measure(data, page)
    found = n_plus_one(page.id, once, thrice)
    assert found is not None and "N+1" in found, (once[0], thrice[0])
    assert "orgs_organisation" in found  # the repeated statement is the organisation lookup
    monkeypatch.undo()
    assert n_plus_one(page.id, measure(data, page), measure(data, page)) is None
