from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from chanjiao.core.api import ERRORS_READ
from chanjiao.core.scoping import get_scope

router = Router(tags=["账户"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    roles: list[str]
    organisations: list[int]
    # The region codes the bureau-level roles reach; null: the whole platform (or no such role).
    jurisdictions: list[str] | None


@router.get("/me", response={200: MeOut, **ERRORS_READ}, summary="当前用户", operation_id="accounts_me")
def me(request: HttpRequest) -> dict[str, Any]:
    scope = get_scope(request.user)
    return {"id": request.user.pk, "username": request.user.username, "full_name": request.user.full_name,
            "roles": sorted(scope.roles), "organisations": sorted(scope.orgs()),
            "jurisdictions": None if scope.everywhere else sorted(scope.jurisdictions or ())}
