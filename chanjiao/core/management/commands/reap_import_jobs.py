"""REL-12: end stuck jobs (every kind) and abandoned import previews, delete old job results
(run it from cron, e.g. every 10 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chanjiao.core.audit import audit_context
from chanjiao.core.tasks import reap_jobs


class Command(BaseCommand):
    help = "结束长时间无进展的任务和超时未确认的导入预览，删除其上传文件和过期的结果文件"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--stuck-minutes", type=int, default=60)
        parser.add_argument("--preview-hours", type=int, default=24)
        parser.add_argument("--result-days", type=int, default=None, help="默认取 JOB_RESULT_DAYS")

    def handle(self, *args: Any, stuck_minutes: int, preview_hours: int, result_days: int | None,
               **options: Any) -> None:
        with audit_context(source="command:reap_import_jobs"):
            ended, expired = reap_jobs(stuck_minutes, preview_hours, result_days)
        self.stdout.write(f"已结束任务 {ended} 个，删除过期结果文件 {expired} 个。")
