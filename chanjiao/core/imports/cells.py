"""Cell parsers and column declarations: Chinese spreadsheet values → model field values."""


from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "对"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗", "不是"}

# Invisible characters that arrive with pasted text: every Unicode "format" character (zero-width
# space/joiners, BOM, word joiner, direction marks, soft hyphen …). Removed from every cell, so a
# cell holding only these is empty — and a required cell holding only these is an error.
_INVISIBLE = {cp: None for cp in [*range(0x10000), *range(0xE0000, 0xE0080)]
              if unicodedata.category(chr(cp)) == "Cf"}
# Excel keeps 15 significant digits: a longer number typed into a General cell has lost its tail.
EXCEL_DIGITS = 15
# 1899-12-30 is day 0 of Excel's 1900 date system (its phantom 1900-02-29 is before any real date).
EXCEL_EPOCH = dt.date(1899, 12, 30)


# --- cell parsers ----------------------------------------------------------------------------
# A parser takes a non-empty cell (str, int, float, date …) and returns the model value or raises
# ValueError / ValidationError with a Chinese reason.

def cell_text(value: Any) -> str:
    """A cell as the text the user sees: 4142010001.0 → "4142010001", dates ISO, trimmed."""
    if value is None:
        return ""
    if isinstance(value, str):
        # isprintable() is false for every format character: the common cell skips translate().
        return value.strip() if value.isprintable() else value.translate(_INVISIBLE).strip()
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
# "2019-03-05 00:00:00", "2019/3/5 0:00", "2019-03-05T00:00:00": a date written with its time.
_TIME_PART = re.compile(r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
# Serials Excel shows as dates: 1 (1900-01-01) … 2958465 (9999-12-31). Numbers with 8 digits
# are yyyymmdd typed as a number (20190305), read as text below.
_MAX_SERIAL = 2_958_465


def parse_date(value: Any) -> dt.date:
    """A date cell: a real date, an Excel serial in a General cell (43529), or text in a usual form.

    Text may carry a time part ("2019-03-05 00:00:00", what a datetime cell looks like once
    copied as text): the date is kept, as for a datetime cell.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if is_number(value) and 1 <= value <= _MAX_SERIAL:
        # A date typed into a General (not date-formatted) cell arrives as its serial number.
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = _TIME_PART.sub("", cell_text(value))
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


class NumberCell(str):
    """The text of a code cell that arrived as a number (int/float from a spreadsheet).

    Kept apart from a text cell of the same digits (``NumberCell("131") != "131"`` in sets and
    dicts, see ``__eq__``/``__hash__``), because a number may have lost its leading zeros.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NumberCell) and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("number", str(self)))


def number_cell_message() -> str:
    return _("该单元格已被 Excel 转为数字（前导零丢失），请将该列设为文本格式后重新填写")


def long_number_message() -> str:
    return _("该单元格已被 Excel 转为数字（超过 15 位的数字末尾已丢失），请将该列设为文本格式后重新填写")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def code_text(value: Any) -> str:
    """A code cell as text: invisible characters removed, full-width letters and digits made
    ASCII (NFKC: "９１４２ＡＢ" → "9142AB"), upper case, no spaces.

    A number with more than 15 digits is refused: Excel has already replaced its tail with zeros.
    """
    if is_number(value) and abs(value) >= 10 ** EXCEL_DIGITS:
        raise ValueError(long_number_message())
    text = unicodedata.normalize("NFKC", cell_text(value)).upper().replace(" ", "")
    if _SCIENTIFIC.fullmatch(text):  # "9.14201E+17": a CSV saved from a sheet that showed a number
        raise ValueError(long_number_message())
    return text


_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+")


def code_cell(value: Any) -> str:
    """The text of a code cell for a foreign-key lookup: a ``NumberCell`` when it was a number."""
    text = code_text(value)
    return NumberCell(text) if is_number(value) else text


def parse_digits(length: int) -> Callable[[Any], str]:
    """A code of exactly ``length`` digits (学校标识码).

    A number of exactly ``length`` digits is accepted (nothing was lost); a shorter number is
    refused as a cell Excel turned into a number, since its leading zeros cannot be known.
    """
    def parse(value: Any) -> str:
        text = code_text(value)
        if not (len(text) == length and text.isdigit() and text.isascii()):
            if is_number(value) and text.isdigit() and len(text) < length:
                raise ValueError(number_cell_message())
            raise ValueError(_("应为 %(n)d 位数字") % {"n": length})
        return text
    return parse


# The separators a list cell may use between its codes or names: 、 , ， ; ； and line breaks.
LIST_SEPARATORS = re.compile(r"[、,，;；\n\r]+")


# --- columns -----------------------------------------------------------------------------------

@dataclass
class Column:
    """One spreadsheet column: Chinese header → model field.

    ``parse`` defaults from the model field (text with max length, integer ≥ 0 for positive
    fields, date, 是/否 for booleans); ``choices`` default to the field's choices by Chinese label;
    ``fk`` names the natural-key field of the related model (``"code"`` for catalogs).

    A catalog column (``fk="code"`` on a model with a ``level`` field: regions, industries,
    majors …) is a *code column*, resolved by ``codes.resolve_codes``: ``levels`` names the
    catalog levels it takes (a 区县 column takes county codes only; empty = every level) and
    ``prefix_field`` a catalog field whose value may be written before the code ("C3411":
    门类 C + 小类 3411). Cells that arrived as numbers get their leading zeros back only when
    that is unambiguous (see ``resolve_codes``).
    """

    header: str
    field: str
    required: bool = False
    parse: Callable[[Any], Any] | None = None
    choices: Mapping[str, Any] | None = None
    fk: str | None = None
    help: StrOrPromise = ""
    example: str = ""
    levels: tuple[Any, ...] = ()
    prefix_field: str = ""
    # Resolved by Importer.bind():
    many: bool = False  # a many-to-many field: the cell lists several codes ("市商务局、市农业农村局")
    model_field: Any = None
    attname: str = ""
    empty: Any = None
    is_code_column: bool = False  # a catalog code column (see above)
    fk_text: Callable[[Any], str] = cell_text  # a foreign-key cell → the text looked up


    def bind(self, model: type[models.Model]) -> None:
        f = model._meta.get_field(self.field)
        if not isinstance(f, models.Field):
            raise TypeError(f"{model.__name__}.{self.field}: a column needs a field of the model")
        self.model_field = f
        self.attname = f.attname
        self.many = bool(f.many_to_many)
        if self.fk is None and f.is_relation:
            raise TypeError(f"{model.__name__}.{self.field}: a foreign key column needs fk=<natural key field>")
        if self.fk:
            related = f.related_model
            assert isinstance(related, type)  # a concrete foreign key, never the string "self"
            self.is_code_column = self.fk == "code" and any(g.name == "level" for g in related._meta.concrete_fields)
            # Codes are compared as ASCII (full-width forms folded) and a number stays marked as
            # one; names keep their own characters (full-width brackets are part of a name).
            self.fk_text = code_cell if self.is_code_column else cell_text if self.fk == "name" else code_text
        if self.choices is None and getattr(f, "choices", None) and not f.is_relation:
            self.choices = {str(label): value for value, label in f.flatchoices if value not in ("", None)}
        if self.parse is None and self.fk is None and not self.choices:
            self.parse = _default_parser(f)
        if self.many:
            self.empty = frozenset()  # no links; required only when declared so
        elif f.null:
            self.empty = None
        elif f.has_default():
            self.empty = f.get_default()
        elif isinstance(f, models.CharField | models.TextField):
            self.empty = ""
        else:
            self.empty = None
            self.required = True  # NOT NULL without default: the cell must be filled

    def fk_items(self, value: Any) -> tuple[str, ...]:
        """A many-to-many cell → the codes it lists, each read as a single foreign-key cell would be
        (a number stays one code: it cannot hold a separator)."""
        if is_number(value):
            return (self.fk_text(value),)
        items = (self.fk_text(part) for part in LIST_SEPARATORS.split(cell_text(value)))
        return tuple(dict.fromkeys(item for item in items if item))

    @property
    def choice_labels(self) -> list[str]:
        return list(self.choices or ())


def _default_parser(f: models.Field[Any, Any]) -> Callable[[Any], Any]:
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
