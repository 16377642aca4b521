"""The bureau moves an enterprise through 产教融合型企业 on its detail page: a refusal, then 认定, with history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.browser.conftest import sign_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bureau_admits_and_certifies_an_enterprise(live_server: Any, page: Any, artifacts: Path) -> None:
    from chanjiao.core.workflow import StatusChange
    from chanjiao.orgs.models import Enterprise

    firm = build_world().enterprise
    Enterprise.objects.filter(pk=firm.pk).update(integration_status="applied",
                                                 industry=factories.IndustryFactory(code="3411"))
    sign_in(page, live_server.url, "bureau_admin")
    page.goto(f"{live_server.url}/orgs/enterprise/{firm.pk}/")
    card = page.locator("[data-testid=workflow-card]")
    assert card.locator("[data-testid=workflow-state]").inner_text() == "已申报"

    # 退回申报 needs a reason: refused, nothing written, the reason shown.
    card.locator("[data-testid=transition-return]").click()
    page.wait_for_load_state()
    assert "请填写“退回申报”的说明。" in page.content()
    assert not StatusChange.objects.exists()

    page.locator("[data-testid=workflow-card] [data-testid=transition-admit]").click()
    page.wait_for_url(f"{live_server.url}/orgs/enterprise/{firm.pk}/")
    card = page.locator("[data-testid=workflow-card]")
    assert card.locator("[data-testid=workflow-state]").inner_text() == "培育库"
    card.locator("textarea[name=note]").fill("第一批认定")
    card.locator("[data-testid=transition-certify]").click()
    page.wait_for_url(f"{live_server.url}/orgs/enterprise/{firm.pk}/")
    card = page.locator("[data-testid=workflow-card]")
    assert card.locator("[data-testid=workflow-state]").inner_text() == "产教融合型企业"
    rows = card.locator("[data-testid=status-change]")
    assert rows.count() == 2 and "第一批认定" in rows.first.inner_text()
    page.screenshot(path=str(artifacts / "workflow-01-certified.png"), full_page=True)
    assert [c.transition for c in StatusChange.objects.order_by("id")] == ["admit", "certify"]
