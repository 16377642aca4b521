"""REL-12: end stuck import jobs and abandoned previews (run it from cron, e.g. every 10 minutes)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chanjiao.core.audit import audit_context
from chanjiao.core.tasks import reap_stale_jobs


class Command(BaseCommand):
    help = "结束长时间无进展的导入任务和超时未确认的预览，并删除其上传文件"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--stuck-minutes", type=int, default=60)
        parser.add_argument("--preview-hours", type=int, default=24)

    def handle(self, *args: Any, stuck_minutes: int, preview_hours: int, **options: Any) -> None:
        with audit_context(source="command:reap_import_jobs"):
            ended = reap_stale_jobs(stuck_minutes, preview_hours)
        self.stdout.write(f"已结束导入任务 {ended} 个。")
