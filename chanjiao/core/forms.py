"""Form base: choices narrowed to what the user may see, owner fields to what they may write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.forms.models import ModelFormMetaclass
from django.utils.formats import get_format

from chanjiao.core.models import for_labels, owner_fields_of
from chanjiao.core.scoping import code_within, jurisdiction_message, region_q, unscoped, write_jurisdictions
from chanjiao.core.types import User

# The browser's <input type="date"> / "datetime-local" accept only ISO values. The locale's own input format
# (zh-hans: "2019/12/31") is rejected, shown empty and submitted empty, so one untouched save erased the date.
ISO_DATE = "%Y-%m-%d"
ISO_MINUTE = "%Y-%m-%dT%H:%M"
ISO_SECOND = "%Y-%m-%dT%H:%M:%S"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    """``datetime-local`` in ISO form; seconds are written only when the value has them, so none is lost."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or ISO_MINUTE)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime) and (value.second or value.microsecond):
            return value.strftime(ISO_SECOND)
        return super().format_value(value)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if isinstance(value, dt.datetime) and (value.second or value.microsecond):
            context["widget"]["attrs"].setdefault("step", "1")  # else the browser drops the seconds
        return context


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    # Web addresses typed without a scheme are https (Django 6's default, chosen now).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    if isinstance(field, models.DateTimeField):
        kwargs.setdefault("widget", IsoDateTimeInput)
    elif isinstance(field, models.DateField):
        kwargs.setdefault("widget", IsoDateInput)
    return field.formfield(**kwargs)


def iso_temporal_inputs(form: forms.BaseForm) -> None:
    """Render every date/datetime field in ISO form and accept ISO first (then the locale's own formats,
    for API clients and typed input) — also for fields a form declares itself or widgets given in Meta."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(field, forms.DateTimeField):
            if type(widget) is forms.DateTimeInput:  # a plain widget: swap in ours (keeps its attrs)
                field.widget = IsoDateTimeInput(widget.attrs)
        elif isinstance(field, forms.DateField):
            if isinstance(widget, forms.DateInput):
                widget.format, widget.input_type = ISO_DATE, "date"
            # DateField has no ISO fallback of its own (DateTimeField has): put ISO first.
            field.input_formats = [ISO_DATE, *[f for f in get_format("DATE_INPUT_FORMATS") if f != ISO_DATE]]


class _ScopedModelFormMetaclass(ModelFormMetaclass):
    def __new__(mcs, name: str, bases: tuple[Any, ...], attrs: dict[str, Any]) -> Any:
        meta = attrs.get("Meta")
        if meta is not None and hasattr(meta, "owner_fields"):
            # One declaration, on the model, read by the form and the importer alike (issue #7 gap 4).
            raise TypeError(f"{name}: declare owner_fields on the model, not in the form's Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = _formfield
        return super().__new__(mcs, name, bases, attrs)


class ScopedModelForm(forms.ModelForm[Any], metaclass=_ScopedModelFormMetaclass):
    """Every model form takes the acting user.

    The model's ``owner_fields`` (``AuditMixin.owner_fields``) name the foreign keys that decide whose
    record this is (e.g. ``school``): their choices are limited to what the user may edit, so a school
    admin cannot file a record under another school (AC-05). Other foreign keys offer only what the
    user may see.
    """

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        # The initial values include the instance's many-to-many rows (model_to_dict): the instance
        # itself was fetched through the user's scope.
        with unscoped("the many-to-many values of an instance already in scope"):
            super().__init__(*args, **kwargs)
        self.user = user
        owner_fields = set(owner_fields_of(self._meta.model))
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            # ModelChoiceField and ModelMultipleChoiceField: the fields whose choices are rows.
            if isinstance(field, forms.ModelChoiceField) and queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = for_labels(
                    queryset.editable_by(user) if name in owner_fields else queryset.visible_to(user))
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
        iso_temporal_inputs(self)
        self._bound_jurisdiction()

    def _bound_jurisdiction(self) -> None:
        """A bounded bureau (市教育局, 区县教育局) files rows only within its jurisdiction: the field
        that places the row (``jurisdiction_field``) is required and offers only its own regions."""
        self.jurisdictions = write_jurisdictions(self.user)
        name = getattr(self._meta.model, "jurisdiction_field", None)
        field = self.fields.get(name) if name else None
        if self.jurisdictions is None or field is None:
            return
        field.required = True
        # Blank, or a region outside (not among the choices): either way, say where it must lie.
        field.error_messages["required"] = field.error_messages["invalid_choice"] = jurisdiction_message(
            self.jurisdictions)
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = field.queryset.filter(region_q("code", self.jurisdictions))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        # A browser posts a textarea's lines as CRLF, the API and the importer as LF: stored as LF, saving a
        # page untouched does not rewrite every multi-line text (and write an audit event for nothing).
        for key, value in data.items():
            if isinstance(value, str) and "\r" in value:
                data[key] = value.replace("\r\n", "\n")
        name = getattr(self._meta.model, "jurisdiction_field", None)
        if self.jurisdictions is not None and name in self.fields and name not in self.errors:
            value = data.get(name)
            code = getattr(value, "code", value)
            if not code_within(code, self.jurisdictions):
                self.add_error(name, jurisdiction_message(self.jurisdictions))
        return data

    def _save_m2m(self) -> None:
        # Setting many-to-many rows reads the current ones (to diff them) — of an instance in scope.
        with unscoped("the many-to-many rows of an instance being saved"):
            super()._save_m2m()  # type: ignore[misc]
