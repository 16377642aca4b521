"""Importing schools and enterprises: every error at once, nothing half-written, idempotent re-import."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.test import override_settings
from django.urls import reverse
from python_calamine import CalamineWorkbook

from chanjiao.catalog.models import Industry
from chanjiao.core.audit import audit_context
from chanjiao.core.models import AuditEvent, Job
from chanjiao.orgs.imports import EnterpriseImporter, SchoolImporter
from chanjiao.orgs.models import Enterprise, School
from tests import factories

HEADERS = ["统一社会信用代码", "企业名称", "行业代码", "企业规模", "所有制", "从业人数", "是否龙头企业"]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def uscc(n: int) -> str:
    return factories.valid_uscc(1_000 + n)


def enterprise_rows(n: int = 10) -> list[list[Any]]:
    return [[uscc(i), f"测试企业{i}有限公司", "C3411" if i % 2 else "I6510", "小型", "民营", 10 + i,
             "是" if i == 0 else "否"] for i in range(n)]


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("企业")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str) -> Path:
    text = "\n".join(",".join(str(c) for c in row) for row in [header, *rows]) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def data_events() -> int:
    return AuditEvent.objects.filter(category="data", object_type__startswith="orgs.").count()


@pytest.fixture
def industries(db: None) -> None:
    # Real GB/T 4754 codes; the rows write them with their 门类 letter ("C3411"), as the help does.
    for code, name in [("C3411", "锅炉及辅助设备制造"), ("I6510", "软件开发")]:
        Industry.objects.create(code=code[1:], name=name, level=Industry.Level.CLASS, section=code[0], edition="2017")


@pytest.fixture
def import_dir(tmp_path: Path, settings: Any) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path


def commit(importer: Any, user: Any, path: Path) -> Any:
    with audit_context(user=user, source="test"):
        return importer(user).commit(path, path.name)


def test_every_error_reported_at_once_and_nothing_written(world: Any, industries: None, tmp_path: Path) -> None:
    rows = enterprise_rows(4)
    bad_check = rows[1][0][:-1] + ("0" if rows[1][0][-1] != "0" else "1")
    rows[1][0] = bad_check
    rows[2][2] = "Z9999"
    rows.append(list(rows[0]))  # row 6 duplicates row 2
    rows[3][3] = "超大型"
    rows[3][5] = -5
    path = write_xlsx(tmp_path / "bad.xlsx", HEADERS, rows)
    before = (Enterprise.objects.count(), data_events())

    result = commit(EnterpriseImporter, world.bureau_admin, path)

    got = {(e.row, e.column, e.value, e.reason) for e in result.errors}
    assert (3, "统一社会信用代码", bad_check, "校验位错误") in got
    assert (4, "行业代码", "Z9999", "代码不存在（国民经济行业）") in got
    assert (6, "统一社会信用代码", rows[0][0], "与第 2 行重复") in got
    assert any(e[:3] == (5, "企业规模", "超大型") for e in got)
    assert (5, "从业人数", "-5", "不能小于 0") in got
    assert result.error_count == len(got) == 5
    assert not result.committed
    assert (Enterprise.objects.count(), data_events()) == before
    assert AuditEvent.objects.filter(action="import", outcome="failure").exists()

    # The same file without those rows imports.
    good = [r for i, r in enumerate(rows) if i in (0, 4 - 4)] + enterprise_rows(8)[4:]
    path = write_xlsx(tmp_path / "good.xlsx", HEADERS, good[:1] + good[1:])
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert result.committed and result.created == len(good)


def test_school_admin_cannot_import_other_schools(world: Any, tmp_path: Path) -> None:
    header = ["学校标识码", "学校名称", "办学层次"]
    rows = [
        ["4141000001", "甲市第一职业技术学院（新名）", "高职专科"],  # own school: allowed update
        ["4141000002", "乙县第二中等职业学校", "中职"],  # another school
        ["4141000009", "新学校", "中职"],  # creation needs the bureau
        ["12345", "格式错误学校", "中职"],
        ["4141000001", "重复", "中职"],
    ]
    path = write_xlsx(tmp_path / "schools.xlsx", header, rows)
    before = (School.objects.count(), data_events())

    result = commit(SchoolImporter, world.school_admin_a, path)

    got = {(e.row, e.column, e.value, e.reason) for e in result.errors}
    assert got == {
        (3, "学校标识码", "4141000002", "该记录不在您的管理范围内，无权修改"),
        (4, "学校标识码", "4141000009", "您无权新建此类记录"),
        (5, "学校标识码", "12345", "应为 10 位数字"),
        (6, "学校标识码", "4141000001", "与第 2 行重复"),
    }
    assert (School.objects.count(), data_events()) == before
    assert School.objects.get(school_code="4141000001").name == "甲市第一职业技术学院"

    path = write_xlsx(tmp_path / "own.xlsx", header, rows[:1])
    result = commit(SchoolImporter, world.school_admin_a, path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    school = School.objects.get(school_code="4141000001")
    assert school.name == "甲市第一职业技术学院（新名）" and school.school_level == "associate"
    assert school.pk == world.school_a.pk


def test_reimport_changes_nothing_and_five_cells_update_five_rows(world: Any, industries: None,
                                                                  tmp_path: Path) -> None:
    rows = enterprise_rows(20)
    path = write_xlsx(tmp_path / "e.xlsx", HEADERS, rows)
    first = commit(EnterpriseImporter, world.bureau_admin, path)
    assert (first.created, first.updated, first.unchanged) == (20, 0, 0)
    created = Enterprise.objects.get(uscc=rows[0][0])
    assert created.kind == "enterprise" and created.initials == "csqy0yxgs" and created.is_leading
    assert created.industry.code == "6510"
    ids = dict(Enterprise.objects.filter(uscc__in=[r[0] for r in rows]).values_list("uscc", "pk"))
    events = data_events()
    from chanjiao.core import audit

    event = AuditEvent.objects.get(category="data", action="create", object_type="orgs.enterprise",
                                   object_id=str(created.pk))
    # The bulk path writes the same event the ORM path would.
    assert event.changes == audit.diff(None, audit.snapshot(created))
    assert event.actor_username == "bureau_admin" and event.object_repr == created.name

    again = commit(EnterpriseImporter, world.bureau_admin, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 20)
    assert data_events() == events

    changed = [list(r) for r in rows]
    changed[1][1] = "改名企业有限公司"
    changed[3][2] = "I6510"
    changed[5][5] = 999
    changed[7][6] = "是"
    changed[9][3] = "大型"
    path = write_xlsx(tmp_path / "e2.xlsx", HEADERS, changed)
    third = commit(EnterpriseImporter, world.bureau_admin, path)
    assert (third.created, third.updated, third.unchanged) == (0, 5, 15)
    assert dict(Enterprise.objects.filter(uscc__in=[r[0] for r in rows]).values_list("uscc", "pk")) == ids
    updates = AuditEvent.objects.filter(category="data", action="update", object_type="orgs.enterprise")
    assert updates.count() == 5
    renamed = Enterprise.objects.get(uscc=rows[1][0])
    assert renamed.name == "改名企业有限公司" and renamed.initials == "gmqyyxgs"
    event = updates.get(object_id=str(renamed.pk))
    assert event.changes["name"] == ["测试企业1有限公司", "改名企业有限公司"]
    assert Enterprise.objects.get(uscc=rows[5][0]).headcount == 999


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_encodings(world: Any, industries: None, tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "e.csv", HEADERS, enterprise_rows(5), encoding)
    result = commit(EnterpriseImporter, world.bureau_admin, path)
    assert result.committed and result.created == 5, result.errors
    assert Enterprise.objects.get(uscc=uscc(2)).name == "测试企业2有限公司"


def test_crash_mid_commit_leaves_nothing(world: Any, industries: None, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from chanjiao.core import bulk

    real = bulk.bulk_insert  # bulk_create on SQLite, COPY on PostgreSQL
    calls = {"n": 0}

    def flaky(model: Any, objs: Any) -> Any:
        if model is Enterprise:
            calls["n"] += 1
            if calls["n"] == 2:  # the first batch and its audit events are already in the tables
                raise RuntimeError("disk full")
        return real(model, objs)

    monkeypatch.setattr(bulk, "bulk_insert", flaky)
    monkeypatch.setattr(EnterpriseImporter, "batch_size", 3)
    path = write_xlsx(tmp_path / "e.xlsx", HEADERS, enterprise_rows(8))
    before = (Enterprise.objects.count(), data_events())
    with pytest.raises(RuntimeError):
        commit(EnterpriseImporter, world.bureau_admin, path)
    assert calls["n"] == 2
    assert (Enterprise.objects.count(), data_events()) == before
    assert AuditEvent.objects.filter(action="import", outcome="failure").exists()


# --- through the real views ------------------------------------------------------------------------

def upload(client: Any, url: str, path: Path) -> Any:
    with path.open("rb") as fh:
        return client.post(url, {"file": fh})


def test_views_preview_errors_then_confirm(world: Any, industries: None, import_dir: Path, login: Any) -> None:
    client = login("bureau_admin")
    url = reverse("orgs:enterprise_import")
    assert client.get(url).status_code == 200
    rows = enterprise_rows(6)
    rows[2][2] = "Z9999"
    response = upload(client, url, write_xlsx(import_dir / "bad.xlsx", HEADERS, rows))
    assert response.status_code == 302
    page = client.get(response["Location"])
    job = Job.objects.get()
    assert job.status == "rejected" and job.error_count == 1
    assert "Z9999" in page.content.decode() and "代码不存在" in page.content.decode()
    report = client.get(f"{url}?job={job.pk}&errors=xlsx")
    errors = CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_index(0).to_python()
    assert errors[1][:3] == [4.0, "行业代码", "Z9999"]
    assert not (import_dir / "var" / "imports" / str(job.pk)).exists()
    assert Enterprise.objects.filter(uscc=rows[0][0]).count() == 0

    rows[2][2] = "C3411"
    response = upload(client, url, write_xlsx(import_dir / "good.xlsx", HEADERS, rows))
    job = Job.objects.latest("pk")
    assert job.status == "validated" and job.created == 6
    assert "确认导入" in client.get(response["Location"]).content.decode()
    assert (import_dir / "var" / "imports" / str(job.pk) / "upload.xlsx").exists()
    assert Enterprise.objects.filter(uscc=rows[0][0]).count() == 0  # preview wrote nothing

    response = client.post(url, {"job": job.pk, "action": "confirm"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "succeeded" and (job.created, job.updated, job.unchanged) == (6, 0, 0)
    assert Enterprise.objects.filter(uscc__in=[r[0] for r in rows]).count() == 6
    assert not (import_dir / "var" / "imports" / str(job.pk)).exists()
    event = AuditEvent.objects.filter(action="import", category="security", outcome="success").latest("pk")
    assert event.changes["sha256"] == job.sha256 and event.changes["created"] == 6
    assert event.actor_username == "bureau_admin"

    # Another user does not see this job.
    other = login("secretariat")
    assert other.get(f"{url}?job={job.pk}").status_code == 404


def test_import_needs_create_or_edit_permission(world: Any, login: Any) -> None:
    # A school admin may update their own school by import, but has no enterprise to write.
    assert login("school_admin_a").get(reverse("orgs:school_import")).status_code == 200
    assert login("school_admin_a").get(reverse("orgs:enterprise_import")).status_code == 403
    assert login("school_admin_a").get(reverse("orgs:enterprise_import_template")).status_code == 403
    assert login("leader").get(reverse("orgs:school_import")).status_code == 403
    assert login("bureau_admin").get(reverse("orgs:school_import")).status_code == 200


def test_school_admin_upload_with_another_schools_row_is_rejected_whole(world: Any, import_dir: Path,
                                                                        login: Any) -> None:
    client = login("school_admin_a")
    url = reverse("orgs:school_import")
    header = ["学校标识码", "学校名称", "办学层次"]
    rows = [["4141000001", "甲市第一职业技术学院（新名）", "高职专科"], ["4141000002", "乙县改名学校", "中职"]]
    before = (list(School.objects.order_by("pk").values_list("name", flat=True)), data_events())

    response = upload(client, url, write_xlsx(import_dir / "mixed.xlsx", header, rows))

    page = client.get(response["Location"]).content.decode()
    assert "该记录不在您的管理范围内" in page and "4141000002" in page
    assert Job.objects.get().status == "rejected"
    assert (list(School.objects.order_by("pk").values_list("name", flat=True)), data_events()) == before


def test_template_download_has_chinese_headers(world: Any, login: Any) -> None:
    response = login("bureau_admin").get(reverse("orgs:enterprise_import_template"))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[1] == "说明"
    header = book.get_sheet_by_index(0).to_python()[0]
    assert header[:4] == ["统一社会信用代码", "企业名称", "简称", "行业代码"]
    assert "是否龙头企业" in header
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<dataValidation " in sheet_xml and "大型,中型,小型,微型" in sheet_xml


@override_settings(TASKS=IMMEDIATE)
def test_big_file_runs_as_background_job(world: Any, industries: None, import_dir: Path, login: Any,
                                         settings: Any) -> None:
    settings.IMPORT_BACKGROUND_ROWS = 5
    client = login("bureau_admin")
    url = reverse("orgs:enterprise_import")
    rows = enterprise_rows(12)
    response = upload(client, url, write_xlsx(import_dir / "big.xlsx", HEADERS, rows))
    job = Job.objects.get()
    assert job.background
    assert response.status_code == 202  # accepted: the page polls the background job
    job.refresh_from_db()
    assert job.status == "validated", job.message
    fragment = client.get(f"{url}?job={job.pk}", HTTP_HX_REQUEST="true")
    assert "确认导入" in fragment.content.decode()
    client.post(url, {"job": job.pk, "action": "confirm"})
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created == 12 and job.progress == 100
    assert Enterprise.objects.filter(uscc__in=[r[0] for r in rows]).count() == 12
    event = AuditEvent.objects.filter(category="data", action="create", object_type="orgs.enterprise",
                                      object_id=str(Enterprise.objects.get(uscc=rows[0][0]).pk)).get()
    assert event.actor_username == "bureau_admin" and event.source == "task:import"
