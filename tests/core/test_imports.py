"""The generic import engine: file refusals, parsing, the job state machine and its scope."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.urls import reverse

from chanjiao.core.audit import audit_context
from chanjiao.core.imports import (
    ImportRefused,
    cell_text,
    inspect_file,
    parse_bool,
    parse_date,
    parse_digits,
    parse_int,
)
from chanjiao.core.models import AuditEvent, Job
from chanjiao.orgs.imports import SchoolImporter
from chanjiao.orgs.models import School


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def zip_bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    return path


def test_cell_parsing() -> None:
    assert cell_text(4142010001.0) == "4142010001"
    assert cell_text(dt.datetime(2025, 1, 2)) == "2025-01-02"
    assert cell_text(" 甲 \u200b") == "甲"
    assert parse_digits(10)(4141000001.0) == "4141000001"
    with pytest.raises(ValueError, match="10 位数字"):
        parse_digits(10)("41410000")
    assert parse_int(min_value=0)("1,200") == 1200
    with pytest.raises(ValueError, match="整数"):
        parse_int()("十二")
    assert parse_bool("是") is True and parse_bool("否") is False
    assert parse_date("2025年3月1日") == dt.date(2025, 3, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date("下周一")


def test_fast_initials_match_pinyin_initials() -> None:
    from chanjiao.core.text import pinyin_initials, pinyin_initials_reference

    assert pinyin_initials("计算机应用") == "jsjyy"
    names = ["计算机应用技术", "重庆长安汽车股份有限公司", "银行行长培训中心", "ABC科技（宜昌）有限公司2号", "长江大学"]
    for name in names:
        assert pinyin_initials(name) == pinyin_initials_reference(name)


def test_oversized_file_is_refused(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_MAX_BYTES = 2_000
    path = write_xlsx(tmp_path / "big.xlsx", [["学校标识码", "学校名称"]] + [[f"41410{i:05d}", "学校" * 50]
                                                                       for i in range(200)])
    with pytest.raises(ImportRefused, match="文件过大"):
        inspect_file(path, path.name)
    with audit_context(user=world.bureau_admin):
        result = SchoolImporter(world.bureau_admin).commit(path, path.name)
    assert "文件过大" in result.refused and not result.committed
    event = AuditEvent.objects.filter(action="import", category="security").latest("pk")
    assert event.outcome == "failure" and "文件过大" in event.changes["refused"]


def test_too_many_rows_is_refused(world: Any, tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "rows.xlsx", [["学校标识码", "学校名称"]] + [[f"41410{i:05d}", "学校"]
                                                                          for i in range(6)])
    result = SchoolImporter(world.bureau_admin).validate(path, path.name)
    assert "超过上限" in result.refused
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text("学校标识码,学校名称\n" + "".join(f"41410{i:05d},学校\n" for i in range(6)))
    assert "超过上限" in SchoolImporter(world.bureau_admin).validate(csv_path, csv_path.name).refused


def test_zip_bomb_is_refused_before_parsing(world: Any, tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportRefused, match="解压后体积过大"):
        inspect_file(path, path.name)
    assert "解压后体积过大" in SchoolImporter(world.bureau_admin).validate(path, path.name).refused


def test_oversized_and_bomb_uploads_rejected_by_view(world: Any, login: Any, tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    client = login("bureau_admin")
    url = reverse("orgs:school_import")
    with zip_bomb(tmp_path / "bomb.xlsx").open("rb") as fh:
        assert client.post(url, {"file": fh}).status_code == 302
    job = Job.objects.get()
    assert job.status == "rejected" and "解压后体积过大" in job.message and job.sha256 == ""
    assert not (tmp_path / "var" / "imports" / str(job.pk)).exists()
    settings.IMPORT_MAX_BYTES = 10
    path = write_xlsx(tmp_path / "s.xlsx", [["学校标识码", "学校名称"], ["4141000099", "新学校"]])
    with path.open("rb") as fh:
        client.post(url, {"file": fh})
    job = Job.objects.latest("pk")
    assert job.status == "rejected" and "文件过大" in job.message
    page = client.get(f"{url}?job={job.pk}").content.decode()
    assert "文件过大" in page
    assert AuditEvent.objects.filter(action="import", outcome="failure").count() == 2
    assert School.objects.filter(school_code="4141000099").count() == 0


def test_missing_required_column(world: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "cols.xlsx", [["学校名称"], ["某校"]])
    result = SchoolImporter(world.bureau_admin).validate(path, path.name)
    assert [(e.row, e.column, e.reason) for e in result.errors] == [(1, "学校标识码", "缺少必填列“学校标识码”")]


def test_job_status_machine_and_scope(world: Any) -> None:
    job = Job.objects.create(user=world.bureau_admin, model_label="orgs.school", file_name="a.xlsx",
                                   importer_path="chanjiao.orgs.imports.SchoolImporter")
    assert job.status == "queued"
    with pytest.raises(ValueError):
        job.set_status("succeeded")
    job.set_status("validating")
    job.set_status("validated", rows=3, created=3)
    job.set_status("committing")
    job.set_status("succeeded", progress=100)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.finished and job.finished_at and job.rows == 3
    with pytest.raises(ValueError):
        job.set_status("committing")
    assert list(Job.objects.visible_to(world.bureau_admin)) == [job]
    assert not Job.objects.visible_to(world.secretariat).exists()
    assert not Job.objects.visible_to(world.leader).exists()


def test_key_taken_by_another_kind(world: Any, tmp_path: Path) -> None:
    from tests import factories

    factories.DepartmentFactory(name="某局", school_code="4141000077")
    path = write_xlsx(tmp_path / "s.xlsx", [["学校标识码", "学校名称"], ["4141000077", "某校"]])
    result = SchoolImporter(world.bureau_admin).validate(path, path.name)
    assert [(e.row, e.reason) for e in result.errors] == [(2, "该代码已被其他类型的记录使用")]
