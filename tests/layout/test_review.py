"""Review rounds (issue #10 point 5): conflict-free assignment, range-checked scoring by the assigned
expert only, the trimmed mean, and decisions that move offerings through their own workflow."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from typing import Any

import pytest

from chanjiao.core.workflow import StatusChange, TransitionRefused
from chanjiao.layout import services
from chanjiao.layout.models import (
    ConflictDeclaration,
    Decision,
    DecisionStatus,
    Expert,
    ExpertAssignment,
    Offering,
    OfferingStatus,
    ReviewRound,
    RoundStatus,
    RubricCriterion,
    Score,
    Submission,
    SubmissionItem,
)
from tests import factories
from tests.harness import api_post, as_post, state

pytestmark = pytest.mark.django_db

DAY = dt.date(2019, 12, 20)


def _region() -> Any:
    return factories.RegionFactory(code="4205", name="宜昌市", level=2)


def _round(status: str = RoundStatus.OPEN, **fields: Any) -> ReviewRound:
    r = ReviewRound.objects.create(title=fields.pop("title", "2019年专业设置答辩评审"), region=_region(),
                                   held_on=DAY, status=status, **fields)
    RubricCriterion.objects.create(round=r, order=1, name="市场需求", max_points=Decimal(30))
    RubricCriterion.objects.create(round=r, order=2, name="办学条件", max_points=Decimal(30))
    return r


def _offering(school: Any, *, status: str = OfferingStatus.ENROLLING, filed: dt.date = dt.date(2012, 9, 1)) -> Offering:
    return Offering.objects.create(school=school, major=factories.MajorFactory(), start_year=filed.year,
                                   filed_on=filed, status=status)


def _item(submission: Submission, offering: Offering | None, action: str = "keep", **fields: Any) -> SubmissionItem:
    return SubmissionItem.objects.create(submission=submission, offering=offering, proposed_action=action,
                                         market_analysis="需求", conditions_analysis="条件", development_plan="规划",
                                         **fields)


def _submission(round_: ReviewRound, school: Any) -> Submission:
    return Submission.objects.create(round=round_, school=school, submitted_on=DAY, principal="张校长",
                                     principal_attended=True)


def _expert(name: str, organisation: Any = None, user: Any = None) -> Expert:
    return Expert.objects.create(name=name, region=_region(), organisation=organisation, user=user)


# -- assignment -------------------------------------------------------------------------------------------------


def test_an_expert_is_never_assigned_to_their_own_organisation(world: Any, login: Any) -> None:
    submission = _submission(_round(), world.school_a)
    insider = _expert("甲校专家", organisation=world.school_a)
    client = login("bureau_admin")
    before = ExpertAssignment._base_manager.count()
    data = {"submission": submission.pk, "expert": insider.pk}
    response = client.post("/layout/expertassignment/add/", as_post(data))
    assert response.status_code == 400
    assert "该专家须回避此学校" in response.content.decode()
    answer = api_post(client, "/api/layout/assignments/", {"submission": submission.pk, "expert": insider.pk})
    assert answer.status_code == 400, answer.content
    assert "该专家须回避此学校" in json.dumps(answer.json(), ensure_ascii=False)
    assert ExpertAssignment._base_manager.count() == before


def test_a_declared_conflict_refuses_the_assignment_and_hides_an_earlier_one(world: Any, login: Any) -> None:
    submission = _submission(_round(), world.school_a)
    expert = _expert("企业专家", organisation=world.enterprise, user=world.expert)
    client = login("bureau_admin")
    assert client.post("/layout/expertassignment/add/",
                       as_post({"submission": submission.pk, "expert": expert.pk})).status_code == 302
    assignment = ExpertAssignment.objects.get(expert=expert)
    assert login("expert").get(f"/layout/submission/{submission.pk}/").status_code == 200
    # The expert declares a conflict after being assigned: the submission disappears from their view at once.
    ConflictDeclaration.objects.create(expert=expert, organisation=world.school_a, reason="曾在该校任教",
                                       declared_on=DAY)
    assert login("expert").get(f"/layout/submission/{submission.pk}/").status_code == 404
    assert login("expert").get(f"/layout/expertassignment/{assignment.pk}/").status_code == 404
    other = _submission(ReviewRound.objects.get(), world.school_b)
    before = ExpertAssignment._base_manager.count()
    page = client.post("/layout/expertassignment/add/", as_post({"submission": submission.pk, "expert": expert.pk}))
    assert "该专家须回避此学校" in page.content.decode() or "已存在" in page.content.decode()
    assert client.post("/layout/expertassignment/add/",
                       as_post({"submission": other.pk, "expert": expert.pk})).status_code == 302
    assert ExpertAssignment._base_manager.count() == before + 1


def test_an_expert_sees_only_the_submissions_assigned_to_them(world: Any, login: Any) -> None:
    round_ = _round()
    mine, theirs = _submission(round_, world.school_a), _submission(round_, world.school_b)
    _item(mine, _offering(world.school_a))
    _item(theirs, _offering(world.school_b))
    me = _expert("专家甲", user=world.expert)
    ExpertAssignment.objects.create(submission=mine, expert=me)
    ExpertAssignment.objects.create(submission=theirs, expert=_expert("专家乙"))
    client = login("expert")
    listed = client.get("/layout/submission/").context["table"].paginated_rows
    assert {row.record.pk for row in listed} == {mine.pk}
    assert client.get(f"/layout/submission/{theirs.pk}/").status_code == 404
    assert {r["id"] for r in client.get("/api/layout/submissions/").json()["results"]} == {mine.pk}
    assert {r["id"] for r in client.get("/api/layout/submission-items/").json()["results"]} == {
        i.pk for i in SubmissionItem.objects.filter(submission=mine)}
    assert [r["id"] for r in client.get("/api/layout/assignments/").json()["results"]] == [
        ExpertAssignment.objects.get(expert=me).pk]
    # Blind review: a school never learns who scores it.
    assert login("school_admin_a").get("/api/layout/assignments/").json()["results"] == []


# -- scoring ---------------------------------------------------------------------------------------------------


def _scoring_setup(world: Any) -> tuple[ReviewRound, SubmissionItem, ExpertAssignment, RubricCriterion]:
    round_ = _round(RoundStatus.REVIEWING)
    submission = _submission(round_, world.school_a)
    item = _item(submission, _offering(world.school_a))
    assignment = ExpertAssignment.objects.create(submission=submission, expert=_expert("专家甲", user=world.expert))
    return round_, item, assignment, round_.criteria.get(order=1)


@pytest.mark.parametrize(("points", "accepted"), [("0", True), ("30", True), ("30.5", False), ("-1", False),
                                                  ("29.5", True)])
def test_a_score_outside_the_criterion_range_is_refused(world: Any, login: Any, points: str, accepted: bool) -> None:
    _, item, assignment, criterion = _scoring_setup(world)
    data = {"assignment": assignment.pk, "item": item.pk, "criterion": criterion.pk, "points": points}
    response = login("expert").post("/layout/score/add/", as_post(data))
    if accepted:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Score.objects.get().points == Decimal(points)
    else:
        assert response.status_code == 400
        assert "得分应在 0 至 30 分之间" in response.content.decode()
        assert not Score._base_manager.exists()


def test_the_api_refuses_an_out_of_range_score_in_chinese(world: Any, login: Any) -> None:
    _, item, assignment, criterion = _scoring_setup(world)
    response = api_post(login("expert"), "/api/layout/scores/",
                        {"assignment": assignment.pk, "item": item.pk, "criterion": criterion.pk, "points": "31"})
    assert response.status_code == 400, response.content
    assert "得分应在 0 至 30 分之间" in json.dumps(response.json(), ensure_ascii=False)
    assert not Score._base_manager.exists()


def test_only_the_assigned_expert_writes_scores_and_only_under_review(world: Any, login: Any) -> None:
    round_, item, assignment, criterion = _scoring_setup(world)
    data = {"assignment": assignment.pk, "item": item.pk, "criterion": criterion.pk, "points": "20"}
    # The bureau reads scores but never writes them (writes_by_rule_only).
    assert login("bureau_admin").get("/layout/score/add/").status_code == 403
    assert login("bureau_admin").post("/layout/score/add/", as_post(data)).status_code == 403
    assert not Score._base_manager.exists()
    assert login("expert").post("/layout/score/add/", as_post(data)).status_code == 302
    score = Score.objects.get()
    before = state(score)
    edited = {**data, "points": "25"}
    assert login("bureau_admin").post(f"/layout/score/{score.pk}/edit/", as_post(edited)).status_code == 403
    assert state(score) == before
    # Once the round is decided the scores are closed, for the expert too.
    ReviewRound._base_manager.filter(pk=round_.pk).update(status=RoundStatus.DECIDED)
    assert login("expert").post(f"/layout/score/{score.pk}/edit/", as_post(edited)).status_code == 403
    assert state(score) == before
    assert login("bureau_admin").get(f"/layout/score/{score.pk}/").status_code == 200


def test_an_expert_cannot_score_an_item_of_a_submission_not_assigned(world: Any, login: Any) -> None:
    round_, _, assignment, criterion = _scoring_setup(world)
    other = _item(_submission(round_, world.school_b), _offering(world.school_b))
    data = {"assignment": assignment.pk, "item": other.pk, "criterion": criterion.pk, "points": "20"}
    response = login("expert").post("/layout/score/add/", as_post(data))
    assert response.status_code == 400  # the item is not among the choices: the form refuses it
    assert not Score._base_manager.exists()


# -- aggregation -----------------------------------------------------------------------------------------------


def _scored_item(world: Any, totals: list[tuple[int, int | None]]) -> SubmissionItem:
    """An item scored by one expert per (first, second) pair; None leaves the second criterion unscored."""
    round_ = _round(RoundStatus.REVIEWING)
    item = _item(_submission(round_, world.school_a), _offering(world.school_a))
    c1, c2 = round_.criteria.order_by("order")
    for n, (first, second) in enumerate(totals):
        assignment = ExpertAssignment.objects.create(submission=item.submission, expert=_expert(f"专家{n}"))
        Score.objects.create(assignment=assignment, item=item, criterion=c1, points=first)
        if second is not None:
            Score.objects.create(assignment=assignment, item=item, criterion=c2, points=second)
    return item


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_trimmed_mean_drops_the_highest_and_lowest_total_from_five_experts(world: Any, seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(5, 9)
    pairs: list[tuple[int, int | None]] = [(rng.randint(0, 30), rng.randint(0, 30)) for _ in range(n)]
    pairs.append((rng.randint(0, 30), None))  # an expert who has not finished: left out
    item = _scored_item(world, pairs)
    result = services.item_results(Score.objects.all())[item.pk]
    totals = sorted(a + b for a, b in pairs if b is not None)
    assert result.experts == n
    assert result.mean == (Decimal(sum(totals)) / n).quantize(Decimal("0.01"))
    assert result.trimmed == (Decimal(sum(totals[1:-1])) / (n - 2)).quantize(Decimal("0.01"))
    assert result.result == result.trimmed


def test_fewer_than_five_experts_give_the_plain_mean(world: Any) -> None:
    item = _scored_item(world, [(20, 20), (30, 30), (10, 10), (25, 5)])
    result = services.item_results(Score.objects.all())[item.pk]
    assert (result.experts, result.trimmed, result.result) == (4, None, Decimal("37.50"))


# -- decisions -------------------------------------------------------------------------------------------------


def _decision(world: Any, action: str, *, round_status: str = RoundStatus.DECIDED,
              offering_status: str = OfferingStatus.ENROLLING) -> Decision:
    round_ = _round(round_status)
    submission = _submission(round_, world.school_a)
    if action == "open":
        item = _item(submission, None, "open", new_major=factories.MajorFactory())
    else:
        item = _item(submission, _offering(world.school_a, status=offering_status), action)
    return Decision.objects.create(item=item, action=action, decided_on=DAY, conditions="")


@pytest.mark.parametrize(("action", "target"), [("cancel", OfferingStatus.CANCELLED),
                                                ("merge", OfferingStatus.CANCELLED),
                                                ("suspend", OfferingStatus.SUSPENDED),
                                                ("keep", OfferingStatus.ENROLLING),
                                                ("strengthen", OfferingStatus.ENROLLING)])
def test_applying_a_decision_moves_the_offering_dated_by_the_decision(world: Any, action: str, target: str) -> None:
    decision = _decision(world, action)
    if action == "merge":
        into = _offering(world.school_a)
        SubmissionItem._base_manager.filter(pk=decision.item_id).update(merge_into=into)
        decision.refresh_from_db()
    decision.set_status("apply", by=world.bureau_admin)
    offering = Offering._base_manager.get(pk=decision.item.offering_id)
    assert offering.status == target
    changes = list(StatusChange.objects.of(offering))
    if target == OfferingStatus.ENROLLING:
        assert changes == []
    else:
        assert [(c.target, c.effective_on, c.actor_id) for c in changes] == [(target, DAY, world.bureau_admin.pk)]
        assert "2019年专业设置答辩评审决定" in changes[0].note


def test_a_decision_to_open_files_the_new_offering(world: Any) -> None:
    decision = _decision(world, "open")
    decision.set_status("apply", by=world.bureau_admin)
    offering = Offering._base_manager.get(school=world.school_a, major=decision.item.new_major)
    assert (offering.status, offering.filed_on, offering.start_year) == (OfferingStatus.FILED, DAY, 2020)


def test_a_decision_applies_only_after_the_round_is_decided_and_from_a_state_it_can_leave(world: Any) -> None:
    early = _decision(world, "cancel", round_status=RoundStatus.REVIEWING)
    with pytest.raises(TransitionRefused, match="评审尚未公布决定"):
        early.set_status("apply", by=world.bureau_admin)
    assert Decision._base_manager.get(pk=early.pk).status == DecisionStatus.DRAFT
    filed = _decision(world, "suspend", offering_status=OfferingStatus.FILED)
    with pytest.raises(TransitionRefused, match="不能执行“暂停招生”"):
        filed.set_status("apply", by=world.bureau_admin)
    assert Offering._base_manager.get(pk=filed.item.offering_id).status == OfferingStatus.FILED
    assert not StatusChange.objects.of(filed).exists()


def test_the_school_cannot_apply_a_decision(world: Any, login: Any) -> None:
    decision = _decision(world, "cancel")
    response = login("school_admin_a").post(f"/layout/decision/{decision.pk}/transitions/apply/")
    assert response.status_code == 403
    assert Decision._base_manager.get(pk=decision.pk).status == DecisionStatus.DRAFT
    assert Offering._base_manager.get(pk=decision.item.offering_id).status == OfferingStatus.ENROLLING
