"""A school admin uploads the 办学许可证 through the detail page (HTMX), sees a refusal, downloads the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.attachment_harness import PDF, TEXT
from tests.browser.conftest import sign_in
from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_admin_uploads_and_downloads_a_licence(live_server: Any, page: Any, settings: Any,
                                                      tmp_path: Path, artifacts: Path) -> None:
    from chanjiao.core.attachments import Attachment

    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "files"}}}
    school = build_world().school_a
    sign_in(page, live_server.url, "school_admin_a")
    page.goto(f"{live_server.url}/orgs/school/{school.pk}/")
    card = page.locator("[data-testid=attachments-card]")
    assert "暂无附件" in card.inner_text()

    card.locator("select[name=kind]").select_option("school_licence")
    card.locator("input[type=file]").set_input_files(
        {"name": "办学许可证.pdf", "mimeType": "application/pdf", "buffer": TEXT})
    card.get_by_role("button", name="上传").click()
    error = page.locator("[data-testid=attachment-error]")
    error.wait_for()
    assert "文件内容与扩展名不符" in error.inner_text()
    assert not Attachment.objects.exists()

    card = page.locator("[data-testid=attachments-card]")  # swapped by HTMX
    card.locator("input[type=file]").set_input_files(
        {"name": "办学许可证.pdf", "mimeType": "application/pdf", "buffer": PDF})
    card.get_by_role("button", name="上传").click()
    page.locator("[data-testid=attachment-row]").wait_for()
    page.screenshot(path=str(artifacts / "attachments-01-uploaded.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("[data-testid=attachment-download]").click()
    download = info.value
    assert download.suggested_filename == "办学许可证.pdf"
    assert Path(download.path()).read_bytes() == PDF
