"""Generated tests for a model's attachments (issue #7 "Attachments"), in the style of ``harness.py``.

A test module declares data only::

    class TestSchoolDocuments(AttachmentHarness):
        ui = orgs_ui.schools
        kind = "school_licence"          # a use whose allowlist is PDF/JPG/PNG
        owner = "school_admin_a"         # may edit ``parent`` and so upload
        def parent(self, world): ...     # the object ``owner`` edits
        def other(self, world): ...      # an object of the same model ``owner`` may not edit

and gets: upload with audit event; refusals (content vs extension, oversized, empty, path tricks,
type outside the allowlist, duplicate) that store nothing; download headers and security event;
404/403 for the other organisation; the leader reads and cannot upload; the system admins see
nothing; withdraw; HTMX and plain-form uploads.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from chanjiao.core import attachments
from chanjiao.core.attachments import Attachment
from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import ModelUI

# --- files --------------------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
       + b"\x00" * 32)
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
TEXT = "这不是图片，只是一段文字。\n".encode()


def ooxml(main_part: str, content_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml",
                         '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         f'content-types"><Override PartName="/{main_part}" ContentType="{content_type}"/></Types>')
        package.writestr(main_part, "<x/>")
    return buffer.getvalue()


DOCX = ooxml("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
DOCM = ooxml("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")


def xlsx() -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet().write(0, 0, "名称")
    book.close()
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "hello")
    return buffer.getvalue()


# (file name, content, a fragment of the refusal) — all for a PDF/JPG/PNG use.
MISMATCHED = {
    "png_as_pdf": ("营业执照.pdf", PNG, "内容却是PNG"),
    "exe_as_pdf": ("营业执照.pdf", EXE, "内容却是可执行程序"),
    "text_as_jpg": ("照片.jpg", TEXT, "内容却是纯文本"),
    "pdf_as_png": ("扫描件.png", PDF, "内容却是PDF"),
}
# For the "other documents" use, which accepts Word and Excel too.
MISMATCHED_OFFICE = {
    "zip_as_docx": ("说明.docx", plain_zip, "内容却是普通压缩包"),
    "xlsx_as_docx": ("说明.docx", xlsx, "内容却是Excel"),
    "docx_as_xlsx": ("名单.xlsx", lambda: DOCX, "内容却是Word"),
    "macro_docm_as_docx": ("说明.docx", lambda: DOCM, "内容却是普通压缩包"),
}
TRICK_NAMES = {
    "parent_dirs": "../../etc/passwd.pdf",
    "windows_path": "C:\\x\\y.pdf",
    "nul": "licence\x00.pdf",
    "newline": "licence\n.pdf",
    "rtl_override": "licence\u202efdp.exe.pdf",
    "leading_dot": ".hidden.pdf",
    "reserved_windows_name": "CON.pdf",
    "too_long": "长" * 200 + ".pdf",
    "only_extension": ".pdf",
}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


class AttachmentHarness:
    ui: ClassVar[ModelUI]
    kind: ClassVar[str]
    other_kind: ClassVar[str] = "document"  # a use that also takes DOCX/XLSX
    owner: ClassVar[str]
    reader: ClassVar[str] = "leader"
    global_writer: ClassVar[str] = "bureau_admin"
    blind: ClassVar[tuple[str, ...]] = ("system_admin", "security_admin", "audit_admin", "no_role")

    def parent(self, world: Any) -> models.Model:
        raise NotImplementedError

    def other(self, world: Any) -> models.Model:
        raise NotImplementedError

    # -- plumbing ----------------------------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _storage(self, settings: Any, tmp_path: Path) -> None:
        self.root = tmp_path / "attachments"
        settings.STORAGES = {**settings.STORAGES, "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": self.root}}}
        settings.ATTACHMENT_MAX_BYTES = 64 * 1024

    def upload_url(self, obj: models.Model) -> str:
        return reverse(self.ui.url_name("attachments"), args=[obj.pk])

    def download_url(self, a: Attachment) -> str:
        return reverse(self.ui.url_name("attachment_download"), args=[a.object_id, a.pk])

    def stored(self, world: Any, name: str = "营业执照.pdf", content: bytes = PDF,
               kind: str | None = None) -> Attachment:
        return attachments.attach(self.parent(world), upload(name, content), world.users[self.owner], kind or self.kind)

    def assert_nothing_stored(self) -> None:
        assert Attachment.objects.count() == 0
        assert stored_files(self.root) == []

    def refused(self, world: Any, name: str, content: bytes, kind: str | None = None) -> str:
        # ContentFile keeps the name as given (UploadedFile would already cut a path to its last part):
        # attach() is also what importers, the API and commands call.
        with pytest.raises(attachments.ValidationError) as info:
            attachments.attach(self.parent(world), ContentFile(content, name=name), world.users[self.owner],
                               kind or self.kind)
        self.assert_nothing_stored()
        return " ".join(info.value.messages)

    # -- upload --------------------------------------------------------------------------------------------------

    def test_it_uploads_with_hash_size_and_audit_event(self, world: Any, login: Any) -> None:
        obj = self.parent(world)
        response = login(self.owner).post(self.upload_url(obj),
                                          {"kind": self.kind, "file": upload("营业执照.pdf", PDF)})
        assert response.status_code == 303
        a = Attachment.objects.get()
        assert (a.parent, a.kind, a.original_name, a.size, a.file_type) == (
            obj, self.kind, "营业执照.pdf", len(PDF), "pdf")
        assert a.sha256 == hashlib.sha256(PDF).hexdigest()
        assert a.uploaded_by == world.users[self.owner]
        # Random stored name in the model's folder, never the user's name.
        meta = type(obj)._meta
        assert a.stored_name.startswith(f"{meta.app_label}/{meta.model_name}/") and "营业执照" not in a.stored_name
        assert [p.read_bytes() for p in stored_files(self.root)] == [PDF]
        event = AuditEvent.objects.get(category="data", action="create", object_type="core.attachment")
        assert event.object_id == str(a.pk) and event.actor_id == world.users[self.owner].pk

    @pytest.mark.parametrize("case", sorted(MISMATCHED))
    def test_it_refuses_content_that_does_not_match_the_extension(self, world: Any, case: str) -> None:
        name, content, reason = MISMATCHED[case]
        message = self.refused(world, name, content)
        assert "文件内容与扩展名不符" in message and reason in message
        event = AuditEvent.objects.get(category="security", action="upload")
        assert event.outcome == "refused" and "文件内容与扩展名不符" in event.message

    @pytest.mark.parametrize("case", sorted(MISMATCHED_OFFICE))
    def test_it_looks_inside_office_files(self, world: Any, case: str) -> None:
        name, make, reason = MISMATCHED_OFFICE[case]
        message = self.refused(world, name, make(), kind=self.other_kind)
        assert reason in message

    def test_it_accepts_real_office_files(self, world: Any) -> None:
        self.stored(world, "说明.docx", DOCX, self.other_kind)
        self.stored(world, "名单.xlsx", xlsx(), self.other_kind)
        assert sorted(Attachment.objects.values_list("file_type", flat=True)) == ["docx", "xlsx"]

    def test_it_refuses_a_type_outside_the_allowlist_of_the_use(self, world: Any) -> None:
        assert "只接受以下格式" in self.refused(world, "营业执照.docx", DOCX)

    def test_it_refuses_an_oversized_file_before_reading_it(self, world: Any, settings: Any) -> None:
        class Unreadable(SimpleUploadedFile):
            def read(self, *args: Any) -> bytes:
                raise AssertionError("an oversized file must be refused from its size, unread")

        big = Unreadable("营业执照.pdf", PDF + b"0" * settings.ATTACHMENT_MAX_BYTES)
        with pytest.raises(attachments.ValidationError) as info:
            attachments.attach(self.parent(world), big, world.users[self.owner], self.kind)
        assert "文件过大" in info.value.messages[0]
        self.assert_nothing_stored()

    def test_it_refuses_an_empty_file(self, world: Any) -> None:
        assert "文件为空" in self.refused(world, "营业执照.pdf", b"")

    @pytest.mark.parametrize("case", sorted(TRICK_NAMES))
    def test_it_refuses_names_with_path_tricks(self, world: Any, case: str) -> None:
        assert "文件名" in self.refused(world, TRICK_NAMES[case], PDF)

    def test_a_posted_name_with_a_path_is_refused_after_djangos_own_cut(self, world: Any, login: Any) -> None:
        # Django's multipart parser keeps only the part after the last / or \ ; what survives must still pass.
        boundary = "chanjiaoBoundary"
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{self.kind}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../C:passwd.pdf"\r\n'
                f'Content-Type: application/pdf\r\n\r\n').encode() + PDF + f"\r\n--{boundary}--\r\n".encode()
        response = login(self.owner).post(self.upload_url(self.parent(world)), body, HTTP_HX_REQUEST="true",
                                          content_type=f"multipart/form-data; boundary={boundary}")
        assert "文件名不能含有路径" in response.content.decode()
        self.assert_nothing_stored()

    def test_it_refuses_the_same_file_twice_on_one_object(self, world: Any) -> None:
        first = self.stored(world)
        with pytest.raises(attachments.ValidationError) as info:
            self.stored(world, "副本.pdf", PDF)
        assert "同一文件已上传过" in info.value.messages[0]
        assert list(Attachment.objects.all()) == [first] and len(stored_files(self.root)) == 1
        # Another object may hold the same file (two firms can upload the same template).
        attachments.attach(self.other(world), upload("营业执照.pdf", PDF), world.users[self.global_writer], self.kind)
        assert Attachment.objects.count() == 2

    # -- pages ---------------------------------------------------------------------------------------------------

    def test_the_detail_page_lists_attachments_and_offers_upload_to_editors(self, world: Any, login: Any) -> None:
        a = self.stored(world)
        page = login(self.owner).get(self.parent(world).get_absolute_url()).content.decode()
        assert 'data-testid="attachments-card"' in page and self.download_url(a) in page
        assert 'data-testid="attachment-form"' in page and "营业执照.pdf" in page

    def test_a_failed_plain_upload_shows_the_chinese_reason(self, world: Any, login: Any) -> None:
        response = login(self.owner).post(self.upload_url(self.parent(world)),
                                          {"kind": self.kind, "file": upload("营业执照.pdf", EXE)}, follow=True)
        assert response.redirect_chain[-1][1] == 303
        assert "上传失败：文件内容与扩展名不符" in response.content.decode()
        self.assert_nothing_stored()

    def test_htmx_upload_answers_the_card_with_the_reason_or_the_new_row(self, world: Any, login: Any) -> None:
        client = login(self.owner)
        url = self.upload_url(self.parent(world))
        refused = client.post(url, {"kind": self.kind, "file": upload("营业执照.pdf", TEXT)}, HTTP_HX_REQUEST="true")
        assert refused.status_code == 200
        body = refused.content.decode()
        assert 'data-testid="attachment-error"' in body and "文件内容与扩展名不符" in body and "<html" not in body
        self.assert_nothing_stored()
        ok = client.post(url, {"kind": self.kind, "file": upload("营业执照.pdf", PDF)}, HTTP_HX_REQUEST="true")
        assert 'data-testid="attachment-row"' in ok.content.decode() and Attachment.objects.count() == 1

    # -- download ------------------------------------------------------------------------------------------------

    def test_download_is_an_attachment_with_nosniff_and_a_security_event(self, world: Any, login: Any) -> None:
        a = self.stored(world, "营业执照 2024.pdf")
        response = login(self.owner).get(self.download_url(a))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%202024.pdf" in response["Content-Disposition"]
        event = AuditEvent.objects.get(category="security", action="download")
        assert (event.object_id, event.actor_id, event.changes["sha256"]) == (str(a.pk), world.users[self.owner].pk,
                                                                             a.sha256)

    # -- scoping -------------------------------------------------------------------------------------------------

    def test_the_other_organisations_attachments_are_404_and_unlisted(self, world: Any, login: Any) -> None:
        theirs = attachments.attach(self.other(world), upload("营业执照.pdf", PDF), world.users[self.global_writer],
                                    self.kind)
        client = login(self.owner)
        assert client.get(self.download_url(theirs)).status_code == 404
        assert self.download_url(theirs) not in client.get(self.other(world).get_absolute_url()).content.decode()
        assert not AuditEvent.objects.filter(action="download").exists()
        assert theirs not in Attachment.objects.visible_to(world.users[self.owner])

    def test_uploading_to_the_other_organisation_is_403_and_stores_nothing(self, world: Any, login: Any) -> None:
        response = login(self.owner).post(self.upload_url(self.other(world)),
                                          {"kind": self.kind, "file": upload("营业执照.pdf", PDF)})
        assert response.status_code == 403
        self.assert_nothing_stored()

    def test_the_reader_downloads_but_cannot_upload_or_withdraw(self, world: Any, login: Any) -> None:
        a = self.stored(world)
        client = login(self.reader)
        assert client.get(self.download_url(a)).status_code == 200
        assert 'data-testid="attachment-form"' not in client.get(self.parent(world).get_absolute_url()).content.decode()
        response = client.post(self.upload_url(self.parent(world)), {"kind": self.kind, "file": upload("b.pdf", PNG)})
        assert response.status_code == 403
        withdraw = reverse(self.ui.url_name("attachment_withdraw"), args=[a.object_id, a.pk])
        assert client.post(withdraw).status_code == 403
        assert Attachment.objects.get().withdrawn_at is None

    def test_the_system_administrators_see_no_attachment(self, world: Any, login: Any) -> None:
        a = self.stored(world)
        for persona in self.blind:
            assert login(persona).get(self.download_url(a)).status_code == 404, persona
            assert not Attachment.objects.visible_to(world.users[persona]).exists(), persona

    def test_scoping_is_one_query_whatever_the_number_of_parents(self, world: Any) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.stored(world)
        user = world.users[self.owner]
        list(Attachment.objects.visible_to(user))  # warm the scope and content-type caches
        with CaptureQueriesContext(connection) as queries:
            assert len(list(Attachment.objects.visible_to(user))) == 1
        assert len(queries) == 1

    # -- withdraw ------------------------------------------------------------------------------------------------

    def test_an_editor_withdraws_keeping_row_and_file_with_audit(self, world: Any, login: Any) -> None:
        a = self.stored(world)
        withdraw = reverse(self.ui.url_name("attachment_withdraw"), args=[a.object_id, a.pk])
        client = login(self.owner)
        assert client.post(withdraw).status_code == 303
        a.refresh_from_db()
        assert a.withdrawn_at is not None and a.withdrawn_by == world.users[self.owner]
        assert len(stored_files(self.root)) == 1  # evidence stays
        assert client.get(self.download_url(a)).status_code == 404
        assert AuditEvent.objects.filter(category="data", action="update", object_type="core.attachment",
                                         object_id=str(a.pk)).exists()
        assert not Attachment.objects.deletable_by(world.users[self.global_writer]).exists()
