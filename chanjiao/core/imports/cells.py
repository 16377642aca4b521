"""Cell parsers and column declarations: Chinese spreadsheet values → model field values."""


from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "不是"}


# --- cell parsers ----------------------------------------------------------------------------
# A parser takes a non-empty cell (str, int, float, date …) and returns the model value or raises
# ValueError / ValidationError with a Chinese reason.

def cell_text(value: Any) -> str:
    """A cell as the text the user sees: 4142010001.0 → "4142010001", dates ISO, trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\u200b", "").replace("\ufeff", "").strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_text(max_length: int | None = None) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = cell_text(value)
        if max_length and len(text) > max_length:
            raise ValueError(_("长度超过 %(n)d 个字符") % {"n": max_length})
        return text
    return parse


def parse_int(min_value: int | None = None, max_value: int | None = None) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError(_("应为整数"))
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            text = cell_text(value).replace(",", "")
            if not re.fullmatch(r"[+-]?\d+(\.0+)?", text):
                raise ValueError(_("应为整数"))
            number = int(float(text)) if "." in text else int(text)
        if min_value is not None and number < min_value:
            raise ValueError(_("不能小于 %(n)d") % {"n": min_value})
        if max_value is not None and number > max_value:
            raise ValueError(_("不能大于 %(n)d") % {"n": max_value})
        return number
    return parse


def parse_decimal(value: Any) -> decimal.Decimal:
    try:
        return decimal.Decimal(cell_text(value).replace(",", ""))
    except decimal.InvalidOperation:
        raise ValueError(_("应为数字")) from None


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if len(text) == 10 and text[4] == "-":
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(text)  # the common case, in C
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("日期格式应为 YYYY-MM-DD"))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("应填“是”或“否”"))


def parse_digits(length: int) -> Callable[[Any], str]:
    """A code of exactly ``length`` digits (学校标识码); numbers typed into Excel are accepted."""
    def parse(value: Any) -> str:
        text = cell_text(value)
        if not (len(text) == length and text.isdigit() and text.isascii()):
            raise ValueError(_("应为 %(n)d 位数字") % {"n": length})
        return text
    return parse


# --- columns -----------------------------------------------------------------------------------

@dataclass
class Column:
    """One spreadsheet column: Chinese header → model field.

    ``parse`` defaults from the model field (text with max length, integer ≥ 0 for positive
    fields, date, 是/否 for booleans); ``choices`` default to the field's choices by Chinese label;
    ``fk`` names the natural-key field of the related model (``"code"`` for catalogs).
    """

    header: str
    field: str
    required: bool = False
    parse: Callable[[Any], Any] | None = None
    choices: Mapping[str, Any] | None = None
    fk: str | None = None
    help: str = ""
    example: str = ""
    # Resolved by Importer.bind():
    model_field: Any = None
    attname: str = ""
    empty: Any = None

    def bind(self, model: type[models.Model]) -> None:
        f = model._meta.get_field(self.field)
        self.model_field = f
        self.attname = f.attname
        if self.fk is None and f.is_relation:
            raise TypeError(f"{model.__name__}.{self.field}: a foreign key column needs fk=<natural key field>")
        if self.choices is None and getattr(f, "choices", None) and not f.is_relation:
            self.choices = {str(label): value for value, label in f.flatchoices if value not in ("", None)}
        if self.parse is None and self.fk is None and not self.choices:
            self.parse = _default_parser(f)
        if f.null:
            self.empty = None
        elif f.has_default():
            self.empty = f.get_default()
        elif isinstance(f, models.CharField | models.TextField):
            self.empty = ""
        else:
            self.empty = None
            self.required = True  # NOT NULL without default: the cell must be filled

    @property
    def choice_labels(self) -> list[str]:
        return list(self.choices or ())


def _default_parser(f: models.Field) -> Callable[[Any], Any]:
    if isinstance(f, models.BooleanField):
        return parse_bool
    if isinstance(f, models.PositiveIntegerField | models.PositiveSmallIntegerField | models.PositiveBigIntegerField):
        return parse_int(min_value=0)
    if isinstance(f, models.IntegerField):
        return parse_int()
    if isinstance(f, models.DecimalField | models.FloatField):
        return parse_decimal
    if isinstance(f, models.DateTimeField):
        raise TypeError(f"{f.name}: give datetime columns an explicit parser")
    if isinstance(f, models.DateField):
        return parse_date
    text = parse_text(getattr(f, "max_length", None))
    plain = {"MaxLengthValidator", "ProhibitNullCharactersValidator"}
    extra = [v for v in f.validators if type(v).__name__ not in plain]
    if not extra:
        return text

    def validated(value: Any) -> str:
        result = text(value)
        for validator in extra:
            validator(result)  # URL / e-mail validators raise ValidationError
        return result
    return validated
