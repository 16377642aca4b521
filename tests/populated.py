"""Fully populated objects for every model with a form: each optional field filled, dates set, booleans ticked.

Shared by the generated tests that must see a lost or mangled value (``tests/browser/test_form_roundtrip.py``)
and those that open every detail page (``tests/core/test_pagination.py``). ``BUILDERS`` maps a ModelUI's name
to the persona who edits it and a builder; a test fails when a ModelUI with a form has no builder.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.apps import apps

from chanjiao.accounts.models import Membership
from chanjiao.catalog.models import Region
from chanjiao.core.registry import ModelUI, registry
from chanjiao.core.roles import Role
from chanjiao.engagement.models import (
    Agreement,
    Alliance,
    AnnualPlan,
    Event,
    EventParticipation,
    OrderClass,
    PlannedActivity,
    TeacherPractice,
    Visit,
)
from chanjiao.layout.models import (
    ConflictDeclaration,
    CrosswalkEntry,
    CrosswalkStatus,
    CrosswalkVersion,
    Decision,
    DeclaredDemand,
    Expert,
    ExpertAssignment,
    JobPosting,
    Offering,
    OfferingYear,
    PolicyTarget,
    ReviewRound,
    RoundStatus,
    RubricCriterion,
    Scenario,
    ScenarioChange,
    SchoolPolicy,
    Score,
    Submission,
    SubmissionItem,
)
from chanjiao.orgs.models import (
    Association,
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    Contact,
    GuidanceCommittee,
    GuidanceMember,
    Institute,
    PillarIndustry,
    Teacher,
    VocationalGroup,
)
from tests import factories
from tests.conftest import World, build_world

DAY = dt.date(2019, 12, 31)  # the date the issue saw erased: day > 12, so no day/month ambiguity either


def registered_uis() -> list[ModelUI]:
    """Every ModelUI, without importing the URLconf (each app's ui.py fills the registry)."""
    for app in apps.get_app_configs():
        if app.name.startswith("chanjiao.") and importlib.util.find_spec(f"{app.name}.ui"):
            importlib.import_module(f"{app.name}.ui")
    return list(registry)


def catalog(world: World) -> None:
    world.region = factories.RegionFactory(code="410102", name="中原区", level=Region.Level.COUNTY)
    world.industry = factories.IndustryFactory(code="3411", name="锅炉及辅助设备制造")
    world.industry_b = factories.IndustryFactory(code="0131", name="谷物种植")
    world.major = factories.MajorFactory(code="460103", name="数控技术")


def _saved(obj: Any) -> Any:
    obj.save()
    return obj


def _org_common(obj: Any, world: World, n: int) -> Any:
    obj.short_name = f"简称{n}"
    obj.region = world.region
    obj.address = f"甲市学府路{n}号"
    obj.website = f"https://www{n}.example.cn/"
    return obj


def _school(world: World) -> Any:
    school = _org_common(world.school_a, world, 1)
    school.school_level, school.funding, school.competent_authority = "bachelor_voc", "private", "甲市教育局"
    school.save()
    return school


def _enterprise(world: World) -> Any:
    firm = _org_common(world.enterprise, world, 2)
    firm.industry, firm.size, firm.ownership = world.industry, "large", "foreign"
    firm.headcount, firm.headcount_date, firm.is_leading, firm.integration_status = 320, DAY, True, "certified"
    firm.established = dt.date(2008, 5, 12)
    firm.save()
    return firm


def _department(world: World) -> Any:
    dept = _org_common(world.department, world, 3)
    dept.is_industry_authority = True
    dept.save()
    return dept


def _association(world: World) -> Any:
    return _saved(_org_common(Association(name="甲市智能制造行业协会", uscc=factories.valid_uscc(7_000_001),
                                          industry=world.industry), world, 4))


def _institute(world: World) -> Any:
    return _saved(_org_common(Institute(name="甲市新材料研究院", uscc=factories.valid_uscc(7_000_002),
                                        industry=world.industry), world, 5))


def _contact(world: World) -> Any:
    return Contact.objects.create(organisation=world.school_a, name="张老师", title="教务处处长", phone="13812345678",
                                  email="zhang@example.cn", is_primary=True, note="负责校企合作")


def _teacher(world: World) -> Any:
    return Teacher.objects.create(school=world.school_a, name="赵老师", employee_no="A0001", subject="数控技术",
                                  is_dual_qualified=True, enterprise_years=Decimal("1.5"), hire_date=DAY)


def _group(world: World) -> Any:
    if not hasattr(world, "group"):
        world.group = VocationalGroup.objects.create(
            name="甲市职业教育集团", short_name="甲职教", founded=dt.date(2013, 6, 28), approved_by="甲市人民政府",
            secretariat=world.department_b, lead_school=world.school_a, description="全市职业教育集团",
            region=world.region)
    return world.group


def _term(world: World) -> Any:
    return BoardTerm.objects.create(group=_group(world), number=2, elected_at=dt.date(2016, 10, 20),
                                    start_date=dt.date(2016, 10, 21), end_date=DAY, note="第二届")


def _seat(world: World) -> Any:
    contact = _contact(world)
    return BoardSeat.objects.create(term=_term(world), role="vice_chair", organisation=world.school_a,
                                    contact=contact, person_name="张理事", person_title="院长")


def _pillar(world: World) -> Any:
    pillar = PillarIndustry.objects.create(group=_group(world), name="智能制造", order=10, description="装备制造")
    pillar.industries.set([world.industry, world.industry_b])
    return pillar


def _committee(world: World) -> Any:
    return Committee.objects.create(group=_group(world), pillar=_pillar(world), name="智能制造产学合作委员会",
                                    director=world.department, vice_director=world.school_a,
                                    secretary=world.school_b, founded=DAY, active=True)


def _committee_membership(world: World) -> Any:
    return CommitteeMembership.objects.create(committee=_committee(world), organisation=world.enterprise,
                                              role="vice_director", person_name="王委员",
                                              joined=dt.date(2019, 3, 5), left=DAY, note="副主任单位")


def _guidance(world: World) -> Any:
    return GuidanceCommittee.objects.create(school=world.school_a, name="数控技术专业教学指导委员会",
                                            major=world.major, committee=_committee(world), founded=DAY,
                                            active=True)


def _guidance_member(world: World) -> Any:
    return GuidanceMember.objects.create(committee=_guidance(world), organisation=world.enterprise,
                                         person_name="李专家", person_title="高级工程师", role="vice_chair",
                                         joined=dt.date(2019, 3, 5), left=DAY)


def _user(world: World) -> Any:
    return factories.UserFactory(username="wangxm", full_name="王小明", phone="13812345678",
                                 email="wxm@example.cn", is_active=True)


def _membership(world: World) -> Any:
    # A bureau grant: the one kind with every field of the form (its organisation, its jurisdiction).
    return Membership.objects.create(user=_user(world), role=Role.BUREAU_ADMIN, organisation=world.department,
                                     jurisdiction=world.region, active=True)


def _rule_parameter(world: World) -> Any:
    from chanjiao.core.rules import RuleParameter

    return RuleParameter.objects.create(rule_id="PE-08", param="min_years", jurisdiction=world.region.code, value=3,
                                        effective_from=DAY, source_note="某省产教融合型企业申报通知（测试）")


def _plan(world: World) -> Any:
    if not hasattr(world, "plan"):
        world.plan = AnnualPlan.objects.create(
            group=_group(world), year=2019, number="甲教职成〔2019〕3号", title="关于开展2019年校企对接活动的通知",
            issued_on=dt.date(2019, 3, 12), summary="每个产学合作委员会至少举办一次校企合作座谈会")
        world.plan.issuers.set([world.department, world.department_b])
    return world.plan


def _planned_activity(world: World, committee: Any = None) -> Any:
    # The event's committee (its builder makes the committee once): an activity is planned in the plan's group.
    if committee is None and not hasattr(world, "planned_activity"):
        committee = _event(world).committee
    if not hasattr(world, "planned_activity"):
        world.planned_activity = PlannedActivity.objects.create(
            plan=_plan(world), committee=committee, department=world.department, kind="symposium",
            title="2019年智能制造校企合作座谈会（计划）", month=12, host=world.school_a, target_enterprises=20,
            target_agreements=5)
    return world.planned_activity


def _event(world: World) -> Any:
    if not hasattr(world, "event"):
        committee = _committee(world)
        world.event = Event.objects.create(
            kind="symposium", title="2019年智能制造校企合作座谈会", date=DAY, place="甲市第一职业技术学院",
            committee=committee, planned_activity=_planned_activity(world, committee), policy_briefing=True,
            skills_show=True, seminar=True, outcome="签约三项")
        world.event.co_hosts.set([world.department, world.department_b])
    return world.event


def _participation(world: World) -> Any:
    return EventParticipation.objects.create(event=_event(world), organisation=world.enterprise, invited=True,
                                             attended=True, attendees=3, people="王经理、李工程师、张主任")


def _agreement(world: World) -> Any:
    event = _event(world)
    first = Agreement.objects.create(title="2016年深度合作协议", kind="deep", start=dt.date(2016, 9, 1),
                                     end=dt.date(2019, 8, 31))
    first.schools.set([world.school_a])
    first.enterprises.set([world.enterprise])
    renewal = Agreement.objects.create(
        number="JZ-2019-001", title="2019年续签订单培养协议", kind="order", committee=event.committee,
        forms=["training", "apprenticeship"], hosts_interns=True, signed_on=DAY, start=dt.date(2019, 9, 1),
        end=dt.date(2022, 8, 31), signing_event=event, predecessor=first, expected_outcomes="订单班两个",
        achieved_outcomes="已招收订单班学生四十名")
    renewal.schools.set([world.school_a, world.school_b])
    renewal.enterprises.set([world.enterprise, world.enterprise_b])
    renewal.majors.set([world.major])
    return renewal


def _alliance(world: World) -> Any:
    alliance = Alliance.objects.create(name="数控技术专业发展联盟", lead_school=world.school_a,
                                       founding_event=_event(world), founded=DAY, description="数控技术专业群")
    alliance.members.set([world.enterprise, world.school_b])
    alliance.majors.set([world.major])
    return alliance


def _visit(world: World) -> Any:
    visit = Visit.objects.create(school=world.school_a, enterprise=world.enterprise, date=DAY,
                                 purpose="了解数控岗位需求", outcome="达成共建实训室意向", follow_up="寄送合作方案",
                                 follow_up_by=dt.date(2020, 1, 15))
    visit.visitors.set([Teacher.objects.create(school=world.school_a, name="钱老师", employee_no="A0002")])
    return visit


def _practice(world: World) -> Any:
    teacher = Teacher.objects.create(school=world.school_a, name="孙老师", employee_no="A0003", subject="数控技术")
    return TeacherPractice.objects.create(
        teacher=teacher, enterprise=world.enterprise, start=dt.date(2019, 7, 1), end=DAY, form="post",
        content="在数控加工车间顶岗实践，学习五轴加工新工艺", pre_service=True, appraisal="excellent",
        appraisal_note="业务熟练，指导学徒三名")


def _order_class(world: World) -> Any:
    # Its own order agreement (the agreement builder's renewal has other parties and a unique number).
    agreement = Agreement.objects.create(title="2019级订单班培养协议", kind="order", signed_on=dt.date(2019, 6, 1),
                                         start=dt.date(2019, 9, 2), end=dt.date(2022, 7, 31))
    agreement.schools.set([world.school_a])
    agreement.enterprises.set([world.enterprise])
    return OrderClass.objects.create(
        school=world.school_a, enterprise=world.enterprise, major=world.major, cohort_year=2019,
        name="2019级数控技术订单班", planned=40, enrolled=38, agreement=agreement,
        mentors="王工程师（车间主任）\n李技师（班组长）", graduates=36, hired=30, retained=25)


# -- the major layout: one round under review (the expert scores in it; the bureau edits the rest) ------------


def _offering(world: World) -> Any:
    if not hasattr(world, "offering"):
        world.offering = Offering.objects.create(
            school=world.school_a, major=world.major, direction="数控设备维修", cluster="智能制造专业群",
            start_year=2016, filed_on=dt.date(2015, 11, 30), filing_ref="2015-460103-01")
    return world.offering


def _offering_year(world: World) -> Any:
    return OfferingYear.objects.create(
        offering=_offering(world), year=2019, planned_enrolment=90, enrolled=86, students=252, graduates=80,
        employed=76, employed_related=61, starting_salary=4200, satisfaction=Decimal("92.5"))


def _expert(world: World) -> Any:
    if not hasattr(world, "expert_entry"):
        world.expert_entry = Expert.objects.create(
            name="钱专家", region=world.region, organisation=world.enterprise, title="高级工程师",
            speciality="数控加工、工业机器人", user=world.users["expert"])
    return world.expert_entry


def _conflict(world: World) -> Any:
    return ConflictDeclaration.objects.create(expert=_expert(world), organisation=world.school_b,
                                              reason="近三年在乙校兼职任教", declared_on=DAY)


def _round(world: World) -> Any:
    if not hasattr(world, "review_round"):
        world.review_round = ReviewRound.objects.create(
            title="2019年专业设置答辩评审", region=world.region, held_on=DAY, deadline=dt.date(2019, 12, 1),
            scope_note="全市职业院校拟调整的专业", status=RoundStatus.REVIEWING)
    return world.review_round


def _criterion(world: World) -> Any:
    if not hasattr(world, "criterion"):
        world.criterion = RubricCriterion.objects.create(round=_round(world), order=1, name="市场需求",
                                                         max_points=Decimal(30), guidance="区域产业需求与就业数据")
    return world.criterion


def _submission(world: World) -> Any:
    if not hasattr(world, "submission"):
        world.submission = Submission.objects.create(
            round=_round(world), school=world.school_a, submitted_on=dt.date(2019, 11, 28), principal="张校长",
            principal_attended=True, summary="全校专业 30 个，拟合并 1 个")
    return world.submission


def _item(world: World) -> Any:
    # 合并 fills the offering and the one it merges into (新设's new major excludes an offering: SUB-D2).
    if not hasattr(world, "item"):
        target = Offering.objects.create(school=world.school_a,
                                         major=factories.MajorFactory(code="460104", name="机械制造及自动化"),
                                         start_year=2010, filed_on=dt.date(2009, 11, 30))
        world.item = SubmissionItem.objects.create(
            submission=_submission(world), offering=_offering(world), proposed_action="merge", merge_into=target,
            market_analysis="本地数控岗位需求下降", conditions_analysis="两专业共用实训基地",
            development_plan="并入机械制造及自动化专业")
    return world.item


def _assignment(world: World) -> Any:
    if not hasattr(world, "assignment"):
        world.assignment = ExpertAssignment.objects.create(submission=_submission(world), expert=_expert(world))
    return world.assignment


def _score(world: World) -> Any:
    return Score.objects.create(assignment=_assignment(world), item=_item(world), criterion=_criterion(world),
                                points=Decimal("26.5"), comment="需求分析充分，建议合并")


def _decision(world: World) -> Any:
    return Decision.objects.create(item=_item(world), action="merge", decided_on=DAY,
                                   conditions="一年内完成学生分流安置")


# model name -> (who edits it, builder of a fully populated object)
BUILDERS: dict[str, tuple[str, Callable[[World], Any]]] = {
    "school": ("bureau_admin", _school),
    "enterprise": ("bureau_admin", _enterprise),
    "department": ("bureau_admin", _department),
    "association": ("bureau_admin", _association),
    "institute": ("bureau_admin", _institute),
    "contact": ("bureau_admin", _contact),
    "teacher": ("bureau_admin", _teacher),
    "vocationalgroup": ("bureau_admin", _group),
    "boardterm": ("bureau_admin", _term),
    "boardseat": ("bureau_admin", _seat),
    "pillarindustry": ("bureau_admin", _pillar),
    "committee": ("bureau_admin", _committee),
    "committeemembership": ("bureau_admin", _committee_membership),
    "guidancecommittee": ("bureau_admin", _guidance),
    "guidancemember": ("bureau_admin", _guidance_member),
    "user": ("system_admin", _user),
    "membership": ("security_admin", _membership),
    "ruleparameter": ("bureau_admin", _rule_parameter),
    "event": ("bureau_admin", _event),
    "eventparticipation": ("bureau_admin", _participation),
    "agreement": ("bureau_admin", _agreement),
    "alliance": ("bureau_admin", _alliance),
    "visit": ("bureau_admin", _visit),
    "annualplan": ("bureau_admin", _plan),
    "plannedactivity": ("bureau_admin", _planned_activity),
    "teacherpractice": ("bureau_admin", _practice),
    "orderclass": ("bureau_admin", _order_class),
    "offering": ("bureau_admin", _offering),
    "offeringyear": ("bureau_admin", _offering_year),
    "expert": ("bureau_admin", _expert),
    "conflictdeclaration": ("bureau_admin", _conflict),
    "reviewround": ("bureau_admin", _round),
    "rubriccriterion": ("bureau_admin", _criterion),
    "submission": ("bureau_admin", _submission),
    "submissionitem": ("bureau_admin", _item),
    "expertassignment": ("bureau_admin", _assignment),
    "score": ("expert", _score),  # only the assigned expert writes a score (writes_by_rule_only)
    "decision": ("bureau_admin", _decision),
}


# -- the major layout: the crosswalk (a draft revising a published version), declared demand, a scenario, 一校一策 --


def _published_crosswalk(world: World) -> Any:
    if not hasattr(world, "published_crosswalk"):
        world.published_crosswalk = CrosswalkVersion.objects.create(
            number=1, title="全国专业产业对照表", published_on=dt.date(2019, 1, 1), status=CrosswalkStatus.PUBLISHED)
    return world.published_crosswalk


def _crosswalk(world: World) -> Any:
    if not hasattr(world, "crosswalk"):
        world.crosswalk = CrosswalkVersion.objects.create(
            number=2, title="中原区专业产业对照表", region=world.region, based_on=_published_crosswalk(world),
            note="在全国对照表基础上增加本地产业")
    return world.crosswalk


def _crosswalk_entry(world: World) -> Any:
    return CrosswalkEntry.objects.create(
        version=_crosswalk(world), class_code=world.major.class_code, major=world.major, industry=world.industry,
        occupation=_occupation(world), reason="数控技术服务锅炉及辅助设备制造", source="中原区产业发展规划")


def _occupation(world: World) -> Any:
    if not hasattr(world, "occupation"):
        world.occupation = factories.OccupationFactory(code="6-18-01-01", name="车工")
    return world.occupation


def _demand(world: World) -> Any:
    if not hasattr(world, "demand_committee"):
        world.demand_committee = _committee(world)
    return DeclaredDemand.objects.create(
        enterprise=world.enterprise, year=2019, occupation=_occupation(world), class_code=world.major.class_code,
        position="数控车工", headcount=12, education="associate", committee=world.demand_committee,
        note="三班倒，提供住宿")


def _scenario(world: World) -> Any:
    if not hasattr(world, "scenario"):
        world.scenario = Scenario.objects.create(title="2020年专业布局调整方案", region=world.region, base_on=DAY,
                                                 base_year=2019, note="撤并重复设置的专业")
    return world.scenario


def _scenario_change(world: World) -> Any:
    # 撤销 names the offering (SCN-D1: then no school or major; tests/browser/test_form_roundtrip.py EXCLUSIVE).
    return ScenarioChange.objects.create(scenario=_scenario(world), kind="close", offering=_offering(world),
                                         planned_intake=45, note="连续三年就业率低于 60%")


def _policy(world: World) -> Any:
    if not hasattr(world, "policy"):
        world.policy = SchoolPolicy.objects.create(school=world.school_a, title="2019—2022年专业建设方案",
                                                   start_year=2019, end_year=2022, summary="做强装备制造专业群")
    return world.policy


def _policy_target(world: World) -> Any:
    return PolicyTarget.objects.create(policy=_policy(world), action="strengthen", major=world.major,
                                       cluster="智能制造专业群", due_year=2021, note="建成市级骨干专业")


def _posting(world: World) -> Any:
    return JobPosting.objects.create(
        source="BOSS直聘", source_ref="20200420-1", title="数控车工", company_name=world.enterprise.name,
        company_uscc=world.enterprise.uscc, enterprise=world.enterprise, region=world.region, place_text="中原区",
        industry_text="机械制造", category_text="生产制造/普工", tags="数控编程, 车床", description="负责数控车床操作",
        education="secondary", experience="1-3年", salary_text="5-8K", year=2020, posted_on=dt.date(2020, 4, 20),
        corrected_class_code=world.major.class_code)


BUILDERS.update({
    "jobposting": ("bureau_admin", _posting),
    "crosswalkversion": ("bureau_admin", _crosswalk),
    "crosswalkentry": ("bureau_admin", _crosswalk_entry),  # of a draft: a published version is frozen
    "declareddemand": ("enterprise_contact", _demand),  # the enterprise declares its own
    "scenario": ("bureau_admin", _scenario),
    "scenariochange": ("bureau_admin", _scenario_change),
    "schoolpolicy": ("school_admin_a", _policy),
    "policytarget": ("school_admin_a", _policy_target),
})


def built(name: str) -> tuple[World, Any, Any]:
    """A fresh world, the catalog rows the builders use, and (persona user, populated object) for ``name``."""
    world = build_world()
    catalog(world)
    persona, builder = BUILDERS[name]
    return world, world.users[persona], builder(world)
