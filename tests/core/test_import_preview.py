"""The import preview lists the rows it will add and change, changed cells marked; errors in row order
(issue 6, point 10)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.urls import reverse

from chanjiao.catalog.models import Industry
from chanjiao.core.models import Job
from chanjiao.orgs.imports import EnterpriseImporter
from chanjiao.orgs.models import Enterprise
from tests import factories

HEADERS = ["统一社会信用代码", "企业名称", "行业代码", "企业规模", "从业人数", "是否龙头企业"]


class TableParser(HTMLParser):
    """Rows of the table with ``id=table_id``: [(text, class)] per body cell, the row number cell first."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.in_body = table_id, False, False
        self.rows: list[list[tuple[str, str]]] = []
        self.cell: list[str] | None = None
        self.cell_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.cell, self.cell_class = [], a.get("class") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1].append((" ".join("".join(self.cell).split()), self.cell_class))
            self.cell = None
        elif tag == "table" and self.inside:
            self.inside = self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, table_id: str) -> list[list[tuple[str, str]]]:
    parser = TableParser(table_id)
    parser.feed(html)
    return parser.rows


def write_xlsx(path: Path, rows: list[list[Any]], header: list[str] = HEADERS) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("企业")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def upload(client: Any, path: Path) -> str:
    url = reverse("orgs:enterprise_import")
    with path.open("rb") as fh:
        response = client.post(url, {"file": fh})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


@pytest.fixture
def setup(world: Any, tmp_path: Path, settings: Any) -> Any:
    settings.VAR_DIR = tmp_path / "var"
    for section, code, name in [("C", "3411", "锅炉及辅助设备制造"), ("I", "6510", "软件开发")]:
        Industry.objects.create(code=code, name=name, level=Industry.Level.CLASS, section=section, edition="2017")
    e = world.enterprise
    e.industry = Industry.objects.get(code="3411")
    e.headcount, e.size, e.is_leading = 120, "small", False
    e.save()
    return world


def test_preview_shows_new_rows_and_changed_cells(setup: Any, tmp_path: Path, login: Any) -> None:
    e = setup.enterprise
    other = setup.enterprise_b
    new1, new2 = factories.valid_uscc(5_100_001), factories.valid_uscc(5_100_002)
    rows = [
        [new1, "新增甲有限公司", "6510", "中型", 30, "否"],
        # world.enterprise: name, industry and headcount change; size and 龙头 stay.
        [e.uscc, "甲市智能制造集团有限公司", "6510", "小型", 150, "否"],
        [new2, "新增乙有限公司", "", "", "", ""],
        [other.uscc, other.name, "", "小型", "", "否"],  # unchanged (as created by the factory)
    ]
    page = upload(login("bureau_admin"), write_xlsx(tmp_path / "p.xlsx", rows))
    job = Job.objects.get()
    assert job.status == "validated" and (job.created, job.updated, job.unchanged) == (2, 1, 1)

    new = table(page, "preview-new")
    assert [[text for text, _c in r] for r in new] == [
        ["2", new1, "新增甲有限公司", "6510", "中型", "30", "否"],
        ["4", new2, "新增乙有限公司", "", "", "", "否"],  # an empty 是/否 cell is written as 否
    ]
    changed = table(page, "preview-changed")
    assert len(changed) == 1 and changed[0][0][0] == "3"
    marked = {HEADERS[i]: text for i, (text, cls) in enumerate(changed[0][1:]) if "changed" in cls}
    # Exactly the three changed cells, each with its new value and, struck through, the old one.
    assert marked == {"企业名称": "甲市智能制造集团有限公司 甲市智能制造有限公司",
                      "行业代码": "6510 3411", "从业人数": "150 120"}
    unmarked = [text for text, cls in changed[0][1:] if "changed" not in cls]
    assert unmarked == [e.uscc, "小型", "否"]
    assert Enterprise.objects.get(pk=e.pk).name == "甲市智能制造有限公司"  # a preview writes nothing


def test_preview_shows_the_first_hundred_rows_of_many(setup: Any, tmp_path: Path, login: Any) -> None:
    rows = [[factories.valid_uscc(5_200_000 + i), f"批量企业{i}", "", "", "", ""] for i in range(120)]
    page = upload(login("bureau_admin"), write_xlsx(tmp_path / "many.xlsx", rows))
    new = table(page, "preview-new")
    assert len(new) == 100 and new[0][0][0] == "2" and new[-1][0][0] == "101"
    assert "（显示前 100 条，共 120 条）" in page
    assert table(page, "preview-changed") == []


def test_errors_are_listed_in_row_order(setup: Any, tmp_path: Path, login: Any) -> None:
    rows = [
        [factories.valid_uscc(5_300_001), "企业一", "Z9999", "", "", ""],  # row 2: unknown code (found late)
        [factories.valid_uscc(5_300_002), "企业二", "", "超大型", -5, ""],  # row 3: two cell errors
        [factories.valid_uscc(5_300_003), "企业三", "X0000", "", "", "也许"],  # row 4: cell, then code
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = EnterpriseImporter(setup.bureau_admin).validate(path, path.name)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "行业代码"), (3, "企业规模"), (3, "从业人数"), (4, "行业代码"), (4, "是否龙头企业")]
    page = upload(login("bureau_admin"), path)
    assert [r[0][0] for r in table(page, "import-errors")] == ["2", "3", "3", "4", "4"]
