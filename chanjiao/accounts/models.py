"""Users, their roles in organisations, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chanjiao.core.models import AuditedModel, AuditMixin
from chanjiao.core.roles import ADMIN_ROLES, GLOBAL_READERS, ORG_ROLES, Role
from chanjiao.core.scoping import CHANGE, Scope, ScopedQuerySet, unscoped, unscoped_queryset


def username_key(username: str) -> str:
    """The form of a username that identifies an account (ID-01): case and outer blanks do not count.

    The lockout counter (django-axes) is keyed on it too, so ``Alice`` and ``alice`` share one counter."""
    return (username or "").strip().lower()


def axes_username(request: Any, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the normalised username, from the credentials or the login form."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get("username")
    return username_key(raw or "")


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    def get_by_natural_key(self, username: str | None) -> User:
        # Log-in matches regardless of case, with the database's LOWER() — the same function as the
        # unique constraint, so at most one account can match.
        with unscoped("log-in finds the account before anyone is signed in"):
            return self.alias(_username_ci=Lower(self.model.USERNAME_FIELD)).get(
                _username_ci=Lower(Value((username or "").strip())))

    def with_username(self, username: str) -> models.QuerySet:
        """Accounts whose username equals ``username`` regardless of case (0 or 1 row)."""
        return self.alias(_username_ci=Lower("username")).filter(_username_ci=Lower(Value(username.strip())))


class User(AuditMixin, AbstractUser):
    """A person who logs in. Roles come from memberships, never from flags on the user."""

    full_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    audit_exclude = ("password",)
    audit_masked = ("phone",)
    administrative = True

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            # ID-01: ``alice`` and ``Alice`` would pass for one another in lists and logs.
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique",
                                    violation_error_message=_("该用户名已被使用（用户名不区分大小写）。")),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # The system admin manages accounts; the security admin sees them to grant roles.
        if action != CHANGE and scope.has(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
            return Q()
        if action == CHANGE and scope.has(Role.SYSTEM_ADMIN):
            # AC-07: never the account of an administrator of another kind (edit, password reset,
            # deactivation, delete) — else the system admin could take over the audit admin's account.
            return ~Q(pk__in=admins_of_other_kinds(scope))
        return Q(pk=scope.user_id) if action != CHANGE else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.has(Role.SYSTEM_ADMIN)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


def admins_of_other_kinds(scope: Scope) -> models.QuerySet:
    """User ids holding an active administrator role that ``scope`` does not hold (三权分立)."""
    other_kinds = ADMIN_ROLES - scope.roles
    return Membership.objects.filter(active=True, role__in=other_kinds).values("user_id")


class Membership(AuditedModel):
    """A user holds a role, in an organisation for the organisation-bound roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="user_memberships", verbose_name=_("所属单位"),
    )
    # Issue #8 point 0: where a bureau-level grant (教育局管理员, 秘书处, 领导) reaches — a province, city
    # or county (省教育厅, 市教育局, 区县教育局). Empty: the whole deployment.
    jurisdiction = models.ForeignKey(
        "catalog.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("管辖范围"), limit_choices_to={"level__lte": 3},
        help_text=_("教育局管理员、职教集团秘书处和领导角色的管辖地区（省、市或区县）；留空为全平台。"),
    )
    active = models.BooleanField(_("有效"), default=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("授权人")
    )

    administrative = True

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user__username", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organisation"], name="membership_unique"),
        ]

    label_related = ("user", "organisation", "jurisdiction")

    def __str__(self) -> str:
        org = f" @ {self.organisation}" if self.organisation_id else ""
        where = f"（{self.jurisdiction.name}）" if self.jurisdiction_id else ""
        return f"{self.user} · {self.get_role_display()}{org}{where}"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        # AC-08: only the security admin edits roles, and never their own (AC-07).
        if scope.has(Role.SECURITY_ADMIN):
            return ~Q(user_id=scope.user_id) if action == CHANGE else Q()
        if action != CHANGE and scope.has(Role.SYSTEM_ADMIN):
            return Q()
        return Q(user_id=scope.user_id) if action != CHANGE else None

    @classmethod
    def can_create(cls, scope: Scope) -> bool:
        return scope.has(Role.SECURITY_ADMIN)

    @classmethod
    def organisation_choices(cls, user: Any) -> models.QuerySet:
        """Organisations offered when granting a role: every one, by name only, to whoever grants roles.

        The security admin needs the names to grant organisation roles, never the business data
        (detail pages stay 404 through ``Organisation.scope_q``); anyone else gets what they may see."""
        from chanjiao.core.scoping import can_create
        from chanjiao.orgs.models import Organisation

        if can_create(cls, user):
            return unscoped_queryset(Organisation.objects.order_by("kind", "name").only("id", "kind", "name"),
                                     "role grants pick organisations by name")
        return Organisation.objects.visible_to(user)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.role in ORG_ROLES and not self.organisation_id:
            raise ValidationError({"organisation": _("该角色必须指定所属单位。")})
        if self.jurisdiction_id and self.role not in GLOBAL_READERS:
            raise ValidationError({"jurisdiction": _("管辖范围只适用于教育局管理员、职教集团秘书处和领导角色。")})
        if self.jurisdiction_id and self.jurisdiction.level > 3:
            raise ValidationError({"jurisdiction": _("管辖范围应为省、市或区县。")})


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(AuditedModel):
    """A bearer token for the API. Only its SHA-256 is stored; it expires and can be revoked."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    expires_at = models.DateTimeField(_("过期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    audit_exclude = ("key_hash",)
    administrative = True
    objects = models.Manager.from_queryset(ApiTokenQuerySet)()

    class Meta:
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def scope_q(cls, scope: Scope, action: str) -> Q | None:
        return Q(user_id=scope.user_id)

    @classmethod
    def issue(cls, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token; the raw key is returned once and never stored."""
        raw = "cj_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, key_hash=_hash_token(raw), prefix=raw[3:11],
            expires_at=timezone.now() + timedelta(days=days or settings.API_TOKEN_DAYS),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> User | None:
        with unscoped("a bearer token is looked up before anyone is signed in"):
            token = cls.objects.active().select_related("user").filter(key_hash=_hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        # A plain UPDATE: token use is not a data change worth an audit row per request.
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at", "updated_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
