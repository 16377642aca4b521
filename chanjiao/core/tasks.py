"""Import jobs (``Job`` of kind import): store the upload, validate (preview), commit — inline or as a
background task. The job model, the other kinds and the pages are in core/jobs.py.

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
from chanjiao.core.jobs import Job, delete_result, expire_results

logger = logging.getLogger(__name__)
Status = Job.Status


def job_dir(job: Job) -> Path:
    return Path(settings.VAR_DIR) / "imports" / str(job.pk)


def job_file(job: Job) -> Path:
    # Our own file name on disk; the user's name is only metadata (no path tricks).
    return job_dir(job) / ("upload" + Path(job.file_name).suffix.lower())


def preview_file(job: Job) -> Path:
    return job_dir(job) / "preview.json"


def read_preview(job: Job) -> dict[str, Any]:
    """The rows a validated job will add and change (written by ``validate_job``); {} when gone."""
    try:
        preview: dict[str, Any] = json.loads(preview_file(job).read_text(encoding="utf-8"))  # ours: a dict
        return preview
    except (OSError, ValueError):
        return {}


def _discard_file(job: Job) -> None:
    shutil.rmtree(job_dir(job), ignore_errors=True)


def importer_for(job: Job) -> Importer:
    importer: type[Importer] = import_string(job.importer_path)  # stored by start_import from the class
    return importer(job.user)


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


def start_import(importer: type[Importer], user: Any, upload: UploadedFile[bytes]) -> Job:
    """Create the job for an upload, keep the file, and validate it (inline or in the background)."""
    name = audit.clean_text(Path(upload.name or "upload").name, 200)
    job = Job(kind=Job.Kind.IMPORT, user=user, model_label=audit.object_label(importer.model),
              title=_("导入%(label)s") % {"label": importer.model._meta.verbose_name_plural},
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


def _reject(job: Job, importer: Importer, result: ImportResult) -> None:
    if result.refused and not result.sha256:
        importer._record(result, commit=False, outcome="failure")  # the security event for a refused file
    if job.status == Status.QUEUED:
        job.set_status(Status.VALIDATING)
    _finish(job, Status.REJECTED, result)


def _finish(job: Job, status: str, result: ImportResult) -> None:
    job.set_status(status, **_result_fields(job, result), progress=100)
    _discard_file(job)


def _result_fields(job: Job, result: ImportResult) -> dict[str, Any]:
    return {"rows": result.rows or job.rows, "created": result.created, "updated": result.updated,
            "unchanged": result.unchanged, "error_count": result.error_count,
            "errors": [e.as_dict() for e in result.errors[:Job.MAX_ERRORS]],
            "message": result.refused, "sha256": result.sha256 or job.sha256}


def _progress(job: Job) -> Any:
    def report(percent: int) -> None:
        job.set_progress(percent)
    return report


def validate_job(job: Job) -> None:
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


def confirm_import(job: Job) -> None:
    """确认导入: commit now, or queue the commit when the file is large."""
    if job.status != Status.VALIDATED:
        raise ValueError("only a validated job can be committed")
    if job.background:
        job.set_status(Status.QUEUED, confirmed=True, progress=0)
        run_import.enqueue(job.pk)
    else:
        job.confirmed = True
        commit_job(job)


def cancel_import(job: Job, by: Any, note: str = "") -> None:
    """The owner's 取消 on a preview (or a queued file): the owner's transition, the upload deleted."""
    job.set_status("cancel", by=by, note=note, message=_("已取消导入。"))
    _discard_file(job)


def commit_job(job: Job) -> None:
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
    job = Job._base_manager.select_related("user").get(pk=job_id)  # the worker acting on its own job
    if job.status != Status.QUEUED:  # cancelled (or reaped) before the worker got to it
        return job.status
    with audit.audit_context(user=job.user, source="task:import"):
        if job.confirmed:
            commit_job(job)
        else:
            validate_job(job)
    return job.status


def reap_stale_jobs(stuck_minutes: int = 60, preview_hours: int = 24) -> int:
    """REL-12: end jobs of every kind that stopped moving, and previews nobody confirmed.

    A running job's heartbeat is ``updated_at`` (``set_progress``). A crashed worker leaves its job
    queued or running — an import's transaction was rolled back, so nothing was written and the file
    can simply be uploaded again; an export stored nothing. Uploads and partial results are deleted.
    """
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    running = Job.objects.filter(status__in=Job.RUNNING_STATES, updated_at__lt=now - timedelta(minutes=stuck_minutes))
    previews = Job.objects.filter(status=Status.VALIDATED, updated_at__lt=now - timedelta(hours=preview_hours))
    ended = 0
    for job, message in [*((j, _stuck_message(j, stuck_minutes)) for j in running),
                         *((j, _("预览超过 %(h)d 小时未确认，已作废，请重新上传。") % {"h": preview_hours})
                           for j in previews)]:
        job.set_status(Status.FAILED, message=message)
        if job.kind == Job.Kind.IMPORT:
            _discard_file(job)
        delete_result(job)
        ended += 1
    if ended:
        audit.record_security("import_reaped", details={"jobs": ended})
    return ended


def _stuck_message(job: Job, minutes: int) -> str:
    if job.kind == Job.Kind.IMPORT:
        return _("任务中断（超过 %(m)d 分钟没有进展），未写入任何数据，请重新上传。") % {"m": minutes}
    return _("任务中断（超过 %(m)d 分钟没有进展），未生成结果，请重新发起。") % {"m": minutes}


def reap_jobs(stuck_minutes: int = 60, preview_hours: int = 24, result_days: int | None = None) -> tuple[int, int]:
    """The reaper's whole round: stuck jobs ended, result files older than ``JOB_RESULT_DAYS`` deleted."""
    return reap_stale_jobs(stuck_minutes, preview_hours), expire_results(result_days)
