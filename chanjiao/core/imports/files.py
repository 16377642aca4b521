"""File checks and row readers: size, zip-bomb guard, xlsx/xls/ods via calamine, CSV in UTF-8 or GBK."""


from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from chanjiao.core import audit
from chanjiao.core.imports.cells import cell_text

MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 10_000
SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
_HEADER_NOISE = re.compile(r"[\s*＊]|（必填）|\(必填\)")


class ImportRefused(Exception):
    """The whole file is refused (too big, zip bomb, unreadable, wrong type) — nothing parsed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- file checks and readers -------------------------------------------------------------------

def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}"


def inspect_file(path: Path, file_name: str) -> str:
    """Refuse what we must not parse; return the file's SHA-256 (computed in one streaming pass)."""
    size = path.stat().st_size
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportRefused(_("文件过大（%(size)s MB），单个文件上限为 %(limit)s MB，请拆分后分批导入。")
                            % {"size": megabytes(size), "limit": megabytes(limit)})
    if size == 0:
        raise ImportRefused(_("文件为空。"))
    suffix = Path(file_name).suffix.lower()
    if suffix not in SPREADSHEET_EXTENSIONS | {".csv"}:
        raise ImportRefused(_("仅支持 .xlsx、.xls、.csv 文件，请使用下载的导入模板。"))
    if suffix in {".xlsx", ".xlsm", ".ods"}:
        _check_zip(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_zip(path: Path) -> None:
    """Look at the zip directory (cheap) before any decompression: total size and ratio."""
    refused = ImportRefused(_("文件结构异常（解压后体积过大），已拒绝。请用 Excel/WPS 另存为 .xlsx 后重新上传。"))
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ImportRefused(_("无法读取该文件，请确认是 Excel 保存的 .xlsx 文件。")) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise refused
    total = sum(e.file_size for e in entries)
    max_total = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", settings.IMPORT_MAX_BYTES * 20)
    if total > max_total:
        raise refused
    for entry in entries:
        # Small parts may compress extremely well (empty styles); judge the ratio on big parts only.
        if entry.file_size > 1 << 20 and entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1):
            raise refused


def read_rows(path: Path, file_name: str) -> Iterator[tuple[int, list[Any]]]:
    """Yield (Excel row number, cells) for every row of the first sheet, header row first."""
    if Path(file_name).suffix.lower() == ".csv":
        yield from _read_csv(path)
    else:
        yield from _read_workbook(path)


def _read_workbook(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [m for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")
                  and str(m.visible).endswith("Visible")]
        sheet = book.get_sheet_by_name(sheets[0].name) if sheets else book.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError, IndexError) as exc:
        raise ImportRefused(_("无法读取该文件：%(error)s") % {"error": audit.clean_text(str(exc), 200)}) from None
    if sheet.height - 1 > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(_("数据行数（%(rows)d）超过上限 %(limit)d 行，请拆分后分批导入。")
                            % {"rows": sheet.height - 1, "limit": settings.IMPORT_MAX_ROWS})
    first = sheet.start[0] + 1 if sheet.start else 1
    try:
        for offset, row in enumerate(sheet.iter_rows()):
            yield first + offset, row
    except CalamineError as exc:
        raise ImportRefused(_("无法读取该文件：%(error)s") % {"error": audit.clean_text(str(exc), 200)}) from None


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030 — what Excel and WPS write for Chinese CSV."""
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"  # superset of GBK and GB2312


def _read_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    encoding = _detect_encoding(path)
    with path.open("r", encoding=encoding, newline="", errors="strict") as fh:
        sample = fh.readline()
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
        fh.seek(0)
        limit = settings.IMPORT_MAX_ROWS
        try:
            for number, row in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
                if number - 1 > limit:
                    raise ImportRefused(_("数据行数超过上限 %(limit)d 行，请拆分后分批导入。") % {"limit": limit})
                yield number, row
        except (UnicodeDecodeError, csv.Error):
            raise ImportRefused(_("无法读取 CSV 文件，请保存为 UTF-8 或 GBK 编码。")) from None


def normalise_header(text: Any) -> str:
    return _HEADER_NOISE.sub("", cell_text(text))
