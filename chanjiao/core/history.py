"""Audit events as people read them: verbose field names, Chinese actions and sources, display values.

Used by the history page and the audit search (table and export). Foreign keys in the stored
changes are ids; they are resolved to names with one query per related model, not per row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from chanjiao.core.audit import UNTRACKED_CHANGES

ACTION_LABELS: dict[str, Any] = {
    "create": _("创建"),
    "update": _("修改"),
    "delete": _("删除"),
    "login": _("登录"),
    "login_failed": _("登录失败"),
    "login_locked": _("账户锁定"),
    "login_blocked": _("锁定期间尝试登录"),
    "logout": _("退出登录"),
    "password_change": _("修改密码"),
    "export": _("导出"),
    "import": _("导入"),
    "import_reaped": _("结束中断的导入"),
    "audit_purge": _("清理过期审计日志"),
    "enterprise_merge": _("合并企业"),
}
SOURCE_LABELS: dict[str, Any] = {
    "web": _("网页"),
    "api": _("接口"),
    "import": _("导入"),
    "command": _("命令"),
    "task": _("后台任务"),
    "system": _("系统"),
}
OUTCOME_LABELS: dict[str, Any] = {"success": _("成功"), "failure": _("失败")}
# Fields every row has that say nothing about the change itself.
_HIDDEN = {"id", "created_at", "initials", *UNTRACKED_CHANGES}
EMPTY = "—"
TIME_FORMAT = "Y-m-d H:i"


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def source_label(source: str) -> str:
    """``web`` → 网页, ``task:import`` → 导入, ``command:demo`` → 命令, ``task:x`` → 后台任务."""
    if source == "task:import":
        return str(SOURCE_LABELS["import"])
    kind = source.split(":", 1)[0]
    return str(SOURCE_LABELS.get(kind, source or SOURCE_LABELS["system"]))


def local_time(value: dt.datetime | None, fmt: str = TIME_FORMAT) -> str:
    return formats.date_format(timezone.localtime(value), fmt) if value else EMPTY


def model_for(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_for(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def object_type_choices() -> list[tuple[str, str]]:
    """(app.model, 名称) of every model with pages, for the audit search."""
    from chanjiao.core.audit import object_label
    from chanjiao.core.registry import registry

    seen = {object_label(ui.model): str(ui.model._meta.verbose_name) for ui in registry}
    return sorted(seen.items(), key=lambda item: item[1])


def actor_choices() -> list[tuple[str, str]]:
    from django.contrib.auth import get_user_model

    users = get_user_model()._base_manager.order_by("username").values_list("pk", "username", "full_name")
    return [(str(pk), f"{full_name}（{username}）" if full_name else username) for pk, username, full_name in users]


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class ReadableEvent:
    event: Any
    time: str
    actor: str
    action: str
    source: str
    category: str
    outcome: str
    object_type: str
    changes: list[Change] = field(default_factory=list)


@functools.cache
def _fields_by_attname(model: type[models.Model] | None) -> dict[str, models.Field[Any, Any]]:
    if model is None:
        return {}
    return {f.attname: f for f in model._meta.concrete_fields}


def _format(value: Any, f: models.Field[Any, Any] | None, names: dict[tuple[Any, str], str]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if f is None:
        return str(value)
    if f.is_relation and f.related_model is not None:
        return names.get((f.related_model, str(value)), f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(f, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        return local_time(parsed) if parsed else value
    if isinstance(f, models.DateField) and isinstance(value, str):
        parsed_date = parse_date(value)
        return formats.date_format(parsed_date, "Y-m-d") if parsed_date else value
    return str(value)


def _related_names(events: list[Any]) -> dict[tuple[Any, str], str]:
    """{(related model, id as text): name} for every foreign key the events mention — one query per model."""
    wanted: dict[Any, set[str]] = {}
    for event in events:
        fields = _fields_by_attname(model_for(event.object_type))
        if event.category != "data" or not isinstance(event.changes, dict):
            continue
        for attname, pair in event.changes.items():
            f = fields.get(attname)
            if f is None or not f.is_relation or f.related_model is None or not isinstance(pair, list):
                continue
            wanted.setdefault(f.related_model, set()).update(str(v) for v in pair if v not in (None, ""))
    names: dict[tuple[Any, str], str] = {}
    for model, ids in wanted.items():
        manager = model._base_manager
        pk = model._meta.pk
        keys = []
        for i in ids:
            with contextlib.suppress(ValidationError):  # an id that no longer parses is shown as it is
                keys.append(pk.to_python(i))
        for obj in manager.filter(pk__in=keys):
            names[(model, str(obj.pk))] = str(obj)
    return names


def _actor_names(events: list[Any]) -> dict[int, str]:
    from django.contrib.auth import get_user_model

    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    users = get_user_model()._base_manager.filter(pk__in=ids).only("username", "full_name")
    return {u.pk: str(u) for u in users}


def changes_of(event: Any, names: dict[tuple[Any, str], str]) -> list[Change]:
    if not isinstance(event.changes, dict):
        return []
    model = model_for(event.object_type)
    fields = _fields_by_attname(model)
    many = {f.name: f for f in model._meta.many_to_many} if model is not None else {}
    result = []
    for key, pair in event.changes.items():
        f = fields.get(key)
        if event.category == "data" and (key in many or key.removesuffix("_names") in many):
            # m2m events (core/signals.py) carry ids and, beside them, the names: show the names.
            if key in many:
                shown = event.changes.get(f"{key}_names", pair)
                before, after = shown if isinstance(shown, list) and len(shown) == 2 else (None, shown)
                result.append(Change(str(many[key].verbose_name), _format(before, None, names),
                                     _format(after, None, names)))
            continue
        if event.category == "data":
            if key in _HIDDEN or (f is not None and (f.primary_key or not f.editable)):
                continue
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            label = str(f.verbose_name) if f is not None else key
            result.append(Change(label, _format(before, f, names), _format(after, f, names)))
        else:  # security events carry details, not field pairs
            result.append(Change(key, "", _format(pair, None, names)))
    return result


def readable(events: Iterable[Any], time_format: str = TIME_FORMAT) -> list[ReadableEvent]:
    """The events as rows for a page or an export (a fixed number of queries for any number of rows)."""
    events = list(events)
    names = _related_names(events)
    actors = _actor_names(events)
    rows = []
    for e in events:
        actor = actors.get(e.actor_id) if e.actor_id else None
        rows.append(ReadableEvent(
            event=e, time=local_time(e.created_at, time_format),
            actor=actor or e.actor_username or str(_("系统")),
            action=action_label(e.action), source=source_label(e.source),
            category=str(dict(e.Category.choices).get(e.category, e.category)),
            outcome=str(OUTCOME_LABELS.get(e.outcome, e.outcome)),
            object_type=object_type_label(e.object_type),
            changes=changes_of(e, names),
        ))
    return rows
