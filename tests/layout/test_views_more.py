"""Harness tests for the newer models of the major layout (issue #10): the crosswalk (versions on a workflow and
their entries), enterprise-declared demand, scenario planning and 一校一策.

Scope rules exercised (chanjiao/layout/models.py):

* crosswalk versions: read by every business user; written and published/retired by the bureau only;
* crosswalk entries: read by every business user; written only by the global writers and only while their
  version is a draft (``writes_by_rule_only``: a published version is frozen for the bureau too);
* declared demand: the enterprise's contact writes its own; the committee that collected it reads it (its
  leader), other enterprises and schools see nothing;
* scenarios and their changes: the bureau's planning tool — no organisation role reads them (scope_q None);
* 一校一策 and its targets: the school's admin writes its own; other schools see nothing.

The rows the forms name are made by ``more_world`` (also from ``in_scope``: tests/core/test_menus.py makes
each harness's in-scope object without this module's fixtures).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from chanjiao.accounts.models import Membership
from chanjiao.catalog.models import Region
from chanjiao.core.roles import Role
from chanjiao.layout import ui
from chanjiao.layout.models import CrosswalkEntry, CrosswalkStatus, CrosswalkVersion, DeclaredDemand
from tests import factories
from tests.harness import ModelHarness, api_patch, api_post, as_post, listed_pks, state
from tests.workflow_harness import WorkflowHarness

_numbers = itertools.count(100)

# Bookkeeping no request body may set (AC-05 mass assignment).
_BOOKKEEPING = {"id": 99999, "created_at": "2000-01-01T00:00:00+08:00", "updated_at": "2000-01-01T00:00:00+08:00"}
WRITERS = {"bureau_admin", "secretariat"}


@pytest.fixture(autouse=True)
def more_world(world: Any) -> Any:
    """Rows the create forms name, made before any harness count is taken."""
    return _ensure(world)


def _ensure(world: Any) -> Any:
    if hasattr(world, "draft_crosswalk"):
        return world
    world.city = factories.RegionFactory(code="4199", name="测试市", level=Region.Level.CITY)
    # Majors of their own 专业类 (tests/layout/test_views.py makes 460103/460104 of the factory's class).
    world.cw_major = factories.MajorFactory(code="560103", name="数控技术（测试）", class_code="5601",
                                            category_code="56")
    world.cw_major_b = factories.MajorFactory(code="560104", name="机械制造（测试）", class_code="5601",
                                              category_code="56")
    world.other_class_major = factories.MajorFactory(code="510201", name="计算机应用技术", class_code="5102")
    world.industry = factories.IndustryFactory(code="3421", name="金属切削机床制造")
    world.occupation = factories.OccupationFactory(code="6-18-01-01", name="车工")
    # A draft the bureau edits and the published version it revises (frozen).
    world.draft_crosswalk = factories.CrosswalkVersionFactory(number=11, title="测试市对照表（修订稿）",
                                                              region=world.city)
    world.published_crosswalk = factories.CrosswalkVersionFactory(number=10, title="测试市对照表",
                                                                  region=world.city,
                                                                  status=CrosswalkStatus.PUBLISHED)
    world.frozen_entry = factories.CrosswalkEntryFactory(version=world.published_crosswalk, class_code="5601",
                                                         industry=world.industry, reason="已发布版本的条目")
    # Demand of the persona's enterprise, collected by a committee its department leads; another firm's.
    world.committee = factories.CommitteeFactory(name="装备制造产学合作委员会", director=world.department)
    world.own_demand = factories.DeclaredDemandFactory(enterprise=world.enterprise, class_code="5601",
                                                       committee=world.committee, position="数控车工")
    world.other_demand = factories.DeclaredDemandFactory(enterprise=world.enterprise_b, class_code="5601",
                                                         position="乙企业的岗位")
    # Planning: a scenario of the city, school A's offering to close; both schools' 一校一策.
    world.scenario = factories.ScenarioFactory(title="测试市专业布局调整方案", region=world.city)
    world.closing = factories.OfferingFactory(school=world.school_a, major=world.cw_major)
    world.policy_a = factories.SchoolPolicyFactory(school=world.school_a, title="甲校一校一策")
    world.policy_b = factories.SchoolPolicyFactory(school=world.school_b, title="乙校一校一策")
    return world


# ------------------------------------------------------------------------------------ the crosswalk


class TestCrosswalkVersionViews(ModelHarness):
    ui = ui.crosswalks
    api_path = "/api/layout/crosswalks/"
    persona = "bureau_admin"  # the bureau keeps the crosswalk
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # schools read which version an analysis used
    has_out_of_scope = False  # the bureau reads and writes every version
    natural_key = "title"
    edit_changes = {"title": "测试市对照表（第二次修订）", "note": "新增新能源汽车产业条目"}
    # The status moves only through the workflow; the publication date is set by ``publish``.
    protected_fields = {**_BOOKKEEPING, "status": CrosswalkStatus.PUBLISHED, "published_on": "2020-01-01"}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        n = next(_numbers)
        return factories.CrosswalkVersionFactory(number=1000 + n, title=f"对照表{n}", region=world.city)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"number": 12, "title": "测试市对照表（2022）", "region": world.city.pk,
                "based_on": world.published_crosswalk.pk, "note": "在第 10 版基础上修订"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # No title, a version number already taken, a region of the wrong level is not offered at all.
        return {"number": world.published_crosswalk.number, "title": "", "region": world.city.pk}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestCrosswalkEntryViews(ModelHarness):
    ui = ui.crosswalk_entries
    api_path = "/api/layout/crosswalk-entries/"
    persona = "bureau_admin"  # edits the entries of a draft
    creator = "bureau_admin"
    read_only_persona = "leader"  # reads every entry, writes none
    # writes_by_rule_only: an entry of a published version is read only for the bureau too.
    out_of_scope_visible = True
    natural_key = "reason"
    edit_changes = {"reason": "数控机床制造需要数控技术人才", "source": "测试市产业发展规划（2021—2025）"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.CrosswalkEntryFactory(version=world.draft_crosswalk, class_code="5601",
                                               industry=factories.IndustryFactory(), reason=f"对照理由{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return world.frozen_entry

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"version": world.draft_crosswalk.pk, "class_code": "5601", "major": world.cw_major.pk,
                "industry": world.industry.pk, "occupation": world.occupation.pk, "reason": "数控技术对应机床制造",
                "source": "《职业教育专业目录（2021年）》"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # CW-D1: a refining major of another 专业类; no source.
        return {"version": world.draft_crosswalk.pk, "class_code": "5601", "major": world.other_class_major.pk,
                "industry": world.industry.pk, "reason": "专业类不符", "source": ""}

    def marker(self, obj: Any) -> str:
        return obj.reason


# ------------------------------------------------------------------------------------ declared demand


class TestDeclaredDemandViews(ModelHarness):
    ui = ui.demand
    api_path = "/api/layout/demand/"
    persona = "enterprise_contact"  # the enterprise declares its own demand
    creator = "enterprise_contact"
    read_only_persona = "leader"
    out_of_scope_visible = False  # another enterprise's demand is not theirs to see
    owner_field = "enterprise"
    natural_key = "position"
    edit_changes = {"headcount": 25, "note": "含 5 名学徒"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.DeclaredDemandFactory(enterprise=world.enterprise, class_code="5601",
                                               position=f"岗位{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return world.other_demand

    def owner_value(self, world: Any) -> Any:
        return world.enterprise_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"enterprise": world.enterprise.pk, "year": 2020, "position": "数控机床操作工", "class_code": "5601",
                "occupation": world.occupation.pk, "education": "associate", "headcount": 12, "note": "长期招聘"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # DEM-D1: neither an occupation nor a 专业类; no one needed.
        return {"enterprise": world.enterprise.pk, "year": 2020, "position": "不明岗位", "education": "any",
                "headcount": 0}

    def marker(self, obj: Any) -> str:
        return obj.position


class TestJobPostingViews(ModelHarness):
    ui = ui.postings
    api_path = "/api/layout/postings/"
    persona = "bureau_admin"  # imports the adverts and corrects their class
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # adverts are public to every business user; only the bureau writes
    has_out_of_scope = False  # the (unbounded) bureau reads and writes every posting
    natural_key = "title"
    edit_changes = {"corrected_class_code": "5601", "experience": "3-5年"}
    # Computed from the advert (layout/postings.py): no request body sets them.
    protected_fields = {**_BOOKKEEPING, "class_code": "5102", "category_code": "51", "classified_by": "person",
                        "fingerprint": "0" * 32, "confidence": "0.999", "classifier_version": "forged",
                        "salary_min": 1}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.JobPostingFactory(title=f"数控车工{next(_numbers)}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"source": "市人才网", "source_ref": "A-1001", "title": "数控机床操作工",
                "company_name": "测试机械有限公司", "place_text": "测试市", "tags": "数控编程",
                "education": "associate", "salary_text": "4-6千/月", "year": 2020}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # An unreadable salary and a class that is not in the catalogue.
        return {"source": "市人才网", "source_ref": "A-1002", "title": "不明岗位", "company_name": "测试公司",
                "salary_text": "8-4千/月", "corrected_class_code": "9999", "year": 2020}

    def marker(self, obj: Any) -> str:
        return obj.title


# ------------------------------------------------------------------------------------ scenario planning


class TestScenarioViews(ModelHarness):
    ui = ui.scenarios
    api_path = "/api/layout/scenarios/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "leader"
    has_out_of_scope = False  # the bureau's own planning tool: every scenario is the bureau's
    natural_key = "title"
    edit_changes = {"title": "测试市专业布局调整方案（二稿）", "note": "压减低就业率专业"}
    protected_fields = {**_BOOKKEEPING, "round": 1}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ScenarioFactory(title=f"调整方案{next(_numbers)}", region=world.city)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"title": "2020年专业布局调整方案", "region": world.city.pk, "base_on": "2019-09-01",
                "base_year": 2019, "note": "撤并重复设置的专业"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"title": "", "region": world.city.pk, "base_on": "2019-02-30", "base_year": 1999}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestScenarioChangeViews(ModelHarness):
    ui = ui.scenario_changes
    api_path = "/api/layout/scenario-changes/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "leader"
    has_out_of_scope = False
    natural_key = "note"
    edit_changes = {"note": "连续三年就业率低于 60%"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ScenarioChangeFactory(scenario=world.scenario, note=f"撤销理由{next(_numbers)}",
                                               offering=factories.OfferingFactory(school=world.school_a))

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"scenario": world.scenario.pk, "kind": "open", "school": world.school_b.pk,
                "major": world.cw_major_b.pk, "planned_intake": 45, "note": "对接新引进的装备制造企业"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # SCN-D1: 撤销 names a school and a major instead of an offering.
        return {"scenario": world.scenario.pk, "kind": "close", "school": world.school_a.pk,
                "major": world.cw_major.pk, "planned_intake": 0, "note": "类型不符"}

    def marker(self, obj: Any) -> str:
        return str(obj.offering)


# ------------------------------------------------------------------------------------ 一校一策


class TestSchoolPolicyViews(ModelHarness):
    ui = ui.policies
    api_path = "/api/layout/school-policies/"
    persona = "school_admin_a"  # the school keeps its own 一校一策
    creator = "school_admin_a"
    read_only_persona = "leader"
    out_of_scope_visible = False  # school B's plan is not school A's business
    owner_field = "school"
    natural_key = "title"
    edit_changes = {"summary": "做强装备制造专业群，撤并重复专业", "end_year": 2023}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.SchoolPolicyFactory(school=world.school_a, title=f"甲校方案{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return world.policy_b

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "title": "2020—2022年专业建设方案", "start_year": 2020,
                "end_year": 2022, "summary": "围绕本地主导产业调整专业"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Finished before it starts; no title.
        return {"school": world.school_a.pk, "title": "", "start_year": 2022, "end_year": 2020}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestPolicyTargetViews(ModelHarness):
    ui = ui.policy_targets
    api_path = "/api/layout/policy-targets/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    read_only_persona = "leader"
    out_of_scope_visible = False
    owner_field = "policy"
    natural_key = "note"
    edit_changes = {"action": "merge", "cluster": "智能制造专业群", "due_year": 2022}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.PolicyTargetFactory(policy=world.policy_a, note=f"目标说明{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.PolicyTargetFactory(policy=world.policy_b, note="乙校的目标")

    def owner_value(self, world: Any) -> Any:
        return world.policy_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"policy": world.policy_a.pk, "action": "strengthen", "major": world.cw_major_b.pk,
                "cluster": "装备制造专业群", "due_year": 2021, "note": "建成市级骨干专业"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # No major, a year before 2000.
        return {"policy": world.policy_a.pk, "action": "open", "due_year": 1999, "note": "无效目标"}

    def marker(self, obj: Any) -> str:
        return obj.major.name  # each factory target names a major of its own


# ------------------------------------------------------------------------------------ the crosswalk's workflow


class TestCrosswalkVersionWorkflow(WorkflowHarness):
    model = CrosswalkVersion
    ui = ui.crosswalks
    api_path = "/api/layout/crosswalks/"
    permitted = {"publish": WRITERS, "retire": WRITERS}

    def fresh(self, world: Any, status: str) -> CrosswalkVersion:
        # An entry: the publish guard passes.
        version = factories.CrosswalkVersionFactory(number=2000 + next(_numbers), status=status)
        factories.CrosswalkEntryFactory(version=version)
        return version

    def blocked(self, world: Any, name: str) -> tuple[CrosswalkVersion, str]:
        assert name == "publish"
        return factories.CrosswalkVersionFactory(number=3000 + next(_numbers)), "对照表版本没有任何对照条目"


# ------------------------------------------------------------------------------------ rules across the models


def test_publishing_freezes_the_entries_for_the_bureau_too(world: Any, login: Any) -> None:
    h = TestCrosswalkEntryViews()
    entry = h.in_scope(world)
    client = login("bureau_admin")
    assert client.get(h.url("detail", entry)).context["can_edit"] is True
    world.draft_crosswalk.set_status("publish", by=world.bureau_admin)
    version = CrosswalkVersion.objects.get(pk=world.draft_crosswalk.pk)
    assert version.status == CrosswalkStatus.PUBLISHED and version.published_on is not None
    before, count = state(entry), CrosswalkEntry._base_manager.count()
    assert client.get(h.url("detail", entry)).context["can_edit"] is False
    assert client.post(h.url("edit", entry), as_post({**h.edit_data(world, entry), "reason": "改"})).status_code == 403
    assert client.post(h.url("delete", entry)).status_code == 403
    assert api_patch(client, h.api_url(entry), {"reason": "改"}).status_code == 403
    assert client.delete(h.api_url(entry)).status_code == 403
    # Nor can a new entry be filed under it: the form offers drafts only.
    response = client.post(h.url("add"), as_post({**h.create_data(world), "version": version.pk}))
    assert response.status_code == 400
    assert api_post(client, h.api_url(), {**h.create_data(world), "version": version.pk}).status_code == 400
    assert state(entry) == before and CrosswalkEntry._base_manager.count() == count


def test_the_entry_form_offers_draft_versions_only(world: Any, login: Any) -> None:
    form = login("bureau_admin").get(TestCrosswalkEntryViews().url("add")).context["form"]
    offered = {v.pk for v in form.fields["version"].queryset}
    assert world.draft_crosswalk.pk in offered and world.published_crosswalk.pk not in offered


@pytest.mark.parametrize("persona", ["school_admin_a", "enterprise_contact", "expert"])
def test_business_users_read_the_crosswalk_and_write_none_of_it(world: Any, login: Any, persona: str) -> None:
    client = login(persona)
    for h, obj in ((TestCrosswalkVersionViews(), world.draft_crosswalk), (TestCrosswalkEntryViews(),
                                                                          world.frozen_entry)):
        assert obj.pk in listed_pks(client.get(h.url("list") + "?per_page=100")), (persona, h.ui.name)
        response = client.get(h.url("detail", obj))
        assert response.status_code == 200 and response.context["can_edit"] is False
        assert client.get(h.url("add")).status_code == 403
        assert client.get(h.url("edit", obj)).status_code == 403


def test_the_platform_default_needs_no_region(world: Any, login: Any) -> None:
    h = TestCrosswalkVersionViews()
    data = {**h.create_data(world), "region": "", "title": "全国默认对照表（修订）", "number": 13}
    assert login("bureau_admin").post(h.url("add"), as_post(data)).status_code == 302
    assert CrosswalkVersion.objects.get(number=13).region is None


def test_a_committee_leader_reads_the_demand_its_committee_collected(world: Any, login: Any) -> None:
    leader = factories.UserFactory(username="demand_committee_leader")
    Membership.objects.create(user=leader, role=Role.COMMITTEE_LEADER, organisation=world.department)
    world.users["demand_committee_leader"] = leader
    h = TestDeclaredDemandViews()
    client = login("demand_committee_leader")
    assert listed_pks(client.get(h.url("list") + "?per_page=100")) == {world.own_demand.pk}
    response = client.get(h.url("detail", world.own_demand))
    assert response.status_code == 200 and response.context["can_edit"] is False
    assert client.get(h.url("detail", world.other_demand)).status_code == 404
    before = state(world.own_demand)
    assert client.post(h.url("edit", world.own_demand),
                       as_post({**h.edit_data(world, world.own_demand), "headcount": 99})).status_code == 403
    assert api_patch(client, h.api_url(world.own_demand), {"headcount": 99}).status_code == 403
    assert state(world.own_demand) == before


@pytest.mark.parametrize("persona", ["school_admin_a", "dept_authority", "expert"])
def test_others_see_no_declared_demand(world: Any, login: Any, persona: str) -> None:
    h = TestDeclaredDemandViews()
    client = login(persona)
    assert listed_pks(client.get(h.url("list") + "?per_page=100")) == set()
    assert client.get(h.url("detail", world.own_demand)).status_code == 404
    assert client.get(h.api_url() + "?page_size=200").json()["results"] == []


def test_the_same_demand_twice_is_refused(world: Any, login: Any) -> None:
    h = TestDeclaredDemandViews()
    own = world.own_demand
    data = {**h.create_data(world), "year": own.year, "position": own.position, "class_code": own.class_code,
            "occupation": "", "education": own.education}
    count = DeclaredDemand._base_manager.count()
    response = login("enterprise_contact").post(h.url("add"), as_post(data))
    assert response.status_code == 400
    assert "该企业本年度已有相同专业类、职业、学历和岗位的需求记录" in response.content.decode()
    assert DeclaredDemand._base_manager.count() == count


@pytest.mark.parametrize("persona", ["school_admin_a", "enterprise_contact", "dept_authority", "expert"])
def test_scenarios_are_the_bureaus_alone(world: Any, login: Any, persona: str) -> None:
    change = TestScenarioChangeViews().in_scope(world)
    client = login(persona)
    for h, obj in ((TestScenarioViews(), world.scenario), (TestScenarioChangeViews(), change)):
        assert listed_pks(client.get(h.url("list") + "?per_page=100")) == set(), (persona, h.ui.name)
        assert client.get(h.url("detail", obj)).status_code == 404
        assert client.get(h.api_url(obj)).status_code == 404


def test_scenario_changes_of_both_kinds_pass_scn_d1(world: Any, login: Any) -> None:
    h = TestScenarioChangeViews()
    client = login("bureau_admin")
    close = {"scenario": world.scenario.pk, "kind": "close", "offering": world.closing.pk,
             "planned_intake": 0, "note": "撤销甲校专业"}
    response = client.post(h.url("add"), as_post(close))
    assert response.status_code == 302, response.context["form"].errors
    # 新设 naming an offering as well is refused.
    both = {**h.create_data(world), "offering": world.closing.pk, "note": "新设又撤销"}
    response = client.post(h.url("add"), as_post(both))
    assert response.status_code == 400
    assert "须与调整类型相符" in response.content.decode() or "新设专业点" in response.content.decode()
    assert not h.find(both).exists() and h.find(close).count() == 1


def test_a_school_targets_only_its_own_policies(world: Any, login: Any) -> None:
    h = TestPolicyTargetViews()
    form = login("school_admin_a").get(h.url("add")).context["form"]
    assert {p.pk for p in form.fields["policy"].queryset} == {world.policy_a.pk}
    response = login("school_admin_a").post(h.url("add"), as_post({**h.create_data(world),
                                                                   "policy": world.policy_b.pk}))
    assert response.status_code == 400
    assert not h.find(h.create_data(world)).exists()
