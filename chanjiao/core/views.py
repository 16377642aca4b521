"""Generic views every model page is declared on (see ``registry.ModelUI``).

Rows come only through ``visible_to`` / ``editable_by``; an out-of-scope object is a 404, a
visible but not editable one a 403, and a save that lands outside the user's scope is undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.db.models import Model, ProtectedError, Sum
from django.db.models.functions import Coalesce
from django.forms import SelectMultiple
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from chanjiao.core import audit
from chanjiao.core.aggregates import Median
from chanjiao.core.exports import content_disposition, xlsx_bytes
from chanjiao.core.figures import whole
from chanjiao.core.models import AuditEvent
from chanjiao.core.pagination import history_header
from chanjiao.core.scoping import can_create, scoped_rows, unscoped
from chanjiao.core.types import Request

if TYPE_CHECKING:
    # Only a type: registry builds URLs from these views, so a runtime import would be a cycle.
    from chanjiao.core.forms import ScopedModelForm
    from chanjiao.core.registry import ModelUI


def columns_pointing_to(ui: ModelUI, model: type[Model]) -> list[str]:
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
    return can_create(ui.model, user) or scoped_rows(ui.model).editable_by(user).exists()


class ModelUIView(View):
    ui: ModelUI = None  # type: ignore[assignment]

    def get_object(self, pk: int, *, for_change: bool = False) -> Any:
        obj = get_object_or_404(scoped_rows(self.ui.model).visible_to(self.request.user), pk=pk)
        if for_change and not scoped_rows(self.ui.model).editable_by(self.request.user).filter(pk=pk).exists():
            raise PermissionDenied(_("您无权修改该记录。"))
        return obj

    def base_context(self, **extra: Any) -> dict[str, Any]:
        return {"ui": self.ui, "opts": self.ui.model._meta, **extra}


def list_totals(ui: ModelUI, rows: Any) -> list[dict[str, Any]]:
    """The 合计 of each of ``ui.totals`` and the 中位数 of each of ``ui.medians`` over the filtered rows: one
    aggregate query (none without either). A median is rounded as its figure is (core/figures.py); None
    when no row has a value."""
    if not ui.totals and not ui.medians:
        return []
    aggregates: dict[str, Any] = {f"total_{name}": Coalesce(Sum(name), 0) for name in ui.totals}
    aggregates.update({f"median_{name}": Median(name) for name in ui.medians})
    found = rows.order_by().aggregate(**aggregates)
    labels = {f.name: getattr(f, "verbose_name", f.name) for f in ui.model._meta.get_fields()}
    medians = {name: found[f"median_{name}"] for name in ui.medians}
    return [*({"kind": "total", "field": name, "label": labels[name], "value": found[f"total_{name}"]}
              for name in ui.totals),
            *({"kind": "median", "field": name, "label": labels[name],
               "value": None if medians[name] is None else whole(medians[name])} for name in ui.medians)]


class ObjectListView(ModelUIView):
    def get(self, request: Request) -> HttpResponse:  # Request: reads request.htmx
        queryset = self.ui.rows_for(request.user)
        filterset = self.ui.filterset(request.GET or None, queryset=queryset, request=request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        if request.GET.get("export") in ("xlsx", "import"):
            return self.export(rows, request)
        table = self.ui.table(rows, request=request)  # BaseTable clamps page/per_page/sort from the address
        context = self.base_context(
            table=table, filter=filterset, can_add=self.ui.form is not None and can_create(self.ui.model, request.user),
            can_import=can_import(self.ui, request.user),
            query=request.GET.urlencode(), totals=list_totals(self.ui, rows),
        )
        template = "core/_table.html" if request.htmx else self.ui.list_template
        response = render(request, template, context)
        if request.htmx:
            # The address shows what the server understood: each filter once, a valid sort and page size.
            header, url = history_header(request, filterset.form, table)
            response[header] = url
        return response

    def export(self, rows: Any, request: HttpRequest) -> HttpResponse:
        """``?export=xlsx``: the list as shown. ``?export=import``: the rows the user may edit, in the
        import template's columns and values, to edit in Excel and upload again (导出（可再导入）)."""

        from django.conf import settings

        from chanjiao.core.imports.importer import export_bytes

        mode = "import" if request.GET.get("export") == "import" else "list"
        if mode == "import":
            if not can_import(self.ui, request.user):
                raise PermissionDenied(_("您无权导入此类记录，不能导出可再导入的文件。"))
            # Only editable rows: the others would be refused on upload ("无权修改").
            rows = rows.filter(pk__in=scoped_rows(self.ui.model).editable_by(request.user).values("pk"))
        count = rows.count()
        if count > settings.EXPORT_BACKGROUND_ROWS:
            # A large export would hold the request (and a worker) for minutes: a Job builds it (core/jobs.py).
            from chanjiao.core.jobs import start_export

            job = start_export(self.ui, request.user, request.GET, mode, count)
            messages.info(request, _("导出内容较多（共 %(n)d 行），已转入后台生成，完成后可在此下载。") % {"n": count})
            return HttpResponseRedirect(job.get_absolute_url())
        if mode == "import":
            content = export_bytes(self.ui.importer, request.user, rows)
        else:
            table = self.ui.table(rows, request=request, exclude=("actions",))
            data = list(table.as_values())
            count, content = len(data) - 1, xlsx_bytes(data, self.ui.label)
        audit.record_security("export", message=self.ui.label,
                              details={"model": audit.object_label(self.ui.model), "rows": count, "format": mode,
                                       "query": request.GET.urlencode()[:500]})
        response = HttpResponse(content,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = content_disposition(
            f"{self.ui.name}-{stamp}.xlsx", f"{self.ui.model._meta.verbose_name_plural}-{stamp}.xlsx")
        return response


class ObjectDetailView(ModelUIView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from chanjiao.core.display import RELATED_ROWS, field_rows

        obj = self.get_object(pk)
        editable = (self.ui.form is not None
                    and scoped_rows(self.ui.model).editable_by(request.user).filter(pk=pk).exists())
        tabs = []
        for tab in self.ui.tabs:
            # Rows only through the tab (ui.rows_for(user) narrowed to obj): see registry.Tab.
            table = tab.ui.table(tab.rows(obj, request.user), request=request, prefix=tab.prefix,
                                 exclude=columns_pointing_to(tab.ui, type(obj)), per_page=RELATED_ROWS)
            tabs.append({"label": tab.label, "table": table, "ui": tab.ui, "all_url": tab.list_url(obj)})
        deletable = editable and scoped_rows(self.ui.model).deletable_by(request.user).filter(pk=pk).exists()
        return render(request, self.ui.detail_template, self.base_context(
            object=obj, rows=field_rows(obj, self.ui.detail_fields, self.ui.form), can_edit=editable,
            can_delete=deletable, tabs=tabs, actions=[a for a in self.ui.actions if a.shown_to(request.user, obj)],
        ))


def prefill(form_class: type[ScopedModelForm], request: HttpRequest) -> dict[str, Any]:
    """The initial values a link puts in a new record's form (``…/new/?schools=3&enterprises=7``, e.g. 起草协议 from
    a recommendation): only the form's own fields, several values for a multiple choice. Nothing is written by a
    GET, and the POST validates every value against the user's choices like any other."""
    initial: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        if name not in request.GET:
            continue
        multiple = isinstance(field.widget, SelectMultiple) or getattr(field.widget, "allow_multiple_selected", False)
        initial[name] = request.GET.getlist(name) if multiple else request.GET.get(name)
    return initial


class ObjectEditView(ModelUIView):
    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._target(pk)
        form_class = self._form_class()
        initial = prefill(form_class, request) if obj is None else None
        form = form_class(instance=obj, user=request.user, initial=initial)
        return self._render(form, obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self._target(pk)
        form = self._form_class()(request.POST, request.FILES or None, instance=obj, user=request.user)
        if not form.is_valid():
            messages.error(request, _("提交的内容有误，请按提示修改后重新提交。未保存任何修改。"))
            return self._render(form, obj, status=400)
        with transaction.atomic():
            saved = form.save()
            # Re-check inside the transaction: a save that moved the row out of scope is undone.
            if not scoped_rows(self.ui.model).editable_by(request.user).filter(pk=saved.pk).exists():
                raise PermissionDenied(_("您无权在该单位下保存此记录。"))
        messages.success(request, _("已保存：%(obj)s") % {"obj": saved})
        return HttpResponseRedirect(saved.get_absolute_url() or reverse(self.ui.url_name("list")))

    def _form_class(self) -> type[ScopedModelForm]:
        # Routed only for a ModelUI with a form (ModelUI.urls), so never None here.
        assert self.ui.form is not None
        return self.ui.form

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
        if not scoped_rows(self.ui.model).deletable_by(self.request.user).filter(pk=pk).exists():
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
    """An object's history, readable; 404 for whoever may not read it (``models.history_rule``)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.http import Http404

        from chanjiao.core.history import readable
        from chanjiao.core.models import history_rule

        # Not ``visible_to``: the audit admin reads histories of records they cannot browse. The
        # history rule decides right below (404 unless it grants something).
        with unscoped("the history rule, not the read rule, decides who reads this page"):
            obj = self.ui.model._default_manager.filter(pk=pk).first()
        if obj is None or history_rule(request.user, obj) is None:
            raise Http404
        events = list(AuditEvent.objects.history_for(request.user, obj)[:200])
        return render(request, "core/object_history.html", self.base_context(
            object=obj, events=events, rows=readable(events),
            can_view_object=scoped_rows(self.ui.model).visible_to(request.user).filter(pk=pk).exists()))
