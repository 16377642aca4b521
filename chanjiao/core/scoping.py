"""Who may see and change what: one Scope per user, one queryset method per direction.

Every list, detail, export and API endpoint reaches data through
``Model.objects.visible_to(user)`` (reads) or ``.editable_by(user)`` (writes). Models state their
rule in ``scope_q(scope, action)``; a model that states none is visible to nobody but the global
roles (default deny).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

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


def get_scope(user: Any) -> Scope:
    """Resolve (once per user object) the roles and organisations of ``user``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_chanjiao_scope", None)
    if cached is not None:
        return cached
    from chanjiao.accounts.models import Membership

    by_role: dict[str, set[int]] = {}
    roles: set[str] = set()
    for role, org_id in Membership.objects.filter(user_id=user.pk, active=True).values_list("role", "organisation_id"):
        roles.add(role)
        if org_id is not None:
            by_role.setdefault(role, set()).add(org_id)
    scope = Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        org_ids_by_role={role: frozenset(ids) for role, ids in by_role.items()},
    )
    user._chanjiao_scope = scope
    return scope


def forget_scope(user: AnonymousUser | Any) -> None:
    """Drop the cached scope (after a membership change)."""
    if hasattr(user, "_chanjiao_scope"):
        del user._chanjiao_scope


class ScopedQuerySet(models.QuerySet):
    """The only way a view reaches rows: default deny, global roles read all."""

    def visible_to(self, user: Any) -> ScopedQuerySet:
        return self._scoped(get_scope(user), VIEW)

    def editable_by(self, user: Any) -> ScopedQuerySet:
        return self._scoped(get_scope(user), CHANGE)

    def deletable_by(self, user: Any) -> ScopedQuerySet:
        """Editable rows, except that models with ``owner_may_delete = False`` are deleted only by
        the global writers (a school admin edits, but never deletes, their school)."""
        if getattr(self.model, "history_record", False):
            return self.none()  # ended, never deleted (memberships): nobody deletes them
        if getattr(self.model, "owner_may_delete", True):
            return self.editable_by(user)
        scope = get_scope(user)
        return self.all() if scope.writes_all and not getattr(self.model, "read_only_model", False) else self.none()

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
        if action == VIEW and scope.reads_all:
            return self.all()
        if action == CHANGE and scope.writes_all:
            return self.all()
        q = rule(scope, action) if rule else None
        if q is None:
            return self.none()
        return self.filter(q)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


def can_create(model: Any, user: Any) -> bool:
    """May ``user`` add rows of ``model`` at all? (Which rows is then ``editable_by``'s business.)"""
    scope = get_scope(user)
    rule = getattr(model, "can_create", None)
    if getattr(model, "administrative", False):
        # Users, roles, tokens: the model's rule alone decides (the admin roles are "read-only" for business data).
        return bool(rule(scope)) if rule else False
    if getattr(model, "read_only_model", False) or scope.read_only:
        return False
    return bool(rule(scope)) if rule else scope.writes_all


def nothing() -> Q:
    """A Q that matches no row, for rules that grant nothing to a role."""
    return Q(pk__in=[])
