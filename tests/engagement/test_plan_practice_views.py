"""Harness tests for the year plan, teacher enterprise practice and order classes (issue #9 points 1, 6, 7).

Scope rules exercised (chanjiao/engagement/models.py):

* annual plans: read by every business user; written only by the global writers (bureau, secretariat);
* planned activities: read by every business user; created by the global writers, edited (and deleted)
  by them and by the leader of the activity's committee;
* teacher practice: read and written by the admin of the teacher's school; read by the host enterprise;
* order classes: read and written by the school; read by the ordering enterprise.

The world (two committees, the ``committee_leader`` persona) is tests/engagement/conftest.py; the
teachers, the plan and the order-class agreement the forms name are made by ``plan_practice_world``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from chanjiao.accounts.models import Membership
from chanjiao.catalog.models import Region
from chanjiao.core.roles import Role
from chanjiao.engagement import ui
from chanjiao.engagement.models import AnnualPlan, PlannedActivity
from tests import factories
from tests.attachment_harness import PDF, AttachmentHarness, upload, xlsx
from tests.harness import ModelHarness, api_patch, as_post, listed_pks, state

_numbers = itertools.count(100)

# Bookkeeping no request body may set (AC-05 mass assignment).
_BOOKKEEPING = {"id": 99999, "created_at": "2000-01-01T00:00:00+08:00", "updated_at": "2000-01-01T00:00:00+08:00"}
# Computed by save() (TeacherPractice.days / counted_days): never an input.
_PRACTICE_COMPUTED = {**_BOOKKEEPING, "days": 999, "counted_days": 999}


@pytest.fixture(autouse=True)
def plan_practice_world(engagement_world: Any) -> Any:
    """Rows the create forms name, made before any harness count is taken."""
    return _ensure(engagement_world)


def _ensure(world: Any) -> Any:
    # Also called by in_scope(): other modules make each harness's in-scope object without this module's
    # fixtures (tests/core/test_menus.py).
    if hasattr(world, "plan"):
        return world
    world.teacher_a = factories.TeacherFactory(school=world.school_a, name="赵老师", employee_no="A100")
    world.teacher_b = factories.TeacherFactory(school=world.school_b, name="钱老师", employee_no="B100")
    world.plan = AnnualPlan.objects.create(group=world.group, year=2024, number="甲教职成〔2024〕1号",
                                           title="关于开展2024年校企对接活动的通知", issued_on=dt.date(2024, 3, 1))
    world.other_plan = AnnualPlan.objects.create(group=world.group, year=2023, number="甲教职成〔2023〕1号",
                                                 title="关于开展2023年校企对接活动的通知",
                                                 issued_on=dt.date(2023, 3, 1))
    world.order_agreement = factories.AgreementFactory(title="订单培养协议（甲校）", kind="order",
                                                       schools=[world.school_a], enterprises=[world.enterprise])
    return world


def _year() -> int:
    return 2000 + next(_numbers) % 20  # 2000–2019: never the fixture's 2023/2024 plans of the same group


class TestAnnualPlanViews(ModelHarness):
    ui = ui.plans
    api_path = "/api/engagement/annual-plans/"
    persona = "bureau_admin"  # the joint notice is the bureau's and the group's: only the global writers keep it
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # the lead school reads the plan, never writes it
    has_out_of_scope = False
    natural_key = "number"
    edit_changes = {"summary": "每个委员会至少举办一次座谈会", "title": "关于开展年度校企对接活动的通知（修订）"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        n = next(_numbers)
        _ensure(world)
        return factories.AnnualPlanFactory(group=world.group, year=_year(), number=f"甲教职成〔2019〕{n}号",
                                           title=f"年度校企对接工作计划{n}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"group": world.group.pk, "year": 2025, "number": "甲教职成〔2025〕3号",
                "title": "关于开展2025年校企对接活动的通知", "issued_on": "2025-03-12",
                "issuers": [world.department.pk, world.department_b.pk], "summary": "全年举办座谈会十场"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # A year outside 2000–2100, no number, an impossible date.
        return {"group": world.group.pk, "year": 1999, "number": "", "title": "无效计划", "issued_on": "2025-02-30"}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestPlannedActivityViews(ModelHarness):
    ui = ui.activities
    api_path = "/api/engagement/planned-activities/"
    persona = "committee_leader"  # leads world.committee: edits its planned activities
    creator = "bureau_admin"  # the plan's activities are set by the global writers
    read_only_persona = "school_admin_a"  # the vice-director school reads the plan, never edits it
    out_of_scope_visible = True  # another committee's activity: public within the group, not the leader's to edit
    owner_field = "plan"
    natural_key = "title"
    edit_changes = {"target_enterprises": 30, "target_agreements": 8, "month": 6}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.PlannedActivityFactory(plan=world.plan, committee=world.committee,
                                                title=f"智能制造校企合作座谈会{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.PlannedActivityFactory(plan=world.plan, committee=world.other_committee,
                                                title="现代农业职业校企行", kind="tour")

    def owner_value(self, world: Any) -> Any:
        return world.other_plan.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"plan": world.plan.pk, "committee": world.committee.pk, "department": world.department.pk,
                "kind": "symposium", "title": "2024年智能制造校企合作座谈会（计划）", "month": 5,
                "host": world.school_a.pk, "target_enterprises": 20, "target_agreements": 5}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # A thirteenth month, an unknown kind, no title.
        return {"plan": world.plan.pk, "committee": world.committee.pk, "kind": "party", "title": "", "month": 13}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestTeacherPracticeViews(ModelHarness):
    ui = ui.practices
    api_path = "/api/engagement/teacher-practices/"
    persona = "school_admin_a"  # the teacher's school records the practice
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # the host enterprise reads, never edits
    out_of_scope_visible = False  # school B's teacher at another firm: not school A's business
    owner_field = "teacher"
    natural_key = "content"
    edit_changes = {"appraisal": "excellent", "appraisal_note": "业务熟练，指导学徒三名"}
    protected_fields = _PRACTICE_COMPUTED

    def in_scope(self, world: Any) -> Any:
        n = next(_numbers)
        _ensure(world)
        start = dt.date(2020, 1, 1) + dt.timedelta(days=20 * n)  # apart: each its own counted days
        return factories.TeacherPracticeFactory(teacher=world.teacher_a, enterprise=world.enterprise, start=start,
                                                end=start + dt.timedelta(days=9), content=f"数控车间岗位实践{n}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.TeacherPracticeFactory(teacher=world.teacher_b, enterprise=world.enterprise_b,
                                                content="农业企业实践")

    def owner_value(self, world: Any) -> Any:
        return world.teacher_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"teacher": world.teacher_a.pk, "enterprise": world.enterprise.pk, "start": "2024-07-01",
                "end": "2024-08-31", "form": "post", "content": "在数控加工车间顶岗实践，学习五轴加工新工艺",
                "pre_service": True, "appraisal": "good", "appraisal_note": "完成实践任务"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Ends before it starts (PRA-D1), an unknown form, a department as the host.
        return {"teacher": world.teacher_a.pk, "enterprise": world.department.pk, "start": "2024-07-01",
                "end": "2024-06-01", "form": "holiday", "content": "无效实践"}

    def marker(self, obj: Any) -> str:
        return obj.teacher.name  # the list shows the teacher (赵老师 of school A, 钱老师 of school B)


class TestOrderClassViews(ModelHarness):
    ui = ui.order_classes
    api_path = "/api/engagement/order-classes/"
    persona = "school_admin_a"  # the school runs the class
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # the ordering enterprise reads it
    out_of_scope_visible = False
    owner_field = "school"
    edit_changes = {"mentors": "王工程师（车间主任）\n李技师（班组长）", "graduates": 30}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.OrderClassFactory(school=world.school_a, enterprise=world.enterprise, major=world.major,
                                           name=f"智能制造订单班{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.OrderClassFactory(school=world.school_b, enterprise=world.enterprise_b, major=world.major,
                                           name="现代农业订单班")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "enterprise": world.enterprise.pk, "major": world.major.pk,
                "cohort_year": 2024, "name": "2024级数控技术订单班", "planned": 40, "enrolled": 38,
                "agreement": world.order_agreement.pk, "mentors": "周工程师", "graduates": 36, "hired": 30,
                "retained": 25}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # More graduates than students (ORD-D1), no name, a cohort year before 2000.
        return {"school": world.school_a.pk, "enterprise": world.enterprise.pk, "major": world.major.pk,
                "cohort_year": 1999, "name": "", "enrolled": 10, "graduates": 20}

    def marker(self, obj: Any) -> str:
        return obj.name


# ------------------------------------------------------------------------------------ attachments


class TestAnnualPlanNotices(AttachmentHarness):
    """联合通知文件 on the plan: read by whoever reads the plan, uploaded by whoever may write it — a
    bureau bounded to its city (the unbounded bureau writes every plan, there would be no "other")."""

    ui = ui.plans
    kind = "notice_file"
    other_kind = "notice_file"  # the notice takes Word files too
    owner = "city_bureau"
    # The notice takes no Excel file: the office checks that need one do not apply.
    test_it_accepts_real_office_files = None

    @pytest.fixture(autouse=True)
    def _city(self, world: Any) -> None:
        if "city_bureau" in world.users:
            return
        world.city = Region.objects.create(code="4191", name="甲市", level=Region.Level.CITY)
        world.other_city = Region.objects.create(code="4291", name="乙市", level=Region.Level.CITY)
        user = factories.UserFactory(username="city_bureau", full_name="甲市教育局")
        Membership.objects.create(user=user, role=Role.BUREAU_ADMIN, jurisdiction=world.city)
        world.users["city_bureau"] = user

    def parent(self, world: Any) -> Any:
        if not hasattr(world, "city_plan"):
            group = factories.VocationalGroupFactory(name="甲市职教集团（附件）", region=world.city)
            world.city_plan = factories.AnnualPlanFactory(group=group, title="甲市年度计划")
        return world.city_plan

    def other(self, world: Any) -> Any:
        if not hasattr(world, "far_plan"):
            group = factories.VocationalGroupFactory(name="乙市职教集团（附件）", region=world.other_city)
            world.far_plan = factories.AnnualPlanFactory(group=group, title="乙市年度计划")
        return world.far_plan

    @pytest.mark.parametrize("case", ["zip_as_docx", "macro_docm_as_docx"])
    def test_it_looks_inside_office_files(self, world: Any, case: str) -> None:
        # Only the Word cases: the notice takes no Excel file (the xlsx cases are refused by type first).
        super().test_it_looks_inside_office_files(world, case)

    def test_it_refuses_a_type_outside_the_allowlist_of_the_use(self, world: Any) -> None:
        assert "只接受以下格式" in self.refused(world, "名单.xlsx", xlsx())

    def test_uploading_to_the_other_organisation_is_403_and_stores_nothing(self, world: Any, login: Any) -> None:
        # Replaces the generated 403: another city's plan does not exist for a bounded bureau (404), as everywhere.
        response = login(self.owner).post(self.upload_url(self.other(world)),
                                          {"kind": self.kind, "file": upload("通知.pdf", PDF)})
        assert response.status_code == 404
        self.assert_nothing_stored()


class TestTeacherPracticeEvidence(AttachmentHarness):
    """实践证明材料: read by the practice's editors (the school) and the global readers; the host
    enterprise reads the record, not the evidence (``readers="editors"``)."""

    ui = ui.practices
    kind = "evidence"
    other_kind = "evidence"
    owner = "school_admin_a"
    test_it_accepts_real_office_files = None

    def parent(self, world: Any) -> Any:
        if not hasattr(world, "evidenced"):
            world.evidenced = factories.TeacherPracticeFactory(teacher=world.teacher_a, enterprise=world.enterprise,
                                                               content="有证明材料的实践")
        return world.evidenced

    def other(self, world: Any) -> Any:
        if not hasattr(world, "unrelated"):
            world.unrelated = factories.TeacherPracticeFactory(teacher=world.teacher_b, enterprise=world.enterprise_b,
                                                               content="别校的实践")
        return world.unrelated

    @pytest.mark.parametrize("case", ["zip_as_docx", "macro_docm_as_docx"])
    def test_it_looks_inside_office_files(self, world: Any, case: str) -> None:
        super().test_it_looks_inside_office_files(world, case)

    def test_it_refuses_a_type_outside_the_allowlist_of_the_use(self, world: Any) -> None:
        assert "只接受以下格式" in self.refused(world, "名单.xlsx", xlsx())

    def test_uploading_to_the_other_organisation_is_403_and_stores_nothing(self, world: Any, login: Any) -> None:
        # School B's practice does not exist for school A (404), as everywhere.
        response = login(self.owner).post(self.upload_url(self.other(world)),
                                          {"kind": self.kind, "file": upload("证明.pdf", PDF)})
        assert response.status_code == 404
        self.assert_nothing_stored()

    def test_the_host_enterprise_reads_the_record_not_the_evidence(self, world: Any, login: Any) -> None:
        from chanjiao.core import attachments

        a = attachments.attach(self.parent(world), upload("证明.pdf", PDF), world.users[self.owner], self.kind)
        client = login("enterprise_contact")
        assert client.get(self.parent(world).get_absolute_url()).status_code == 200
        assert client.get(self.download_url(a)).status_code == 404


# ------------------------------------------------------------------------------------ rules across the models

_PUBLIC = [TestAnnualPlanViews, TestPlannedActivityViews]


@pytest.mark.parametrize("harness", _PUBLIC, ids=lambda h: h.ui.name)
@pytest.mark.parametrize("persona", ["school_admin_b", "enterprise_contact", "dept_authority", "committee_leader"])
def test_business_users_read_the_plan_without_editing(world: Any, login: Any, harness: Any, persona: str) -> None:
    h = harness()
    obj = h.out_of_scope(world) if harness is TestPlannedActivityViews else h.in_scope(world)
    client = login(persona)
    assert obj.pk in listed_pks(client.get(h.url("list") + "?per_page=100"))
    response = client.get(h.url("detail", obj))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert client.get(h.api_url(obj)).status_code == 200


@pytest.mark.parametrize("harness", [*_PUBLIC, TestTeacherPracticeViews, TestOrderClassViews], ids=lambda h: h.ui.name)
@pytest.mark.parametrize("persona", ["system_admin", "security_admin", "audit_admin"])
def test_system_administrators_see_no_plan_practice_or_class(world: Any, login: Any, harness: Any,
                                                               persona: str) -> None:
    h = harness()
    obj = h.in_scope(world)
    client = login(persona)
    response = client.get(h.url("list") + "?per_page=100")
    assert response.status_code == 200
    assert obj.pk not in listed_pks(response)
    assert client.get(h.url("detail", obj)).status_code == 404
    assert client.get(h.api_url(obj)).status_code == 404


def test_the_committee_leader_edits_but_does_not_create_planned_activities(world: Any, login: Any) -> None:
    h = TestPlannedActivityViews()
    client = login("committee_leader")
    assert client.get(h.url("add")).status_code == 403
    before = PlannedActivity._base_manager.count()
    assert client.post(h.url("add"), as_post(h.create_data(world))).status_code == 403
    assert PlannedActivity._base_manager.count() == before
    # Editing, it may keep its own committee but not hand the activity to another one.
    obj = h.in_scope(world)
    form = client.get(h.url("edit", obj)).context["form"]
    assert {c.pk for c in form.fields["committee"].queryset} == {world.committee.pk}
    assert {p.pk for p in form.fields["plan"].queryset} == {world.plan.pk}
    snapshot = state(obj)
    response = api_patch(client, h.api_url(obj), {"committee": world.other_committee.pk})
    assert response.status_code == 400, response.content
    assert state(obj) == snapshot


def test_the_plan_shows_its_activities_and_an_activity_its_events(world: Any, login: Any) -> None:
    activity = factories.PlannedActivityFactory(plan=world.plan, committee=world.committee, title="计划中的座谈会")
    event = factories.EventFactory(committee=world.committee, title="落实计划的座谈会", planned_activity=activity)
    client = login("school_admin_b")
    plan_page = client.get(TestAnnualPlanViews().url("detail", world.plan)).content.decode()
    assert activity.title in plan_page
    activity_page = client.get(TestPlannedActivityViews().url("detail", activity)).content.decode()
    assert event.title in activity_page


def test_practice_days_are_computed_not_typed(world: Any, login: Any) -> None:
    h = TestTeacherPracticeViews()
    data = {**h.create_data(world), "start": "2024-07-01", "end": "2024-07-10", "content": "十天的实践"}
    assert login("school_admin_a").post(h.url("add"), as_post(data)).status_code == 302
    practice = h.model()._base_manager.get(content="十天的实践")
    assert (practice.days, practice.counted_days) == (10, 10)  # 1 … 10 July, both ends counted
    # An overlapping later record counts only its new days (11 … 15 July of 5 … 15 July).
    data = {**data, "start": "2024-07-05", "end": "2024-07-15", "content": "重叠的实践"}
    assert login("school_admin_a").post(h.url("add"), as_post(data)).status_code == 302
    overlap = h.model()._base_manager.get(content="重叠的实践")
    assert (overlap.days, overlap.counted_days) == (11, 5)


def test_a_practice_takes_only_the_schools_own_teachers(world: Any, login: Any) -> None:
    h = TestTeacherPracticeViews()
    form = login("school_admin_a").get(h.url("add")).context["form"]
    assert world.teacher_a.pk in {t.pk for t in form.fields["teacher"].queryset}
    assert world.teacher_b.pk not in {t.pk for t in form.fields["teacher"].queryset}


def test_an_order_class_names_only_an_agreement_of_its_school(world: Any, login: Any) -> None:
    h = TestOrderClassViews()
    theirs = factories.AgreementFactory(title="乙校的订单协议", kind="order", schools=[world.school_b],
                                        enterprises=[world.enterprise])
    data = {**h.create_data(world), "agreement": theirs.pk, "name": "挂错协议的订单班"}
    response = login("bureau_admin").post(h.url("add"), as_post(data))
    assert response.status_code == 400
    assert "所选协议的签约方须包括本校。" in response.content.decode()
    assert not h.model()._base_manager.filter(name="挂错协议的订单班").exists()


@pytest.mark.parametrize("link", ["practice", "order_class"])
def test_a_host_or_ordering_enterprise_of_another_city_becomes_the_school_citys_partner(world: Any,
                                                                                        link: str) -> None:
    from chanjiao.orgs.models import Enterprise

    city = Region.objects.create(code="4191", name="甲市", level=Region.Level.CITY)
    county = Region.objects.create(code="419101", name="甲区", level=Region.Level.COUNTY, parent=city)
    elsewhere = Region.objects.create(code="429101", name="乙区", level=Region.Level.COUNTY)
    bureau = factories.UserFactory(username="city_bureau_link")
    Membership.objects.create(user=bureau, role=Role.BUREAU_ADMIN, jurisdiction=city)
    school = factories.SchoolFactory(region=county)
    firm = factories.EnterpriseFactory(region=elsewhere)
    stranger = factories.EnterpriseFactory(region=elsewhere)
    assert not Enterprise.objects.visible_to(bureau).filter(pk=firm.pk).exists()
    if link == "practice":
        factories.TeacherPracticeFactory(teacher=factories.TeacherFactory(school=school), enterprise=firm)
    else:
        factories.OrderClassFactory(school=school, enterprise=firm, major=world.major)
    visible = set(Enterprise.objects.visible_to(bureau).filter(pk__in=[firm.pk, stranger.pk]).values_list("pk",
                                                                                                          flat=True))
    assert visible == {firm.pk}  # the partner, read only; the other firm of that city stays out of sight
    assert not Enterprise.objects.editable_by(bureau).filter(pk=firm.pk).exists()


def test_law01_flags_an_order_class_without_its_agreement(world: Any) -> None:
    from chanjiao.core import rules as core_rules
    from chanjiao.engagement.models import OrderClass

    bare = factories.OrderClassFactory(school=world.school_a, enterprise=world.enterprise, name="无协议订单班")
    deal = factories.AgreementFactory(title="订单培养协议", kind="order", schools=[world.school_a],
                                      enterprises=[world.enterprise])
    covered = factories.OrderClassFactory(school=world.school_a, enterprise=world.enterprise, name="有协议订单班",
                                          agreement=deal)
    rule = next(r for r in core_rules.rules_for(OrderClass) if r.id == "LAW-01")
    assert [f.rule_id for f in core_rules.check(bare)] == ["LAW-01"]
    assert not [f for f in core_rules.check(covered) if f.rule_id == "LAW-01"]
    assert set(core_rules.scan(rule, OrderClass._base_manager.all())) == {bare}
    bare.full_clean()  # a warning: the class is still recorded
