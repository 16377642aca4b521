"""Import jobs: store the upload, validate (preview), commit — inline or as a background task.

The uploaded file stays under ``VAR_DIR/imports/<job id>/`` between preview and 确认导入 and is
deleted when the job finishes. Large files (more than ``IMPORT_BACKGROUND_ROWS`` rows) run through
django-tasks, so the request returns at once and the page polls the job.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from chanjiao.core import audit
from chanjiao.core.imports import Importer, ImportRefused, ImportResult, inspect_file
from chanjiao.core.models import ImportJob

logger = logging.getLogger(__name__)
Status = ImportJob.Status


def job_dir(job: ImportJob) -> Path:
    return Path(settings.VAR_DIR) / "imports" / str(job.pk)


def job_file(job: ImportJob) -> Path:
    # Our own file name on disk; the user's name is only metadata (no path tricks).
    return job_dir(job) / ("upload" + Path(job.file_name).suffix.lower())


def preview_file(job: ImportJob) -> Path:
    return job_dir(job) / "preview.json"


def read_preview(job: ImportJob) -> dict[str, Any]:
    """The rows a validated job will add and change (written by ``validate_job``); {} when gone."""
    try:
        return json.loads(preview_file(job).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _discard_file(job: ImportJob) -> None:
    shutil.rmtree(job_dir(job), ignore_errors=True)


def importer_for(job: ImportJob) -> Importer:
    return import_string(job.importer_path)(job.user)


def count_rows(path: Path, file_name: str) -> int:
    """A cheap row count to choose inline or background (after the zip checks)."""
    if path.suffix == ".csv":
        with path.open("rb") as fh:
            return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1)
    from python_calamine import CalamineWorkbook

    try:
        return max(0, CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height - 1)
    except Exception:  # unreadable: the validation pass reports it properly
        return 0


def start_import(importer: type[Importer], user: Any, upload: UploadedFile) -> ImportJob:
    """Create the job for an upload, keep the file, and validate it (inline or in the background)."""
    name = audit.clean_text(Path(upload.name or "upload").name, 200)
    job = ImportJob(user=user, model_label=audit.object_label(importer.model),
                    importer_path=f"{importer.__module__}.{importer.__qualname__}",
                    file_name=name, file_size=upload.size or 0)
    job.save()
    if job.file_size > settings.IMPORT_MAX_BYTES:
        # Refused before the file touches our disk.
        _reject(job, importer(user), ImportResult(file_name=name, refused=_(
            "文件过大（%(size).1f MB），单个文件上限为 %(limit).1f MB，请拆分后分批导入。")
            % {"size": job.file_size / 1048576, "limit": settings.IMPORT_MAX_BYTES / 1048576}))
        return job
    path = job_file(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        job.sha256 = inspect_file(path, name)
    except ImportRefused as exc:
        _reject(job, importer(user), ImportResult(file_name=name, refused=exc.message))
        return job
    job.rows = count_rows(path, name)
    job.background = job.rows > settings.IMPORT_BACKGROUND_ROWS
    job.save(update_fields=["sha256", "rows", "background", "updated_at"])
    if job.background:
        run_import.enqueue(job.pk)
    else:
        validate_job(job)
    return job


def _reject(job: ImportJob, importer: Importer, result: ImportResult) -> None:
    if result.refused and not result.sha256:
        importer._record(result, commit=False, outcome="failure")  # the security event for a refused file
    if job.status == Status.QUEUED:
        job.set_status(Status.VALIDATING)
    _finish(job, Status.REJECTED, result)


def _finish(job: ImportJob, status: str, result: ImportResult) -> None:
    job.set_status(status, **_result_fields(job, result), progress=100)
    _discard_file(job)


def _result_fields(job: ImportJob, result: ImportResult) -> dict[str, Any]:
    return {"rows": result.rows or job.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "error_count": result.error_count,
            "errors": [e.as_dict() for e in result.errors[:ImportJob.MAX_ERRORS]],
            "message": result.refused, "sha256": result.sha256 or job.sha256}


def _progress(job: ImportJob) -> Any:
    def report(percent: int) -> None:
        job.set_progress(percent)
    return report


def validate_job(job: ImportJob) -> None:
    """Preview: the whole file checked, nothing written; ends validated (clean) or rejected."""
    job.set_status(Status.VALIDATING, progress=5)
    importer = importer_for(job)
    try:
        result = importer.validate(job_file(job), job.file_name, progress=_progress(job))
    except Exception:
        logger.exception("import job %s: validation crashed", job.pk)
        job.set_status(Status.FAILED, message=_("校验时发生系统错误，未导入任何数据。"))
        _discard_file(job)
        return
    if result.ok:
        # Kept next to the upload, for as long as the upload: shown until 确认导入 or 取消.
        preview_file(job).write_text(json.dumps(result.preview, ensure_ascii=False), encoding="utf-8")
        job.set_status(Status.VALIDATED, **_result_fields(job, result), progress=100)
    else:
        _finish(job, Status.REJECTED, result)


def confirm_import(job: ImportJob) -> None:
    """确认导入: commit now, or queue the commit when the file is large."""
    if job.status != Status.VALIDATED:
        raise ValueError("only a validated job can be committed")
    if job.background:
        job.set_status(Status.QUEUED, confirmed=True, progress=0)
        run_import.enqueue(job.pk)
    else:
        job.confirmed = True
        commit_job(job)


def cancel_import(job: ImportJob) -> None:
    job.set_status(Status.REJECTED, message=_("已取消导入。"))
    _discard_file(job)


def commit_job(job: ImportJob) -> None:
    """Validate again and write in one transaction; ends succeeded, rejected or failed."""
    job.set_status(Status.COMMITTING, confirmed=True, progress=0)
    importer = importer_for(job)
    try:
        result = importer.commit(job_file(job), job.file_name, progress=_progress(job))
    except Exception:
        # The import transaction rolled back: nothing was written.
        logger.exception("import job %s: commit crashed", job.pk)
        job.set_status(Status.FAILED, message=_("导入时发生系统错误，已全部回滚，未导入任何数据。"))
        _discard_file(job)
        return
    _finish(job, Status.SUCCEEDED if result.committed else Status.REJECTED, result)


@task()
def run_import(job_id: int) -> str:
    """Background half of an import job: validate (preview) or, once confirmed, commit."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    with audit.audit_context(user=job.user, source="task:import"):
        if job.confirmed:
            commit_job(job)
        else:
            validate_job(job)
    return job.status


def reap_stale_jobs(stuck_minutes: int = 60, preview_hours: int = 24) -> int:
    """REL-12: end jobs that stopped moving, and previews nobody confirmed; their files are deleted.

    A running job's heartbeat is ``updated_at``. A crashed worker leaves its job in 队列/校验/导入 —
    its transaction was rolled back, so nothing was written and the file can simply be uploaded again.
    """
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    running = ImportJob.objects.filter(
        status__in=[Status.QUEUED, Status.VALIDATING, Status.COMMITTING],
        updated_at__lt=now - timedelta(minutes=stuck_minutes))
    previews = ImportJob.objects.filter(status=Status.VALIDATED, updated_at__lt=now - timedelta(hours=preview_hours))
    ended = 0
    for job, message in [*((j, _("任务中断（超过 %(m)d 分钟没有进展），未写入任何数据，请重新上传。")
                           % {"m": stuck_minutes}) for j in running),
                         *((j, _("预览超过 %(h)d 小时未确认，已作废，请重新上传。") % {"h": preview_hours})
                           for j in previews)]:
        job.set_status(Status.FAILED, message=message)
        _discard_file(job)
        ended += 1
    if ended:
        audit.record_security("import_reaped", details={"jobs": ended})
    return ended
