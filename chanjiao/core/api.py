"""API building blocks: authentication, errors, and one CRUD router per model on the same
scoping, FilterSets and forms as the UI (so the API can never be looser than the pages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from ninja.security import APIKeyCookie, HttpBearer

from chanjiao.core import audit
from chanjiao.core.middleware import context_for
from chanjiao.core.registry import ModelUI
from chanjiao.core.scoping import can_create


def _enter(request: HttpRequest, user: Any, source: str) -> Any:
    request.user = user
    # Attribute the request's writes to the API user (the middleware ran before auth).
    audit.set_context(context_for(request, user, source=source))
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from chanjiao.accounts.models import ApiToken

        user = ApiToken.authenticate(token)
        return _enter(request, user, "api") if user else None


class SessionAuth(APIKeyCookie):
    """The signed-in browser session (CSRF-checked for writes by ninja)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return _enter(request, user, "api")
        return None


class Page(Schema):
    count: int
    page: int
    page_size: int
    results: list[Any]


def _page_params(request: HttpRequest) -> tuple[int, int]:
    try:
        page = max(1, int(request.GET.get("page", 1)))
        size = int(request.GET.get("page_size", 50))
    except ValueError as exc:
        raise HttpError(400, _("page 和 page_size 必须是整数。")) from exc
    if size < 1 or size > settings.API_MAX_PAGE_SIZE:
        raise HttpError(400, _("page_size 须在 1 到 %(max)d 之间。") % {"max": settings.API_MAX_PAGE_SIZE})
    return page, size


def _form_errors(form: Any) -> dict[str, Any]:
    return {"detail": _("提交的内容有误，未保存任何修改。"), "errors": {k: [str(m) for m in v] for k, v in
                                                                  form.errors.items()}}


def crud_router(ui: ModelUI, out_schema: type[Schema], *, tags: list[str] | None = None) -> Router:
    """list / detail (+ create / update / delete when the model has a form) for ``ui.model``."""
    model = ui.model
    router = Router(tags=tags or [str(model._meta.verbose_name_plural)])
    label = model._meta.model_name

    @router.get("/", response=Page, summary=_("列表"), operation_id=f"{label}_list")
    def list_objects(request: HttpRequest) -> dict[str, Any]:
        page, size = _page_params(request)
        params = request.GET.copy()
        for key in ("page", "page_size"):
            params.pop(key, None)
        filterset = ui.filterset(params or None, queryset=ui.rows_for(request.user), request=request)
        if filterset.is_bound and not filterset.is_valid():
            raise HttpError(400, _("筛选条件有误：%(e)s") % {"e": filterset.errors.as_text()})
        rows = filterset.qs if filterset.is_bound else filterset.queryset
        count = rows.count()
        start = (page - 1) * size
        return {"count": count, "page": page, "page_size": size,
                "results": [out_schema.from_orm(o, context={"request": request}).dict()
                            for o in rows[start:start + size]]}

    @router.get("/{pk}", response=out_schema, summary=_("详情"), operation_id=f"{label}_get")
    def get_object(request: HttpRequest, pk: int) -> Any:
        return get_object_or_404(model.objects.visible_to(request.user), pk=pk)

    if ui.form is None:
        return router

    def _save(request: HttpRequest, instance: Any, payload: dict[str, Any]) -> Any:
        data = model_to_dict(instance, fields=list(ui.form._meta.fields)) if instance else {}
        data.update(payload)
        qd = QueryDict(mutable=True)
        for key, value in data.items():
            if isinstance(value, list):
                qd.setlist(key, [str(v) for v in value])
            elif isinstance(value, bool):
                if value:
                    qd[key] = "on"
            elif value is not None:
                qd[key] = str(value)
        form = ui.form(qd, instance=instance, user=request.user)
        if not form.is_valid():
            return Status(400, _form_errors(form))
        with transaction.atomic():
            saved = form.save()
            if not model.objects.editable_by(request.user).filter(pk=saved.pk).exists():
                raise PermissionDenied(_("您无权在该单位下保存此记录。"))
        return Status(201 if instance is None else 200, saved)

    @router.post("/", response={201: out_schema, 400: dict}, summary=_("新建"), operation_id=f"{label}_create")
    def create_object(request: HttpRequest, payload: dict[str, Any] = Body(...)) -> Any:  # noqa: B008 (ninja idiom)
        if not can_create(model, request.user):
            raise PermissionDenied(_("您无权新建此类记录。"))
        return _save(request, None, payload)

    @router.patch("/{pk}", response={200: out_schema, 400: dict}, summary=_("修改"),
                  operation_id=f"{label}_update")
    def update_object(request: HttpRequest, pk: int, payload: dict[str, Any] = Body(...)) -> Any:  # noqa: B008 (ninja idiom)
        instance = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
        if not model.objects.editable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权修改该记录。"))
        unknown = set(payload) - set(ui.form._meta.fields)
        if unknown:
            raise HttpError(400, _("不允许修改的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
        return _save(request, instance, payload)

    @router.delete("/{pk}", response={204: None}, summary=_("删除"), operation_id=f"{label}_delete")
    def delete_object(request: HttpRequest, pk: int) -> Any:
        instance = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
        if not model.objects.deletable_by(request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权删除该记录。"))
        with transaction.atomic():
            instance.delete()
        return Status(204, None)

    return router


__all__ = ["Http404", "SessionAuth", "TokenAuth", "crud_router"]
