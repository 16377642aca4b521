"""The secretariat records a 2019 symposium in the browser (issue #9): attending enterprises, the seminar
ticked, an agreement signed there and an alliance founded there — and the event's five "一" and the
2019 statistics page change accordingly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _statistics(page: Any, base: str) -> dict[str, int]:
    page.goto(f"{base}/reports/statistics/?year=2019")
    cells = page.locator("[data-testid=stat-value]")
    return {cells.nth(i).get_attribute("data-key"): int(cells.nth(i).inner_text()) for i in range(cells.count())}


def _checklist(page: Any) -> dict[str, bool]:
    items = page.locator("[data-testid=event-checklist] [data-item]")
    return {items.nth(i).get_attribute("data-item"): items.nth(i).get_attribute("data-done") == "true"
            for i in range(items.count())}


def _save(page: Any) -> None:
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


def test_secretariat_records_a_symposium_and_the_statistics_follow(live_server: Any, page: Any,
                                                                  artifacts: Path) -> None:
    from chanjiao.engagement.models import Agreement, Alliance, Event, EventParticipation
    from chanjiao.orgs.models import Committee, PillarIndustry, VocationalGroup

    world = build_world()
    group = VocationalGroup.objects.create(name="甲市职业教育集团", secretariat=world.department_b,
                                           lead_school=world.school_a, founded=dt.date(2013, 6, 28))
    pillar = PillarIndustry.objects.create(group=group, name="智能制造", order=10)
    committee = Committee.objects.create(group=group, pillar=pillar, name="智能制造产学合作委员会",
                                         director=world.department)
    base = live_server.url
    sign_in(page, base, "secretariat")
    before = _statistics(page, base)

    # The symposium, with the seminar ticked and a co-hosting department.
    page.goto(f"{base}/engagement/event/add/")
    page.select_option("#id_kind", "symposium")
    page.fill("#id_title", "2019年智能制造校企合作座谈会")
    page.fill("#id_date", "2019-05-20")
    page.fill("#id_place", "甲市第一职业技术学院")
    page.select_option("#id_committee", str(committee.pk))
    page.select_option("#id_co_hosts", [str(world.department.pk)])
    page.check("#id_seminar")
    _save(page)
    event = Event.objects.get(title="2019年智能制造校企合作座谈会")
    page.wait_for_url(f"{base}/engagement/event/{event.pk}/")
    assert _checklist(page) == {"policy_briefing": False, "skills_show": False, "agreements": False,
                                "alliances": False, "seminar": True}

    # Two enterprises attend.
    for firm in (world.enterprise, world.enterprise_b):
        page.goto(f"{base}/engagement/eventparticipation/add/")
        page.select_option("#id_event", str(event.pk))
        page.select_option("#id_organisation", str(firm.pk))
        page.check("#id_attended")
        page.fill("#id_attendees", "2")
        _save(page)
    assert EventParticipation.objects.filter(event=event, attended=True).count() == 2

    # A 合作意向书 signed at the symposium, then moved to 已签署 through its workflow.
    page.goto(f"{base}/engagement/agreement/add/")
    page.fill("#id_number", "甲教合〔2019〕18号")
    page.fill("#id_title", "智能制造人才培养合作意向书")
    page.select_option("#id_kind", "intent")
    page.select_option("#id_schools", [str(world.school_a.pk)])
    page.select_option("#id_enterprises", [str(world.enterprise.pk)])
    page.fill("#id_signed_on", "2019-05-20")
    page.fill("#id_start", "2019-05-20")
    page.fill("#id_end", "2022-05-19")
    page.select_option("#id_signing_event", str(event.pk))
    _save(page)
    agreement = Agreement.objects.get(number="甲教合〔2019〕18号")
    page.wait_for_url(f"{base}/engagement/agreement/{agreement.pk}/")
    page.locator("[data-testid=workflow-card] [data-testid=transition-sign]").click()
    page.wait_for_url(f"{base}/engagement/agreement/{agreement.pk}/")
    assert page.locator("[data-testid=workflow-state]").inner_text() == "已签署"

    # An alliance founded there.
    page.goto(f"{base}/engagement/alliance/add/")
    page.fill("#id_name", "智能制造专业发展联盟")
    page.select_option("#id_lead_school", str(world.school_a.pk))
    page.select_option("#id_founding_event", str(event.pk))
    page.fill("#id_founded", "2019-05-20")
    page.select_option("#id_members", [str(world.enterprise.pk), str(world.enterprise_b.pk)])
    _save(page)
    assert Alliance.objects.filter(founding_event=event).count() == 1

    page.goto(f"{base}/engagement/event/{event.pk}/")
    assert _checklist(page) == {"policy_briefing": False, "skills_show": False, "agreements": True,
                                "alliances": True, "seminar": True}
    page.screenshot(path=str(artifacts / "symposium-01-checklist.png"), full_page=True)

    after = _statistics(page, base)
    page.screenshot(path=str(artifacts / "symposium-02-statistics-2019.png"), full_page=True)
    grew = {key: after[key] - before[key] for key in after if after[key] != before[key]}
    assert grew == {"symposia": 1, "events": 1, "symposium_co_hosts": 1, "symposium_committees": 1,
                    "symposium_enterprises": 2, "agreements_signed": 1, "intent_agreements": 1,
                    "alliances_founded": 1}
    # The symposia figure opens the list of exactly that event.
    page.locator("[data-key=symposia]").click()
    page.wait_for_load_state()
    assert "2019年智能制造校企合作座谈会" in page.content()
    assert "共 1 条" in page.locator("[data-testid=row-count]").inner_text()
