"""Files the import cannot read (issue #6 point 8): a Chinese reason and what to do, never a library's words."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from chanjiao.core.audit import audit_context
from chanjiao.core.imports.files import ole_stream_names, sniff
from chanjiao.orgs.imports import SchoolImporter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
LIBRARY_WORDS = ("Cfb", "OLE", "deflate", "Zip", "EOCD", "error", "Error")


def school_xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["学校标识码", "学校名称"])
    for n in range(200):
        sheet.write_row(n + 1, 0, [f"41420{n:05d}", f"学校{n}号" * 5])
    book.close()
    return path


def compound_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal Compound File (MS-CFB, 512-byte sectors): sector 0 the FAT, 1 the directory, then
    one sector per stream — the container Excel writes a password-encrypted workbook into."""
    sector = 512
    names = ["Root Entry", *streams]
    assert len(names) <= 4
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [0xFFFFFFFE] * len(streams)
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))
    directory = b""
    for n, name in enumerate(names):
        encoded = (name + "\0").encode("utf-16-le")
        kind = 5 if n == 0 else 2
        start = 0xFFFFFFFE if n == 0 else 1 + n
        size = 0 if n == 0 else len(streams[name])
        child = 1 if n == 0 and streams else 0xFFFFFFFF
        right = n + 1 if 0 < n < len(names) - 1 else 0xFFFFFFFF
        entry = encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, 0xFFFFFFFF, right, child)
        entry = entry.ljust(116, b"\0") + struct.pack("<IQ", start, size)
        directory += entry
    directory = directory.ljust(sector, b"\0")
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", header, 32, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    struct.pack_into("<I", header, 72, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    data = bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + directory
    for content in streams.values():
        data += content.ljust(sector, b"\0")
    path.write_bytes(data)
    return path


def refusal(world: Any, path: Path, name: str | None = None) -> str:
    with audit_context(user=world.bureau_admin, source="test"):
        result = SchoolImporter(world.bureau_admin).validate(path, name or path.name)
    assert result.refused and not result.committed
    for word in LIBRARY_WORDS:
        assert word not in result.refused, result.refused
    return result.refused


def test_an_xlsx_named_xls(world: Any, tmp_path: Path) -> None:
    path = school_xlsx(tmp_path / "s.xlsx").rename(tmp_path / "学校.xls")
    assert refusal(world, path) == "文件扩展名与内容不符：这是 .xlsx 文件，请将扩展名改为 .xlsx 后重新上传。"


def test_an_xls_named_xlsx(world: Any, tmp_path: Path) -> None:
    path = Path(shutil.copy(FIXTURES / "schools-libreoffice.xls", tmp_path / "学校.xlsx"))
    assert "Workbook" in ole_stream_names(path)  # a real .xls written by LibreOffice
    assert refusal(world, path) == "文件扩展名与内容不符：这是 .xls 文件，请将扩展名改为 .xls 后重新上传。"


def test_a_truncated_xlsx(world: Any, tmp_path: Path) -> None:
    data = school_xlsx(tmp_path / "s.xlsx").read_bytes()
    path = tmp_path / "学校.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert refusal(world, path).startswith("文件不完整或已损坏")


def test_a_corrupt_deflate_stream(world: Any, tmp_path: Path) -> None:
    path = school_xlsx(tmp_path / "学校.xlsx")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    body = info.header_offset + 30 + name_len + extra_len
    data[body + 20: body + 220] = bytes(range(200))  # garbage inside the compressed sheet
    path.write_bytes(bytes(data))
    assert sniff(path) == "xlsx"  # the zip directory is intact: only the reader notices
    assert refusal(world, path).startswith("文件不完整或已损坏")


@pytest.mark.parametrize("name", ["学校.xlsx", "学校.xls"])
def test_a_password_protected_workbook(world: Any, tmp_path: Path, name: str) -> None:
    path = compound_file(tmp_path / name, {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 200,
                                           "EncryptedPackage": b"\x10" * 300})
    assert ole_stream_names(path) == {"Root Entry", "EncryptionInfo", "EncryptedPackage"}
    assert refusal(world, path).startswith("文件已加密")


def test_an_html_page_named_xls(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "学校.xls"
    path.write_text("<html><body><table><tr><td>学校标识码</td></tr></table></body></html>", encoding="utf-8")
    assert "网页（HTML）" in refusal(world, path)


def test_a_csv_named_xlsx(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "学校.xlsx"
    path.write_text("学校标识码,学校名称\n4142010001,甲\n", encoding="utf-8")
    assert "请将扩展名改为 .csv" in refusal(world, path)


def test_a_workbook_named_csv(world: Any, tmp_path: Path) -> None:
    path = school_xlsx(tmp_path / "s.xlsx").rename(tmp_path / "学校.csv")
    assert refusal(world, path).startswith("文件扩展名与内容不符：这是 .xlsx 文件")


@pytest.mark.parametrize("name", ["schools-libreoffice.xlsx", "schools-libreoffice.ods", "schools-libreoffice.xls"])
def test_real_spreadsheets_are_what_they_say(name: str) -> None:
    assert sniff(FIXTURES / name) == name.rsplit(".", 1)[1]
