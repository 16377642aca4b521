"""Shared model building blocks: the audited, scoped base model and the append-only audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chanjiao.core import audit
from chanjiao.core.scoping import ScopedManager, unscoped


class AuditMixin(models.Model):
    """Writes an audit event for every create/update in the same transaction as the save.

    Deletes (including cascades) are caught by the ``post_delete`` receiver below, which runs inside
    Django's delete transaction.
    """

    audit_exclude: tuple[str, ...] = ()
    audit_masked: tuple[str, ...] = ()
    # Foreign keys that decide whose record this is (e.g. "school"). Declared here, once: forms offer
    # and importers accept only targets the user may write there (AC-05), other keys what they may see.
    owner_fields: ClassVar[tuple[str, ...]] = ()
    # Foreign keys that ``__str__`` reads: a list of choices (form field, filter) joins them, so a
    # dropdown of N rows costs one query, not N + 1.
    label_related: ClassVar[tuple[str, ...]] = ()

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

    # Model validation (unique fields, constraints, rules in ``clean``) compares with every row,
    # not only those the user sees: a duplicate in another school is still a duplicate.
    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        with unscoped("model validation compares with every row"):
            super().full_clean(*args, **kwargs)

    def validate_unique(self, *args: Any, **kwargs: Any) -> None:
        with unscoped("uniqueness is checked against every row"):
            super().validate_unique(*args, **kwargs)

    def validate_constraints(self, *args: Any, **kwargs: Any) -> None:
        with unscoped("constraints are checked against every row"):
            super().validate_constraints(*args, **kwargs)

    def get_absolute_url(self) -> str:
        try:
            return reverse(f"{self._meta.app_label}:{self._meta.model_name}_detail", args=[self.pk])
        except NoReverseMatch:
            return ""


def for_labels(queryset: Any) -> Any:
    """``queryset`` joined with what its model's ``__str__`` reads (``AuditMixin.label_related``)."""
    related = getattr(queryset.model, "label_related", ())
    return queryset.select_related(*related) if related else queryset


def owner_fields_of(model: type[models.Model]) -> tuple[str, ...]:
    """The owner foreign keys ``model`` declares (``AuditMixin.owner_fields``): what the form base and
    the importer base narrow, so neither keeps a copy. None for a model without the declaration."""
    return tuple(getattr(model, "owner_fields", ()))


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


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        """The events ``user`` may read — ``history_rule`` over the whole log (issue #7 gap 3): the
        audit admin reads every event; anyone else only the data changes of records whose history
        they may read (those they may edit); nothing of ``administrative`` models."""
        from django.apps import apps
        from django.db.models.functions import Cast

        from chanjiao.core.roles import Role
        from chanjiao.core.scoping import get_scope

        scope = get_scope(user)
        if scope.has(Role.AUDIT_ADMIN):
            return self.all()
        if not scope.authenticated:
            return self.none()
        condition = Q(pk__in=[])
        for model in apps.get_models():  # proxies too: an event is labelled with the proxy's name
            if getattr(model, "administrative", False) or not hasattr(model._default_manager, "editable_by"):
                continue  # the same two exclusions as history_rule
            editable = model._default_manager.editable_by(user)
            if editable.query.is_empty():
                continue
            ids = editable.annotate(_audit_id=Cast("pk", models.CharField())).values("_audit_id")
            condition |= Q(object_type=audit.object_label(model), object_id__in=ids)
        return self.filter(condition, category=AuditEvent.Category.DATA)

    def history_of(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(object_type=audit.object_label(obj), object_id=str(obj.pk))

    def history_for(self, user: Any, obj: models.Model) -> AuditEventQuerySet:
        """The events of ``obj``'s history page that ``user`` may read (none when they may not):
        the same rows as ``visible_to(user).history_of(obj)``, decided for one object without
        the whole-log condition (tests/core/test_scoping_guard.py checks they agree)."""
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


# Defined in its own module (issue #7 "Attachments"); imported here so Django registers the model.
from chanjiao.core.attachments import Attachment  # noqa: E402,F401
from chanjiao.core.jobs import Job  # noqa: E402,F401  (issue #7 "Jobs")
from chanjiao.core.rules import RuleParameter, RuleViolation  # noqa: E402,F401  (issue #7 "Rules")
from chanjiao.core.workflow import StatusChange  # noqa: E402,F401  (issue #7 "Workflows")
