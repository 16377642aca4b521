"""``manage.py demo``: create the demo city 宜昌 (idempotent) and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chanjiao.demo.city import DEFAULT_ENTERPRISES, PILLARS, build_city
from chanjiao.demo.plan import HIGHER, MIN_TEACHERS_PER_SCHOOL, SECONDARY

# Every pillar industry needs its own firms: a leading firm, committee members and order-class partners.
MIN_ENTERPRISES = 2 * len(PILLARS)
MIN_TEACHERS = MIN_TEACHERS_PER_SCHOOL * (len(HIGHER) + len(SECONDARY))


class Command(BaseCommand):
    help = ("生成演示城市（宜昌）：职教集团、理事会、产学合作委员会、学校、企业、联系人、教师、演示账号，"
            "以及2017—2020年的校企对接记录（年度计划、活动、协议、联盟、走访、教师企业实践、订单班）、"
            "专业布局（各校专业点及2013—2020年数据、评审专家库、2017年6月和2019年12月两轮答辩评审）；"
            "重复运行不会产生重复数据。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES,
                            help=f"演示企业数量（默认{DEFAULT_ENTERPRISES}；少于默认值时校企对接记录按比例缩减）")
        parser.add_argument("--teachers", type=int, default=None,
                            help="演示教师数量（默认与企业数量成比例：1600 家企业配 1600 名教师）")

    def handle(self, *args: Any, enterprises: int, teachers: int | None, **options: Any) -> None:
        if enterprises < MIN_ENTERPRISES:
            raise CommandError(f"--enterprises 至少为 {MIN_ENTERPRISES}（每个百亿产业至少需要 2 家企业）。")
        if teachers is not None and teachers < MIN_TEACHERS:
            raise CommandError(
                f"--teachers 至少为 {MIN_TEACHERS}（每所学校至少需要 {MIN_TEACHERS_PER_SCHOOL} 名教师）。")
        summary = build_city(enterprises=enterprises, teachers=teachers)
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
