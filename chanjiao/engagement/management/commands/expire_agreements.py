"""``manage.py expire_agreements``: the daily job that moves ended agreements to 已到期 (issue #9 point 3).

Run it once a day (cron, a systemd timer or the compose file's timers service); it is idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chanjiao.core.audit import audit_context
from chanjiao.engagement.services import expire_agreements


class Command(BaseCommand):
    help = "将期限届满的校企合作协议置为“已到期”（系统操作，记入状态历史）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source="command:expire_agreements"):
            count = expire_agreements()
        self.stdout.write(f"已到期协议：{count} 份")
