"""Shared model building blocks: the audited, scoped base model and the append-only audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chanjiao.core import audit
from chanjiao.core.scoping import ScopedManager
from chanjiao.core.workflow import Transition, Workflow, WorkflowMixin


class AuditMixin(models.Model):
    """Writes an audit event for every create/update in the same transaction as the save.

    Deletes (including cascades) are caught by the ``post_delete`` receiver below, which runs inside
    Django's delete transaction.
    """

    audit_exclude: tuple[str, ...] = ()
    audit_masked: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic(using=kwargs.get("using")):
            adding = self._state.adding or self.pk is None
            before = None
            if not adding:
                old = type(self)._base_manager.filter(pk=self.pk).first()
                before = audit.snapshot(old) if old is not None else None
                adding = old is None
            super().save(*args, **kwargs)
            audit.record_change("create" if adding else "update", self, before, audit.snapshot(self))

    def get_absolute_url(self) -> str:
        try:
            return reverse(f"{self._meta.app_label}:{self._meta.model_name}_detail", args=[self.pk])
        except NoReverseMatch:
            return ""


class AuditedModel(AuditMixin):
    """Base of every business model: timestamps, audit, the scoped manager."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True


@receiver(post_delete)
def _audit_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if isinstance(instance, AuditMixin):
        audit.record_change("delete", instance, audit.snapshot(instance), None)


class AuditEventQuerySet(models.QuerySet):
    def history_of(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=audit.object_label(obj), object_id=str(obj.pk))

    def history_for(self, user: Any, obj: models.Model) -> AuditEventQuerySet:
        """The events of ``obj``'s history page that ``user`` may read (none when they may not)."""
        rule = history_rule(user, obj)
        if rule is None:
            return self.none()
        events = self.history_of(obj)
        return events if rule == "all" else events.filter(category=AuditEvent.Category.DATA)


def history_rule(user: Any, obj: models.Model) -> str | None:
    """Who may read an object's history — the one place this is decided (AC-07, issue #6 point 2).

    * The audit admin reads every object's history, security events included ("all").
    * Users, role grants and tokens (``administrative`` models) carry security events — logins,
      password changes, role grants: the audit admin's alone; the system and security admins do not
      read them (三权分立).
    * A business record's data changes ("data") are read by whoever may edit the record: the owner
      organisation's admins and the global writers (bureau admin, secretariat). Readers who may not
      edit it — other organisations, leaders, the other system admins — see no history: it names
      the operators and the old values.
    """
    from chanjiao.core.roles import Role
    from chanjiao.core.scoping import get_scope

    scope = get_scope(user)
    if scope.has(Role.AUDIT_ADMIN):
        return "all"
    model = type(obj)
    if getattr(model, "administrative", False) or not hasattr(model._default_manager, "editable_by"):
        return None
    return "data" if model._default_manager.editable_by(user).filter(pk=obj.pk).exists() else None


class AuditEvent(models.Model):
    """One append-only audit record. On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE
    (AU-03); ``prev_hash``/``hash`` chain the events (AU-07, ``manage.py verify_audit``)."""

    class Category(models.TextChoices):
        DATA = "data", _("数据变更")
        SECURITY = "security", _("安全事件")

    # Set in Python (not auto_now_add) so that the hash, computed before the INSERT, covers it.
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    category = models.CharField(_("类别"), max_length=10, choices=Category.choices)
    action = models.CharField(_("动作"), max_length=40, db_index=True)
    outcome = models.CharField(_("结果"), max_length=10, default="success")
    # No foreign key: the log must outlive the user row and never cascade.
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("操作人"), max_length=150, blank=True)
    actor_roles = models.CharField(_("角色"), max_length=300, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=64, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("来源IP"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    # db_default: a row inserted by raw SQL gets "" — and fails verification, as it should.
    prev_hash = models.CharField(_("前一事件哈希"), max_length=64, blank=True, default="", db_default="")
    hash = models.CharField(_("哈希"), max_length=64, blank=True, default="", db_default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        # The object history tab filters on (object_type, object_id).
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("audit events are append-only")
        with transaction.atomic(using=kwargs.get("using")):
            audit.seal(self, audit.lock_chain_head())
            super().save(*args, **kwargs)


class ImportJob(WorkflowMixin, models.Model):
    """One upload of a spreadsheet: who, what, how far, with which result (REL-01..REL-07).

    The status only moves through ``set_status`` (core/workflow.py): every transition checked in one
    place, each one a ``StatusChange`` row.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        VALIDATING = "validating", _("校验中")
        VALIDATED = "validated", _("待确认")
        COMMITTING = "committing", _("导入中")
        SUCCEEDED = "succeeded", _("导入成功")
        FAILED = "failed", _("导入失败")
        REJECTED = "rejected", _("已拒绝")

    # queued → validating → validated (preview, waits for 确认导入) → queued/committing → succeeded;
    # errors found → rejected; a crash → failed. Every transition is the system's (the worker, the
    # upload view acting for the uploader): none is offered as a button or an API call.
    workflow = Workflow("status", [
        Transition("validate", Status.QUEUED, Status.VALIDATING, label=_("校验"), system=True),
        Transition("preview", Status.VALIDATING, Status.VALIDATED, label=_("生成预览"), system=True),
        Transition("enqueue", Status.VALIDATED, Status.QUEUED, label=_("排队导入"), system=True),
        Transition("commit", (Status.QUEUED, Status.VALIDATED), Status.COMMITTING, label=_("导入"), system=True),
        Transition("succeed", Status.COMMITTING, Status.SUCCEEDED, label=_("完成"), system=True),
        Transition("reject", (Status.QUEUED, Status.VALIDATING, Status.VALIDATED, Status.COMMITTING),
                   Status.REJECTED, label=_("拒绝"), system=True),
        Transition("fail", (Status.QUEUED, Status.VALIDATING, Status.VALIDATED, Status.COMMITTING),
                   Status.FAILED, label=_("标记失败"), system=True),
    ])
    FINISHED: ClassVar[frozenset[str]] = frozenset({"succeeded", "failed", "rejected"})
    MAX_ERRORS: ClassVar[int] = 1000

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("上传人"))
    model_label = models.CharField(_("数据类型"), max_length=100)
    importer_path = models.CharField(_("导入器"), max_length=200)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.BigIntegerField(_("文件大小"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    confirmed = models.BooleanField(_("已确认导入"), default=False)
    background = models.BooleanField(_("后台运行"), default=False)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误明细"), default=list, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)  # the heartbeat of a running job
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()
    # Jobs are personal: the rule alone decides, no global-reader shortcut.
    administrative = True

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @classmethod
    def scope_q(cls, scope: Any, action: str) -> Q | None:
        return Q(user_id=scope.user_id) if scope.user_id else None

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    def status_will_change(self, transition: Transition) -> None:
        now = timezone.now()
        if transition.target in {self.Status.VALIDATING, self.Status.COMMITTING} and self.started_at is None:
            self.started_at = now
        if transition.target in self.FINISHED:
            self.finished_at = now

    def status_fields(self, transition: Transition) -> list[str]:
        return ["started_at", "finished_at"]

    def set_progress(self, percent: int) -> None:
        """Progress without a status change (a heartbeat for the polling page and the reaper)."""
        self.progress = max(0, min(100, int(percent)))
        self.save(update_fields=["progress", "updated_at"])


# Defined in its own module (issue #7 "Attachments"); imported here so Django registers the model.
from chanjiao.core.attachments import Attachment  # noqa: E402,F401
from chanjiao.core.rules import RuleParameter, RuleViolation  # noqa: E402,F401  (issue #7 "Rules")
from chanjiao.core.workflow import StatusChange  # noqa: E402,F401  (issue #7 "Workflows")
