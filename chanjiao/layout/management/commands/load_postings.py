"""``manage.py load_postings FILE …``: load the two scraped job-board files of ``../shared/data/job_postings``
(BOSS直聘 and 前程无忧 exports) through the posting importer — every row validated, all or nothing, and a
second run changes nothing. The columns are mapped to the importer's headers (``postings_sources.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chanjiao.accounts.models import User
from chanjiao.core.audit import audit_context
from chanjiao.layout.postings_sources import load_file


class Command(BaseCommand):
    help = "导入招聘网站导出的岗位文件（BOSS直聘、前程无忧格式）；逐行校验，全部通过才写入，重复导入不会重复写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--user", required=True, help="以哪个账号的权限导入（须能新建招聘岗位，如市教育局管理员）")
        parser.add_argument("--year", type=int, default=2020, help="文件未记载年份时的发布年度（默认 2020）")

    def handle(self, *args: Any, files: list[Path], year: int, user: str, **options: Any) -> None:
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"账号“{user}”不存在或已停用。")
        with audit_context(user=account, source="command:load_postings"):
            for path in files:
                if not path.is_file():
                    raise CommandError(f"找不到文件：{path}")
                result = load_file(path, year=year, user=account)
                if not result.ok:
                    lines = [f"第 {e.row} 行 {e.column}：{e.reason}" for e in result.errors[:20]]
                    head = f"{path.name}：{result.refused or '有错误，未写入任何数据'}"
                    raise CommandError("\n".join([head, *lines]))
                counts = result.counts()
                self.stdout.write(f"{path.name}：新增 {counts['created']} 条，更新 {counts['updated']} 条，"
                                  f"未变 {counts['unchanged']} 条。")
