"""``manage.py apply_rule_pack <pack> <region code> [--from YYYY-MM-DD]``: switch a jurisdiction's
warning rules to a shipped pack (layout/rule_packs.py) — audited, dated parameter rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chanjiao.core.audit import audit_context
from chanjiao.layout.rule_packs import PACKS, apply_pack


class Command(BaseCommand):
    help = "将地区的专业预警规则切换为内置规则包（写入带日期、可审计的规则参数）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("pack", help="规则包：" + "、".join(PACKS))
        parser.add_argument("region", help="行政区划代码：省 2 位、市 4 位、区县 6 位")
        parser.add_argument("--from", dest="since", default=None, help="生效日期（默认今天），如 2015-01-01")

    def handle(self, *args: Any, pack: str, region: str, since: str | None, **options: Any) -> None:
        if pack not in PACKS:
            raise CommandError(f"没有规则包“{pack}”；可选：{'、'.join(PACKS)}。")
        try:
            day = dt.date.fromisoformat(since) if since else dt.date.today()
        except ValueError:
            raise CommandError("生效日期格式应为 2015-01-01。") from None
        with audit_context(source="command:apply_rule_pack"):
            try:
                written = apply_pack(PACKS[pack], region, day)
            except ValidationError as exc:  # names the bad region code
                raise CommandError(f"未能应用规则包：{'；'.join(exc.messages)}") from None
        name = PACKS[pack].name
        self.stdout.write(self.style.SUCCESS(f"已为 {region} 应用规则包“{name}”，写入 {written} 条规则参数。"))
