"""Scenario planning (issue #10 point 7) and 一校一策 progress (point 6): effects computed from the
records before anything is decided; a scenario becomes a round's draft decisions; targets are met or
not according to the offerings."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from chanjiao.layout import crosswalk, scenarios
from chanjiao.layout.models import (
    CrosswalkEntry,
    CrosswalkStatus,
    CrosswalkVersion,
    Decision,
    Offering,
    OfferingStatus,
    OfferingYear,
    PolicyTarget,
    ReviewRound,
    RoundStatus,
    Scenario,
    ScenarioChange,
    SchoolPolicy,
    Submission,
    SubmissionItem,
)
from chanjiao.orgs.models import PillarIndustry, VocationalGroup
from tests import factories
from tests.harness import as_post

pytestmark = pytest.mark.django_db

DAY = dt.date(2019, 6, 1)


def _city(rng: random.Random) -> dict[str, Any]:
    region = factories.RegionFactory(code="4205", level=2, name="宜昌市")
    industry = factories.IndustryFactory(code="38", level=2, section="C", name="电气机械和器材制造业")
    group = VocationalGroup.objects.create(name="宜昌职教集团", secretariat=factories.DepartmentFactory())
    pillar = PillarIndustry.objects.create(group=group, name="装备制造")
    pillar.industries.set([industry])
    version = CrosswalkVersion.objects.create(number=3, title="对照", published_on=dt.date(2015, 1, 1),
                                              status=CrosswalkStatus.PUBLISHED)
    majors = [factories.MajorFactory(code=f"6601{n:02d}", class_code="6601", category_code="66",
                                     level="secondary") for n in range(1, 4)]
    majors.append(factories.MajorFactory(code="770101", class_code="7701", category_code="77", level="secondary"))
    CrosswalkEntry.objects.create(version=version, class_code="6601", industry=industry, reason="r", source="s")
    schools = [factories.SchoolFactory(region=factories.RegionFactory(code=f"42050{n + 2}", level=3),
                                       school_level="secondary") for n in range(5)]
    offerings = []
    for school in schools:
        for major in rng.sample(majors, 3):
            o = Offering.objects.create(school=school, major=major, start_year=2012, filed_on=dt.date(2012, 1, 1),
                                        status=OfferingStatus.ENROLLING)
            OfferingYear.objects.create(offering=o, year=2018, enrolled=rng.randint(10, 90), students=100)
            offerings.append(o)
    return {"region": region, "pillar": pillar, "version": version, "majors": majors, "schools": schools,
            "offerings": offerings}


@pytest.mark.parametrize("seed", [1, 6])
def test_the_effect_of_a_scenario_equals_a_replay_of_its_changes(world: Any, login: Any, seed: int) -> None:
    rng = random.Random(seed)
    c = _city(rng)
    scenario = Scenario.objects.create(title="2019年调整方案", region=c["region"], base_on=DAY, base_year=2018)
    closing = rng.sample(c["offerings"], 4)
    for o in closing:
        ScenarioChange.objects.create(scenario=scenario, kind="close", offering=o)
    new_major = factories.MajorFactory(code="660199", class_code="6601", category_code="66", level="secondary")
    ScenarioChange.objects.create(scenario=scenario, kind="open", school=c["schools"][0], major=new_major,
                                  planned_intake=45)
    fx = scenarios.effect(world.bureau_admin, scenario)
    kept = [o for o in c["offerings"] if o not in closing]
    assert fx.offerings == (len(c["offerings"]), len(kept) + 1)
    assert fx.majors == (len({o.major_id for o in c["offerings"]}), len({o.major_id for o in kept} | {new_major.pk}))
    enrolled = {o.pk: OfferingYear.objects.get(offering=o).enrolled for o in c["offerings"]}
    mapped = [o for o in c["offerings"] if o.major.class_code == "6601"]
    (pillar,) = fx.pillars
    assert pillar["before"] == sum(enrolled[o.pk] for o in mapped)
    assert pillar["after"] == sum(enrolled[o.pk] for o in mapped if o not in closing) + 45
    for row in fx.density:
        offering_schools = {o.school_id for o in c["offerings"] if o.major_id == row["major"].pk}
        after = {o.school_id for o in kept if o.major_id == row["major"].pk}
        if row["major"] == new_major:
            after |= {c["schools"][0].pk}
        assert (row["before"], row["after"], row["schools"]) == (len(offering_schools), len(after), 5)
    # Nothing was decided: every offering is as it was.
    assert all(Offering.objects.get(pk=o.pk).status == OfferingStatus.ENROLLING for o in closing)
    page = login("bureau_admin").get(f"/layout/scenario/{scenario.pk}/")
    assert page.status_code == 200
    assert f"<strong>{fx.majors[0]} → {fx.majors[1]}</strong>" in page.content.decode()


def test_a_scenario_becomes_a_rounds_draft_decisions(world: Any, login: Any) -> None:
    c = _city(random.Random(2))
    scenario = Scenario.objects.create(title="方案甲", region=c["region"], base_on=DAY, base_year=2018)
    closing, unsubmitted = c["offerings"][0], c["offerings"][5]
    ScenarioChange.objects.create(scenario=scenario, kind="close", offering=closing)
    ScenarioChange.objects.create(scenario=scenario, kind="close", offering=unsubmitted)
    round_ = ReviewRound.objects.create(title="2019年答辩", region=c["region"], held_on=DAY, status=RoundStatus.OPEN)
    submission = Submission.objects.create(round=round_, school=closing.school, submitted_on=DAY, principal="张")
    item = SubmissionItem.objects.create(submission=submission, offering=closing, proposed_action="keep",
                                         market_analysis="m", conditions_analysis="c", development_plan="p")
    assert login("school_admin_a").post(f"/layout/scenario/{scenario.pk}/to-round/",
                                        {"round": round_.pk}).status_code == 404
    assert not Decision.objects.exists()
    response = login("bureau_admin").post(f"/layout/scenario/{scenario.pk}/to-round/", {"round": round_.pk})
    assert response.status_code == 302
    (decision,) = Decision.objects.all()
    assert (decision.item, decision.action, decision.status) == (item, "cancel", "draft")
    assert "方案甲" in decision.conditions
    assert Scenario.objects.get(pk=scenario.pk).round == round_
    # Again: nothing twice.
    login("bureau_admin").post(f"/layout/scenario/{scenario.pk}/to-round/", {"round": round_.pk})
    assert Decision.objects.count() == 1
    assert Offering.objects.get(pk=closing.pk).status == OfferingStatus.ENROLLING


def test_a_change_must_fit_its_kind(world: Any, login: Any) -> None:
    c = _city(random.Random(3))
    scenario = Scenario.objects.create(title="方案乙", region=c["region"], base_on=DAY, base_year=2018)
    before = ScenarioChange.objects.count()
    response = login("bureau_admin").post("/layout/scenariochange/add/", as_post({
        "scenario": scenario.pk, "kind": "close", "school": c["schools"][0].pk, "planned_intake": 0}))
    assert response.status_code == 400
    assert "撤销专业点”须选择现有专业点" in response.content.decode()
    assert ScenarioChange.objects.count() == before


def test_policy_targets_are_met_according_to_the_offerings(world: Any, login: Any) -> None:
    school = world.school_a
    keep, cut, new, late = (factories.MajorFactory() for _ in range(4))
    live = Offering.objects.create(school=school, major=keep, start_year=2012, filed_on=dt.date(2012, 1, 1))
    cancelled = Offering.objects.create(school=school, major=cut, start_year=2012, filed_on=dt.date(2012, 1, 1))
    cancelled.set_status("cancel", by=world.bureau_admin, note="撤销")
    policy = SchoolPolicy.objects.create(school=school, title="一校一策（2019—2021）", start_year=2019, end_year=2021)
    PolicyTarget.objects.create(policy=policy, action="keep", major=keep, due_year=2021)
    PolicyTarget.objects.create(policy=policy, action="cancel", major=cut, due_year=2020)
    PolicyTarget.objects.create(policy=policy, action="open", major=new, due_year=2099)
    PolicyTarget.objects.create(policy=policy, action="open", major=late, due_year=2020)
    page = login("school_admin_a").get(f"/layout/schoolpolicy/{policy.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-met="2" data-total="4"' in html
    assert html.count('data-met="true"') == 2
    assert "已逾期" in html  # the 2020 opening never happened
    Offering.objects.create(school=school, major=new, start_year=2022, filed_on=dt.date(2021, 9, 1))
    assert 'data-met="3" data-total="4"' in login("school_admin_a").get(
        f"/layout/schoolpolicy/{policy.pk}/").content.decode()
    assert login("school_admin_b").get(f"/layout/schoolpolicy/{policy.pk}/").status_code == 404
    assert live.status == OfferingStatus.FILED


def test_crosswalk_in_force_is_named_by_the_effect(world: Any) -> None:
    c = _city(random.Random(4))
    scenario = Scenario.objects.create(title="方案丙", region=c["region"], base_on=DAY, base_year=2018)
    assert scenarios.effect(world.bureau_admin, scenario).crosswalk == crosswalk.in_force("4205", DAY) == c["version"]
