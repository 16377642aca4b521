"""The layout history (issue #10 point 9/10): the count of distinct majors on a day follows the offerings
and the decisions applied to them — checked against an independent replay of the generated events."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from chanjiao.layout import history
from chanjiao.layout.models import (
    Decision,
    Offering,
    OfferingStatus,
    ReviewRound,
    RoundStatus,
    Submission,
    SubmissionItem,
)
from tests import factories

pytestmark = pytest.mark.django_db

CANCELLING = {"cancel", "merge"}


def _generate(world: Any, rng: random.Random) -> tuple[list[dict[str, Any]], list[dt.date]]:
    """Offerings at a few schools over a small set of majors (so majors repeat across schools), then
    two rounds whose random decisions are applied. Returns the replayable log and the rounds' days."""
    schools = [world.school_a, world.school_b, factories.SchoolFactory()]
    majors = [factories.MajorFactory() for _ in range(rng.randint(6, 12))]
    region = factories.RegionFactory(code="4205", name="宜昌市", level=2)
    log: list[dict[str, Any]] = []
    for school in schools:
        for major in rng.sample(majors, rng.randint(3, len(majors))):
            filed = dt.date(rng.randint(2008, 2016), rng.randint(1, 12), 1)
            offering = Offering.objects.create(school=school, major=major, start_year=filed.year, filed_on=filed)
            offering.set_status("start_enrolment", by=world.bureau_admin, effective_on=filed)
            log.append({"offering": offering, "school": school.pk, "major": major.pk, "filed": filed,
                        "cancelled": None, "opened_by_round": False})
    days = [dt.date(2017, 6, 20), dt.date(2019, 12, 20)]
    for n, day in enumerate(days):
        round_ = ReviewRound.objects.create(title=f"第{n + 1}轮答辩", region=region, held_on=day,
                                            status=RoundStatus.DECIDED)
        for school in schools:
            submission = Submission.objects.create(round=round_, school=school, submitted_on=day, principal="校长",
                                                   principal_attended=True)
            for entry in [e for e in log if e["school"] == school.pk and e["filed"] <= day and not e["cancelled"]]:
                action = rng.choice(["keep", "strengthen", "cancel", "merge", "cancel"])
                item = SubmissionItem.objects.create(submission=submission, offering=entry["offering"],
                                                     proposed_action=action, market_analysis="需求",
                                                     conditions_analysis="条件", development_plan="规划")
                decision = Decision.objects.create(item=item, action=action, decided_on=day)
                decision.set_status("apply", by=world.bureau_admin)
                if action in CANCELLING:
                    entry["cancelled"] = day
            # Open one new major per school and round (a major it does not offer yet).
            offered = {e["major"] for e in log if e["school"] == school.pk}
            new = factories.MajorFactory()
            assert new.pk not in offered
            item = SubmissionItem.objects.create(submission=submission, new_major=new, proposed_action="open",
                                                 market_analysis="需求", conditions_analysis="条件",
                                                 development_plan="规划")
            Decision.objects.create(item=item, action="open", decided_on=day).set_status("apply",
                                                                                         by=world.bureau_admin)
            log.append({"offering": Offering.objects.get(school=school, major=new), "school": school.pk,
                        "major": new.pk, "filed": day, "cancelled": None, "opened_by_round": True})
    return log, days


def _replay(log: list[dict[str, Any]], day: dt.date) -> tuple[int, int]:
    live = [e for e in log if e["filed"] <= day and not (e["cancelled"] and e["cancelled"] <= day)]
    return len(live), len({e["major"] for e in live})


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_the_count_of_majors_follows_random_decisions(world: Any, login: Any, seed: int) -> None:
    rng = random.Random(seed)
    log, days = _generate(world, rng)
    probe = [dt.date(2010, 12, 31), dt.date(2015, 12, 31), days[0] - dt.timedelta(days=1), days[0],
             dt.date(2018, 12, 31), days[1] - dt.timedelta(days=1), days[1], dt.date(2020, 12, 31)]
    offerings = Offering.objects.all()
    counts = []
    for day in probe:
        point = history.layout_on(offerings, day)
        assert (point.offerings, point.majors) == _replay(log, day), day
        counts.append(point.majors)
    # The data exercised both directions: decisions removed majors, openings added some.
    assert counts[3] != counts[2] or counts[6] != counts[5]
    # The list's drill-down (?live_on=) holds exactly the offerings counted.
    client = login("bureau_admin")
    for day in (dt.date(2015, 12, 31), days[1]):
        listed = client.get(f"/layout/offering/?live_on={day.isoformat()}&per_page=500").context["table"]
        assert {row.record.pk for row in listed.paginated_rows} == {
            e["offering"].pk for e in log if e["filed"] <= day and not (e["cancelled"] and e["cancelled"] <= day)}


def test_the_history_page_shows_each_year_end_and_each_round(world: Any, login: Any) -> None:
    log, days = _generate(world, random.Random(5))
    page = login("bureau_admin").get("/layout/timeline/")
    assert page.status_code == 200
    html = page.content.decode()
    for day in (dt.date(2015, 12, 31), days[0], days[1]):
        offerings, majors = _replay(log, day)
        row = html.split(f'data-day="{day.isoformat()}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-count="majors">{majors}<' in row, day
        assert f'data-count="offerings">{offerings}<' in row, day
    assert "第2轮答辩之后" in html


def test_a_status_change_counts_from_the_day_it_took_effect(world: Any) -> None:
    major = factories.MajorFactory()
    offering = Offering.objects.create(school=world.school_a, major=major, start_year=2010,
                                       filed_on=dt.date(2010, 3, 1))
    assert history.layout_on(Offering.objects.all(), dt.date(2010, 2, 28)).offerings == 0
    assert history.layout_on(Offering.objects.all(), dt.date(2010, 3, 1)).offerings == 1
    offering.set_status("cancel", by=world.bureau_admin, note="撤销", effective_on=dt.date(2016, 7, 1))
    assert history.layout_on(Offering.objects.all(), dt.date(2016, 6, 30)).majors == 1
    assert history.layout_on(Offering.objects.all(), dt.date(2016, 7, 1)).majors == 0
    offering.set_status("refile", by=world.bureau_admin, note="重新备案", effective_on=dt.date(2018, 3, 1))
    assert history.layout_on(Offering.objects.all(), dt.date(2017, 12, 31)).majors == 0
    assert history.layout_on(Offering.objects.all(), dt.date(2018, 3, 1)).majors == 1
    assert offering.status == OfferingStatus.FILED


def test_an_effective_date_in_the_future_is_refused(world: Any) -> None:
    from chanjiao.core.workflow import TransitionRefused

    offering = Offering.objects.create(school=world.school_a, major=factories.MajorFactory(), start_year=2010,
                                       filed_on=dt.date(2010, 3, 1))
    with pytest.raises(TransitionRefused, match="生效日期不能晚于今天"):
        offering.set_status("start_enrolment", by=world.bureau_admin, effective_on=dt.date(2999, 1, 1))
    assert Offering._base_manager.get(pk=offering.pk).status == OfferingStatus.FILED
