"""Form base: choices narrowed to what the user may see, owner fields to what they may write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.forms.models import ModelFormMetaclass


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    # Web addresses typed without a scheme are https (Django 6's default, chosen now).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class _ScopedModelFormMetaclass(ModelFormMetaclass):
    def __new__(mcs, name: str, bases: tuple, attrs: dict[str, Any]) -> Any:
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = _formfield
        return super().__new__(mcs, name, bases, attrs)


class ScopedModelForm(forms.ModelForm, metaclass=_ScopedModelFormMetaclass):
    """Every model form takes the acting user.

    ``Meta.owner_fields`` name the foreign keys that decide whose record this is (e.g. ``school``):
    their choices are limited to what the user may edit, so a school admin cannot file a record
    under another school (AC-05). Other foreign keys offer only what the user may see.
    """

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        owner_fields = set(getattr(self.Meta, "owner_fields", ()))
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.editable_by(user) if name in owner_fields else queryset.visible_to(user)
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
