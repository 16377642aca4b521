"""File checks and row readers: size, zip-bomb guard, xlsx/xls/ods via calamine, CSV in UTF-8 or GBK."""


from __future__ import annotations

import codecs
import csv
import hashlib
import logging
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from chanjiao.core import audit
from chanjiao.core.imports.cells import cell_text

logger = logging.getLogger(__name__)
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
    with path.open("rb") as fh:
        is_zip = fh.read(4) == ZIP_MAGIC
    if is_zip:
        _check_zip(path)  # sizes from the zip directory, before anything is decompressed
    _check_content(path, suffix)
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
        raise ImportRefused(damaged_message()) from None
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


# --- what the file really is -------------------------------------------------------------------
#
# Uploads are sniffed by their first bytes before any library sees them, so that a renamed,
# truncated or encrypted file gets a Chinese reason and what to do — never a library's message
# ("Cfb error: Invalid OLE …", "corrupt deflate stream").

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary: .xls, .doc, encrypted OOXML
_SUFFIX_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods", ".csv": "csv"}


def damaged_message() -> str:
    return _("文件不完整或已损坏（可能在下载或复制时中断），无法读取。请用 Excel/WPS 打开后另存为 .xlsx 再上传。")


def encrypted_message() -> str:
    return _("文件已加密（设置了打开密码），无法读取。请在 Excel/WPS 中去除打开密码后保存，再重新上传。")


def sniff(path: Path) -> str:
    """What the file is by its content: xlsx, ods, xls, encrypted, csv, html, damaged or other.

    An encrypted workbook (Excel "用密码进行加密") is a Compound File holding the streams
    ``EncryptionInfo`` and ``EncryptedPackage`` instead of a zip, whatever its extension says.
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and archive.getinfo("mimetype").file_size < 100 and archive.read(
                        "mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            return "damaged"
        return "other"  # a Word document, a zip of files …
    if head.startswith(OLE_MAGIC):
        names = ole_stream_names(path)
        if {"EncryptionInfo", "EncryptedPackage"} <= names:
            return "encrypted"
        if names & {"Workbook", "Book"}:
            return "xls"
        return "damaged" if not names else "other"
    text = head.lstrip(codecs.BOM_UTF8).lstrip().lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<html" in text[:512]:
        return "html"  # what many web systems save as ".xls"
    if b"\0" not in head:
        return "csv"
    return "other"


def ole_stream_names(path: Path, max_sectors: int = 4096) -> set[str]:
    """The names in a Compound File's directory (MS-CFB): header → FAT → directory chain.

    Reads only the header, the FAT sectors and the directory sectors; returns an empty set for a
    file whose structure does not hold together (truncated, not really a Compound File).
    """
    import struct

    names: set[str] = set()
    try:
        with path.open("rb") as fh:
            header = fh.read(512)
            if len(header) < 512 or not header.startswith(OLE_MAGIC):
                return names
            sector_size = 1 << struct.unpack_from("<H", header, 30)[0]
            if sector_size not in (512, 4096):
                return names
            n_fat, first_dir = struct.unpack_from("<II", header, 44)
            difat = [s for s in struct.unpack_from("<109I", header, 76) if s < 0xFFFFFFFA][:n_fat]

            def sector(n: int) -> bytes:
                fh.seek((n + 1) * sector_size)
                data = fh.read(sector_size)
                if len(data) < sector_size:
                    raise ValueError("short sector")
                return data

            fat: list[int] = []
            for n in difat:
                fat.extend(struct.unpack(f"<{sector_size // 4}I", sector(n)))
            current, visited = first_dir, 0
            while current < 0xFFFFFFFA and visited < max_sectors:
                data = sector(current)
                for offset in range(0, sector_size, 128):
                    length = struct.unpack_from("<H", data, offset + 64)[0]
                    if 2 <= length <= 64 and data[offset + 66] in (1, 2, 5):  # storage, stream, root
                        names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace"))
                visited += 1
                current = fat[current] if current < len(fat) else 0xFFFFFFFE
    except (OSError, ValueError, struct.error):
        return set()
    return names


def _check_content(path: Path, suffix: str) -> None:
    """Refuse, with what to do, a file whose content is not what its extension says."""
    kind = sniff(path)
    expected = _SUFFIX_KIND[suffix]
    if kind == expected:
        return
    if kind == "encrypted":
        raise ImportRefused(encrypted_message())
    if kind == "damaged":
        raise ImportRefused(damaged_message())
    if kind in ("xlsx", "xls", "ods"):
        raise ImportRefused(_("文件扩展名与内容不符：这是 .%(kind)s 文件，请将扩展名改为 .%(kind)s 后重新上传。")
                            % {"kind": kind})
    if expected == "csv":
        if kind == "html":
            raise ImportRefused(_("该文件是网页（HTML）格式，不是 CSV 文件。"
                                  "请用 Excel/WPS 打开后另存为 .xlsx 再上传。"))
        if kind == "other":
            raise ImportRefused(_("该文件不是文本（CSV）文件。请上传导入模板格式的 .xlsx、.xls 或 .csv 文件。"))
        return
    if kind == "csv":
        raise ImportRefused(_("该文件是文本（CSV）格式，不是 Excel 表格。请将扩展名改为 .csv 后重新上传。"))
    if kind == "html":
        raise ImportRefused(_("该文件是网页（HTML）格式，不是真正的 Excel 表格（常见于从网页系统导出的 .xls）。"
                              "请用 Excel/WPS 打开后另存为 .xlsx 再上传。"))
    raise ImportRefused(_("文件内容不是 Excel 表格（可能是其他类型的文件改了扩展名）。"
                          "请上传 .xlsx、.xls 或 .csv 文件。"))


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
        raise _unreadable(exc) from None
    if sheet.height - 1 > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(_("数据行数（%(rows)d）超过上限 %(limit)d 行，请拆分后分批导入。")
                            % {"rows": sheet.height - 1, "limit": settings.IMPORT_MAX_ROWS})
    # Rows are numbered as Excel shows them (row 1 = the sheet's first row) even when the used
    # range starts lower. iter_rows() yields the blank rows above the used range too (calamine
    # 0.9); should a version start at the used range instead, its first row is not blank.
    start = sheet.start[0] if sheet.start else 0
    try:
        rows = iter(sheet.iter_rows())
        first_row = next(rows, None)
        if first_row is None:
            return
        padded = start == 0 or all(c is None or c == "" for c in first_row)
        first = 1 if padded else start + 1
        yield first, first_row
        yield from enumerate(rows, start=first + 1)
    except CalamineError as exc:
        raise _unreadable(exc) from None


def _unreadable(exc: Exception) -> ImportRefused:
    """A Chinese reason for a file the reader gave up on; the library's words go to the log only."""
    logger.info("unreadable workbook: %s", audit.clean_text(str(exc), 200))
    if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
        return ImportRefused(encrypted_message())
    return ImportRefused(damaged_message())


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
