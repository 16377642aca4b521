"""``manage.py load_catalogs [--data-dir DIR]``: load the official code tables (see catalog/services.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chanjiao.catalog.services import DEFAULT_DATA_DIR, CatalogDataError, load_catalogs


class Command(BaseCommand):
    help = "载入标准代码表（专业目录、国民经济行业分类、职业分类大典、行政区划）；重复载入不会产生变化。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                            help="代码表文件所在目录（目录结构同 chanjiao/catalog/data）")

    def handle(self, *args: Any, data_dir: Path, **options: Any) -> None:
        started = time.perf_counter()
        try:
            report = load_catalogs(data_dir)
        except CatalogDataError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        elapsed = time.perf_counter() - started
        if report.changed:
            self.stdout.write(self.style.SUCCESS(f"载入完成，共写入 {report.changed} 条，用时 {elapsed:.1f} 秒。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"代码表已是最新，未做任何修改（用时 {elapsed:.1f} 秒）。"))
