"""Harness tests for the major layout (issue #10): offerings, their yearly figures, the expert pool and the
defence reviews (rounds, rubric, submissions, items, assignments, scores, decisions).

Scope rules exercised (chanjiao/layout/models.py):

* offerings and their yearly figures: read by every business user; written by the school's admin (and the
  global writers);
* the expert pool: kept by the bureau; an expert reads their own entry; conflicts of interest are declared
  by the expert (own) or the bureau;
* rounds and their rubric: read by every business user; written by the bureau only;
* submissions and their items: the school writes while the round accepts submissions (the bureau always);
  read by the school and the experts assigned to them;
* assignments: the bureau's; an expert reads their own; schools never see their panel (blind review);
* scores: written only by the assigned expert while the round is under review — the bureau reads them and
  never writes (``writes_by_rule_only``);
* decisions: the bureau's; the school reads what was decided for it.

The rows the forms name are made by ``layout_world`` (also from ``in_scope``: tests/core/test_menus.py makes
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
from chanjiao.layout.models import (
    Decision,
    DecisionStatus,
    Expert,
    ExpertAssignment,
    Offering,
    OfferingStatus,
    ReviewRound,
    RoundStatus,
    Score,
    Submission,
)
from tests import factories
from tests.attachment_harness import MISMATCHED, PNG, AttachmentHarness, upload
from tests.harness import ModelHarness, api_patch, api_post, as_post, listed_pks, state
from tests.workflow_harness import WorkflowHarness

_numbers = itertools.count(100)

# Bookkeeping no request body may set (AC-05 mass assignment).
_BOOKKEEPING = {"id": 99999, "created_at": "2000-01-01T00:00:00+08:00", "updated_at": "2000-01-01T00:00:00+08:00"}
WRITERS = {"bureau_admin", "secretariat"}


@pytest.fixture(autouse=True)
def layout_world(world: Any) -> Any:
    """Rows the create forms name, made before any harness count is taken."""
    return _ensure(world)


def _ensure(world: Any) -> Any:
    if hasattr(world, "review_round"):
        return world
    world.city = factories.RegionFactory(code="4199", name="测试市", level=Region.Level.CITY)
    world.major = factories.MajorFactory(code="460103", name="数控技术")
    world.major_b = factories.MajorFactory(code="460104", name="机械制造及自动化")
    world.offering_a = factories.OfferingFactory(school=world.school_a, major=world.major)
    world.offering_b = factories.OfferingFactory(school=world.school_b, major=world.major)
    # The expert persona's pool entry; another expert without account; an account for the create form.
    world.expert_profile = factories.ExpertFactory(name="钱专家", region=world.city, user=world.users["expert"])
    world.other_expert = factories.ExpertFactory(name="孙专家", region=world.city)
    world.panel_expert = factories.ExpertFactory(name="吴专家", region=world.city)  # on no panel yet
    world.insider = factories.ExpertFactory(name="甲校教师专家", region=world.city, organisation=world.school_a)
    if "expert_two" not in world.users:
        two = factories.UserFactory(username="expert_two", full_name="李专家")
        Membership.objects.create(user=two, role=Role.EXPERT)
        world.users["expert_two"] = two
    # A round accepting submissions (school A and B have submitted), another one school A has not entered yet.
    world.open_round = factories.ReviewRoundFactory(title="2019年专业设置答辩评审", status=RoundStatus.OPEN)
    world.fresh_round = factories.ReviewRoundFactory(title="2020年专业设置答辩评审", status=RoundStatus.OPEN)
    world.draft_round = factories.ReviewRoundFactory(title="筹备中的答辩评审")
    world.submission_a = factories.SubmissionFactory(round=world.open_round, school=world.school_a, principal="甲校长")
    world.submission_b = factories.SubmissionFactory(round=world.open_round, school=world.school_b, principal="乙校长")
    world.decision_item = factories.SubmissionItemFactory(submission=world.submission_a)
    # A round under review: the expert persona and the other expert are on school A's panel.
    world.review_round = factories.ReviewRoundFactory(title="2018年专业设置答辩评审", status=RoundStatus.REVIEWING)
    world.criterion = factories.RubricCriterionFactory(round=world.review_round, name="市场需求", max_points=30)
    world.reviewed = factories.SubmissionFactory(round=world.review_round, school=world.school_a, principal="评审中")
    world.score_item = factories.SubmissionItemFactory(submission=world.reviewed, offering=world.offering_a)
    world.assignment = factories.ExpertAssignmentFactory(submission=world.reviewed, expert=world.expert_profile)
    world.other_assignment = factories.ExpertAssignmentFactory(submission=world.reviewed, expert=world.other_expert)
    return world


def _texts() -> dict[str, str]:
    return {"market_analysis": "本地装备制造企业每年需求数控技术人才五百人",
            "conditions_analysis": "实训工位八十个，双师型教师十名", "development_plan": "三年内建成市级骨干专业"}


# ------------------------------------------------------------------------------------ offerings


class TestOfferingViews(ModelHarness):
    ui = ui.offerings
    api_path = "/api/layout/offerings/"
    persona = "school_admin_a"  # files and edits its own majors
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # a city's majors are public within the group: firms read them
    out_of_scope_visible = True  # school B's major: readable, not school A's to edit
    owner_field = "school"
    natural_key = "filing_ref"
    edit_changes = {"direction": "智能制造方向", "cluster": "智能制造专业群"}
    # The status moves only through the workflow.
    protected_fields = {**_BOOKKEEPING, "status": OfferingStatus.CANCELLED}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.OfferingFactory(school=world.school_a, filing_ref=f"2015-A-{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.OfferingFactory(school=world.school_b, filing_ref="2015-B-1")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"school": world.school_a.pk, "major": world.major_b.pk, "direction": "数控设备维修",
                "cluster": "装备制造专业群", "start_year": 2016, "filed_on": "2015-11-30",
                "filing_ref": "2015-460104-01"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Both a catalogue major and an off-catalogue name, a first year before 2000.
        return {"school": world.school_a.pk, "major": world.major_b.pk, "off_catalogue_name": "目录外专业",
                "start_year": 1999, "filed_on": "2015-11-30", "filing_ref": "无效"}

    def marker(self, obj: Any) -> str:
        return obj.major_name


class TestOfferingYearViews(ModelHarness):
    ui = ui.offering_years
    api_path = "/api/layout/offering-years/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    read_only_persona = "enterprise_contact"  # published in the 质量年报: readable like the offering
    out_of_scope_visible = True
    owner_field = "offering"
    natural_key = "year"
    edit_changes = {"enrolled": 88, "starting_salary": 4300}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.OfferingYearFactory(offering=factories.OfferingFactory(school=world.school_a),
                                             year=2000 + next(_numbers) % 20)

    def out_of_scope(self, world: Any) -> Any:
        return factories.OfferingYearFactory(offering=world.offering_b, year=2019)

    def owner_value(self, world: Any) -> Any:
        return world.offering_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"offering": world.offering_a.pk, "year": 2030, "planned_enrolment": 90, "enrolled": 86,
                "students": 252, "graduates": 80, "employed": 76, "employed_related": 61, "starting_salary": 4200,
                "satisfaction": "92.5"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # More placed than graduated (OFY-D1), a satisfaction over 100 %.
        return {"offering": world.offering_a.pk, "year": 2031, "graduates": 10, "employed": 20,
                "satisfaction": "120"}

    def marker(self, obj: Any) -> str:
        return str(obj.offering)


# ------------------------------------------------------------------------------------ the expert pool


class TestExpertViews(ModelHarness):
    ui = ui.experts
    api_path = "/api/layout/experts/"
    persona = "bureau_admin"  # the bureau keeps the pool
    creator = "bureau_admin"
    read_only_persona = "leader"
    has_out_of_scope = False  # the bureau reads and writes every entry; an expert's own view: plain tests below
    natural_key = "name"
    edit_changes = {"title": "正高级讲师", "speciality": "数控技术、智能制造"}
    protected_fields = {**_BOOKKEEPING, "user": 1}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ExpertFactory(name=f"专家{next(_numbers)}", region=world.city, organisation=world.enterprise)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"name": "周专家", "region": world.city.pk, "organisation": world.enterprise.pk, "title": "高级工程师",
                "speciality": "工业机器人", "username": "expert_two"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # No name, no region, an account without the expert role.
        return {"name": "", "username": "school_admin_a"}

    def marker(self, obj: Any) -> str:
        return obj.name


class TestConflictDeclarationViews(ModelHarness):
    ui = ui.conflicts
    api_path = "/api/layout/conflicts/"
    persona = "expert"  # declares their own conflicts
    creator = "expert"
    read_only_persona = "leader"
    out_of_scope_visible = False  # another expert's declarations: not theirs to see
    natural_key = "reason"
    edit_changes = {"reason": "配偶在该单位任职"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ConflictDeclarationFactory(expert=world.expert_profile, reason=f"曾在该校任教{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.ConflictDeclarationFactory(expert=world.other_expert, reason="孙专家的回避单位")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"expert": world.expert_profile.pk, "organisation": world.school_b.pk, "reason": "近三年在乙校兼职",
                "declared_on": "2019-11-01"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Another expert's entry, no reason, an impossible date.
        return {"expert": world.other_expert.pk, "organisation": world.school_b.pk, "reason": "",
                "declared_on": "2019-02-30"}

    def marker(self, obj: Any) -> str:
        return obj.reason


# ------------------------------------------------------------------------------------ rounds and rubric


class TestReviewRoundViews(ModelHarness):
    ui = ui.rounds
    api_path = "/api/layout/review-rounds/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # schools read the rounds to submit to them
    has_out_of_scope = False
    natural_key = "title"
    edit_changes = {"scope_note": "全市中职学校全部专业", "title": "2019年度专业设置答辩评审（修订）"}
    protected_fields = {**_BOOKKEEPING, "status": RoundStatus.DECIDED}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ReviewRoundFactory(title=f"专业答辩评审{next(_numbers)}", region=world.city)

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"title": "2021年专业设置答辩评审", "region": world.city.pk, "held_on": "2021-12-20",
                "deadline": "2021-11-30", "scope_note": "全市职业院校拟调整专业"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        return {"title": "", "region": world.city.pk, "held_on": "2021-13-01"}

    def marker(self, obj: Any) -> str:
        return obj.title


class TestRubricCriterionViews(ModelHarness):
    ui = ui.criteria
    api_path = "/api/layout/rubric-criteria/"
    persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "expert"  # the expert reads the rubric they score by
    has_out_of_scope = False
    natural_key = "name"
    edit_changes = {"guidance": "结合区域产业规划与就业数据", "order": 3}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.RubricCriterionFactory(round=world.open_round, name=f"评分项{next(_numbers)}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"round": world.open_round.pk, "order": 2, "name": "办学条件", "max_points": "25",
                "guidance": "师资、实训条件"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # No name, a maximum below half a point.
        return {"round": world.open_round.pk, "order": 2, "name": "", "max_points": "0"}

    def marker(self, obj: Any) -> str:
        return obj.name


# ------------------------------------------------------------------------------------ submissions


class TestSubmissionViews(ModelHarness):
    ui = ui.submissions
    api_path = "/api/layout/submissions/"
    persona = "school_admin_a"  # submits while the round accepts submissions
    creator = "school_admin_a"
    read_only_persona = "leader"
    out_of_scope_visible = False  # school B's submission is not school A's business
    owner_field = "school"
    natural_key = "principal"
    edit_changes = {"summary": "全校专业 32 个，拟撤销 2 个", "principal_attended": True}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        round_ = factories.ReviewRoundFactory(status=RoundStatus.OPEN)
        return factories.SubmissionFactory(round=round_, school=world.school_a, principal=f"甲校长{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return world.submission_b

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"round": world.fresh_round.pk, "school": world.school_a.pk, "submitted_on": "2019-12-01",
                "principal": "张校长", "principal_attended": True, "summary": "全校专业 30 个"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # A round that does not accept submissions, no principal.
        return {"round": world.draft_round.pk, "school": world.school_a.pk, "submitted_on": "2019-12-01",
                "principal": ""}

    def marker(self, obj: Any) -> str:
        return obj.principal


class TestSubmissionItemViews(ModelHarness):
    ui = ui.items
    api_path = "/api/layout/submission-items/"
    persona = "school_admin_a"
    creator = "school_admin_a"
    read_only_persona = "leader"
    out_of_scope_visible = False
    owner_field = "submission"
    natural_key = "development_plan"
    edit_changes = {"development_plan": "两年内建成省级高水平专业", "proposed_action": "strengthen"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.SubmissionItemFactory(submission=world.submission_a,
                                               development_plan=f"建设规划{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.SubmissionItemFactory(submission=world.submission_b)  # its own major: a distinct marker

    def owner_value(self, world: Any) -> Any:
        return world.submission_b.pk

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"submission": world.submission_a.pk, "offering": world.offering_a.pk, "proposed_action": "keep",
                **_texts()}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # 合并 without an offering to merge into (SUB-D2), no market analysis.
        return {"submission": world.submission_a.pk, "offering": world.offering_a.pk, "proposed_action": "merge",
                **_texts(), "market_analysis": ""}

    def marker(self, obj: Any) -> str:
        return obj.offering.major_name


# ------------------------------------------------------------------------------------ assignment, scores, decisions


class TestExpertAssignmentViews(ModelHarness):
    ui = ui.assignments
    api_path = "/api/layout/assignments/"
    persona = "bureau_admin"  # the bureau forms the panels
    # Its only fields are the submission and the expert: a change names another row, which the harness's
    # static ``edit_changes`` cannot; reassigning is a plain test below.
    persona_writes = False
    deleter_persona = "bureau_admin"
    creator = "bureau_admin"
    read_only_persona = "leader"
    has_out_of_scope = False
    natural_key = "expert"

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ExpertAssignmentFactory(submission=world.submission_a,
                                                 expert=factories.ExpertFactory(region=world.city))

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"submission": world.submission_a.pk, "expert": world.panel_expert.pk}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # REV-01: an expert who works at the school.
        return {"submission": world.submission_a.pk, "expert": world.insider.pk}

    def marker(self, obj: Any) -> str:
        return obj.expert.name


class TestScoreViews(ModelHarness):
    ui = ui.scores
    api_path = "/api/layout/scores/"
    persona = "expert"  # the assigned expert scores while the round is under review
    creator = "expert"
    # writes_by_rule_only: the bureau reads every score and writes none (403 on add, edit, delete).
    read_only_persona = "bureau_admin"
    out_of_scope_visible = False  # another expert's score: not theirs to see
    natural_key = "comment"
    edit_changes = {"points": 25, "comment": "市场调研扎实"}
    protected_fields = _BOOKKEEPING

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        return factories.ScoreFactory(assignment=world.assignment, comment=f"评语{next(_numbers)}")

    def out_of_scope(self, world: Any) -> Any:
        return factories.ScoreFactory(assignment=world.other_assignment, item=world.score_item,
                                      criterion=world.criterion, comment="孙专家的评语")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"assignment": world.assignment.pk, "item": world.score_item.pk, "criterion": world.criterion.pk,
                "points": "26.5", "comment": "需求分析充分"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # Over the criterion's 30 points (REV-02).
        return {"assignment": world.assignment.pk, "item": world.score_item.pk, "criterion": world.criterion.pk,
                "points": "31", "comment": "超出满分"}

    def marker(self, obj: Any) -> str:
        return str(obj.item)


class TestDecisionViews(ModelHarness):
    ui = ui.decisions
    api_path = "/api/layout/decisions/"
    persona = "bureau_admin"  # the bureau decides
    creator = "bureau_admin"
    read_only_persona = "school_admin_a"  # the school reads what was decided for it
    has_out_of_scope = False
    natural_key = "conditions"
    edit_changes = {"conditions": "两年内完成实训基地建设，否则暂停招生", "action": "strengthen"}
    protected_fields = {**_BOOKKEEPING, "status": DecisionStatus.APPLIED}

    def in_scope(self, world: Any) -> Any:
        _ensure(world)
        item = factories.SubmissionItemFactory(submission=world.submission_a)
        return factories.DecisionFactory(item=item, conditions=f"条件{next(_numbers)}")

    def create_data(self, world: Any) -> dict[str, Any]:
        return {"item": world.decision_item.pk, "action": "keep", "decided_on": "2019-12-25",
                "conditions": "保持招生规模"}

    def invalid_data(self, world: Any) -> dict[str, Any]:
        # 新设 for an existing offering (DEC-D1), an impossible date.
        return {"item": world.decision_item.pk, "action": "open", "decided_on": "2019-12-32", "conditions": "无效"}

    def marker(self, obj: Any) -> str:
        return str(obj.item)


# ------------------------------------------------------------------------------------ workflows


class TestOfferingWorkflow(WorkflowHarness):
    model = Offering
    ui = ui.offerings
    api_path = "/api/layout/offerings/"
    # The school's own steps (and the global writers'); every other business user reads and is refused.
    _SCHOOL = {*WRITERS, "school_admin_a"}
    permitted = {"start_enrolment": _SCHOOL, "suspend": _SCHOOL, "resume": _SCHOOL, "cancel": _SCHOOL,
                 "refile": _SCHOOL}

    def fresh(self, world: Any, status: str) -> Offering:
        return factories.OfferingFactory(school=world.school_a, status=status)


class TestReviewRoundWorkflow(WorkflowHarness):
    model = ReviewRound
    ui = ui.rounds
    api_path = "/api/layout/review-rounds/"
    permitted = {"open": WRITERS, "start_review": WRITERS, "decide": WRITERS}

    def fresh(self, world: Any, status: str) -> ReviewRound:
        # A rubric and a submission: every guard passes.
        round_ = factories.ReviewRoundFactory(status=status)
        factories.RubricCriterionFactory(round=round_)
        factories.SubmissionFactory(round=round_, school=world.school_a)
        return round_

    def blocked(self, world: Any, name: str) -> tuple[ReviewRound, str]:
        if name == "open":
            return factories.ReviewRoundFactory(title="没有评分标准的评审"), "请先设置评分标准"
        assert name == "start_review"
        round_ = factories.ReviewRoundFactory(title="无人申报的评审", status=RoundStatus.OPEN)
        factories.RubricCriterionFactory(round=round_)
        return round_, "尚无学校提交答辩材料"


class TestDecisionWorkflow(WorkflowHarness):
    model = Decision
    ui = ui.decisions
    api_path = "/api/layout/decisions/"
    permitted = {"apply": WRITERS}

    def fresh(self, world: Any, status: str) -> Decision:
        # 保留 in a decided round: applying it moves nothing, so only the decision's own workflow is exercised.
        if not hasattr(world, "decided"):
            round_ = factories.ReviewRoundFactory(title="已公布决定的评审", status=RoundStatus.DECIDED)
            world.decided = factories.SubmissionFactory(round=round_, school=world.school_a)
        item = factories.SubmissionItemFactory(submission=world.decided)
        return factories.DecisionFactory(item=item, status=status)

    def blocked(self, world: Any, name: str) -> tuple[Decision, str]:
        assert name == "apply"
        item = factories.SubmissionItemFactory(submission=world.reviewed)  # the round is still under review
        return factories.DecisionFactory(item=item), "评审尚未公布决定"


# ------------------------------------------------------------------------------------ attachments


class _LayoutAttachments(AttachmentHarness):
    """Both uses take PDF, Word and Excel: the JPG/PNG content cases are refused by type first."""

    owner = "school_admin_a"

    @pytest.mark.parametrize("case", ["exe_as_pdf", "png_as_pdf"])
    def test_it_refuses_content_that_does_not_match_the_extension(self, world: Any, case: str) -> None:
        assert MISMATCHED[case][0].endswith(".pdf")
        super().test_it_refuses_content_that_does_not_match_the_extension(world, case)

    def test_it_refuses_a_type_outside_the_allowlist_of_the_use(self, world: Any) -> None:
        assert "只接受以下格式" in self.refused(world, "照片.png", PNG)

    def test_uploading_to_the_other_organisation_is_403_and_stores_nothing(self, world: Any, login: Any) -> None:
        # Replaces the generated 403: school B's submission does not exist for school A (404), as everywhere.
        from tests.attachment_harness import PDF

        response = login(self.owner).post(self.upload_url(self.other(world)),
                                          {"kind": self.kind, "file": upload("答辩材料.pdf", PDF)})
        assert response.status_code == 404
        self.assert_nothing_stored()


class TestSubmissionDefenceFiles(_LayoutAttachments):
    """答辩材料 on a submission: uploaded by the school while it may edit the submission (the round open)."""

    ui = ui.submissions
    kind = "defence_file"
    other_kind = "defence_file"

    def parent(self, world: Any) -> Submission:
        return world.submission_a

    def other(self, world: Any) -> Submission:
        return world.submission_b


class TestSubmissionItemAnalyses(_LayoutAttachments):
    """分析报告 on a major of a submission."""

    ui = ui.items
    kind = "analysis"
    other_kind = "analysis"

    def parent(self, world: Any) -> Any:
        if not hasattr(world, "analysed"):
            world.analysed = factories.SubmissionItemFactory(submission=world.submission_a)
        return world.analysed

    def other(self, world: Any) -> Any:
        if not hasattr(world, "unrelated"):
            world.unrelated = factories.SubmissionItemFactory(submission=world.submission_b, offering=world.offering_b)
        return world.unrelated


# ------------------------------------------------------------------------------------ rules across the models


def test_the_bureau_reads_scores_but_never_writes_them(world: Any, login: Any) -> None:
    h = TestScoreViews()
    score = h.in_scope(world)
    before, count = state(score), Score._base_manager.count()
    client = login("bureau_admin")
    assert score.pk in listed_pks(client.get(h.url("list") + "?per_page=100"))
    response = client.get(h.url("detail", score))
    assert response.status_code == 200 and response.context["can_edit"] is False
    assert client.get(h.url("add")).status_code == 403
    assert client.post(h.url("add"), as_post(h.create_data(world))).status_code == 403
    assert client.get(h.url("edit", score)).status_code == 403
    assert client.post(h.url("edit", score), as_post({**h.edit_data(world, score), "points": "1"})).status_code == 403
    assert api_post(client, h.api_url(), h.create_data(world)).status_code == 403
    assert api_patch(client, h.api_url(score), {"points": 1}).status_code == 403
    assert client.delete(h.api_url(score)).status_code == 403
    assert state(score) == before and Score._base_manager.count() == count


def test_the_expert_edits_their_own_score_only_while_the_round_is_under_review(world: Any, login: Any) -> None:
    h = TestScoreViews()
    score = h.in_scope(world)
    client = login("expert")
    response = client.post(h.url("edit", score), as_post({**h.edit_data(world, score), "points": "27"}))
    assert response.status_code == 302
    assert state(score)["points"] == "27.0"
    # Another expert's score on the same submission stays out of sight.
    theirs = h.out_of_scope(world)
    assert client.get(h.url("detail", theirs)).status_code == 404
    assert api_patch(client, h.api_url(theirs), {"points": 1}).status_code == 404
    # Once the round's decision is published, the score is read only.
    ReviewRound.objects.filter(pk=world.review_round.pk).update(status=RoundStatus.DECIDED)
    before = state(score)
    assert client.get(h.url("detail", score)).status_code == 200
    assert client.post(h.url("edit", score), as_post({**h.edit_data(world, score), "points": "5"})).status_code == 403
    assert api_patch(client, h.api_url(score), {"points": 5}).status_code == 403
    assert state(score) == before


def test_a_conflict_declared_after_the_assignment_hides_the_submission_from_the_expert(world: Any,
                                                                                        login: Any) -> None:
    h = TestScoreViews()
    score = h.in_scope(world)
    client = login("expert")
    assert client.get(h.url("detail", score)).status_code == 200
    factories.ConflictDeclarationFactory(expert=world.expert_profile, organisation=world.school_a)
    assert client.get(h.url("detail", score)).status_code == 404
    assert client.get(TestSubmissionViews().url("detail", world.reviewed)).status_code == 404
    assert client.get(TestExpertAssignmentViews().url("detail", world.assignment)).status_code == 404


@pytest.mark.parametrize("persona", ["school_admin_a", "school_admin_b", "enterprise_contact"])
def test_schools_never_see_their_panel_or_its_scores(world: Any, login: Any, persona: str) -> None:
    score = TestScoreViews().in_scope(world)
    client = login(persona)
    for h, obj in ((TestExpertAssignmentViews(), world.assignment), (TestScoreViews(), score)):
        response = client.get(h.url("list") + "?per_page=100")
        assert response.status_code == 200
        assert listed_pks(response) == set(), (persona, h.ui.name)
        assert client.get(h.url("detail", obj)).status_code == 404
        assert client.get(h.api_url(obj)).status_code == 404
        assert client.get(h.api_url() + "?page_size=200").json()["results"] == []
    # Nor do the submission's tabs show them (rows only through rows_for).
    if persona == "school_admin_a":
        page = client.get(TestSubmissionViews().url("detail", world.reviewed)).content.decode()
        assert world.expert_profile.name not in page and world.other_expert.name not in page


def test_an_expert_reads_their_own_entry_assignments_and_the_submission_only(world: Any, login: Any) -> None:
    client = login("expert")
    experts = TestExpertViews()
    assert listed_pks(client.get(experts.url("list") + "?per_page=100")) == {world.expert_profile.pk}
    assert client.get(experts.url("detail", world.other_expert)).status_code == 404
    assert client.get(experts.url("edit", world.expert_profile)).status_code == 403
    assignments = TestExpertAssignmentViews()
    assert listed_pks(client.get(assignments.url("list") + "?per_page=100")) == {world.assignment.pk}
    assert client.get(assignments.url("detail", world.other_assignment)).status_code == 404
    submissions = TestSubmissionViews()
    assert client.get(submissions.url("detail", world.reviewed)).status_code == 200
    assert client.get(submissions.url("detail", world.submission_a)).status_code == 404  # not on that panel
    assert client.get(submissions.url("edit", world.reviewed)).status_code == 403


def test_the_bureau_reassigns_a_panel_seat_and_rev01_refuses_an_insider(world: Any, login: Any) -> None:
    h = TestExpertAssignmentViews()
    seat = h.in_scope(world)
    client = login("bureau_admin")
    newcomer = world.panel_expert
    response = client.post(h.url("edit", seat), as_post({"submission": seat.submission_id, "expert": newcomer.pk}))
    assert response.status_code == 302
    assert ExpertAssignment.objects.get(pk=seat.pk).expert == newcomer
    before = state(seat)
    insider = world.insider
    response = client.post(h.url("edit", seat), as_post({"submission": seat.submission_id, "expert": insider.pk}))
    assert response.status_code == 400
    assert "该专家须回避此学校" in response.content.decode()
    assert api_patch(client, h.api_url(seat), {"expert": insider.pk}).status_code == 400
    assert state(seat) == before


def test_a_school_submits_only_while_the_round_accepts_submissions(world: Any, login: Any) -> None:
    h = TestSubmissionViews()
    client = login("school_admin_a")
    form = client.get(h.url("add")).context["form"]
    offered = {r.pk for r in form.fields["round"].queryset}
    assert world.fresh_round.pk in offered and world.draft_round.pk not in offered
    assert world.review_round.pk not in offered
    # Its submission to a round under review is read only now.
    assert client.get(h.url("detail", world.reviewed)).context["can_edit"] is False
    assert client.get(h.url("edit", world.reviewed)).status_code == 403


def test_the_expert_form_links_an_expert_account_by_username(world: Any, login: Any) -> None:
    h = TestExpertViews()
    client = login("bureau_admin")
    assert client.post(h.url("add"), as_post(h.create_data(world))).status_code == 302
    assert Expert.objects.get(name="周专家").user == world.users["expert_two"]
    taken = {**h.create_data(world), "name": "重复账号", "username": "expert"}
    response = client.post(h.url("add"), as_post(taken))
    assert response.status_code == 400
    assert "该账号已关联其他专家。" in response.content.decode()
    assert not Expert._base_manager.filter(name="重复账号").exists()
