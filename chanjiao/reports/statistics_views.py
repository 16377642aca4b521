"""The annual statistics page (年度统计), its 统计表 export; the numbers come from reports/statistics.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chanjiao.core import audit
from chanjiao.core.exports import content_disposition, xlsx_bytes
from chanjiao.core.navigation import Page, register_page
from chanjiao.reports import statistics

FIRST_YEAR, LAST_YEAR = 2000, 2100  # what a year parameter may be (YearFilter's own range, narrowed)

register_page(Page(gettext_lazy("统计报表"), gettext_lazy("年度校企对接统计"), "reports:statistics",
                   icon="chart-histogram", order=10))


def chosen_year(raw: str | None) -> tuple[int, str | None]:
    """The year asked for (this year by default), or this year and a Chinese message for a bad value."""
    this_year = timezone.localdate().year
    if raw in (None, ""):
        return this_year, None
    try:
        year = int(str(raw).strip())
    except ValueError:
        return this_year, _("年度应为四位数字，如 2019；已显示本年度。")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return this_year, _("年度应在 %(a)d—%(b)d 之间；已显示本年度。") % {"a": FIRST_YEAR, "b": LAST_YEAR}
    return year, None


class StatisticsView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        year, problem = chosen_year(request.GET.get("year"))
        table = statistics.statistics_table(request.user, year)
        if request.GET.get("export") == "xlsx":
            return self.export(request, table)
        sections: dict[str, list[dict[str, Any]]] = {}
        for row in table["rows"]:
            sections.setdefault(row["section"], []).append(row)
        this_year = timezone.localdate().year
        return render(request, "reports/statistics.html", {
            "table": table, "sections": sections, "problem": problem,
            "year_choices": list(range(this_year, this_year - 12, -1)),
            "charts": statistics.charts(request.user, table),
            "fulfilment": statistics.fulfilment(request.user, year),
        })

    def export(self, request: HttpRequest, table: dict[str, Any]) -> HttpResponse:
        title = _("%(y)d年度校企对接工作统计表") % {"y": table["year"]}
        content = xlsx_bytes(statistics.export_rows(table), title)
        audit.record_security("export", message=title, details={"report": "statistics", "year": table["year"],
                                                               "rows": len(table["rows"]), "format": "xlsx"})
        response = HttpResponse(content,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = content_disposition(f"statistics-{table['year']}.xlsx", f"{title}.xlsx")
        return response
