"""The API's OpenAPI shapes, derived from the declarations the pages use (core/api.py builds the routes).

Request bodies come from the ModelUI's form (names, types, required-ness, choices), answers from the
model and the form (the form's fields, the workflow status, ``id``: ``output_schema``), query
parameters from its FilterSet. A field added to a form or a filter to a FilterSet reaches the API
description without another edit (tests/api/test_schemas_derived.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from ninja import Field, Schema
from ninja.orm.fields import TYPES as NINJA_TYPES
from pydantic import BeforeValidator, ConfigDict, create_model

from chanjiao.core.registry import ModelUI

# The largest id the databases store (BIGINT); a bigger one in a path can only be "not found".
MAX_ID = 2**63 - 1

# --- query parameters from the FilterSet -----------------------------------------------------------------------


def _static_choices(choices: Any) -> list[Any] | None:
    """The choice values, or None when they come from the database at request time."""
    if callable(choices):
        return None
    values = [value for value, _label in choices if value not in ("", None)]
    return values or None


def _choice_schema(choices: Any) -> dict[str, Any]:
    values = _static_choices(choices) if choices is not None else None
    if values is None:
        return {"type": "string"}
    kind = "integer" if all(isinstance(v, int) for v in values) else "string"
    return {"type": kind, "enum": values}


def _filter_schema(flt: Any) -> dict[str, Any]:
    """JSON schema of one filter's value, read from its declaration (no query, no form built)."""
    if isinstance(flt, django_filters.ModelMultipleChoiceFilter):
        return {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
    if isinstance(flt, django_filters.ModelChoiceFilter):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if isinstance(flt, django_filters.MultipleChoiceFilter):
        return {"type": "array", "items": _choice_schema(flt.extra.get("choices"))}
    if isinstance(flt, django_filters.ChoiceFilter):
        return _choice_schema(flt.extra.get("choices"))
    if isinstance(flt, django_filters.BooleanFilter):
        return {"type": "boolean"}
    if isinstance(flt, django_filters.NumberFilter):
        return {"type": "number"}
    if isinstance(flt, django_filters.DateTimeFilter):
        return {"type": "string", "format": "date-time"}
    if isinstance(flt, django_filters.DateFilter):
        return {"type": "string", "format": "date"}
    return {"type": "string"}


def filter_parameters(filterset: type[Any]) -> list[dict[str, Any]]:  # a FilterSet (untyped library)
    """The list's query parameters, one per filter of the FilterSet the list page uses."""
    params = []
    model = filterset._meta.model
    for name, flt in filterset.base_filters.items():
        schema = _filter_schema(flt)
        label = flt._label  # set when declared; a filter generated from Meta.fields takes the field's name
        if label is None:
            try:
                label = model._meta.get_field(flt.field_name).verbose_name
            except FieldDoesNotExist:
                label = name
        param = {"in": "query", "name": name, "required": False, "schema": schema, "description": str(label)}
        if schema["type"] == "array":
            param.update(style="form", explode=True)
        params.append(param)
    return params


# --- request bodies from the form ------------------------------------------------------------------------------


def _python_type(field: forms.Field) -> tuple[Any, dict[str, Any]]:
    """(annotation, Field constraints) for one form field."""
    constraints: dict[str, Any] = {}
    if isinstance(field, forms.ModelMultipleChoiceField):
        # Each id bounded like a single foreign key: an id past BIGINT would overflow the database driver.
        return list[Annotated[int, Field(ge=1, le=MAX_ID)]], constraints
    if isinstance(field, forms.ModelChoiceField):
        return int, {"ge": 1, "le": MAX_ID}
    if isinstance(field, forms.NullBooleanField | forms.BooleanField):
        return bool, constraints
    if isinstance(field, forms.MultipleChoiceField):  # several of fixed choices (an agreement's forms)
        item, _none = _python_type(forms.ChoiceField(choices=field.choices))
        return list.__class_getitem__(item), constraints
    if isinstance(field, forms.ChoiceField):
        values = _static_choices(field.choices)
        return (Literal[tuple(values)] if values else str), constraints
    # DecimalField is an IntegerField subclass in Django: test it first.
    if isinstance(field, forms.DecimalField):
        for bound, key in (("min_value", "ge"), ("max_value", "le")):
            if getattr(field, bound, None) is not None:
                constraints[key] = getattr(field, bound)
        if field.max_digits is not None:
            constraints["max_digits"] = field.max_digits
        if field.decimal_places is not None:
            constraints["decimal_places"] = field.decimal_places
        return Decimal, constraints
    if isinstance(field, forms.IntegerField):
        for bound, key in (("min_value", "ge"), ("max_value", "le")):
            if getattr(field, bound, None) is not None:
                constraints[key] = getattr(field, bound)
        return int, constraints
    if isinstance(field, forms.DateTimeField):
        return dt.datetime, constraints
    if isinstance(field, forms.DateField):
        return dt.date, constraints
    max_length = getattr(field, "max_length", None)  # CharField and its kin (forms.Field has none)
    if max_length:
        constraints["max_length"] = max_length
    return str, constraints


def model_default(model: type[models.Model], name: str) -> tuple[bool, Any]:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False, None
    if isinstance(field, models.Field) and field.has_default():
        return True, field.get_default()
    return False, None


def body_schema(ui: ModelUI, *, partial: bool) -> type[Schema]:
    """The create (``partial=False``) or PATCH body of ``ui.model``, derived from its form.

    A field is required on create when the form requires it and the model has no default; on
    PATCH nothing is required. Unknown fields are refused (``additionalProperties: false``).
    """
    assert ui.form is not None
    fields: dict[str, Any] = {}
    for name, ff in ui.form.base_fields.items():
        annotation, constraints = _python_type(ff)
        has_default, _default = model_default(ui.model, name)
        required = ff.required and not has_default and not partial
        description = str(ff.label or name)
        if required:
            fields[name] = (annotation, Field(..., description=description, **constraints))
        else:
            fields[name] = (annotation | None, Field(None, description=description, **constraints))
    suffix = "Patch" if partial else "In"
    return create_model(f"{ui.model.__name__}{suffix}", __base__=_StrictSchema, **fields)


class _StrictSchema(Schema):
    model_config = ConfigDict(extra="forbid")


# --- response bodies from the model, the form and the workflow ------------------------------------------------

# Django internal field type -> the Python type of its value (ninja's table: the same mapping ModelSchema uses).
MODEL_TYPES: dict[str, Any] = dict(NINJA_TYPES)


def _pk_of(value: Any) -> Any:
    # A related row (the getter hands the prefetched rows of a many-to-many over) answers with its id.
    return getattr(value, "pk", value)


def _output_type(field: models.Field[Any, Any]) -> Any:
    """The annotation one model field answers with: related rows by id, null only where the column allows it."""
    if field.many_to_many:
        return list[Annotated[int, BeforeValidator(_pk_of)]]
    if field.is_relation:
        annotation: Any = int
    elif isinstance(field, models.JSONField):
        annotation = Any
    else:
        try:
            annotation = MODEL_TYPES[field.get_internal_type()]
        except KeyError as exc:
            raise ImproperlyConfigured(f"{field.model.__name__}.{field.name}: no API type for "
                                       f"{field.get_internal_type()}; declare it on the schema's base") from exc
    return annotation | None if field.null else annotation


def output_fields(ui: ModelUI, extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The model fields ``ui``'s API answers with: the form's fields, the workflow status (read-only, moved by
    transitions) and ``extra`` (other read-only fields, e.g. an organisation's ``kind``), in model order."""
    from chanjiao.core.workflow import workflow_of

    form: Any = ui.form
    names = list(form._meta.fields) if form is not None else []
    wf = workflow_of(ui.model)
    names += [wf.field] if wf is not None else []
    names += list(extra)
    order = {f.name: i for i, f in enumerate(ui.model._meta.get_fields())}
    return sorted(dict.fromkeys(names), key=lambda n: order[n])


def output_schema(ui: ModelUI, *, extra: tuple[str, ...] | list[str] = (),
                  base: type[Schema] = Schema) -> type[Schema]:
    """``<Model>Out``: ``id`` plus :func:`output_fields`, typed from the model; a field added to the form
    reaches the API without another edit (tests/api/test_schemas_derived.py).

    Foreign keys answer as ``<name>_id``, many-to-many fields as a list of ids under their own name. A
    field that answers differently (masked, computed) is declared on ``base`` with its resolver; the
    derived field of that name is then left out.
    """
    declared = set(base.model_fields)
    fields: dict[str, Any] = {}
    for name in ["id", *output_fields(ui, extra)]:
        f = ui.model._meta.get_field(name)
        assert isinstance(f, models.Field), f"{name}: not a field of {ui.model.__name__}"  # a reverse relation
        key = f.attname if f.many_to_one or f.one_to_one else f.name
        if name in declared or key in declared:
            continue
        description = str(f.verbose_name) if name != "id" else None
        fields[key] = (_output_type(f), Field(..., description=description))
    return create_model(f"{ui.model.__name__}Out", __base__=base, **fields)


def page_schema(model: type[models.Model], out_schema: type[Schema]) -> type[Schema]:
    # count is exact up to a cap (core/pagination.py capped_count); count_exact says which it is.
    count = Field(..., description="符合条件的条数；count_exact 为 false 时表示“超过该数”（未逐条计数）")
    exact = Field(..., description="count 是否为精确总数：超过上限（默认 10000 条）时为 false，"
                                   "此时下一页一定存在，可继续翻页；翻到末页附近时即为精确总数")
    return create_model(f"{model.__name__}Page", __base__=Schema, count=(int, count), count_exact=(bool, exact),
                        page=(int, ...), page_size=(int, ...), results=(list[out_schema], ...))  # type: ignore[valid-type]



class TransitionIn(_StrictSchema):
    note: str = Field("", max_length=1000, description="说明（退回、移出等须填写）")
