"""Jobs (issue #7): a large export runs in the background with progress, its file for its owner only."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chanjiao.core import jobs
from chanjiao.core.jobs import Job, run_export
from chanjiao.core.models import AuditEvent
from chanjiao.core.tasks import reap_stale_jobs
from tests import factories

SCHOOLS = "/orgs/school/"


def work() -> None:
    """Run the queued tasks as ``make demo``'s ``db_worker`` does, outside any request: its own claim
    and ``run_task`` (its loop closes database connections, which would end the test's transaction)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    for result in DBTaskResult.objects.ready():
        result.claim(worker.worker_id)
        worker.run_task(result)
    assert not DBTaskResult.objects.ready().exists()


@pytest.fixture
def job_env(settings: Any, tmp_path: Path, monkeypatch: Any) -> Path:
    """Small thresholds, the database task backend (as in the demo), result files under tmp_path."""
    settings.EXPORT_BACKGROUND_ROWS = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "jobs"}}}
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)  # several progress reports for a handful of rows
    return tmp_path / "jobs"


@pytest.fixture
def progress_seen() -> Any:
    """Every progress value a job saved through ``set_progress`` (the heartbeat), in order."""
    seen: list[int] = []

    def receiver(sender: Any, instance: Job, update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields and "progress" in update_fields and len(update_fields) == 2:
            seen.append(instance.progress)

    post_save.connect(receiver, sender=Job)
    yield seen
    post_save.disconnect(receiver, sender=Job)


def sheet_values(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def downloaded(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def schools(world: Any) -> None:
    for n in range(6):
        factories.SchoolFactory(name=f"甲市第{n + 3}职业学校", school_code=f"41410001{n + 10}")


def test_a_large_list_export_runs_in_the_background_with_progress(
        world: Any, schools: None, login: Any, job_env: Path, progress_seen: list[int], settings: Any) -> None:
    client = login("bureau_admin")
    query = "export=xlsx&q=甲市&sort=-name"
    response = client.get(f"{SCHOOLS}?{query}", follow=True)

    job = Job.objects.get()
    assert (job.kind, job.user, job.status, job.rows) == ("export", world.bureau_admin, "queued", 7)
    assert response.redirect_chain == [(job.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "导出内容较多（共 7 行），已转入后台生成，完成后可在此下载。" in page and 'hx-trigger="every 1s"' in page
    work()
    job.refresh_from_db()
    assert (job.status, job.progress) == ("succeeded", 100), job.message
    assert [(c.source, c.target) for c in job.status_history().order_by("id")] == [
        ("queued", "running"), ("running", "succeeded")]
    # The heartbeat moved between start and end (7 rows, reported every 2).
    assert any(0 < p < 100 for p in progress_seen), progress_seen

    file = client.get(reverse("core:job_download", args=[job.pk]))
    assert file.status_code == 200
    assert file["Content-Disposition"] == (f"attachment; filename=\"job-{job.pk}.xlsx\"; "
                                           f"filename*=UTF-8''{quote(job.result_name)}")
    background = sheet_values(downloaded(file))

    settings.EXPORT_BACKGROUND_ROWS = 1000  # the same list, small enough to be written inline
    inline = client.get(f"{SCHOOLS}?{query}")
    assert inline.status_code == 200 and Job.objects.count() == 1
    assert background == sheet_values(inline.content)
    assert len(background) == 8 and [r[0] for r in background[1:]] == sorted(
        (r[0] for r in background[1:]), reverse=True)  # the address's sort kept

    export = AuditEvent.objects.filter(action="export").order_by("id").first()
    assert export.actor_username == "bureau_admin" and export.source == "task:export"
    assert (export.changes["rows"], export.changes["format"], export.changes["job"]) == (7, "list", job.pk)
    assert AuditEvent.objects.filter(action="download", actor_id=world.bureau_admin.pk).count() == 1


def test_the_re_importable_export_runs_in_the_background_too(
        world: Any, schools: None, login: Any, job_env: Path, settings: Any) -> None:
    client = login("bureau_admin")
    client.get(f"{SCHOOLS}?export=import")
    work()
    job = Job.objects.get()
    assert job.status == "succeeded" and job.params["mode"] == "import", job.message
    background = sheet_values(downloaded(client.get(reverse("core:job_download", args=[job.pk]))))
    settings.EXPORT_BACKGROUND_ROWS = 1000
    assert background == sheet_values(client.get(f"{SCHOOLS}?export=import").content)
    assert len(background) == 9


def test_a_small_export_stays_inline(world: Any, login: Any, job_env: Path) -> None:
    response = login("bureau_admin").get(f"{SCHOOLS}?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not Job.objects.exists()


def test_only_the_owner_sees_and_downloads_the_result(world: Any, schools: None, login: Any, job_env: Path) -> None:
    login("bureau_admin").get(f"{SCHOOLS}?export=xlsx")
    work()
    job = Job.objects.get()
    urls = [reverse("core:job_detail", args=[job.pk]), reverse("core:job_download", args=[job.pk])]
    for persona in ("secretariat", "audit_admin", "school_admin_a"):
        client = login(persona)
        for url in urls:
            assert client.get(url).status_code == 404, (persona, url)  # not 403: existence not revealed
        assert job.display_title not in client.get(reverse("core:job_list")).content.decode()
    for url in urls:
        response = login(None).get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not AuditEvent.objects.filter(action="download").exists()
    owner = login("bureau_admin")
    page = owner.get(reverse("core:job_list")).content.decode()
    assert job.display_title in page and reverse("core:job_download", args=[job.pk]) in page


def test_a_background_export_holds_only_the_owners_rows(world: Any, login: Any, job_env: Path) -> None:
    mine = [factories.TeacherFactory(school=world.school_a, name=f"甲校教师{n}") for n in range(4)]
    for n in range(4):
        factories.TeacherFactory(school=world.school_b, name=f"乙校教师{n}")
    client = login("school_admin_a")
    client.get(f"{reverse('orgs:teacher_list')}?export=xlsx")
    work()
    job = Job.objects.get()
    assert job.status == "succeeded", job.message
    rows = sheet_values(downloaded(client.get(reverse("core:job_download", args=[job.pk]))))[1:]
    names = {cell for row in rows for cell in row if isinstance(cell, str) and "校教师" in cell}
    assert names == {t.name for t in mine}


def test_a_failing_export_ends_failed_in_chinese_and_keeps_no_file(world: Any, job_env: Path) -> None:
    # A list that no longer exists (the model's pages were removed between queueing and running).
    job = factories.JobFactory(user=world.bureau_admin, status="queued", progress=0,
                               params={"ui": "orgs:gone_list", "query": "export=xlsx", "mode": "list"})
    assert run_export.call(job.pk) == "failed"
    job.refresh_from_db()
    assert job.message == "导出时发生系统错误，未生成文件，请稍后重试。"
    assert (job.result_file, job.finished_at is not None) == ("", True)
    assert stored_files(job_env) == []


def test_an_export_of_a_deactivated_owner_fails(world: Any, schools: None, job_env: Path) -> None:
    owner = world.bureau_admin
    job = factories.JobFactory(user=owner, status="queued", progress=0)
    owner.is_active = False
    owner.save()
    assert run_export.call(job.pk) == "failed"
    job.refresh_from_db()
    assert job.message == "任务所有人的账号已停用，未生成文件。" and stored_files(job_env) == []
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_owner_cancels_a_queued_job_and_the_worker_skips_it(world: Any, login: Any, job_env: Path) -> None:
    job = factories.JobFactory(user=world.bureau_admin, status="queued", progress=0)
    url = reverse("core:job_transition", args=[job.pk, "cancel"])
    assert login("secretariat").post(url).status_code == 404
    job.refresh_from_db()
    assert job.status == "queued"
    response = login("bureau_admin").post(url)
    assert response.status_code == 303 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "cancelled" and job.status_history().get().actor == world.bureau_admin
    assert run_export.call(job.pk) == "cancelled" and stored_files(job_env) == []
    # Finished: no second cancel.
    again = login("bureau_admin").post(url)
    assert again.status_code == 409 and "不能执行此操作" in again.content.decode()


def test_the_job_page_polls_until_the_job_is_finished(world: Any, login: Any, job_env: Path) -> None:
    client = login("bureau_admin")
    running = factories.JobFactory(user=world.bureau_admin, status="running", progress=40)
    fragment = client.get(running.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'aria-valuenow="40"' in fragment
    assert "<html" not in fragment
    done = factories.JobFactory(user=world.bureau_admin, status="succeeded", result_file="export/x.xlsx",
                                result_name="学校-20260101.xlsx")
    fragment = client.get(done.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and reverse("core:job_download", args=[done.pk]) in fragment


def test_everyone_finds_my_jobs_in_the_menu(world: Any, login: Any) -> None:
    for persona in ("no_role", "school_admin_a", "audit_admin"):
        page = login(persona).get(reverse("core:job_list"))
        assert page.status_code == 200
        assert f'href="{reverse("core:job_list")}"' in page.content.decode()


def test_the_reaper_fails_stuck_jobs_of_every_kind_and_deletes_old_results(
        world: Any, schools: None, login: Any, job_env: Path) -> None:
    stuck = factories.JobFactory(user=world.bureau_admin, status="running", progress=30)
    Job.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    assert reap_stale_jobs(stuck_minutes=60) == 1
    stuck.refresh_from_db()
    assert stuck.status == "failed" and "请重新发起" in stuck.message

    login("bureau_admin").get(f"{SCHOOLS}?export=xlsx")
    work()
    old = Job.objects.get(status="succeeded")
    assert len(stored_files(job_env)) == 1
    call_command("reap_import_jobs")  # JOB_RESULT_DAYS (7) not passed: kept
    old.refresh_from_db()
    assert old.has_result
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=8))
    out = io.StringIO()
    call_command("reap_import_jobs", stdout=out)
    assert "删除过期结果文件 1 个" in out.getvalue()
    old.refresh_from_db()
    assert (old.result_file, old.has_result, stored_files(job_env)) == ("", False, [])
    assert login("bureau_admin").get(reverse("core:job_download", args=[old.pk])).status_code == 404


def test_the_uploader_cancels_an_import_preview(world: Any, login: Any, tmp_path: Path, settings: Any) -> None:
    from tests.orgs.test_imports_orgs import HEADERS, enterprise_rows, upload, write_xlsx

    settings.VAR_DIR = tmp_path / "var"
    for code, name in [("3411", "锅炉及辅助设备制造"), ("6510", "软件开发")]:
        factories.IndustryFactory(code=code, name=name, section="C" if code == "3411" else "I", edition="2017")
    client = login("bureau_admin")
    url = reverse("orgs:enterprise_import")
    upload(client, url, write_xlsx(tmp_path / "e.xlsx", HEADERS, enterprise_rows(3)))
    job = Job.objects.get()
    assert (job.kind, job.status) == ("import", "validated"), job.message
    assert client.post(url, {"job": job.pk, "action": "cancel"}).status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled" and job.status_history().first().actor == world.bureau_admin
    assert not (tmp_path / "var" / "imports" / str(job.pk)).exists()
    page = client.get(f"{url}?job={job.pk}").content.decode()
    assert "已取消导入。" in page and "确认导入" not in page


def _list_uis() -> list[Any]:
    from django.urls import get_resolver

    from chanjiao.core.registry import registry

    get_resolver().url_patterns  # every app's ui.py registers on URL loading
    return [ui for ui in registry if ui.model is not Job]


@pytest.mark.parametrize("ui", _list_uis(), ids=lambda ui: ui.url_name("list"))
def test_every_list_exports_in_the_background_exactly_as_inline(
        ui: Any, world: Any, login: Any, job_env: Path, settings: Any) -> None:
    """Generated over the registry: with the threshold at 0, each list's export becomes a job whose
    file equals the inline export of the same list, for the user who asked (rows: the fully
    populated object of tests/populated.py, or the catalog rows it uses)."""
    from chanjiao.core.scoping import unscoped
    from tests import populated

    populated.catalog(world)
    factories.OccupationFactory()
    persona, builder = populated.BUILDERS.get(ui.name, ("bureau_admin", None))
    if builder is not None:
        builder(world)
    with unscoped("the test counts what the persona may see"):
        rows = ui.rows_for(world.users[persona]).count()
    if rows == 0:
        pytest.skip(f"{ui.label}: no populated builder for this list (rows appear by system action)")
    client = login(persona)
    list_url = reverse(ui.url_name("list"))
    settings.EXPORT_BACKGROUND_ROWS = 0
    response = client.get(f"{list_url}?export=xlsx")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    work()
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows) == ("succeeded", 100, rows), job.message
    background = sheet_values(downloaded(client.get(reverse("core:job_download", args=[job.pk]))))
    settings.EXPORT_BACKGROUND_ROWS = 10**6
    assert background == sheet_values(client.get(f"{list_url}?export=xlsx").content)
    assert len(background) == rows + 1
