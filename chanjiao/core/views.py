"""Generic views every model page is declared on (see ``registry.ModelUI``).

Rows come only through ``visible_to`` / ``editable_by``; an out-of-scope object is a 404, a
visible but not editable one a 403, and a save that lands outside the user's scope is undone.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from chanjiao.core import audit
from chanjiao.core.exports import xlsx_bytes
from chanjiao.core.models import AuditEvent
from chanjiao.core.registry import ModelUI
from chanjiao.core.scoping import can_create

PAGE_SIZES = (25, 50, 100)


def columns_pointing_to(ui: ModelUI, model: type) -> list[str]:
    """Columns of a detail-page tab that only repeat the parent object (e.g. the committee on its own page)."""
    concrete = model._meta.concrete_model
    names = []
    for name in ui.table.base_columns:
        try:
            field = ui.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.is_relation and field.related_model is not None and (
                field.related_model._meta.concrete_model is concrete):
            names.append(name)
    return names


def can_import(ui: ModelUI, user: Any) -> bool:
    """Import creates new rows or updates rows the user may edit (a school admin updates their school)."""
    if ui.importer is None:
        return False
    return can_create(ui.model, user) or ui.model.objects.editable_by(user).exists()


class ModelUIView(View):
    ui: ModelUI = None  # type: ignore[assignment]

    def get_object(self, pk: int, *, for_change: bool = False) -> Any:
        obj = get_object_or_404(self.ui.model.objects.visible_to(self.request.user), pk=pk)
        if for_change and not self.ui.model.objects.editable_by(self.request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权修改该记录。"))
        return obj

    def base_context(self, **extra: Any) -> dict[str, Any]:
        return {"ui": self.ui, "opts": self.ui.model._meta, **extra}


class ObjectListView(ModelUIView):
    def get(self, request: HttpRequest) -> HttpResponse:
        queryset = self.ui.rows_for(request.user)
        filterset = self.ui.filterset(request.GET or None, queryset=queryset, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        if request.GET.get("export") == "xlsx":
            return self.export(rows, request)
        table = self.ui.table(rows, request=request)
        per_page = request.GET.get("per_page", "")
        RequestConfig(request, paginate={"per_page": int(per_page) if per_page.isdigit() and int(per_page)
                                         in PAGE_SIZES else PAGE_SIZES[0]}).configure(table)
        context = self.base_context(
            table=table, filter=filterset, can_add=self.ui.form is not None and can_create(self.ui.model, request.user),
            can_import=can_import(self.ui, request.user),
            query=request.GET.urlencode(),
        )
        template = "core/_table.html" if request.htmx else self.ui.list_template
        return render(request, template, context)

    def export(self, rows: Any, request: HttpRequest) -> HttpResponse:
        table = self.ui.table(rows, request=request, exclude=("actions",))
        data = list(table.as_values())
        audit.record_security("export", message=self.ui.label,
                              details={"model": audit.object_label(self.ui.model), "rows": len(data) - 1,
                                       "query": request.GET.urlencode()[:500]})
        response = HttpResponse(
            xlsx_bytes(data, self.ui.label),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{self.ui.name}-{stamp}.xlsx"
        return response


class ObjectDetailView(ModelUIView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from chanjiao.core.display import field_rows

        obj = self.get_object(pk)
        editable = self.ui.form is not None and self.ui.model.objects.editable_by(request.user).filter(pk=pk).exists()
        tabs = []
        for label, rows_for, related_ui in self.ui.related:
            rows = rows_for(obj, request.user)
            if isinstance(rows, QuerySet) and rows.model is related_ui.model:
                rows = related_ui.joined(rows)
            table = related_ui.table(rows, request=request, prefix=f"{related_ui.name}-",
                                     exclude=columns_pointing_to(related_ui, type(obj)))
            RequestConfig(request, paginate={"per_page": 10}).configure(table)
            tabs.append({"label": label, "table": table, "ui": related_ui})
        deletable = editable and self.ui.model.objects.deletable_by(request.user).filter(pk=pk).exists()
        return render(request, self.ui.detail_template, self.base_context(
            object=obj, rows=field_rows(obj, self.ui.detail_fields), can_edit=editable, can_delete=deletable,
            tabs=tabs, actions=[a for a in self.ui.actions if a.shown_to(request.user, obj)],
        ))


class ObjectEditView(ModelUIView):
    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._target(pk)
        form = self.ui.form(instance=obj, user=request.user)  # type: ignore[misc]
        return self._render(form, obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._target(pk)
        form = self.ui.form(request.POST, request.FILES or None, instance=obj, user=request.user)  # type: ignore[misc]
        if not form.is_valid():
            messages.error(request, _("提交的内容有误，请按提示修改后重新提交。未保存任何修改。"))
            return self._render(form, obj, status=400)
        with transaction.atomic():
            saved = form.save()
            # Re-check inside the transaction: a save that moved the row out of scope is undone.
            if not self.ui.model.objects.editable_by(request.user).filter(pk=saved.pk).exists():
                raise PermissionDenied(_("您无权在该单位下保存此记录。"))
        messages.success(request, _("已保存：%(obj)s") % {"obj": saved})
        return HttpResponseRedirect(saved.get_absolute_url() or reverse(self.ui.url_name("list")))

    def _target(self, pk: int | None) -> Any:
        if pk is None:
            if not can_create(self.ui.model, self.request.user):
                raise PermissionDenied(_("您无权新建此类记录。"))
            return None
        return self.get_object(pk, for_change=True)

    def _render(self, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        return render(self.request, "core/object_form.html", self.base_context(form=form, object=obj), status=status)


class ObjectDeleteView(ModelUIView):
    def get_object(self, pk: int, *, for_change: bool = True) -> Any:
        obj = super().get_object(pk)
        if not self.ui.model.objects.deletable_by(self.request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权删除该记录。"))
        return obj

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk, for_change=True)
        return render(request, "core/object_confirm_delete.html", self.base_context(object=obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk, for_change=True)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            messages.error(request, _("“%(obj)s”仍被其他记录引用，不能删除。") % {"obj": obj})
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("已删除：%(obj)s") % {"obj": obj})
        return HttpResponseRedirect(reverse(self.ui.url_name("list")))


class ObjectHistoryView(ModelUIView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        events = AuditEvent.objects.filter(object_type=audit.object_label(obj), object_id=str(obj.pk))[:200]
        return render(request, "core/object_history.html", self.base_context(object=obj, events=events))


from chanjiao.core.import_views import ImportTemplateView, ObjectImportView  # noqa: E402,F401
