"""``manage.py demo``: create the demo city 宜昌 (idempotent) and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chanjiao.demo.city import PILLARS, build_city

# Every pillar industry needs its own firms: a leading firm, committee members and order-class partners.
MIN_ENTERPRISES = 2 * len(PILLARS)


class Command(BaseCommand):
    help = ("生成演示城市（宜昌）：职教集团、理事会、产学合作委员会、学校、企业、联系人、教师与演示账号；"
            "重复运行不会产生重复数据。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=300, help="演示企业数量（默认300）")

    def handle(self, *args: Any, enterprises: int, **options: Any) -> None:
        if enterprises < MIN_ENTERPRISES:
            raise CommandError(f"--enterprises 至少为 {MIN_ENTERPRISES}（每个百亿产业至少需要 2 家企业）。")
        summary = build_city(enterprises=enterprises)
        for warning in summary.warnings:
            self.stdout.write(self.style.WARNING(warning))
        created = {k: v for k, v in summary.created.items() if v}
        if created:
            self.stdout.write("新建：" + "，".join(f"{k} {v}" for k, v in created.items()))
        else:
            self.stdout.write("演示数据已齐全，未做任何修改。")
        self.stdout.write("")
        self.stdout.write("演示账号（所有账号同一密码）：")
        header = ("用户名", "角色", "所属单位", "密码")
        widths = [max(len(str(r[i])) for r in [header, *summary.accounts]) + 2 for i in range(4)]
        for row in [header, *summary.accounts]:
            self.stdout.write("".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        self.stdout.write(self.style.SUCCESS("演示城市已就绪。"))
