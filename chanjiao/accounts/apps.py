from collections.abc import Iterable

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def active_memberships(user_id: int) -> Iterable[tuple[str, int | None, str | None]]:
    """The (role, organisation id, jurisdiction region code) triples core's Scope is built from."""
    from chanjiao.accounts.models import Membership

    return Membership.objects.filter(user_id=user_id, active=True).values_list(
        "role", "organisation_id", "jurisdiction__code")


def authenticate_token(raw: str) -> object | None:
    from chanjiao.accounts.models import ApiToken

    return ApiToken.authenticate(raw)


class AccountsConfig(AppConfig):
    name = "chanjiao.accounts"
    label = "accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        # core sits below accounts and never imports it; accounts tells core, once, where memberships
        # and API tokens live (tests/test_layering.py keeps it that way).
        from chanjiao.core import api, scoping

        scoping.register_membership_source(active_memberships)
        api.register_token_authenticator(authenticate_token)
