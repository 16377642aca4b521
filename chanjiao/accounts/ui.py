from django.utils.translation import gettext_lazy as _

from chanjiao.accounts import filters, forms, tables
from chanjiao.accounts.models import ApiToken, Membership, User
from chanjiao.core.registry import DetailAction, ModelUI, Tab, register
from chanjiao.core.roles import Role

GROUP = _("系统管理")

users = register(ModelUI(User, filters.UserFilterSet, tables.UserTable, forms.UserForm, menu_group=GROUP,
                         icon="users", menu_order=900,
                         menu_roles=frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}),
                         detail_fields=["username", "full_name", "phone", "email", "is_active", "last_login",
                                        "must_change_password", "password_changed_at"]))
memberships = register(ModelUI(Membership, filters.MembershipFilterSet, tables.MembershipTable,
                               forms.MembershipForm, menu_group=GROUP, icon="user-shield", menu_order=910,
                               menu_roles=frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN})))
tokens = register(ModelUI(ApiToken, filters.ApiTokenFilterSet, tables.ApiTokenTable, None, menu_group=GROUP,
                          icon="key", menu_order=920,
                          detail_fields=["name", "prefix", "expires_at", "revoked_at", "last_used_at"],
                          list_template="accounts/apitoken_list.html",
                          actions=[DetailAction(_("吊销令牌"), "accounts:apitoken_revoke", "ban",
                                                allowed=lambda user, token: token.is_active
                                                and token.user_id == user.pk)]))

# The user page lists the account's roles and organisations (only the memberships the viewer may see).
users.tabs = [Tab(_("角色与所属单位"), memberships, via="user")]
