"""One declaration per model gives it list, detail, edit, delete, export, history, import and API.

``ModelUI`` is the small generic layer the STYLE guide asks for: an app declares what differs
(filterset, table, form, detail fields) and gets predictable URL names ``app:model_action``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import URLPattern, path
from django_stubs_ext import StrOrPromise

from chanjiao.core.scoping import scoped_rows

if TYPE_CHECKING:
    from chanjiao.core.attachments import AttachmentUse
    from chanjiao.core.forms import ScopedModelForm

registry: list[ModelUI] = []


@dataclass(frozen=True)
class DetailAction:
    """An extra button on a detail page (e.g. 合并重复企业), shown when ``allowed(user, obj)``."""

    label: StrOrPromise  # a lazy text: translated when the page is drawn
    url_name: str
    icon: str = "bolt"
    allowed: Any = None  # callable(user, obj) -> bool

    def shown_to(self, user: Any, obj: Any) -> bool:
        return bool(self.allowed(user, obj)) if self.allowed else True


@dataclass(frozen=True)
class Tab:
    """A detail-page tab: the rows of ``ui`` that point at the parent object through ``via``.

    The rows are always ``ui.rows_for(user)`` narrowed to the parent — never a free queryset — so
    a tab shows exactly what the same user's list page of ``ui`` shows, filtered by the parent
    (issue #7 gap 3). ``via`` is a field path from the tab's model to the parent (``"school"``),
    several paths OR-ed (``("director", "vice_director")``: a party through either foreign key),
    or, for the few rows that are not "pointing at the parent", a callable ``parent -> Q``
    (the other majors of the same class). A single path that the list's FilterSet offers as a
    filter gives the tab its 查看全部 link (the list filtered by the parent)."""

    label: Any
    ui: ModelUI
    via: str | tuple[str, ...] | Callable[[models.Model], Q]
    name: str = ""  # the table's parameter prefix; the model name by default

    @property
    def prefix(self) -> str:
        return f"{self.name or self.ui.name}-"

    def condition(self, parent: models.Model) -> Q:
        if callable(self.via):
            return self.via(parent)
        paths = (self.via,) if isinstance(self.via, str) else self.via
        q = Q()
        for path_ in paths:
            q |= Q(**{path_: parent.pk})
        return q

    def rows(self, parent: models.Model, user: Any) -> Any:
        return self.ui.rows_for(user).filter(self.condition(parent))

    def list_url(self, parent: models.Model) -> str:
        from chanjiao.core.display import related_list_url

        return related_list_url(self, parent)


@dataclass(frozen=True)
class TimelineTab:
    """The one tab that is not rows of one model: entries assembled from several models (the
    enterprise's 合作时间线). ``entries(parent, user)`` must fetch every source through that source
    model's ``visible_to(user)`` (orgs/services.py ``timeline_sources``; the scoping guard fails a
    test whose source forgets). ``ui`` only supplies the table; there is no list to link to."""

    label: Any
    ui: ModelUI
    entries: Callable[[models.Model, Any], list[Any]]
    name: str = ""

    @property
    def prefix(self) -> str:
        return f"{self.name or self.ui.name}-"

    def rows(self, parent: models.Model, user: Any) -> list[Any]:
        return self.entries(parent, user)

    def list_url(self, parent: models.Model) -> str:
        return ""


@dataclass
class ModelUI:
    model: type[models.Model]
    # django-filter and django-tables2 ship no type information: their classes are Any to mypy.
    filterset: type[Any]  # a core.filters.SearchFilterSet (django_filters.FilterSet) subclass
    table: type[Any]  # a core.tables.BaseTable (django_tables2.Table) subclass
    form: type[ScopedModelForm] | None = None  # None: read-only pages
    detail_fields: list[str] | None = None
    menu_group: StrOrPromise = ""  # lazy: the menu is built per request, in the user's language
    menu_label: str = ""
    icon: str = "list"
    importer: Any = None  # a chanjiao.core.imports.Importer subclass
    menu_order: int = 100
    menu_roles: frozenset[str] | None = None  # show in the menu only to these roles (None: whoever may view)
    list_template: str = "core/object_list.html"
    detail_template: str = "core/object_detail.html"
    tabs: list[Tab | TimelineTab] = field(default_factory=list)  # detail-page tabs, in order
    actions: list[DetailAction] = field(default_factory=list)
    # Joins the rows' names need beyond the table's own foreign-key columns (e.g. "term__group").
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()
    # Number fields the list page sums over its filtered rows (合计), in one query: a figure with a
    # ``total`` (core/figures.py) drills down to the list that shows the same sum.
    totals: tuple[str, ...] = ()
    # Number fields whose median over the filtered rows the list shows (中位数), in the same query; a
    # figure with a ``median`` drills down to the list that shows the same median.
    medians: tuple[str, ...] = ()
    # Documents this model accepts (core/attachments.py): a 附件 card on the detail page and its routes.
    attachments: list[AttachmentUse] | None = None

    def rows_for(self, user: Any) -> Any:
        """The scoped rows of a list page, export or API list, joined so a page costs a fixed
        number of queries."""
        return self.joined(scoped_rows(self.model).visible_to(user))

    def joined(self, queryset: Any) -> Any:
        """``queryset`` with the table's foreign-key columns selected and many-to-many columns prefetched."""
        joins, prefetch = set(self.list_select_related), set(self.list_prefetch_related)
        for name, column in self.table.base_columns.items():
            first = (column.accessor or name).replace(".", "__").split("__")[0]
            try:
                f = self.model._meta.get_field(first)
            except FieldDoesNotExist:  # a computed column
                continue
            if f.many_to_one or f.one_to_one:
                joins.add(first)
            elif f.many_to_many:
                prefetch.add(first)
        # Only with names: select_related() without arguments would follow every foreign key.
        if joins:
            queryset = queryset.select_related(*sorted(joins))
        return queryset.prefetch_related(*sorted(prefetch)) if prefetch else queryset

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def name(self) -> str:
        return self.model._meta.model_name  # type: ignore[return-value]

    def url_name(self, action: str) -> str:
        return f"{self.app_label}:{self.name}_{action}"

    @property
    def label(self) -> str:
        return str(self.menu_label or self.model._meta.verbose_name_plural)

    def urls(self) -> list[URLPattern]:
        from chanjiao.core import views

        base = self.name.replace("_", "-")
        patterns = [
            path(f"{base}/", views.ObjectListView.as_view(ui=self), name=f"{self.name}_list"),
            path(f"{base}/<int:pk>/", views.ObjectDetailView.as_view(ui=self), name=f"{self.name}_detail"),
            path(f"{base}/<int:pk>/history/", views.ObjectHistoryView.as_view(ui=self), name=f"{self.name}_history"),
        ]
        if self.form is not None:
            patterns += [
                path(f"{base}/add/", views.ObjectEditView.as_view(ui=self), name=f"{self.name}_add"),
                path(f"{base}/<int:pk>/edit/", views.ObjectEditView.as_view(ui=self), name=f"{self.name}_edit"),
                path(f"{base}/<int:pk>/delete/", views.ObjectDeleteView.as_view(ui=self), name=f"{self.name}_delete"),
            ]
        if self.attachments:
            from chanjiao.core import attachment_views as av

            patterns += [
                path(f"{base}/<int:pk>/attachments/", av.AttachmentsView.as_view(ui=self),
                     name=f"{self.name}_attachments"),
                path(f"{base}/<int:pk>/attachments/<int:attachment>/", av.AttachmentDownloadView.as_view(ui=self),
                     name=f"{self.name}_attachment_download"),
                path(f"{base}/<int:pk>/attachments/<int:attachment>/withdraw/",
                     av.AttachmentWithdrawView.as_view(ui=self), name=f"{self.name}_attachment_withdraw"),
            ]
        if getattr(self.model, "workflow", None) is not None:
            from chanjiao.core.workflow_views import ObjectTransitionView

            patterns.append(path(f"{base}/<int:pk>/transitions/<slug:name>/", ObjectTransitionView.as_view(ui=self),
                                 name=f"{self.name}_transition"))
        if self.importer is not None:
            from chanjiao.core import import_views

            patterns += [
                path(f"{base}/import/", import_views.ObjectImportView.as_view(ui=self), name=f"{self.name}_import"),
                path(f"{base}/import/template/", import_views.ImportTemplateView.as_view(ui=self),
                     name=f"{self.name}_import_template"),
            ]
        return patterns


def register(ui: ModelUI) -> ModelUI:
    registry.append(ui)
    return ui


def ui_for(model: type[models.Model]) -> ModelUI | None:
    for ui in registry:
        if ui.model is model:
            return ui
    return None
