"""factory_boy factories for the platform's models (django-oscar's test factories are the model).

Every factory goes through the model's own ``save()``, so the objects they make are audited like
any other write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from factory.django import DjangoModelFactory

from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.catalog.models import Industry, Major, Occupation, Region
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
from chanjiao.orgs.models import (
    Association,
    BoardSeat,
    BoardTerm,
    Committee,
    CommitteeMembership,
    Contact,
    Department,
    Enterprise,
    GuidanceCommittee,
    GuidanceMember,
    Institute,
    PillarIndustry,
    School,
    Teacher,
    VocationalGroup,
)

PASSWORD = "Xq7!tr9#Lm2p"


def valid_uscc(n: int) -> str:
    """A 统一社会信用代码 with a correct check digit (GB 32100-2015)."""
    from stdnum.cn import uscc

    base = f"91410100MA{n % 10_000_000:07d}"
    return base + uscc.calc_check_digit(base)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n:03d}")
    full_name = factory.Sequence(lambda n: f"测试用户{n:03d}")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"测试职业技术学院{n:03d}")
    school_code = factory.Sequence(lambda n: f"41{n:08d}")
    school_level = "associate"
    funding = "public"


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试科技有限公司{n:03d}")
    uscc = factory.Sequence(lambda n: valid_uscc(n))
    size = "small"
    ownership = "private"


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试市直部门{n:03d}")
    is_industry_authority = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.SCHOOL_ADMIN
    organisation = factory.SubFactory(SchoolFactory)


def issue_token(user: User, name: str = "测试令牌", days: int | None = None) -> tuple[ApiToken, str]:
    return ApiToken.issue(user, name, days=days)


class _CatalogFactory(DjangoModelFactory):
    edition = "test"


class RegionFactory(_CatalogFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"41{n:04d}")
    name = factory.Sequence(lambda n: f"测试区{n:03d}")
    level = Region.Level.COUNTY


class IndustryFactory(_CatalogFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{n % 10000:04d}")
    name = factory.Sequence(lambda n: f"测试行业{n:03d}")
    level = Industry.Level.CLASS
    section = "C"


class OccupationFactory(_CatalogFactory):
    class Meta:
        model = Occupation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9-{n:02d}-00-{n:02d}")
    name = factory.Sequence(lambda n: f"测试职业{n:03d}")
    level = Occupation.Level.DETAIL


class MajorFactory(_CatalogFactory):
    class Meta:
        model = Major
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"51{n:04d}")
    name = factory.Sequence(lambda n: f"测试专业{n:03d}")
    level = Major.Level.ASSOCIATE
    category_code = "51"
    category_name = "测试大类"
    class_code = "5101"
    class_name = "测试专业类"


class AssociationFactory(DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"测试行业协会{n:03d}")


class InstituteFactory(DjangoModelFactory):
    class Meta:
        model = Institute

    name = factory.Sequence(lambda n: f"测试研究院{n:03d}")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"联系人{n:03d}")


class TeacherFactory(DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"教师{n:03d}")
    employee_no = factory.Sequence(lambda n: f"T{n:05d}")


class VocationalGroupFactory(DjangoModelFactory):
    class Meta:
        model = VocationalGroup

    name = factory.Sequence(lambda n: f"测试职业教育集团{n:03d}")
    secretariat = factory.SubFactory(DepartmentFactory)


class BoardTermFactory(DjangoModelFactory):
    class Meta:
        model = BoardTerm

    group = factory.SubFactory(VocationalGroupFactory)
    number = factory.Sequence(lambda n: n % 30 + 1)
    start_date = dt.date(2016, 10, 20)


class BoardSeatFactory(DjangoModelFactory):
    class Meta:
        model = BoardSeat

    term = factory.SubFactory(BoardTermFactory)
    role = "director"
    organisation = factory.SubFactory(SchoolFactory)
    person_name = factory.Sequence(lambda n: f"理事{n:03d}")


class PillarIndustryFactory(DjangoModelFactory):
    class Meta:
        model = PillarIndustry

    group = factory.SubFactory(VocationalGroupFactory)
    name = factory.Sequence(lambda n: f"支柱产业{n:03d}")


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    group = factory.SubFactory(VocationalGroupFactory)
    pillar = factory.SubFactory(PillarIndustryFactory, group=factory.SelfAttribute("..group"))
    name = factory.Sequence(lambda n: f"产学合作委员会{n:03d}")
    director = factory.SubFactory(EnterpriseFactory)


class CommitteeMembershipFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeMembership

    committee = factory.SubFactory(CommitteeFactory)
    organisation = factory.SubFactory(EnterpriseFactory)
    person_name = factory.Sequence(lambda n: f"委员{n:03d}")
    joined = dt.date(2016, 10, 20)


class GuidanceCommitteeFactory(DjangoModelFactory):
    class Meta:
        model = GuidanceCommittee

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"专业教学指导委员会{n:03d}")


class GuidanceMemberFactory(DjangoModelFactory):
    class Meta:
        model = GuidanceMember

    committee = factory.SubFactory(GuidanceCommitteeFactory)
    organisation = factory.SubFactory(EnterpriseFactory)
    person_name = factory.Sequence(lambda n: f"专家{n:03d}")
    joined = dt.date(2019, 9, 1)


class RuleParameterFactory(DjangoModelFactory):
    """A national PE-08 threshold; each row its own effective date (unique per rule, parameter, place, date)."""

    class Meta:
        model = "core.RuleParameter"

    rule_id = "PE-08"
    param = "min_years"
    jurisdiction = ""
    value = 3
    effective_from = factory.Sequence(lambda n: dt.date(2020, 1, 1) + dt.timedelta(days=n))
    source_note = "测试用依据"


class JobFactory(DjangoModelFactory):
    """A finished export job of a user (the pages and the reaper read such rows; the worker makes real ones)."""

    class Meta:
        model = "core.Job"

    kind = "export"
    title = factory.Sequence(lambda n: f"导出学校{n:03d}")
    user = factory.SubFactory(UserFactory)
    model_label = "orgs.school"
    params = factory.LazyFunction(lambda: {"ui": "orgs:school_list", "query": "export=xlsx", "mode": "list"})
    status = "succeeded"
    progress = 100


# --- the matching cycle (engagement) ----------------------------------------------------------------------------


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    kind = "symposium"
    title = factory.Sequence(lambda n: f"校企合作座谈会{n:03d}")
    date = dt.date(2024, 5, 20)
    committee = factory.SubFactory(CommitteeFactory)


class EventParticipationFactory(DjangoModelFactory):
    class Meta:
        model = EventParticipation

    event = factory.SubFactory(EventFactory)
    organisation = factory.SubFactory(EnterpriseFactory)


class AgreementFactory(DjangoModelFactory):
    """A draft agreement between one school and one enterprise (both sides named, as the form requires);
    ``schools=[…]`` / ``enterprises=[…]`` name other parties."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"校企深度合作协议{n:03d}")
    kind = "deep"
    start = dt.date(2024, 9, 1)

    @factory.post_generation
    def schools(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.schools.set(extracted if extracted is not None else [SchoolFactory()])

    @factory.post_generation
    def enterprises(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.enterprises.set(extracted if extracted is not None else [EnterpriseFactory()])


class AllianceFactory(DjangoModelFactory):
    class Meta:
        model = Alliance

    name = factory.Sequence(lambda n: f"专业发展联盟{n:03d}")
    lead_school = factory.SubFactory(SchoolFactory)
    founded = dt.date(2024, 5, 20)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit

    school = factory.SubFactory(SchoolFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    date = dt.date(2024, 4, 10)
    purpose = factory.Sequence(lambda n: f"走访了解用工需求{n:03d}")


class AnnualPlanFactory(DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    group = factory.SubFactory(VocationalGroupFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    number = factory.Sequence(lambda n: f"测教职成〔2024〕{n}号")
    title = factory.Sequence(lambda n: f"关于开展年度校企对接活动的通知{n:03d}")
    issued_on = dt.date(2024, 3, 1)


class PlannedActivityFactory(DjangoModelFactory):
    """A planned symposium of the plan's group (the committee is built in the plan's group)."""

    class Meta:
        model = PlannedActivity

    plan = factory.SubFactory(AnnualPlanFactory)
    committee = factory.LazyAttribute(lambda o: CommitteeFactory(group=o.plan.group,
                                                                 pillar__group=o.plan.group))
    kind = "symposium"
    title = factory.Sequence(lambda n: f"计划座谈会{n:03d}")
    month = 5


class TeacherPracticeFactory(DjangoModelFactory):
    class Meta:
        model = TeacherPractice

    teacher = factory.SubFactory(TeacherFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    start = dt.date(2024, 7, 1)
    end = dt.date(2024, 8, 31)
    form = "post"


class OrderClassFactory(DjangoModelFactory):
    class Meta:
        model = OrderClass

    school = factory.SubFactory(SchoolFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    major = factory.SubFactory(MajorFactory)
    cohort_year = 2024
    name = factory.Sequence(lambda n: f"订单班{n:03d}")
    planned = 40
    enrolled = 38


# --- the major layout (layout) ------------------------------------------------------------------------------------


class OfferingFactory(DjangoModelFactory):
    """A filed catalogue major of a school (a new school and major unless named)."""

    class Meta:
        model = "layout.Offering"

    school = factory.SubFactory(SchoolFactory)
    major = factory.SubFactory(MajorFactory)
    start_year = 2016
    filed_on = dt.date(2015, 11, 30)


class OfferingYearFactory(DjangoModelFactory):
    class Meta:
        model = "layout.OfferingYear"

    offering = factory.SubFactory(OfferingFactory)
    year = factory.Sequence(lambda n: 2000 + n % 100)
    planned_enrolment = 90
    enrolled = 86
    students = 252
    graduates = 80
    employed = 76
    employed_related = 61


def _city() -> Region:
    return RegionFactory(code="4199", name="测试市", level=Region.Level.CITY)


class ExpertFactory(DjangoModelFactory):
    """A pool expert of a city, without account or employer unless named."""

    class Meta:
        model = "layout.Expert"

    name = factory.Sequence(lambda n: f"评审专家{n:03d}")
    region = factory.LazyFunction(_city)


class ConflictDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = "layout.ConflictDeclaration"

    expert = factory.SubFactory(ExpertFactory)
    organisation = factory.SubFactory(SchoolFactory)
    reason = "曾在该校任职"
    declared_on = dt.date(2019, 11, 1)


class ReviewRoundFactory(DjangoModelFactory):
    """A draft round of a city (``status=`` places it in another state; tests move it with set_status)."""

    class Meta:
        model = "layout.ReviewRound"

    title = factory.Sequence(lambda n: f"专业设置答辩评审{n:03d}")
    region = factory.LazyFunction(_city)
    held_on = dt.date(2019, 12, 20)


class RubricCriterionFactory(DjangoModelFactory):
    class Meta:
        model = "layout.RubricCriterion"

    round = factory.SubFactory(ReviewRoundFactory)
    order = factory.Sequence(lambda n: n % 100 + 1)
    name = factory.Sequence(lambda n: f"评分项{n:03d}")
    max_points = 30


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = "layout.Submission"

    round = factory.SubFactory(ReviewRoundFactory)
    school = factory.SubFactory(SchoolFactory)
    submitted_on = dt.date(2019, 12, 1)
    principal = factory.Sequence(lambda n: f"校长{n:03d}")


class SubmissionItemFactory(DjangoModelFactory):
    """One of the submitting school's offerings, kept (SUB-D2: an existing offering of that school)."""

    class Meta:
        model = "layout.SubmissionItem"

    submission = factory.SubFactory(SubmissionFactory)
    offering = factory.LazyAttribute(lambda o: OfferingFactory(school=o.submission.school))
    proposed_action = "keep"
    market_analysis = "区域装备制造业每年需求技能人才三千人"
    conditions_analysis = "实训基地两个，双师型教师十二名"
    development_plan = "三年内建成省级高水平专业"


class ExpertAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = "layout.ExpertAssignment"

    submission = factory.SubFactory(SubmissionFactory)
    expert = factory.SubFactory(ExpertFactory)


class ScoreFactory(DjangoModelFactory):
    """Points on a criterion of the assignment's round, for an item of the assignment's submission (SCO-D1)."""

    class Meta:
        model = "layout.Score"

    assignment = factory.SubFactory(ExpertAssignmentFactory)
    item = factory.LazyAttribute(lambda o: SubmissionItemFactory(submission=o.assignment.submission))
    criterion = factory.LazyAttribute(lambda o: RubricCriterionFactory(round=o.assignment.submission.round))
    points = 24


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = "layout.Decision"

    item = factory.SubFactory(SubmissionItemFactory)
    action = "keep"
    decided_on = dt.date(2019, 12, 25)


# --- the major layout: crosswalk, declared demand, scenarios, 一校一策 ----------------------------------------------


class CrosswalkVersionFactory(DjangoModelFactory):
    """A draft version of the platform's default (no region) unless named; ``status=`` places it elsewhere."""

    class Meta:
        model = "layout.CrosswalkVersion"

    number = factory.Sequence(lambda n: 100 + n)
    title = factory.Sequence(lambda n: f"专业产业对照表{n:03d}")


class CrosswalkEntryFactory(DjangoModelFactory):
    """A 专业类 → industry entry; the class is the (factory) major's, so CW-D1 holds."""

    class Meta:
        model = "layout.CrosswalkEntry"

    version = factory.SubFactory(CrosswalkVersionFactory)
    class_code = factory.LazyFunction(lambda: MajorFactory().class_code)
    industry = factory.SubFactory(IndustryFactory)
    reason = "该专业类培养该行业所需技术技能人才"
    source = "《职业教育专业目录（2021年）》"


class DeclaredDemandFactory(DjangoModelFactory):
    """An enterprise's need for people of the (factory) major's 专业类 (DEM-D1: a known class)."""

    class Meta:
        model = "layout.DeclaredDemand"

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2019
    class_code = factory.LazyFunction(lambda: MajorFactory().class_code)
    position = factory.Sequence(lambda n: f"技术岗位{n:03d}")
    headcount = 10


class JobPostingFactory(DjangoModelFactory):
    """A job advert; its salary range, fingerprint and classification are computed on save."""

    class Meta:
        model = "layout.JobPosting"

    source = "市人才网"
    source_ref = factory.Sequence(lambda n: f"{n:06d}")
    title = "数控车工"
    company_name = factory.Sequence(lambda n: f"宜昌测试机械有限公司{n:03d}")
    salary_text = "5-8K"
    year = 2020


class ScenarioFactory(DjangoModelFactory):
    class Meta:
        model = "layout.Scenario"

    title = factory.Sequence(lambda n: f"调整方案{n:03d}")
    region = factory.LazyFunction(_city)
    base_on = dt.date(2019, 9, 1)
    base_year = 2019


class ScenarioChangeFactory(DjangoModelFactory):
    """撤销 of a (new) offering — SCN-D1: a closing change names the offering only."""

    class Meta:
        model = "layout.ScenarioChange"

    scenario = factory.SubFactory(ScenarioFactory)
    kind = "close"
    offering = factory.SubFactory(OfferingFactory)


class SchoolPolicyFactory(DjangoModelFactory):
    class Meta:
        model = "layout.SchoolPolicy"

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"专业布局调整方案{n:03d}")
    start_year = 2019
    end_year = 2022


class PolicyTargetFactory(DjangoModelFactory):
    class Meta:
        model = "layout.PolicyTarget"

    policy = factory.SubFactory(SchoolPolicyFactory)
    action = "strengthen"
    major = factory.SubFactory(MajorFactory)
    due_year = 2021
