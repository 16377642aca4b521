"""The REST API: /api/, OpenAPI at /api/openapi.json, docs at /api/docs (signed-in users only)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
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
        if getattr(user, "must_change_password", False):
            return JsonResponse({"detail": _("请先在网页上修改初始密码，然后才能使用接口。")}, status=403)
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


@api.exception_handler(IntegrityError)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A uniqueness or reference rule the form could not see (e.g. a concurrent write): nothing was saved.
    return api.create_response(request, {"detail": _("与现有记录冲突，未保存任何修改。")}, status=409)


def _where(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "query", "path")]
    return ".".join(loc) or "-"


_SHAPE_MESSAGES = {
    "missing": _lazy("必填"),
    "int_parsing": _lazy("须为整数"),
    "int_type": _lazy("须为整数"),
    "bool_parsing": _lazy("须为 true 或 false"),
    "bool_type": _lazy("须为 true 或 false"),
    "string_type": _lazy("须为字符串"),
    "date_from_datetime_parsing": _lazy("须为日期（YYYY-MM-DD）"),
    "date_parsing": _lazy("须为日期（YYYY-MM-DD）"),
    "date_type": _lazy("须为日期（YYYY-MM-DD）"),
    "decimal_parsing": _lazy("须为数字"),
    "decimal_type": _lazy("须为数字"),
    "literal_error": _lazy("不是可选的值"),
    "json_invalid": _lazy("不是有效的 JSON"),
    "model_attributes_type": _lazy("须为 JSON 对象"),
    "dict_type": _lazy("须为 JSON 对象"),
    "list_type": _lazy("须为数组"),
}


@api.exception_handler(NinjaValidationError)
def _invalid_shape(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    unknown = sorted(_where(e) for e in exc.errors if e.get("type") == "extra_forbidden")
    if unknown:
        return api.create_response(
            request, {"detail": _("不允许提交的字段：%(f)s") % {"f": "、".join(unknown)}}, status=400)
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = _SHAPE_MESSAGES.get(error.get("type", ""))
        errors.setdefault(_where(error), []).append(str(message) if message else _("取值无效"))
    if all(error.get("loc", ("",))[0] == "body" for error in exc.errors):
        # A body the form would refuse too: the same answer as a form error (400, errors per field).
        return api.create_response(request, {"detail": _("提交的内容有误，未保存任何修改。"), "errors": errors},
                                   status=400)
    return api.create_response(request, {"detail": _("请求参数格式有误。"), "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _mount() -> None:
    from chanjiao.accounts.api import router as accounts_router
    from chanjiao.catalog.api import router as catalog_router
    from chanjiao.engagement.api import router as engagement_router
    from chanjiao.layout.api import router as layout_router
    from chanjiao.orgs.api import router as orgs_router
    from chanjiao.reports.api import router as reports_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/engagement", engagement_router)
    api.add_router("/layout", layout_router)
    api.add_router("/reports", reports_router)


_mount()
