"""Jobs (issue #7): one ``Job`` row behind every long operation — import, export, report, scan.

A job has an owner, a kind, a title, its parameters (JSON), a progress (0–100, the heartbeat the
reaper watches) and, when it produces one, a result file kept through ``STORAGES["jobs"]`` (file
system by default, S3 in a scaled-out deployment). Its status moves only through the workflow
below (``set_status``, core/workflow.py): the worker's transitions are the system's; the owner may
*cancel* a job that has not started (queued) or a preview waiting for 确认导入 (validated).

Jobs are personal: only the owner sees one, its page and its file (others get a 404 — the job's
existence is not revealed). A new kind:

1. add it to ``Job.Kind``;
2. write ``start_<kind>(…) -> Job`` (creates the row with ``params``, enqueues the task) and a
   ``@task run_<kind>(job_id)`` that calls ``job.set_status("start")``, reports ``set_progress``,
   stores its file with ``store_result`` and ends with ``succeed`` or ``fail`` (see ``run_export``);
3. the pages (``/jobs/``, the job page with its progress bar, the download) and the reaper
   (stuck jobs failed, old result files deleted) follow.

Imports (core/tasks.py) are the kind with a preview: queued → validating → validated → (确认导入)
committing → succeeded, or rejected when the file has errors.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.http import FileResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from chanjiao.core import audit
from chanjiao.core.exports import private_download
from chanjiao.core.scoping import ScopedManager
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How often (in rows) a running export reports its progress.
PROGRESS_EVERY = 500


def _owner_may_cancel(scope: Any, job: Job) -> bool:
    return bool(scope.user_id) and job.user_id == scope.user_id


class Job(WorkflowMixin, models.Model):
    """One long operation of one user: what, how far, with which result (REL-01..REL-07 for imports)."""

    class Kind(models.TextChoices):
        IMPORT = "import", gettext_lazy("导入")
        EXPORT = "export", gettext_lazy("导出")
        REPORT = "report", gettext_lazy("报表")
        SCAN = "scan", gettext_lazy("检查")

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("排队中")
        RUNNING = "running", gettext_lazy("运行中")
        VALIDATING = "validating", gettext_lazy("校验中")
        VALIDATED = "validated", gettext_lazy("待确认")
        COMMITTING = "committing", gettext_lazy("导入中")
        SUCCEEDED = "succeeded", gettext_lazy("已完成")
        FAILED = "failed", gettext_lazy("失败")
        REJECTED = "rejected", gettext_lazy("已拒绝")
        CANCELLED = "cancelled", gettext_lazy("已取消")

    # Generic: queued → running → succeeded / failed. Imports: queued → validating → validated (preview,
    # waits for 确认导入) → queued/committing → succeeded; errors found → rejected. A crash → failed.
    # Only ``cancel`` is the owner's; every other transition is the worker's (or the view acting for it).
    workflow = Workflow("status", [
        Transition("start", Status.QUEUED, Status.RUNNING, label=gettext_lazy("开始"), system=True),
        Transition("validate", Status.QUEUED, Status.VALIDATING, label=gettext_lazy("校验"), system=True),
        Transition("preview", Status.VALIDATING, Status.VALIDATED, label=gettext_lazy("生成预览"), system=True),
        Transition("enqueue", Status.VALIDATED, Status.QUEUED, label=gettext_lazy("排队导入"), system=True),
        Transition("commit", (Status.QUEUED, Status.VALIDATED), Status.COMMITTING, label=gettext_lazy("导入"),
                   system=True),
        Transition("succeed", (Status.RUNNING, Status.COMMITTING), Status.SUCCEEDED, label=gettext_lazy("完成"),
                   system=True),
        Transition("reject", (Status.QUEUED, Status.VALIDATING, Status.VALIDATED, Status.COMMITTING),
                   Status.REJECTED, label=gettext_lazy("拒绝"), system=True),
        Transition("fail", (Status.QUEUED, Status.RUNNING, Status.VALIDATING, Status.VALIDATED, Status.COMMITTING),
                   Status.FAILED, label=gettext_lazy("标记失败"), system=True),
        Transition("cancel", (Status.QUEUED, Status.VALIDATED), Status.CANCELLED, label=gettext_lazy("取消任务"),
                   allowed=_owner_may_cancel, style="secondary"),
    ])
    FINISHED: ClassVar[frozenset[str]] = frozenset({"succeeded", "failed", "rejected", "cancelled"})
    RUNNING_STATES: ClassVar[frozenset[str]] = frozenset({"queued", "running", "validating", "committing"})
    MAX_ERRORS: ClassVar[int] = 1000

    kind = models.CharField(gettext_lazy("任务类型"), max_length=10, choices=Kind.choices, default=Kind.IMPORT,
                            db_index=True)
    title = models.CharField(gettext_lazy("任务名称"), max_length=200, blank=True)
    params = models.JSONField(gettext_lazy("任务参数"), default=dict, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=gettext_lazy("发起人"))
    model_label = models.CharField(gettext_lazy("数据类型"), max_length=100, blank=True)
    # Import only: the importer, the uploaded file and what validating/committing it found.
    importer_path = models.CharField(gettext_lazy("导入器"), max_length=200, blank=True)
    file_name = models.CharField(gettext_lazy("文件名"), max_length=255, blank=True)
    file_size = models.BigIntegerField(gettext_lazy("文件大小"), default=0)
    sha256 = models.CharField(gettext_lazy("SHA-256"), max_length=64, blank=True)
    status = models.CharField(gettext_lazy("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    confirmed = models.BooleanField(gettext_lazy("已确认导入"), default=False)
    background = models.BooleanField(gettext_lazy("后台运行"), default=False)
    rows = models.PositiveIntegerField(gettext_lazy("数据行数"), default=0)
    created = models.PositiveIntegerField(gettext_lazy("新增"), default=0)
    updated = models.PositiveIntegerField(gettext_lazy("更新"), default=0)
    unchanged = models.PositiveIntegerField(gettext_lazy("未变化"), default=0)
    error_count = models.PositiveIntegerField(gettext_lazy("错误数"), default=0)
    errors = models.JSONField(gettext_lazy("错误明细"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(gettext_lazy("进度"), default=0)
    message = models.TextField(gettext_lazy("说明"), blank=True)
    # The result: a name in STORAGES["jobs"] (empty: none, or deleted by the reaper) and the name
    # the owner downloads it under.
    result_name = models.CharField(gettext_lazy("结果文件名"), max_length=255, blank=True)
    result_file = models.CharField(gettext_lazy("结果文件"), max_length=300, blank=True)
    result_size = models.BigIntegerField(gettext_lazy("结果文件大小"), default=0)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("最后更新"), auto_now=True)  # the heartbeat of a running job
    started_at = models.DateTimeField(gettext_lazy("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("完成时间"), null=True, blank=True)

    objects = ScopedManager()
    # Jobs are personal: the rule alone decides, no global-reader shortcut.
    administrative = True

    class Meta:
        app_label = "core"
        verbose_name = gettext_lazy("任务")
        verbose_name_plural = gettext_lazy("任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.display_title} ({self.get_status_display()})"

    @classmethod
    def scope_q(cls, scope: Any, action: str) -> Q | None:
        return Q(user_id=scope.user_id) if scope.user_id else None

    def get_absolute_url(self) -> str:
        return reverse("core:job_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or self.file_name or f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def has_result(self) -> bool:
        return self.status == self.Status.SUCCEEDED and bool(self.result_file)

    @property
    def page_url(self) -> str:
        """Where the job is followed: an import on its import page (preview, 确认导入), others here."""
        if self.kind == self.Kind.IMPORT and self.model_label:
            from django.apps import apps

            from chanjiao.core.registry import ui_for

            try:
                ui = ui_for(apps.get_model(self.model_label))
            except LookupError:
                ui = None
            if ui is not None and ui.importer is not None:
                return f"{reverse(ui.url_name('import'))}?job={self.pk}"
        return self.get_absolute_url()

    def status_will_change(self, transition: Transition) -> None:
        now = timezone.now()
        if transition.target in {self.Status.RUNNING, self.Status.VALIDATING, self.Status.COMMITTING} \
                and self.started_at is None:
            self.started_at = now
        if transition.target in self.FINISHED:
            self.finished_at = now

    def status_fields(self, transition: Transition) -> list[str]:
        return ["started_at", "finished_at"]

    def set_progress(self, percent: int) -> None:
        """Progress without a status change (a heartbeat for the polling page and the reaper)."""
        self.progress = max(0, min(100, int(percent)))
        self.save(update_fields=["progress", "updated_at"])


# --- result files ------------------------------------------------------------------------------------------------


def storage() -> Storage:
    return storages["jobs"]


def store_result(job: Job, content: bytes, download_name: str, suffix: str = ".xlsx") -> str:
    """Keep a job's result under a random name in ``STORAGES["jobs"]``; returns the stored name."""
    return storage().save(f"{job.kind}/{job.pk}/{uuid.uuid4().hex}{suffix}", ContentFile(content))


def delete_result(job: Job) -> None:
    """Remove the result file (the reaper; a failed job keeps nothing half-written)."""
    if job.result_file:
        storage().delete(job.result_file)
        Job.objects.filter(pk=job.pk).update(result_file="", result_size=0)
        job.result_file, job.result_size = "", 0


def download_response(job: Job) -> FileResponse:
    """The owner's result file as a download, with a ``download`` security event."""
    audit.record_security("download", message=job.result_name,
                          details={"job": job.pk, "kind": job.kind, "size": job.result_size})
    suffix = job.result_file[job.result_file.rfind("."):] if "." in job.result_file else ""
    return private_download(storage().open(job.result_file, "rb"), content_type=XLSX,
                            ascii_name=f"job-{job.pk}{suffix}", name=job.result_name, size=job.result_size)


# --- background export -------------------------------------------------------------------------------------------


def _ui_for_list(url_name: str) -> Any:
    from django.urls import get_resolver

    from chanjiao.core.registry import registry

    _ = get_resolver().url_patterns  # the registry fills as the URL modules load (the worker has no request)
    for ui in registry:
        if ui.url_name("list") == url_name:
            return ui
    raise LookupError(url_name)


def start_export(ui: Any, user: Any, query: QueryDict, mode: str, rows: int) -> Job:
    """Queue the export of a list the user sees (``mode`` "list" or "import"); the list page redirects
    to the job. The parameters are the page's address, so the worker rebuilds the same rows."""
    params = query.copy()
    params.pop("page", None)
    job = Job(kind=Job.Kind.EXPORT, user=user, model_label=audit.object_label(ui.model),
              title=_("导出%(label)s") % {"label": ui.label}, background=True, rows=rows,
              params={"ui": ui.url_name("list"), "query": params.urlencode(), "mode": mode})
    job.save()
    run_export.enqueue(job.pk)
    return job


def _export_request(user: Any, query: str) -> Any:
    """A GET request carrying the stored address and the owner: what the list page's FilterSet and
    table read (filters, sort, the user for choices), so they build the rows exactly as the page did."""
    from django.http import HttpRequest

    request = HttpRequest()
    request.method = "GET"
    request.GET = QueryDict(query)
    request.user = user
    return request


def _reporting(rows: Iterable[list[Any]], job: Job, total: int) -> Iterator[list[Any]]:
    """Pass the rows through, reporting progress every ``PROGRESS_EVERY`` rows (the header is row 0)."""
    for i, row in enumerate(rows):
        if i and i % PROGRESS_EVERY == 0:
            job.set_progress(min(99, 100 * i // max(total, 1)))
        yield row


def export_content(ui: Any, user: Any, query: str, mode: str, job: Job) -> tuple[bytes, int]:
    """The xlsx of the export the list page would have written inline, and its row count."""
    from chanjiao.core.exports import xlsx_bytes
    from chanjiao.core.imports.importer import export_bytes

    request = _export_request(user, query)
    queryset = ui.rows_for(user)  # the owner's scope now, not when the job was queued
    filterset = ui.filterset(request.GET or None, queryset=queryset, request=request)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    if mode == "import":
        rows = rows.filter(pk__in=ui.model.objects.editable_by(user).values("pk"))
        total = rows.count()
        base = ui.importer

        class Reporting(base):  # type: ignore[misc,valid-type]
            """The model's importer, its rows passed through the progress reporter."""

            def export_rows(self, queryset: Any) -> Iterator[list[Any]]:
                return _reporting(super().export_rows(queryset), job, total)

        return export_bytes(Reporting, user, rows), total
    total = rows.count()
    table = ui.table(rows, request=request, exclude=("actions",))
    return xlsx_bytes(_reporting(table.as_values(), job, total), ui.label), total


@task()
def run_export(job_id: int) -> str:
    """The worker's half of an export: build the file under the owner's scope, store it, record the
    same ``export`` security event as the inline export. On any error: failed, no file kept."""
    job = Job._base_manager.select_related("user").get(pk=job_id)  # the worker acting on its own job
    if job.status != Job.Status.QUEUED:  # cancelled before the worker got to it
        return job.status
    owner = job.user
    with audit.audit_context(user=owner, source="task:export"):
        job.set_status("start", progress=0)
        stored = ""
        try:
            if owner is None or not owner.is_active:
                raise PermissionError("the owner is gone")
            ui = _ui_for_list(job.params["ui"])
            content, count = export_content(ui, owner, job.params.get("query", ""), job.params.get("mode", "list"),
                                            job)
            stamp = timezone.localdate().strftime("%Y%m%d")
            name = f"{ui.model._meta.verbose_name_plural}-{stamp}.xlsx"
            stored = store_result(job, content, name)
            audit.record_security("export", message=ui.label,
                                  details={"model": audit.object_label(ui.model), "rows": count,
                                           "format": job.params.get("mode", "list"),
                                           "query": job.params.get("query", "")[:500], "job": job.pk})
            job.set_status("succeed", progress=100, rows=count, result_name=name, result_file=stored,
                           result_size=len(content))
        except Exception:
            logger.exception("export job %s failed", job.pk)
            if stored:
                storage().delete(stored)  # nothing half-written is kept
            message = (_("任务所有人的账号已停用，未生成文件。") if owner is None or not owner.is_active
                       else _("导出时发生系统错误，未生成文件，请稍后重试。"))
            job.set_status("fail", message=message, result_file="", result_size=0)
    return job.status


# --- retention ----------------------------------------------------------------------------------------------------


def expire_results(days: int | None = None) -> int:
    """Delete the result files of jobs finished more than ``JOB_RESULT_DAYS`` ago; the rows stay."""
    from datetime import timedelta

    days = settings.JOB_RESULT_DAYS if days is None else days
    old = Job.objects.exclude(result_file="").filter(finished_at__lt=timezone.now() - timedelta(days=days))
    expired = 0
    for job in old:
        delete_result(job)
        expired += 1
    return expired
