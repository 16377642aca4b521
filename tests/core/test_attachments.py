"""Attachments (issue #7): the generated tests for each consumer, and the checks on their own."""

from __future__ import annotations

from typing import Any

import pytest

from chanjiao.core import attachments
from chanjiao.orgs import ui as orgs_ui
from tests.attachment_harness import DOCM, DOCX, EXE, JPG, PDF, PNG, TEXT, AttachmentHarness, plain_zip, xlsx


class TestSchoolDocuments(AttachmentHarness):
    ui = orgs_ui.schools
    kind = "school_licence"  # 办学许可证
    owner = "school_admin_a"

    def parent(self, world: Any) -> Any:
        return world.school_a

    def other(self, world: Any) -> Any:
        return world.school_b


class TestEnterpriseDocuments(AttachmentHarness):
    ui = orgs_ui.enterprises
    kind = "business_licence"  # 营业执照
    owner = "enterprise_contact"

    def parent(self, world: Any) -> Any:
        return world.enterprise

    def other(self, world: Any) -> Any:
        return world.enterprise_b


@pytest.mark.parametrize(("content", "expected"), [
    (PDF, "pdf"), (PNG, "png"), (JPG, "jpg"), (EXE, "exe"), (TEXT, "txt"), (DOCX, "docx"),
    (DOCM, "zip"), (plain_zip(), "zip"), (xlsx(), "xlsx"), (b"\x00\x01\x02\xff", "unknown"),
])
def test_detect_type_reads_the_bytes(content: bytes, expected: str) -> None:
    import io

    assert attachments.detect_type(io.BytesIO(content)) == expected


@pytest.mark.parametrize("name", ["营业执照（2024年）.pdf", "scan 01.JPG", "a.b.c.png"])
def test_clean_name_keeps_ordinary_names(name: str) -> None:
    assert attachments.clean_name(name) == name


def test_a_zip_bomb_content_types_part_is_not_read() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", b" " * (attachments.CONTENT_TYPES_MAX_BYTES + 1))
        package.writestr("word/document.xml", "<x/>")
    assert attachments.detect_type(buffer) == "zip"


def test_only_models_with_a_declared_use_have_attachment_routes() -> None:
    from django.urls import NoReverseMatch, reverse

    assert reverse("orgs:school_attachments", args=[1]).endswith("/school/1/attachments/")
    with pytest.raises(NoReverseMatch):
        reverse("orgs:department_attachments", args=[1])


def test_an_attachment_on_an_undeclared_model_is_visible_to_nobody(world: Any, bureau_admin: Any) -> None:
    from chanjiao.core.attachments import Attachment, content_type_for

    Attachment.objects.create(content_type=content_type_for(world.department), object_id=world.department.pk,
                              kind="document", original_name="x.pdf", stored_name="orgs/department/x.pdf", size=1,
                              sha256="0" * 64, file_type="pdf", uploaded_by=bureau_admin)
    assert not Attachment.objects.visible_to(bureau_admin).exists()
