"""Workflows (issue #7): a model's status moves only along declared transitions, with history.

A model with a status declares its map once::

    workflow = Workflow("status", [
        Transition("sign", DRAFT, SIGNED, label=_("签署"), allowed=..., guard=...),
        ...
    ])

and mixes in ``WorkflowMixin``. ``obj.set_status(name_or_target, by=user, note="")`` is the only
mutator. Inside one transaction it

1. locks the row and reads the current state (a stale instance cannot skip a check);
2. finds the transition from that state — by transition name, or by target state;
3. checks ``allowed(scope, obj)`` for the actor (``by=None`` is the system: trusted code such as the
   import worker; no view or API passes ``None``) — a ``system`` transition is never run by a user;
4. asks ``guard(obj)`` for reasons that forbid it now (Chinese sentences shown to the user);
5. saves the status (and the caller's extra ``fields``), writes a ``StatusChange`` row and one audit
   event ``transition``, and sends ``status_changed``.

Any refusal raises ``TransitionRefused`` (a ``ValueError``) with Chinese reasons and writes nothing.
No form, importer column or API input schema carries the status field (tests/test_meta.py checks).
Oscar's ``Order.set_status`` + ``OrderStatusChange`` is the model.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, cast

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core import audit
from chanjiao.core.scoping import Scope, get_scope
from chanjiao.core.types import User

# Sent inside the transaction of the change (receivers' writes commit or roll back with it):
# sender=model class, instance, transition, source, target, by, change (the StatusChange row).
status_changed = Signal()

Allowed = Callable[[Scope, Any], bool]
Guard = Callable[[Any], Iterable[str]]

# Why a transition was refused — the views and the API map it to a status code.
ILLEGAL = "illegal"  # no such transition from the current state: 409
FORBIDDEN = "forbidden"  # the actor may not take it: 403
BLOCKED = "blocked"  # a guard gives reasons (or the note is missing): 400


class TransitionRefused(ValueError):
    """A refused transition; ``reasons`` are Chinese sentences for the user. Nothing was written."""

    def __init__(self, kind: str, reasons: Sequence[str]) -> None:
        self.kind = kind
        self.reasons = [str(r) for r in reasons]
        super().__init__("；".join(self.reasons))

    @property
    def message(self) -> str:
        return "".join(r if r.endswith(("。", "！", "？")) else r + "。" for r in self.reasons)


def _nobody(scope: Scope, obj: Any) -> bool:
    return False


@dataclass(frozen=True)
class Transition:
    """One edge of the map: ``name`` takes the object from any of ``sources`` to ``target``."""

    name: str
    sources: str | tuple[str, ...]
    target: str
    label: Any = ""
    # Who may take it (the scope of the actor, the object); default: nobody but the system.
    allowed: Allowed = _nobody
    # Reasons that forbid it right now (empty: go ahead).
    guard: Guard | None = None
    # Run by the system only (import worker, reaper): never offered as a button or API call.
    system: bool = False
    # The user must say why (撤销, 退回): refused without a note.
    note_required: bool = False
    # Button style: "primary", "secondary", "danger".
    style: str = "primary"

    @property
    def source_states(self) -> tuple[str, ...]:
        return (self.sources,) if isinstance(self.sources, str) else tuple(self.sources)

    def reasons(self, obj: Any) -> list[str]:
        return [str(r) for r in (self.guard(obj) if self.guard else ())]

    def permits(self, user: User) -> Callable[[Any], bool]:
        scope = get_scope(user)
        return lambda obj: not self.system and bool(self.allowed(scope, obj))


@dataclass
class Workflow:
    """The transition map of one status field."""

    field: str
    transitions: Sequence[Transition]
    by_name: dict[str, Transition] = dataclasses.field(init=False)  # ``field`` is the status field here

    def __post_init__(self) -> None:
        self.by_name = {t.name: t for t in self.transitions}
        if len(self.by_name) != len(self.transitions):
            raise ValueError(f"duplicate transition names in the workflow of {self.field!r}")

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.source_states]

    def find(self, state: str, name_or_target: str | Transition) -> Transition | None:
        """The transition named ``name_or_target`` — or leading to that state — from ``state``."""
        if isinstance(name_or_target, Transition):
            name_or_target = name_or_target.name
        available = self.from_state(state)
        for t in available:
            if t.name == name_or_target:
                return t
        for t in available:
            if t.target == name_or_target:
                return t
        return None

    def user_transitions(self) -> list[Transition]:
        return [t for t in self.transitions if not t.system]

    def states(self) -> set[str]:
        return {s for t in self.transitions for s in (*t.source_states, t.target)}


@dataclass(frozen=True)
class Option:
    """A transition as the detail page shows it: enabled, or disabled with the reasons why."""

    transition: Transition
    enabled: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> str:
        return str(self.transition.label)


def workflow_of(model: type[models.Model] | models.Model) -> Workflow | None:
    wf = getattr(model, "workflow", None)
    return wf if isinstance(wf, Workflow) else None


def workflow_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [m for m in apps.get_models() if workflow_of(m) is not None]


def state_label(model: type[models.Model] | models.Model, state: str) -> str:
    wf = workflow_of(model)
    if wf is None or not state:
        return state
    status_field = model._meta.get_field(wf.field)
    assert isinstance(status_field, models.Field)  # a workflow's field is a concrete CharField
    choices = dict(status_field.flatchoices)
    return str(choices.get(state, state))


def actor_name(by: User | None) -> str:
    return by.get_username() if by is not None else _("系统")


class WorkflowMixin(models.Model):
    """Gives a model ``set_status`` (the only mutator of its workflow field) and its options."""

    workflow: ClassVar[Workflow]

    class Meta:
        abstract = True

    def status_will_change(self, transition: Transition) -> None:
        """Hook: set fields that move with a transition (timestamps); saved with the status."""

    def status_fields(self, transition: Transition) -> list[str]:
        """The extra fields ``status_will_change`` sets (saved with the status)."""
        return []

    def transition_options(self, user: User) -> list[Option]:
        """The user transitions from the current state the user may take, enabled or with reasons.

        Transitions the user's role never takes are left out (a school admin sees no 认定 button);
        those it may take but which are blocked now are shown disabled, with why.
        """
        wf = type(self).workflow
        state = getattr(self, wf.field)
        options = []
        for t in wf.from_state(state):
            if not t.permits(user)(self):
                continue
            reasons = t.reasons(self)
            options.append(Option(t, not reasons, reasons))
        return options

    def status_history(self) -> models.QuerySet[StatusChange]:
        return StatusChange.objects.of(self)

    def set_status(self, name_or_target: str | Transition, *, by: User | None = None, note: str = "",
                   effective_on: dt.date | None = None, **fields: Any) -> StatusChange:
        """Take a transition (see the module docstring); refuses with ``TransitionRefused``.

        ``effective_on``: the day the change takes effect when that is not today — a decision of a
        review round applied afterwards (layout history counts by it). Never later than today."""
        wf = type(self).workflow
        note = (note or "").strip()
        with transaction.atomic():
            current = getattr(self, wf.field)
            if self.pk is not None:
                # The locked, committed state decides — not what this instance last read.
                # No ordering: a default ordering through a nullable relation would outer-join, which
                # PostgreSQL refuses to lock (FOR UPDATE on the nullable side of an outer join).
                locked = (type(self)._base_manager.select_for_update().filter(pk=self.pk).order_by()
                          .values_list(wf.field, flat=True)[:1])
                stored = next(iter(locked), None)
                if stored is not None:
                    current = stored
            t = wf.find(current, name_or_target)
            if t is None:
                raise TransitionRefused(ILLEGAL, [_("当前状态“%(state)s”下不能执行此操作。")
                                                  % {"state": state_label(self, current)}])
            if by is not None and not t.permits(by)(self):
                raise TransitionRefused(FORBIDDEN, [_("您无权执行“%(action)s”。") % {"action": t.label}])
            reasons = t.reasons(self)
            if effective_on is not None and effective_on > timezone.localdate():
                reasons.append(_("生效日期不能晚于今天。"))
            if t.note_required and not note:
                reasons.append(_("请填写“%(action)s”的说明。") % {"action": t.label})
            if reasons:
                raise TransitionRefused(BLOCKED, reasons)
            setattr(self, wf.field, t.target)
            for name, value in fields.items():
                setattr(self, name, value)
            self.status_will_change(t)
            if self.pk is None:
                models.Model.save(self)
            else:
                # Not AuditMixin.save: this one change gets one event, the ``transition`` below.
                models.Model.save(self, update_fields=list(dict.fromkeys(
                    [wf.field, *self.status_fields(t), *fields, *self._auto_now_fields()])))
            change = StatusChange.objects.create(
                content_type=ContentType.objects.get_for_model(self, for_concrete_model=False),
                object_id=self.pk, field=wf.field, transition=t.name, source=current, target=t.target,
                actor=cast(Any, by), actor_name=actor_name(by), note=note[:1000],
                effective_on=effective_on)  # AUTH_USER_MODEL (core/types.py)
            changes: dict[str, Any] = {wf.field: [current, t.target]}
            for name, value in fields.items():
                if name not in audit.UNTRACKED_CHANGES:
                    changes[name] = [None, value]
            ctx = audit.current_context()
            if by is not None and ctx.actor_id != by.pk:
                # Called outside the actor's request (a service, the demo): the event names ``by``.
                ctx = replace(ctx, actor_id=by.pk, actor_username=by.get_username(),
                              roles=",".join(sorted(get_scope(by).roles)))
            audit._event("transition", category="data", obj=self, changes=changes, ctx=ctx,
                         message=f"{t.name}: {note}" if note else t.name).save()
            status_changed.send(sender=type(self), instance=self, transition=t, source=current,
                                target=t.target, by=by, change=change)
        return change

    def _auto_now_fields(self) -> list[str]:
        return [f.name for f in self._meta.concrete_fields if getattr(f, "auto_now", False)]


class StatusChangeQuerySet(models.QuerySet[Any]):
    def of(self, obj: models.Model) -> StatusChangeQuerySet:
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(content_type=ct, object_id=obj.pk)


class StatusChange(models.Model):
    """One status change of one object: append-only history (the detail page's 状态变更 card).

    Read only through its object (``obj.status_history()``), which the viewer already sees.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("对象类型"))
    object_id = models.PositiveBigIntegerField(gettext_lazy("对象ID"))
    obj = GenericForeignKey("content_type", "object_id", for_concrete_model=False)
    field = models.CharField(gettext_lazy("状态字段"), max_length=40)
    transition = models.CharField(gettext_lazy("操作"), max_length=40)
    source = models.CharField(gettext_lazy("原状态"), max_length=40, blank=True)
    target = models.CharField(gettext_lazy("新状态"), max_length=40)
    # SET_NULL + the name kept: the history outlives the account. No actor = the system.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=gettext_lazy("操作人"))
    actor_name = models.CharField(gettext_lazy("操作人姓名"), max_length=150, blank=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    created_at = models.DateTimeField(gettext_lazy("时间"), default=timezone.now, db_index=True)
    # When the change took effect, if not when it was recorded (a decision applied afterwards).
    effective_on = models.DateField(gettext_lazy("生效日期"), null=True, blank=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("状态变更")
        verbose_name_plural = gettext_lazy("状态变更")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="statuschange_object_idx")]

    def __str__(self) -> str:
        return f"{self.source or '-'} → {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionError("status changes are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("status changes are append-only")

    @property
    def effective(self) -> dt.date:
        """The day the change took effect: ``effective_on``, else the (local) day it was recorded."""
        return self.effective_on or timezone.localtime(self.created_at).date()

    def model_class(self) -> type[models.Model] | None:
        return self.content_type.model_class()

    @property
    def source_label(self) -> str:
        model = self.model_class()
        return state_label(model, self.source) if model else self.source

    @property
    def target_label(self) -> str:
        model = self.model_class()
        return state_label(model, self.target) if model else self.target

    @property
    def transition_label(self) -> str:
        model = self.model_class()
        wf = workflow_of(model) if model else None
        t = wf.by_name.get(self.transition) if wf else None
        return str(t.label) if t and t.label else self.transition
