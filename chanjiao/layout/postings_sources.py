"""The job-board exports we know (BOSS直聘, 前程无忧 as scraped in ``../shared/data/job_postings``), mapped onto
the posting importer's columns; a file of another layout is imported with the importer's own template."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from chanjiao.accounts.models import User
from chanjiao.core.imports.results import ImportResult
from chanjiao.layout.imports import JobPostingImporter
from chanjiao.layout.postings import EDUCATION_WORDS

HEADERS = [c.header for c in JobPostingImporter.columns]


def _education_in(text: str) -> str:
    """前程无忧 states the education inside the description ("大专及以上学历"): the first level named."""
    positions = [(text.find(word), word) for word, _code in EDUCATION_WORDS if word in text]
    return min(positions)[1] if positions else ""


def boss_rows(row: dict[str, str], year: int) -> dict[str, str]:
    category = "/".join(p for p in (row.get("job_category_parent", ""), row.get("job_category", "")) if p)
    return {"来源": row.get("source") or "BOSS直聘", "来源编号": row["id"], "岗位名称": row["title"],
            "招聘单位": row["company"], "工作地点": row.get("city", ""), "职位类别": category,
            "技能标签": row.get("tags", ""), "学历要求": row.get("education", ""),
            "经验要求": row.get("experience", ""), "薪资": row.get("salary_text", ""), "发布年度": str(year)}


def job51_rows(row: dict[str, str], year: int) -> dict[str, str]:
    month_day = (row.get("post_date") or "").strip()
    return {"来源": "前程无忧", "来源编号": row["url"], "岗位名称": row["title"], "招聘单位": row["company"],
            "工作地点": row.get("location", ""), "行业": row.get("industry", ""),
            "职位描述": row.get("description", ""), "学历要求": _education_in(row.get("description", "")),
            "薪资": row.get("salary", ""), "发布年度": str(year),
            "发布日期": f"{year}-{month_day}" if month_day else ""}


LAYOUTS: dict[frozenset[str], Callable[[dict[str, str], int], dict[str, str]]] = {
    frozenset({"id", "title", "salary_text", "company", "tags"}): boss_rows,
    frozenset({"url", "title", "company", "salary", "description", "location"}): job51_rows,
}


def mapped(path: Path, year: int) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = set(reader.fieldnames or ())
        convert = next((f for need, f in LAYOUTS.items() if need <= fields), None)
        if convert is None:
            yield from reader  # already in the importer's layout
            return
        for row in reader:
            yield convert(row, year)


def load_file(path: Path, *, user: User, year: int = 2020, only_if_changed: bool = False) -> ImportResult:
    """Map ``path`` to the importer's columns and commit it (all or nothing). ``only_if_changed``: validate
    first and commit only when a row would be written (a re-run of the demo leaves not even an import event)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"{path.stem}.csv"
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=HEADERS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(mapped(path, year))
        if only_if_changed:
            dry = JobPostingImporter(user).validate(target, target.name)
            if not dry.ok or not (dry.created or dry.updated):
                return dry
        return JobPostingImporter(user).commit(target, target.name)
