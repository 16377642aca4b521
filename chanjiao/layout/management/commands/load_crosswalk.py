"""``manage.py load_crosswalk``: load the platform's default major ↔ industry crosswalk (after
``load_catalogs``; idempotent — an existing default is left as it is, a bureau's versions untouched)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chanjiao.core.audit import audit_context
from chanjiao.layout.crosswalk import load_default


class Command(BaseCommand):
    help = "载入平台默认的专业—产业对照表（须先运行 load_catalogs；重复运行不会改动已有版本）。"

    def handle(self, *args: Any, **options: Any) -> None:
        with audit_context(source="command:load_crosswalk"):
            version, created = load_default()
        if created:
            self.stdout.write(self.style.SUCCESS(f"已载入 {version}：{created} 条对照条目。"))
        else:
            self.stdout.write(f"{version} 已存在，未做修改。")
