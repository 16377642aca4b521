"""``manage.py data_dictionary [--output FILE]``: the data dictionary of every chanjiao model, as Markdown.

Generated from Django's ``_meta`` (apps in INSTALLED_APPS order, models and fields in definition
order), always in Simplified Chinese, so the output depends only on the code: docs/data-dictionary.md
is this command's output and tests/core/test_data_dictionary.py fails when it is out of date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models
from django.utils import translation

from chanjiao.core.models import AuditMixin

APP_PREFIX = "chanjiao."
LANGUAGE = "zh-hans"
REGENERATE = "CHANJIAO_PROFILE=test .venv/bin/python manage.py data_dictionary --output docs/data-dictionary.md"


def _cell(value: Any) -> str:
    """Text safe inside a Markdown table cell (one line, pipes escaped)."""
    text = " ".join(str(value).split())
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _anchor(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}-{model._meta.model_name}"


def _model_ref(model: type[models.Model]) -> str:
    """``app.Model``, linked when the model is described in this document."""
    opts = model._meta
    concrete = opts.concrete_model
    label = opts.label
    if opts.proxy and concrete is not None:
        label = f"{label} → {concrete._meta.label}"
    if concrete is not None and concrete._meta.app_config.name.startswith(APP_PREFIX):
        return f"[{label}](#{_anchor(concrete)})"
    return label


def _docstring(model: type[models.Model]) -> str:
    doc = (model.__doc__ or "").strip()
    # Django invents "Model(id, field, …)" for classes without a docstring: not documentation.
    if not doc or doc.startswith(f"{model.__name__}("):
        return ""
    return doc.splitlines()[0].strip()


def _type(field: models.Field[Any, Any]) -> str:
    name = field.get_internal_type()
    if isinstance(field, models.DecimalField):
        return f"{name}({field.max_digits},{field.decimal_places})"
    if field.max_length and not field.is_relation:
        return f"{name}({field.max_length})"
    return name


def _default(field: models.Field[Any, Any]) -> str:
    if not field.has_default():
        return ""
    default = field.default
    if callable(default):
        return f"{getattr(default, '__name__', type(default).__name__)}()"
    if isinstance(default, models.Choices):
        default = default.value
    return repr(default)


def _choices(field: models.Field[Any, Any]) -> str:
    if not field.choices:
        return ""
    return "; ".join(f"{value}={label}" for value, label in field.flatchoices)


def _reference(field: models.Field[Any, Any]) -> str:
    if not field.is_relation or field.related_model is None:
        return ""
    ref = _model_ref(field.related_model)
    on_delete = getattr(getattr(field, "remote_field", None), "on_delete", None)
    if field.many_to_many:
        return f"{ref} (M2M)"
    if on_delete is not None:
        return f"{ref} ({on_delete.__name__})"
    return ref


def _notes(field: models.Field[Any, Any]) -> str:
    notes = []
    model = field.model
    if field.name in getattr(model, "audit_exclude", ()):
        notes.append("never written to the audit log")
    if field.name in getattr(model, "audit_masked", ()):
        notes.append("masked in the audit log")
    if field.primary_key:
        notes.append("primary key")
    if getattr(field, "db_index", False) and not field.unique and not field.primary_key:
        notes.append("indexed")
    if not field.editable and not field.primary_key:
        notes.append("not editable")
    if getattr(field, "auto_now_add", False):
        notes.append("set on create")
    if getattr(field, "auto_now", False):
        notes.append("set on every save")
    default = _default(field)
    if default:
        notes.append(f"default {default}")
    if field.help_text:
        notes.append(str(field.help_text))
    return "; ".join(notes)


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def _field_row(field: models.Field[Any, Any]) -> str:
    column = field.m2m_db_table() if isinstance(field, models.ManyToManyField) else str(field.column)
    cells = [
        f"`{field.name}`",
        f"`{column}`",
        str(field.verbose_name),
        _type(field),
        _yes(field.null),
        _yes(field.blank),
        _yes(field.unique and not field.primary_key),
        _reference(field),
        _choices(field),
        _notes(field),
    ]
    return "| " + " | ".join(_cell(c) if i > 1 else c for i, c in enumerate(cells)) + " |"


def _constraints(model: type[models.Model]) -> list[str]:
    lines = []
    opts = model._meta
    for fields in opts.unique_together:
        lines.append(f"- unique together: {', '.join(f'`{f}`' for f in fields)}")
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            where = f" where `{constraint.condition}`" if constraint.condition is not None else ""
            lines.append(f"- unique `{constraint.name}`: {', '.join(f'`{f}`' for f in constraint.fields)}{where}")
        else:
            lines.append(f"- constraint `{constraint.name}`")
    for index in opts.indexes:
        lines.append(f"- index `{index.name}`: {', '.join(f'`{f}`' for f in index.fields)}")
    return lines


def _proxies(model: type[models.Model]) -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.proxy and m._meta.concrete_model is model]


HEADER = ("| Field | Column | 名称 | Type | Null | Blank | Unique | References | Choices | Notes |\n"
          "|---|---|---|---|---|---|---|---|---|---|")


def _model_section(model: type[models.Model]) -> list[str]:
    opts = model._meta
    lines = [
        f'<a id="{_anchor(model)}"></a>',
        f"### {opts.label} — {opts.verbose_name}",
        "",
    ]
    doc = _docstring(model)
    if doc:
        lines += [_cell(doc), ""]
    about = f"Table `{opts.db_table}`."
    if opts.ordering:
        about += f" Default ordering: {', '.join(f'`{o}`' for o in opts.ordering)}."
    if issubclass(model, AuditMixin):
        about += " Audited: every create, update and delete is written to the audit log."
    lines.append(about)
    proxies = _proxies(model)
    if proxies:
        names = ", ".join(f"{p._meta.label} ({p._meta.verbose_name})" for p in proxies)
        lines += ["", f"Proxy models on the same table: {names}."]
    lines += ["", HEADER]
    lines += [_field_row(field) for field in [*opts.fields, *opts.many_to_many]]
    constraints = _constraints(model)
    if constraints:
        lines += ["", *constraints]
    lines.append("")
    return lines


def render_data_dictionary() -> str:
    """The whole document; deterministic for a given code base."""
    with translation.override(LANGUAGE):
        lines = [
            "# Data dictionary",
            "",
            "<!-- Generated by `manage.py data_dictionary`; do not edit by hand. Regenerate with:",
            f"     {REGENERATE} -->",
            "",
            "Every concrete model of the chanjiao apps, from Django's model metadata. Field names are "
            "the attribute names used in the code and the API; *Column* is the database column. "
            "Choices are listed as `stored value=label`; *References* names the target model and what "
            "happens on its deletion. Scoping and audit rules are described in docs/ARCHITECTURE.md.",
            "",
        ]
        for app_config in apps.get_app_configs():
            if not app_config.name.startswith(APP_PREFIX):
                continue
            app_models = [m for m in app_config.get_models() if not m._meta.proxy]
            if not app_models:
                continue
            lines += [f"## {app_config.label} — {app_config.verbose_name}", ""]
            for model in app_models:
                lines += _model_section(model)
    return "\n".join(lines).rstrip("\n") + "\n"


class Command(BaseCommand):
    help = "生成数据字典（Markdown）：各应用的全部模型、表名与字段说明。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", type=Path, default=None,
                            help="写入该文件（默认输出到标准输出）")
        parser.add_argument("--check", action="store_true",
                            help="只检查 --output 指定的文件是否为最新，不是则以非零状态退出")

    def handle(self, *args: Any, output: Path | None, check: bool, **options: Any) -> None:
        text = render_data_dictionary()
        if check:
            if output is None:
                raise CommandError("--check 需要同时指定 --output。")
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != text:
                raise CommandError(f"{output} 不是最新的，请运行：{REGENERATE}")
            return
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
