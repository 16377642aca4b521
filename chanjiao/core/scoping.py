"""Who may see and change what: one Scope per user, one queryset method per direction.

Every list, detail, export and API endpoint reaches data through
``Model.objects.visible_to(user)`` (reads) or ``.editable_by(user)`` (writes). Models state their
rule in ``scope_q(scope, action)``; a model that states none is visible to nobody but the global
roles (default deny).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from chanjiao.core.roles import ADMIN_ROLES, GLOBAL_READERS, GLOBAL_WRITERS, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

VIEW = "view"
CHANGE = "change"


@dataclass(frozen=True)
class Scope:
    """The resolved permissions of one user for one request."""

    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    org_ids_by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    # Issue #8 point 0: the region codes (province 2, city 4, county 6 digits) that bound the global
    # roles' reach; None = unbounded (a global grant without a jurisdiction: the whole deployment).
    jurisdictions: frozenset[str] | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def everywhere(self) -> bool:
        """The global roles reach the whole deployment (no jurisdiction bounds them)."""
        return self.jurisdictions is None

    def without_global_roles(self) -> Scope:
        """This scope with only its organisation roles: what the model's own rule grants besides the
        jurisdiction (a city bureau admin who is also a school's admin edits that school anyway)."""
        return Scope(user_id=self.user_id, roles=self.roles - GLOBAL_READERS - GLOBAL_WRITERS,
                     org_ids_by_role=self.org_ids_by_role)

    @property
    def reads_all(self) -> bool:
        return bool(self.roles & GLOBAL_READERS)

    @property
    def writes_all(self) -> bool:
        return bool(self.roles & GLOBAL_WRITERS)

    @property
    def read_only(self) -> bool:
        """Leaders and admins of the system itself never write business data."""
        return not (self.roles - {Role.LEADER} - ADMIN_ROLES)

    @property
    def business_user(self) -> bool:
        return bool(self.roles - ADMIN_ROLES)

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def orgs(self, *roles: str) -> frozenset[int]:
        """Organisations the user belongs to in any of ``roles`` (all roles when none given)."""
        wanted = roles or tuple(self.org_ids_by_role)
        result: set[int] = set()
        for role in wanted:
            result |= self.org_ids_by_role.get(role, frozenset())
        return frozenset(result)


ANONYMOUS = Scope()

# (user id) -> the user's active (role, organisation id or None[, jurisdiction code or None]) grants.
# core sits below the app that stores memberships, so that app registers the lookup at start-up
# (accounts.apps.ready) instead of core importing it: core never imports upwards (tests/test_layering.py).
MembershipSource = Callable[[int], Iterable[tuple[Any, ...]]]
_membership_source: MembershipSource | None = None


def register_membership_source(source: MembershipSource) -> None:
    """Tell core where a user's active memberships come from (called once, from an AppConfig.ready())."""
    global _membership_source
    _membership_source = source


def membership_source() -> MembershipSource:
    if _membership_source is None:
        # Fail loudly: an unregistered source would otherwise look like "nobody may do anything".
        raise ImproperlyConfigured("No membership source registered: call scoping.register_membership_source() "
                                   "from the accounts app's AppConfig.ready().")
    return _membership_source


def get_scope(user: Any) -> Scope:
    """Resolve (once per user object) the roles and organisations of ``user``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_chanjiao_scope", None)
    if isinstance(cached, Scope):  # only get_scope stores it, so this is "is not None", typed
        return cached
    by_role: dict[str, set[int]] = {}
    roles: set[str] = set()
    # The scope is what every rule starts from: reading the user's own grants needs no rule.
    with unscoped("a user's own role grants are the start of every scope"):
        grants = list(membership_source()(user.pk))
    bounded: set[str] = set()
    unbounded = False
    for role, org_id, *where in grants:
        roles.add(role)
        if org_id is not None:
            by_role.setdefault(role, set()).add(org_id)
        if role in GLOBAL_READERS | GLOBAL_WRITERS:
            code = where[0] if where else None
            if code:
                bounded.add(code)
            else:
                unbounded = True  # one grant for the whole deployment outweighs any bounded one
    scope = Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        org_ids_by_role={role: frozenset(ids) for role, ids in by_role.items()},
        jurisdictions=None if unbounded or not bounded or _covers_deployment(bounded) else frozenset(bounded),
    )
    user._chanjiao_scope = scope
    return scope


def _covers_deployment(codes: Iterable[str]) -> bool:
    """A grant for the whole region the deployment serves (the province's 教育厅 on a province
    platform) reaches every row: filtering by region would only cost time."""
    from django.conf import settings

    served = getattr(settings, "DEPLOYMENT_REGION", "")
    return bool(served) and any(served.startswith(code) for code in codes)


def forget_scope(user: AnonymousUser | Any) -> None:
    """Drop the cached scope (after a membership change)."""
    if hasattr(user, "_chanjiao_scope"):
        del user._chanjiao_scope


# ---------------------------------------------------------------------------------------- the guard
#
# Issue #7 gap 3: a view that forgets ``visible_to`` must fail a test, not leak in production. A
# queryset leaving ``visible_to``/``editable_by``/``deletable_by`` carries ``_scope_checked``
# (copied by ``_clone``); while a request is being served with the guard on (tests/conftest.py
# turns it on between request_started and request_finished), evaluating a scoped model's queryset
# without that mark, outside ``with unscoped("reason"):``, raises AssertionError.
#
# Exempt by design: following a foreign key (``teacher.school`` goes through the base manager, a
# plain QuerySet: the view already holds a visible child) and the rows a checked queryset
# prefetches for the objects it returned (``prefetch_related("industries")``). Reverse managers
# (``school.teachers.all()``) are *not* exempt: listing children is what a Tab (rows_for) does.
_guard_active: contextvars.ContextVar[bool] = contextvars.ContextVar("chanjiao_scope_guard", default=False)
_unscoped_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("chanjiao_unscoped", default=None)


class ScopeGuardError(AssertionError):
    """A scoped model's rows were read in a request without visible_to/editable_by/unscoped(reason)."""


def activate_guard() -> contextvars.Token[bool]:
    """Start checking evaluations (tests only); returns the token for ``deactivate_guard``."""
    return _guard_active.set(True)


def deactivate_guard(token: contextvars.Token[bool] | None = None) -> None:
    if token is not None:
        try:
            _guard_active.reset(token)
            return
        except ValueError:  # set in another context (a live-server thread): just switch off
            pass
    _guard_active.set(False)


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Read scoped models without a user's scope, for a stated reason (a lookup by natural key, the
    system's own bookkeeping). The reason is required: it documents why no rule applies."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("unscoped() needs a reason")
    token = _unscoped_reason.set(reason)
    try:
        yield
    finally:
        _unscoped_reason.reset(token)


def unscoped_queryset(queryset: Any, reason: str) -> Any:
    """``queryset`` marked as deliberately unscoped (the queryset form of ``unscoped(reason)``), for
    a queryset evaluated later, e.g. by a form field (a role grant's organisation names)."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("unscoped_queryset() needs a reason")
    clone = queryset.all()
    clone._scope_checked = True
    return clone


def _marking(method: Callable[..., Any]) -> Callable[..., Any]:
    import functools

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        return result._mark_checked() if hasattr(result, "_mark_checked") else result

    return wrapper


def _check_evaluation(queryset: ScopedQuerySet) -> None:
    if not _guard_active.get() or _unscoped_reason.get() is not None:
        return
    if getattr(queryset, "_scope_checked", False) or queryset.query.is_empty():
        return
    try:
        sql = str(queryset.query)[:400]
    except Exception:  # only for the message: a query that cannot print still fails
        sql = "<SQL not printable>"
    raise ScopeGuardError(
        f"{queryset.model._meta.label} rows were read in a request without visible_to/editable_by/"
        f"deletable_by or `with unscoped(reason)` (at {_caller()}): {sql}")


def _caller() -> str:
    """The first frame of our code that led to the evaluation (not Django's, not this module)."""
    import sys
    from types import FrameType

    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.endswith("core/scoping.py") and "site-packages" not in name and "/lib/python" not in name:
            return f"{name}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


class ScopedQuerySet(models.QuerySet[Any]):
    """The only way a view reaches rows: default deny, global roles read all.

    Rows are typed ``Any``: one class serves every scoped model (managers are built from it with
    ``from_queryset``), so it is not generic over the model."""

    _scope_checked = False

    if TYPE_CHECKING:
        # Private QuerySet members the guard hooks into; django-stubs does not declare them.
        _prefetch_related_lookups: tuple[Any, ...]
        _prefetch_done: bool

        def _prefetch_related_objects(self) -> None: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A model's own queryset may state its rule by overriding these (attachments: through the
        # parent); their results count as checked too.
        super().__init_subclass__(**kwargs)
        for name in ("visible_to", "editable_by", "deletable_by"):
            if name in cls.__dict__:
                setattr(cls, name, _marking(cls.__dict__[name]))

    def _clone(self) -> ScopedQuerySet:
        # django-stubs omits the private QuerySet._clone (every chained call goes through it).
        clone: ScopedQuerySet = super()._clone()  # type: ignore[misc]
        clone._scope_checked = self._scope_checked
        return clone

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            _check_evaluation(self)
            if self._prefetch_related_lookups and not self._prefetch_done:
                # Rows prefetched for objects this (checked) queryset returned are exempt.
                # Each concrete iterable class defines __iter__; the stubs' BaseIterable does not.
                self._result_cache = list(cast("Iterable[Any]", self._iterable_class(self)))
                with unscoped("prefetch for rows already checked"):
                    self._prefetch_related_objects()
                return
        super()._fetch_all()

    def count(self) -> int:
        if self._result_cache is None:
            _check_evaluation(self)
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            _check_evaluation(self)
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        _check_evaluation(self)
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        _check_evaluation(self)
        return super().iterator(chunk_size=chunk_size)

    def in_bulk(self, *args: Any, **kwargs: Any) -> dict[Any, Any]:
        _check_evaluation(self)
        return super().in_bulk(*args, **kwargs)

    def _mark_checked(self) -> ScopedQuerySet:
        self._scope_checked = True
        return self

    def visible_to(self, user: Any) -> ScopedQuerySet:
        return self._scoped(get_scope(user), VIEW)._mark_checked()

    def editable_by(self, user: Any) -> ScopedQuerySet:
        return self._scoped(get_scope(user), CHANGE)._mark_checked()

    def deletable_by(self, user: Any) -> ScopedQuerySet:
        """Editable rows, except that models with ``owner_may_delete = False`` are deleted only by
        the global writers (a school admin edits, but never deletes, their school)."""
        if getattr(self.model, "history_record", False):
            return self.none()._mark_checked()  # ended, never deleted (memberships): nobody deletes them
        if getattr(self.model, "owner_may_delete", True):
            return self.editable_by(user)
        scope = get_scope(user)
        writes = scope.writes_all and not getattr(self.model, "read_only_model", False)
        return (self.all() if writes else self.none())._mark_checked()

    # Set-based writes leave their audit events or are refused (issue #7 gaps 1–2, core/audited_writes.py).
    def update(self, **kwargs: Any) -> int:
        from chanjiao.core import audited_writes

        return audited_writes.update(self, kwargs, super().update)

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        from chanjiao.core import audited_writes

        for name, value in zip(("batch_size", "ignore_conflicts", "update_conflicts", "update_fields",
                                "unique_fields"), args, strict=False):
            kwargs[name] = value
        return audited_writes.bulk_create(self, objs, super().bulk_create, kwargs)

    bulk_create.alters_data = True  # type: ignore[attr-defined]

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        from chanjiao.core import audited_writes

        if args:
            kwargs["batch_size"] = args[0]
        return audited_writes.bulk_update(self, objs, fields, super().bulk_update, kwargs)

    bulk_update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        # Other models: audited row by row by the post_delete receiver (core/models.py).
        from chanjiao.core import audited_writes

        audited_writes.refuse_history_delete(self.model)
        return super().delete()

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]

    def _raw_delete(self, using: str | None) -> int:
        from chanjiao.core import audited_writes

        audited_writes.refuse_history_delete(self.model)
        return super()._raw_delete(using)

    _raw_delete.alters_data = True  # type: ignore[attr-defined]

    def _scoped(self, scope: Scope, action: str) -> ScopedQuerySet:
        model = self.model
        if not scope.authenticated:
            return self.none()
        rule = getattr(model, "scope_q", None)
        if getattr(model, "administrative", False):
            # Users, roles, tokens: the rule alone decides (三权分立), no global-role shortcut.
            q = rule(scope, action) if rule else None
            return self.none() if q is None else self.filter(q)
        if action == VIEW and getattr(model, "public_read", False):
            return self.all()
        if action == CHANGE and (getattr(model, "read_only_model", False) or scope.read_only):
            return self.none()
        if action == CHANGE and getattr(model, "writes_by_rule_only", False):
            # Personal records (an expert's scores): the bureau reads them, only their author writes.
            q = rule(scope, action) if rule else None
            return self.none() if q is None else self.filter(q)
        if (action == VIEW and scope.reads_all) or (action == CHANGE and scope.writes_all):
            if scope.everywhere:
                return self.all()
            return self.filter(within_jurisdiction(model, scope, action))
        q = rule(scope, action) if rule else None
        if q is None:
            return self.none()
        return self.filter(q)


def within_jurisdiction(model: Any, scope: Scope, action: str) -> Q:
    """What a bounded global role reaches: the model's ``jurisdiction_q`` (rows of its regions; none
    when the model states no rule — default deny), or whatever the user's organisation roles grant."""
    rule = getattr(model, "jurisdiction_q", None)
    q: Q | None = rule(scope.jurisdictions or frozenset(), action) if rule else None
    own_rule = getattr(model, "scope_q", None)
    narrower = scope.without_global_roles()
    own: Q | None = own_rule(narrower, action) if own_rule and narrower.roles else None
    if q is None and own is None:
        return nothing()
    if q is None or own is None:
        return q if q is not None else cast(Q, own)
    return q | own  # a bounded bureau who is also a school's admin keeps that school


def write_jurisdictions(user: Any) -> frozenset[str] | None:
    """The region codes a bounded global writer must keep the rows it writes within; None when
    nothing bounds the user's writes (an unbounded bureau, or only organisation roles)."""
    scope = get_scope(user)
    return scope.jurisdictions if scope.writes_all and not scope.everywhere else None


def code_within(code: str | None, codes: Iterable[str]) -> bool:
    """Does region code ``code`` lie within one of ``codes`` (4205 lies within 42)?"""
    return bool(code) and any(str(code).startswith(c) for c in codes)


def jurisdiction_message(codes: frozenset[str]) -> str:
    """"Outside your jurisdiction", naming it (the form's and the importer's message)."""
    from django.utils.translation import gettext as _

    from chanjiao.core.rules import region_names

    names = region_names(codes)
    return _("请填写您管辖范围（%(names)s）内的地区。") % {"names": "、".join(names.get(c) or c for c in sorted(codes))}


def region_q(code_path: str, codes: Iterable[str], *, covering: bool = False) -> Q:
    """Rows whose region code (at ``code_path``, e.g. ``"school__region__code"``) lies within one of
    ``codes`` — region codes nest: city 4205 lies in province 42 — and, with ``covering``, also rows of
    the regions that contain them (a county bureau reads its city's group, which governs it)."""
    q = nothing()
    for code in codes:
        q |= Q(**{f"{code_path}__startswith": code})
        if covering:
            q |= Q(**{f"{code_path}__in": [code[:n] for n in (2, 4) if len(code) > n]})
    return q


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def scoped_rows(model: type[models.Model]) -> ScopedQuerySet:
    """All rows of ``model`` through its default manager, not yet checked: the typed start of
    ``visible_to``/``editable_by``/``deletable_by`` for code that holds a model class generically
    (``ModelUI.model``). Every scoped model's default manager is its ``objects`` ScopedManager."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        raise ImproperlyConfigured(f"{model._meta.label}'s default manager does not return a ScopedQuerySet")
    return queryset


def can_create(model: Any, user: Any) -> bool:
    """May ``user`` add rows of ``model`` at all? (Which rows is then ``editable_by``'s business.)"""
    scope = get_scope(user)
    rule = getattr(model, "can_create", None)
    if getattr(model, "administrative", False):
        # Users, roles, tokens: the model's rule alone decides (the admin roles are "read-only" for business data).
        return bool(rule(scope)) if rule else False
    if getattr(model, "read_only_model", False) or scope.read_only:
        return False
    if getattr(model, "writes_by_rule_only", False):
        return bool(rule(scope)) if rule else False
    return bool(rule(scope)) if rule else scope.writes_all


def nothing() -> Q:
    """A Q that matches no row, for rules that grant nothing to a role."""
    return Q(pk__in=[])
