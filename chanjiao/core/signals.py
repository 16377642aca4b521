"""Security events: logins, failed logins, lockouts, logouts (AU-01)."""

from __future__ import annotations

import functools
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.db.models.signals import m2m_changed, pre_delete
from django.dispatch import receiver

from chanjiao.core import audit
from chanjiao.core.middleware import context_for


def _with_request(request: Any, user: Any = None) -> Any:
    return audit.set_context(context_for(request, user)) if request is not None else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    token = _with_request(request, user)
    try:
        audit.record_security("login", obj=user)
    finally:
        if token is not None:
            audit.reset_context(token)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    token = _with_request(request, user)
    try:
        audit.record_security("logout", obj=user)
    finally:
        if token is not None:
            audit.reset_context(token)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # The username is recorded as typed (escaped); whether it exists is never revealed to the client.
    audit.record_security("login_failed", outcome="failure", username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None = None, ip_address: str | None = None,
                **kwargs: Any) -> None:
    # axes signals every refused attempt while the lock lasts; the lock itself is one "login_locked"
    # event (ID-06), the attempts made during it are "login_blocked".
    message = f"ip={ip_address}"
    action = "login_blocked" if _locked_since_cooloff(username or "", message) else "login_locked"
    audit.record_security(action, outcome="failure", username=username or "", message=message)


def _locked_since_cooloff(username: str, message: str) -> bool:
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from chanjiao.core.models import AuditEvent

    cooloff = settings.AXES_COOLOFF_TIME
    if not isinstance(cooloff, timedelta):
        return False
    return AuditEvent.objects.filter(action="login_locked", actor_username=audit.clean_text(username, 150),
                                     message=message, created_at__gte=timezone.now() - cooloff).exists()


# --- issue #7 gaps 1–2: many-to-many changes are data events; history rows are never deleted ---------------------


@receiver(pre_delete)
def _refuse_history_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Every collector delete passes here — instance.delete(), queryset.delete() on any manager,
    # cascades — before anything is deleted; the raise rolls the whole delete back.
    from chanjiao.core.audited_writes import refuse_history_delete

    refuse_history_delete(sender)


@functools.cache
def _m2m_field(through: type[models.Model]) -> models.ManyToManyField[Any, Any] | None:
    """The ManyToManyField whose rows live in ``through``, on an audited model (None otherwise)."""
    from django.apps import apps

    from chanjiao.core.audited_writes import is_audited

    for model in apps.get_models():
        for f in model._meta.local_many_to_many:
            if f.remote_field.through is through:
                return f if is_audited(model) else None
    return None


def _through(f: models.ManyToManyField[Any, Any]) -> type[models.Model]:
    through = f.remote_field.through
    assert through is not None  # resolved (a model class) once the app registry is ready
    return through


def _attname(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # a through table's foreign keys
    return field.attname


def _linked_ids(f: models.ManyToManyField[Any, Any], owner_pks: list[Any], using: str) -> dict[Any, list[Any]]:
    """{owner pk: sorted target pks} read from the through table in one query."""
    through = _through(f)
    src = _attname(through, f.m2m_field_name())
    dst = _attname(through, f.m2m_reverse_field_name())
    result: dict[Any, list[Any]] = {pk: [] for pk in owner_pks}
    for owner, target in through._base_manager.using(using).filter(**{f"{src}__in": owner_pks}).values_list(src, dst):
        result[owner].append(target)
    return {pk: sorted(ids) for pk, ids in result.items()}


@receiver(m2m_changed)
def _audit_m2m(sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: set[Any] | None,
               using: str, **kwargs: Any) -> None:
    """One data event per owner row and change: ``{field: [before ids, after ids], field_names: […]}``.

    ``reverse``: the change was made from the target side (``industry.pillar_industries.add(p)``),
    so the owners are ``pk_set`` (or, for ``clear``, every owner linked to ``instance``)."""
    f = _m2m_field(sender)
    if f is None:
        return
    phase, _sep, kind = action.partition("_")
    stash = instance.__dict__.setdefault("_chanjiao_m2m_audit", {})
    key = (sender, kind)
    if phase == "pre":
        if reverse:
            if pk_set is None:
                through = _through(f)
                dst = _attname(through, f.m2m_reverse_field_name())
                src = _attname(through, f.m2m_field_name())
                owner_pks = list(through._base_manager.using(using).filter(**{dst: instance.pk})
                                 .values_list(src, flat=True))
            else:
                owner_pks = sorted(pk_set)
        else:
            owner_pks = [instance.pk]
        stash[key] = (owner_pks, _linked_ids(f, owner_pks, using))
        return
    owner_pks, befores = stash.pop(key, ([], {}))
    if not owner_pks:
        return
    afters = _linked_ids(f, owner_pks, using)
    changed = [pk for pk in owner_pks if befores.get(pk) != afters.get(pk)]
    if not changed:
        return
    owner_model = f.model
    target = f.related_model
    all_ids = {i for pk in changed for i in (*befores.get(pk, ()), *afters.get(pk, ()))}
    names = {obj.pk: str(obj) for obj in target._base_manager.using(using).filter(pk__in=all_ids)}
    owners = ({instance.pk: instance} if not reverse
              else owner_model._base_manager.using(using).in_bulk(changed))
    for pk in changed:
        owner = owners.get(pk)
        if owner is None:
            continue
        before, after = befores.get(pk, []), afters.get(pk, [])
        audit.record_change("update", owner,
                            {f.name: before, f"{f.name}_names": [names.get(i, f"#{i}") for i in before]},
                            {f.name: after, f"{f.name}_names": [names.get(i, f"#{i}") for i in after]})
