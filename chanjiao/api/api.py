"""The REST API: /api/, OpenAPI at /api/openapi.json, docs at /api/docs (signed-in users only)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from chanjiao.core.api import SessionAuth, TokenAuth


def _signed_in_only(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            user = None
            header = request.META.get("HTTP_AUTHORIZATION", "")
            if header.lower().startswith("bearer "):
                from chanjiao.accounts.models import ApiToken

                user = ApiToken.authenticate(header[7:].strip())
            if user is None:
                return JsonResponse({"detail": _("请先登录或提供有效的API令牌。")}, status=401)
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="产教 Chanjiao API",
    version="1.0",
    description=_("产教融合平台接口。所有数据均按调用者的权限范围过滤。"),
    auth=[TokenAuth(), SessionAuth()],
    docs_decorator=_signed_in_only,
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("请先登录或提供有效的API令牌。")}, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("未找到该记录。")}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or _("无权执行此操作。")}, status=403)


@api.exception_handler(ProtectedError)
def _protected(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("该记录仍被其他记录引用，不能删除。")}, status=409)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("提交的内容有误。"), "errors": exc.messages}, status=400)


@api.exception_handler(NinjaValidationError)
def _invalid_shape(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("请求格式有误。"), "errors": exc.errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _mount() -> None:
    from chanjiao.accounts.api import router as accounts_router
    from chanjiao.catalog.api import router as catalog_router
    from chanjiao.orgs.api import router as orgs_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/orgs", orgs_router)


_mount()
