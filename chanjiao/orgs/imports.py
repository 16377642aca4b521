"""Spreadsheet imports for schools (by 学校标识码) and enterprises (by 统一社会信用代码)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from chanjiao.core.imports import Column, Importer, cell_text, parse_digits
from chanjiao.core.text import pinyin_initials
from chanjiao.orgs.models import Enterprise, Organisation, School

_USCC_SHAPE = re.compile(rf"[0-9]{{8}}[{re.escape(uscc._alphabet)}]{{10}}")


def parse_uscc(value: Any) -> str:
    """统一社会信用代码 (GB 32100-2015): 18 characters, check character computed by stdnum."""
    text = cell_text(value).upper()
    # Fast path for the well-formed code (one stdnum call instead of validate's two compactions).
    if _USCC_SHAPE.fullmatch(text) and uscc.calc_check_digit(text[:17]) == text[17]:
        return text
    try:
        return uscc.validate(text)
    except InvalidChecksum:
        raise ValueError(_("校验位错误")) from None
    except ValidationError:
        raise ValueError(_("格式错误，应为 18 位统一社会信用代码")) from None


class OrganisationImporter(Importer):
    """Shared by the organisation kinds: ``kind`` and the pinyin initials are set here."""

    model: type[Organisation]

    def new_values(self, values: dict[str, Any]) -> dict[str, Any]:
        return {"kind": self.model.kind_value}

    def derived(self, values: dict[str, Any]) -> dict[str, Any]:
        # bulk writes skip Organisation.save(), which fills the search initials
        return {"initials": pinyin_initials(values["name"])}


class SchoolImporter(OrganisationImporter):
    model = School
    key = ("school_code",)
    columns = [
        Column("学校标识码", "school_code", required=True, parse=parse_digits(10),
               help=gettext_lazy("教育部学校标识码，10 位数字"), example="4142010001"),
        Column("学校名称", "name", required=True, example="宜昌市第一职业技术学校"),
        Column("简称", "short_name"),
        Column("办学层次", "school_level"),
        Column("办学性质", "funding"),
        Column("主管部门", "competent_authority"),
        Column("所在区县代码", "region", fk="code", help=gettext_lazy("行政区划代码（GB/T 2260），如 420502")),
        Column("地址", "address"),
        Column("网站", "website"),
    ]


class EnterpriseImporter(OrganisationImporter):
    model = Enterprise
    key = ("uscc",)
    columns = [
        Column("统一社会信用代码", "uscc", required=True, parse=parse_uscc,
               help=gettext_lazy("18 位统一社会信用代码，系统校验最后一位校验码")),
        Column("企业名称", "name", required=True),
        Column("简称", "short_name"),
        Column("行业代码", "industry", fk="code",
               help=gettext_lazy("国民经济行业分类（GB/T 4754-2017）代码，如 C3411")),
        Column("企业规模", "size"),
        Column("所有制", "ownership"),
        Column("从业人数", "headcount", help=gettext_lazy("整数，不小于 0")),
        Column("人数统计日期", "headcount_date", help=gettext_lazy("日期，如 2025-12-31")),
        Column("是否龙头企业", "is_leading"),
        Column("产教融合型企业", "integration_status"),
        Column("所在区县代码", "region", fk="code", help=gettext_lazy("行政区划代码（GB/T 2260），如 420502")),
        Column("地址", "address"),
        Column("网站", "website"),
    ]
