"""Shared model building blocks: the audited, scoped base model and the append-only audit log."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from chanjiao.core import audit
from chanjiao.core.scoping import ScopedManager


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


class AuditEvent(models.Model):
    """One append-only audit record. On PostgreSQL a trigger refuses UPDATE and DELETE (AU-03)."""

    class Category(models.TextChoices):
        DATA = "data", _("数据变更")
        SECURITY = "security", _("安全事件")

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
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
        super().save(*args, **kwargs)
