"""Validators for organisation and people identifiers, with messages a Chinese user understands."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength

SCHOOL_CODE_RE = re.compile(r"^\d{10}$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# 区号-号码[-分机]: 0717-6123456, 010-12345678, 07176123456.
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def validate_school_code(value: str) -> None:
    """学校标识码: exactly 10 digits (教育部 school identification code)."""
    if value and not SCHOOL_CODE_RE.match(value):
        raise ValidationError(_("学校标识码应为10位数字，当前值“%(v)s”不符合。"), code="school_code",
                              params={"v": value})


def validate_uscc(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a check character; python-stdnum checks it."""
    if not value:
        return
    try:
        uscc.validate(value)
    except InvalidLength as exc:
        raise ValidationError(_("统一社会信用代码应为18位，当前值“%(v)s”长度不符。"), code="uscc_length",
                              params={"v": value}) from exc
    except InvalidChecksum as exc:
        raise ValidationError(_("统一社会信用代码“%(v)s”校验位不正确，请核对。"), code="uscc_checksum",
                              params={"v": value}) from exc
    except Exception as exc:  # InvalidFormat and friends
        raise ValidationError(_("统一社会信用代码“%(v)s”格式不正确（前8位须为数字，不得含I、O、Z、S、V）。"),
                              code="uscc_format", params={"v": value}) from exc


def validate_phone(value: str) -> None:
    """A Chinese mobile number (1[3-9] + 9 digits) or a landline with area code."""
    if value and not (MOBILE_RE.match(value) or LANDLINE_RE.match(value)):
        raise ValidationError(
            _("电话号码“%(v)s”格式不正确：手机号为11位（以13–19开头），固定电话须带区号，如0717-6123456。"),
            code="phone", params={"v": value})
