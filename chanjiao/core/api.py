"""API building blocks: authentication, errors, and one CRUD router per model on the same
scoping, FilterSets and forms as the UI (so the API can never be looser than the pages).

The OpenAPI description is derived from those same declarations (core/api_schemas.py: bodies from
the form, answers from the model and the form, query parameters from the FilterSet), and every
answer an operation can give (400/401/403/404/409/422 as ``{"detail": "…"}``) is listed, so a
schema-driven fuzzer (tests/fuzz/run_schemathesis.py) finds no undocumented answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from chanjiao.core import audit
from chanjiao.core.api_schemas import (
    MAX_ID,
    TransitionIn,
    body_schema,
    filter_parameters,
    model_default,
    output_fields,
    output_schema,
    page_schema,
)
from chanjiao.core.middleware import context_for
from chanjiao.core.pagination import capped_count, count_limit
from chanjiao.core.registry import ModelUI
from chanjiao.core.scoping import can_create, scoped_rows, unscoped

if TYPE_CHECKING:
    from chanjiao.core.forms import ScopedModelForm


class ApiError(Schema):
    """Every refusal: a Chinese ``detail``; form and shape errors add ``errors``."""

    detail: str
    errors: Any = None


def refuse_if_password_change_pending(user: Any) -> None:
    """A user with an initial password may do nothing through the API until they set their own
    (the pages redirect them; the API has no password-change route, so it refuses everything)."""
    if getattr(user, "must_change_password", False):
        raise HttpError(403, _("请先在网页上修改初始密码，然后才能使用接口。"))


def _enter(request: HttpRequest, user: Any, source: str) -> Any:
    refuse_if_password_change_pending(user)
    request.user = user
    # Attribute the request's writes to the API user (the middleware ran before auth).
    audit.set_context(context_for(request, user, source=source))
    return user


# (raw bearer token) -> the active user it belongs to, or None. The app that stores tokens registers
# it at start-up (accounts.apps.ready): core never imports upwards (tests/test_layering.py).
TokenAuthenticator = Callable[[str], Any]
_token_authenticator: TokenAuthenticator | None = None


def register_token_authenticator(authenticator: TokenAuthenticator) -> None:
    """Tell core how a bearer token is checked (called once, from an AppConfig.ready())."""
    global _token_authenticator
    _token_authenticator = authenticator


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if _token_authenticator is None:
            # Fail loudly rather than answer every token with 401.
            raise ImproperlyConfigured("No token authenticator registered: call api.register_token_authenticator() "
                                       "from the accounts app's AppConfig.ready().")
        user = _token_authenticator(token)
        return _enter(request, user, "api") if user else None


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, CSRF-checked for writes.

    Without a signed-in session there is nothing to check: the answer is 401 (not ninja's English
    "CSRF check Failed" 403). With one, a write without a valid CSRF token is refused in Chinese.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF 校验失败：请刷新页面后重试。"))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated:
            return _enter(request, user, "api")
        return None


# --- answers each kind of operation documents -----------------------------------------------------------------

ERRORS_READ = {400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 422: ApiError}
ERRORS_WRITE = {**ERRORS_READ, 409: ApiError}


# --- pagination ------------------------------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 50


def _int_param(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError as exc:  # also a number of more than 4,300 digits
        raise HttpError(400, _("page 和 page_size 必须是整数。")) from exc
    return value


def _page_params(request: HttpRequest) -> tuple[int, int]:
    page = _int_param(request, "page", 1)
    size = _int_param(request, "page_size", DEFAULT_PAGE_SIZE)
    if size < 1 or size > settings.API_MAX_PAGE_SIZE:
        raise HttpError(400, _("page_size 须在 1 到 %(max)d 之间。") % {"max": settings.API_MAX_PAGE_SIZE})
    if page < 1:
        raise HttpError(400, _("page 须为不小于 1 的整数。"))
    return page, size


def _page_parameters() -> list[dict[str, Any]]:
    return [
        {"in": "query", "name": "page", "required": False, "description": _("页码，从 1 开始；不得超过末页。"),
         "schema": {"type": "integer", "minimum": 1, "default": 1}},
        {"in": "query", "name": "page_size", "required": False, "description": _("每页条数。"),
         "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE,
                    "default": DEFAULT_PAGE_SIZE}},
    ]



def get_or_404(queryset: Any, pk: int) -> Any:
    """The row ``pk`` of ``queryset``; an id no database column can hold is simply not found."""
    if pk < 1 or pk > MAX_ID:
        raise Http404
    return get_object_or_404(queryset, pk=pk)


def _form_errors(form: Any) -> dict[str, Any]:
    return {"detail": _("提交的内容有误，未保存任何修改。"), "errors": {k: [str(m) for m in v] for k, v in
                                                                  form.errors.items()}}


def answer_rows(ui: ModelUI, user: Any) -> Any:
    """The scoped rows the API answers with: the list's joins, and the many-to-many values the answer
    carries prefetched by that checked queryset (one query per field, not one per row)."""
    many = [n for n in output_fields(ui) if ui.model._meta.get_field(n).many_to_many]
    rows = ui.rows_for(user)
    return rows.prefetch_related(*many) if many else rows


def crud_router(ui: ModelUI, out_schema: type[Schema] | None = None, *, tags: list[str] | None = None) -> Router:
    """list / detail (+ create / update / delete when the model has a form) for ``ui.model``; the answers
    are ``out_schema``, by default :func:`output_schema` of ``ui``."""
    model = ui.model
    out_schema = out_schema or output_schema(ui)
    router = Router(tags=tags or [str(model._meta.verbose_name_plural)])
    label = model._meta.model_name

    @router.get("/", response={200: page_schema(model, out_schema), **ERRORS_READ}, summary=_("列表"),
                operation_id=f"{label}_list",
                openapi_extra={"parameters": _page_parameters() + filter_parameters(ui.filterset)})
    def list_objects(request: HttpRequest) -> dict[str, Any]:
        page, size = _page_params(request)
        params = request.GET.copy()
        for key in ("page", "page_size"):
            params.pop(key, None)
        filterset = ui.filterset(params or None, queryset=answer_rows(ui, request.user), request=request)
        if filterset.is_bound and not filterset.is_valid():
            raise HttpError(400, _("筛选条件有误：%(e)s") % {"e": filterset.errors.as_text()})
        rows = filterset.qs if filterset.is_bound else filterset.queryset
        # Counted up to the cap or the end of this page (+1), never the whole table (core/pagination.py).
        count, exact = capped_count(rows, count_limit(page, size))
        last = max(1, math.ceil(count / size))
        if exact and page > last:
            # Refused rather than clamped: a client paging until it sees the end must not loop on the last page.
            raise HttpError(400, _("页码超出范围：共 %(pages)d 页。") % {"pages": last})
        start = (page - 1) * size
        # Not exact: more than count - 1 rows match (the extra one proved it), so this page is full.
        return {"count": count if exact else count - 1, "count_exact": exact, "page": page, "page_size": size,
                "results": list(rows[start:start + size])}

    @router.get("/{pk}", response={200: out_schema, **ERRORS_READ}, summary=_("详情"),
                operation_id=f"{label}_get")
    def get_object(request: HttpRequest, pk: int) -> Any:
        return get_or_404(answer_rows(ui, request.user), pk)

    if getattr(model, "workflow", None) is not None:
        _transition_route(router, ui, out_schema)
    if ui.form is None:
        return router
    form_class: type[ScopedModelForm] = ui.form  # not None from here on, also inside _save
    # The form names its fields (Meta.fields = "__all__" would leave None here: the API needs names).
    assert form_class._meta.fields is not None, f"{form_class.__name__}: Meta.fields must list the fields"
    form_fields = list(form_class._meta.fields)

    def _save(request: HttpRequest, instance: Any, payload: dict[str, Any]) -> Any:
        if instance is not None:
            # PATCH starts from the stored values, many-to-many included, of an instance in scope.
            with unscoped("the current values of an instance already in scope"):
                data = model_to_dict(instance, fields=form_fields)
        else:
            # What the model would store when a field is left out (e.g. integration_status): the API
            # body may omit it, and the form (which requires it on the page) gets the default.
            data = {}
            for name in form_fields:
                has_default, default = model_default(model, name)
                if has_default:
                    data[name] = default
        data.update(payload)
        qd = QueryDict(mutable=True)
        for key, value in data.items():
            if isinstance(value, list | tuple | set):
                qd.setlist(key, [str(getattr(v, "pk", v)) for v in value])
            elif isinstance(value, bool):
                if value:
                    qd[key] = "on"
            elif value is not None:
                qd[key] = str(value)
        form = form_class(qd, instance=instance, user=request.user)
        if not form.is_valid():
            return Status(400, _form_errors(form))
        with transaction.atomic():
            saved = form.save()
            if not scoped_rows(model).editable_by(request.user).filter(pk=saved.pk).exists():
                raise PermissionDenied(_("您无权在该单位下保存此记录。"))
        # Answered as read back through the caller's scope (with its many-to-many values), not the form's instance.
        return Status(201 if instance is None else 200, get_or_404(answer_rows(ui, request.user), saved.pk))

    create_in = body_schema(ui, partial=False)
    patch_in = body_schema(ui, partial=True)

    def create_object(request: HttpRequest, payload: Any) -> Any:
        if not can_create(model, request.user):
            raise PermissionDenied(_("您无权新建此类记录。"))
        return _save(request, None, payload.dict(exclude_unset=True))

    def update_object(request: HttpRequest, pk: int, payload: Any) -> Any:
        instance = get_or_404(scoped_rows(model).visible_to(request.user), pk)
        if not scoped_rows(model).editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权修改该记录。"))
        return _save(request, instance, payload.dict(exclude_unset=True))

    # The body types are built at run time, so they are set on the functions before ninja reads them.
    create_object.__annotations__["payload"] = create_in
    update_object.__annotations__["payload"] = patch_in
    update_object.__annotations__["pk"] = int
    router.post("/", response={201: out_schema, **ERRORS_WRITE}, summary=_("新建"),
                operation_id=f"{label}_create")(create_object)
    router.patch("/{pk}", response={200: out_schema, **ERRORS_WRITE}, summary=_("修改"),
                 operation_id=f"{label}_update")(update_object)

    @router.delete("/{pk}", response={204: None, **ERRORS_WRITE}, summary=_("删除"),
                   operation_id=f"{label}_delete")
    def delete_object(request: HttpRequest, pk: int) -> Any:
        instance = get_or_404(scoped_rows(model).visible_to(request.user), pk)
        if not scoped_rows(model).deletable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权删除该记录。"))
        with transaction.atomic():
            instance.delete()
        return Status(204, None)

    return router



def _transition_route(router: Router, ui: ModelUI, out_schema: type[Schema]) -> None:
    """``POST /{pk}/transitions/{name}``: take a workflow transition (core/workflow.py).

    200 the object after it; 400 a guard's reasons or a missing note; 403 the caller may not take
    it; 404 the object is out of scope or no user transition has that name; 409 the transition does
    not start from the current state. Nothing is written on any refusal.
    """
    from chanjiao.core.workflow import FORBIDDEN, ILLEGAL, TransitionRefused, workflow_of

    model = ui.model
    wf = workflow_of(model)
    assert wf is not None
    names = ", ".join(f"{t.name}（{t.label}）" for t in wf.user_transitions())

    @router.post("/{pk}/transitions/{name}", response={200: out_schema, **ERRORS_WRITE}, summary=_("状态变更"),
                 operation_id=f"{model._meta.model_name}_transition",
                 description=_("执行一个状态变更。可用的操作：%(names)s") % {"names": names})
    def transition(request: HttpRequest, pk: int, name: str, payload: TransitionIn) -> Any:
        instance = get_or_404(answer_rows(ui, request.user), pk)
        t = wf.by_name.get(name)
        if t is None or t.system:
            raise Http404
        try:
            instance.set_status(name, by=request.user, note=payload.note)
        except TransitionRefused as exc:
            code = {ILLEGAL: 409, FORBIDDEN: 403}.get(exc.kind, 400)
            return Status(code, {"detail": exc.message, "errors": exc.reasons})
        return Status(200, instance)


# body_schema, output_fields and output_schema live in api_schemas; apps and tests import them from here.
__all__ = ["ERRORS_READ", "ERRORS_WRITE", "ApiError", "Http404", "SessionAuth", "TokenAuth", "body_schema",
           "crud_router", "get_or_404", "output_fields", "output_schema", "refuse_if_password_change_pending"]
