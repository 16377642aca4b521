"""REL-12: stuck import jobs and abandoned previews are ended, their files removed; live jobs are left alone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from chanjiao.core.models import AuditEvent, Job
from chanjiao.core.tasks import job_file, reap_stale_jobs


def make_job(world: Any, status: str, age: timedelta) -> Job:
    job = Job.objects.create(user=world.bureau_admin, model_label="orgs.enterprise",
                                   importer_path="chanjiao.orgs.imports.EnterpriseImporter",
                                   file_name="企业.xlsx", status=status)
    path = job_file(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"xlsx")
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - age)
    return job


def test_it_ends_stuck_jobs_and_stale_previews_only(world: Any, settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    stuck = make_job(world, "committing", timedelta(hours=2))
    running = make_job(world, "committing", timedelta(minutes=5))
    stale_preview = make_job(world, "validated", timedelta(days=2))
    fresh_preview = make_job(world, "validated", timedelta(hours=1))

    assert reap_stale_jobs(stuck_minutes=60, preview_hours=24) == 2

    for job in (stuck, stale_preview):
        job.refresh_from_db()
        assert job.status == "failed" and job.finished_at is not None and "请重新上传" in job.message
        assert not job_file(job).exists()
    for job in (running, fresh_preview):
        status = job.status
        job.refresh_from_db()
        assert job.status == status and job_file(job).exists()
    assert AuditEvent.objects.get(action="import_reaped").changes == {"jobs": 2}


def test_the_command_reports_in_chinese(world: Any, settings: Any, tmp_path: Path, capsys: Any) -> None:
    settings.VAR_DIR = tmp_path
    make_job(world, "validating", timedelta(hours=3))
    call_command("reap_import_jobs")
    assert "已结束任务 1 个" in capsys.readouterr().out
