"""The workbooks an importer writes: the blank template users fill in, and 导出（可再导入）."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from chanjiao.core.imports.files import megabytes

if TYPE_CHECKING:
    from chanjiao.core.imports.importer import Importer
    from chanjiao.core.types import User


def template_bytes(importer: type[Importer]) -> bytes:
    """The .xlsx users fill in: Chinese headers, drop-downs for choices, a 说明 sheet."""
    import xlsxwriter

    from chanjiao.core.exports import safe_cell

    importer(None)  # bind columns
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    title = (importer.sheet_title or str(importer.model._meta.verbose_name))[:31]
    sheet = book.add_worksheet(title)
    required_fmt = book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1, "font_color": "#B42318"})
    optional_fmt = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text_fmt = book.add_format({"num_format": "@"})  # codes stay text: no 4.14201E+09, no lost zeros
    for col, column in enumerate(importer.columns):
        sheet.write_string(0, col, column.header, required_fmt if column.required else optional_fmt)
        sheet.set_column(col, col, max(12, len(column.header) * 2 + 2),
                         text_fmt if column.fk or column.field in importer.key else None)
        if column.example:
            sheet.write_string(1, col, str(safe_cell(column.example)))
        labels = column.choice_labels or (["是", "否"] if isinstance(column.model_field, models.BooleanField) else [])
        if labels:
            sheet.data_validation(1, col, 1_048_575, col, {
                "validate": "list", "source": labels,
                "error_title": str(_("无效的值")), "error_message": str(_("请从下拉列表中选择。")),
            })
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(str(_("说明")))
    bold = book.add_format({"bold": True})
    notes.set_column(0, 0, 22)
    notes.set_column(1, 3, 40)
    notes.write_row(0, 0, [str(_("列名")), str(_("是否必填")), str(_("填写说明")), str(_("可选值"))], bold)
    for row, column in enumerate(importer.columns, start=1):
        labels = column.choice_labels or (["是", "否"] if isinstance(column.model_field, models.BooleanField) else [])
        notes.write_string(row, 0, column.header)
        notes.write_string(row, 1, str(_("必填")) if column.required else str(_("选填")))
        notes.write_string(row, 2, str(column.help or column.model_field.verbose_name))
        notes.write_string(row, 3, "、".join(labels))
    extra = [
        _("第一行为列名，请勿修改；从第二行起每行一条记录（示例行请删除或覆盖）。"),
        _("以“%(key)s”识别同一条记录：已存在的记录会被更新，不存在的会新增；重复导入同一文件不会产生重复数据。")
        % {"key": "、".join(c.header for c in importer.columns if c.field in importer.key)},
        _("文件中任何一行有错误时，整个文件都不会导入；请按错误清单修改后重新上传。"),
        _("单个文件最多 %(rows)d 行、%(mb)s MB。也可另存为 CSV（UTF-8 或 GBK 编码）上传。")
        % {"rows": settings.IMPORT_MAX_ROWS, "mb": megabytes(settings.IMPORT_MAX_BYTES)},
        *importer.instructions,
    ]
    start = len(importer.columns) + 2
    for offset, line in enumerate(extra):
        notes.write_string(start + offset, 0, str(line))
    book.close()
    return buffer.getvalue()


def export_bytes(importer: type[Importer], user: User | None, queryset: models.QuerySet[Any]) -> bytes:
    """导出（可再导入）: ``queryset`` as the import template holds it, so it can be edited and uploaded again.

    The importer is the single source: its columns in its order, codes for foreign keys, Chinese
    labels for choices, 是/否, ISO dates, code columns as text. A text cell a spreadsheet would run
    as a formula (``safe_cell``) is written with Excel's quote prefix: shown and kept as text even
    when edited, while its value stays the stored text, so an unchanged re-import changes nothing.
    """
    import xlsxwriter

    from chanjiao.core.exports import safe_cell

    instance = importer(user)  # binds the columns
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet((importer.sheet_title or str(importer.model._meta.verbose_name))[:31])
    required_fmt = book.add_format({"bold": True, "bg_color": "#FDE2E1", "border": 1, "font_color": "#B42318"})
    optional_fmt = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    text_fmt = book.add_format({"num_format": "@"})
    quoted_fmt = book.add_format({"num_format": "@", "quote_prefix": True})
    columns = importer.columns
    # Codes stay text in Excel (no 4.14201E+09, no lost leading zeros) — also in cells the user adds.
    as_text = [bool(c.fk) or c.field in importer.key or not isinstance(c.model_field, models.IntegerField)
               for c in columns]
    for col, column in enumerate(columns):
        sheet.set_column(col, col, max(12, len(column.header) * 2 + 2), text_fmt if as_text[col] else None)
    rows = iter(instance.export_rows(queryset))
    header = next(rows)
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, required_fmt if columns[col].required else optional_fmt)
    count = 0
    for r, row in enumerate(rows, start=1):
        count = r
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            elif safe_cell(value) != value:
                sheet.write_string(r, col, value, quoted_fmt)
            else:
                sheet.write_string(r, col, value, text_fmt if as_text[col] else None)
    for col, column in enumerate(columns):
        labels = column.choice_labels or (["是", "否"] if isinstance(column.model_field, models.BooleanField) else [])
        if labels:
            sheet.data_validation(1, col, max(count, 1) + 1000, col, {
                "validate": "list", "source": labels,
                "error_title": str(_("无效的值")), "error_message": str(_("请从下拉列表中选择。")),
            })
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
