"""One declaration per model gives it list, detail, edit, delete, export, history, import and API.

``ModelUI`` is the small generic layer the STYLE guide asks for: an app declares what differs
(filterset, table, form, detail fields) and gets predictable URL names ``app:model_action``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import URLPattern, path

if TYPE_CHECKING:
    from chanjiao.core.attachments import AttachmentUse

registry: list[ModelUI] = []


@dataclass(frozen=True)
class DetailAction:
    """An extra button on a detail page (e.g. 合并重复企业), shown when ``allowed(user, obj)``."""

    label: str
    url_name: str
    icon: str = "bolt"
    allowed: Any = None  # callable(user, obj) -> bool

    def shown_to(self, user: Any, obj: Any) -> bool:
        return bool(self.allowed(user, obj)) if self.allowed else True


@dataclass
class ModelUI:
    model: type[models.Model]
    filterset: type
    table: type
    form: type | None = None  # None: read-only pages
    detail_fields: list[str] | None = None
    menu_group: str = ""
    menu_label: str = ""
    icon: str = "list"
    importer: Any = None  # a chanjiao.core.imports.Importer subclass
    menu_order: int = 100
    menu_roles: frozenset[str] | None = None  # show in the menu only to these roles (None: whoever may view)
    list_template: str = "core/object_list.html"
    detail_template: str = "core/object_detail.html"
    related: list[Any] = field(default_factory=list)  # detail-page tabs: (label, callable(obj, user) -> qs, ModelUI)
    actions: list[DetailAction] = field(default_factory=list)
    # Joins the rows' names need beyond the table's own foreign-key columns (e.g. "term__group").
    list_select_related: tuple[str, ...] = ()
    list_prefetch_related: tuple[str, ...] = ()
    # Documents this model accepts (core/attachments.py): a 附件 card on the detail page and its routes.
    attachments: list[AttachmentUse] | None = None

    def rows_for(self, user: Any) -> Any:
        """The scoped rows of a list page, export or API list, joined so a page costs a fixed
        number of queries."""
        return self.joined(self.model.objects.visible_to(user))

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
