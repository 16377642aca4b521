"""In Chromium: 导出（可再导入） a filtered list, edit the file as Excel would, upload it, see exactly the edits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from chanjiao.orgs.models import Enterprise
from tests import factories
from tests.browser.conftest import sign_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_edit_reimport_in_the_browser(live_server: Any, page: Any, artifacts: Path, tmp_path: Path,
                                             settings: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    build_world()
    kept = factories.EnterpriseFactory(name="中型企业甲", uscc=factories.valid_uscc(6_100_001), size="medium",
                                       headcount=40)
    factories.EnterpriseFactory(name="中型企业乙", uscc=factories.valid_uscc(6_100_002), size="medium")
    factories.EnterpriseFactory(name="小型企业丙", uscc=factories.valid_uscc(6_100_003), size="small")

    sign_in(page, live_server.url, "bureau_admin")
    page.goto(f"{live_server.url}/orgs/enterprise/?size=medium")
    with page.expect_download() as info:
        page.click("[data-testid=export-import]")
    download = info.value
    assert download.suggested_filename.startswith("企业-") and download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    assert set(rows) == {kept.uscc, factories.valid_uscc(6_100_002)}  # the filter's rows only
    sheet.cell(row=rows[kept.uscc], column=header.index("从业人数") + 1).value = 45
    sheet.cell(row=rows[kept.uscc], column=header.index("企业规模") + 1).value = "大型"
    book.save(path)

    page.goto(f"{live_server.url}/orgs/enterprise/import/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("#preview-changed")
    changed = page.locator("#preview-changed td.changed")
    assert changed.count() == 2
    assert [changed.nth(i).inner_text().split() for i in range(2)] == [["大型", "中型"], ["45", "40"]]
    assert page.locator("#preview-changed tbody tr").count() == 1
    assert page.locator("#preview-new").count() == 0
    page.screenshot(path=str(artifacts / "import-preview-changed.png"), full_page=True)

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=导入成功")
    kept.refresh_from_db()
    assert (kept.headcount, kept.size) == (45, "large")
    assert Enterprise.objects.get(uscc=factories.valid_uscc(6_100_002)).size == "medium"
