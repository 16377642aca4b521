"""Two imports of overlapping rows at the same moment, on two real PostgreSQL connections (issue 6, point 9).

Both imports validate before either writes — the moment the old code collided ("duplicate key" in
COPY). Each thread pauses after its validation until the other has validated too, or for at most
a few seconds: without the per-table import lock both pass the pause together and collide; with
it, the second is still waiting for the lock, so the first goes on alone and the second then
validates against the first's committed rows.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from chanjiao.core import tasks
from chanjiao.core.audit import audit_context
from chanjiao.core.imports import Importer
from chanjiao.core.models import AuditEvent, Job
from chanjiao.orgs.imports import EnterpriseImporter
from chanjiao.orgs.models import Enterprise, Organisation
from tests import factories

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="PostgreSQL only: SQLite's single write lock (BEGIN IMMEDIATE) serialises imports"),
]

HEADERS = ["统一社会信用代码", "企业名称", "企业规模", "从业人数"]
PAUSE = 3.0  # seconds a validated import waits for the other one


def uscc(n: int) -> str:
    return factories.valid_uscc(7_000 + n)


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("企业")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def rows(prefix: str, numbers: range) -> list[list[Any]]:
    return [[uscc(i), f"{prefix}企业{i}有限公司", "小型", 10 + i] for i in numbers]


def pause_after_validation(monkeypatch: Any, after: Any) -> None:
    original = Importer._validate

    def validate(self: Importer, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        after()
        return result

    monkeypatch.setattr(Importer, "_validate", validate)


def test_two_overlapping_imports_at_once_both_succeed(world: Any, tmp_path: Path, monkeypatch: Any) -> None:
    user = world.bureau_admin
    files = {"甲": write_xlsx(tmp_path / "a.xlsx", rows("甲", range(0, 10))),
             "乙": write_xlsx(tmp_path / "b.xlsx", rows("乙", range(5, 15)))}
    start, validated = threading.Barrier(2), threading.Barrier(2)

    def meet() -> None:
        # Broken after PAUSE: the other import is waiting for the lock, so go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            validated.wait(timeout=PAUSE)

    pause_after_validation(monkeypatch, meet)
    results: dict[str, Any] = {}
    order: list[str] = []

    def run(name: str) -> None:
        try:
            start.wait(timeout=10)
            with audit_context(user=user, source="test"):
                results[name] = EnterpriseImporter(user).commit(files[name], files[name].name)
            order.append(name)
        except Exception as exc:  # reported by the assertions below
            results[name] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(name,)) for name in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    for name, result in results.items():
        assert not isinstance(result, Exception), f"{name}: {result!r}"
        assert result.committed and not result.refused, (name, result.refused, result.errors)
    first, second = order
    # The first inserted its ten rows; the second found five of them and updated them.
    assert (results[first].created, results[first].updated) == (10, 0)
    assert (results[second].created, results[second].updated, results[second].unchanged) == (5, 5, 0)
    codes = [uscc(i) for i in range(15)]
    assert Organisation.objects.filter(uscc__in=codes).count() == 15
    assert Enterprise.objects.get(uscc=uscc(7)).name == f"{second}企业7有限公司"
    assert Enterprise.objects.get(uscc=uscc(2)).name == "甲企业2有限公司"
    assert Enterprise.objects.get(uscc=uscc(12)).name == "乙企业12有限公司"
    pks = [str(pk) for pk in Organisation.objects.filter(uscc__in=codes).values_list("pk", flat=True)]
    events = AuditEvent.objects.filter(category="data", object_type="orgs.enterprise", object_id__in=pks)
    assert events.filter(action="create").count() == 15
    assert events.filter(action="update").count() == 5


def test_a_row_taken_by_another_writer_mid_import_is_refused_precisely(world: Any, tmp_path: Path,
                                                                        monkeypatch: Any, settings: Any) -> None:
    """A form or the API (no import lock) inserts one of the file's codes between validation and write."""
    settings.VAR_DIR = tmp_path / "var"
    user = world.bureau_admin
    path = write_xlsx(tmp_path / "e.xlsx", rows("丙", range(20, 26)))
    upload = SimpleUploadedFile("企业.xlsx", path.read_bytes())
    with audit_context(user=user, source="test"):
        job = tasks.start_import(EnterpriseImporter, user, upload)
    job.refresh_from_db()
    assert job.status == Job.Status.VALIDATED and job.created == 6

    def other_writer() -> None:
        try:
            factories.EnterpriseFactory(uscc=uscc(23), name="别人刚录入的企业")
        finally:
            connection.close()

    def insert_meanwhile() -> None:
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(timeout=30)

    pause_after_validation(monkeypatch, insert_meanwhile)
    before = AuditEvent.objects.filter(category="data", object_type="orgs.enterprise").count()
    with audit_context(user=user, source="test"):
        tasks.confirm_import(job)
    job.refresh_from_db()
    assert job.status == Job.Status.REJECTED
    assert job.message == "另一项导入或编辑同时修改了相同的记录，本次未写入任何数据，请重新导入。"
    # Nothing of the import was written: only the other writer's row (and its own audit event).
    assert list(Organisation.objects.filter(uscc__in=[uscc(i) for i in range(20, 26)])
                .values_list("name", flat=True)) == ["别人刚录入的企业"]
    assert AuditEvent.objects.filter(category="data", object_type="orgs.enterprise").count() == before + 1
    security = AuditEvent.objects.filter(category="security", action="import").latest("pk")
    assert security.outcome == "failure" and security.changes["mode"] == "commit"
