"""Pages of the major layout that are not one model's list: the layout history (布局历史) and the
warnings of the fit analysis (专业预警)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Max, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chanjiao.core import audit
from chanjiao.core.exports import content_disposition
from chanjiao.core.navigation import Page, register_page
from chanjiao.core.rules import STATUS_LABELS
from chanjiao.core.scoping import code_within, get_scope, jurisdiction_message, write_jurisdictions
from chanjiao.layout import fit, history, lists, report, rule_packs, supply
from chanjiao.layout.models import Decision, Offering, OfferingYear, ReviewRound, RoundStatus

register_page(Page(gettext_lazy("专业布局"), gettext_lazy("专业布局历史"), "layout:history", icon="timeline", order=5))

# A timeline longer than this many year ends starts at the later years (the page stays one screen).
MAX_YEARS = 15


def history_days(user: Any, today: dt.date) -> list[tuple[dt.date, str]]:
    """The days the timeline shows: every year end since the first filing, and the day each decided
    round's decisions took effect (the latest decision date of the round)."""
    first = Offering.objects.visible_to(user).aggregate(first=Min("filed_on"))["first"]
    if first is None:
        return []
    days: dict[dt.date, str] = {}
    for year in range(max(first.year, today.year - MAX_YEARS + 1), today.year + 1):
        end = min(dt.date(year, 12, 31), today)
        days[end] = _("%(year)d年末") % {"year": year} if end.year == year and end.month == 12 and end.day == 31 \
            else _("今天")
    rounds = (ReviewRound.objects.visible_to(user).filter(status=RoundStatus.DECIDED)
              .values("pk", "title").order_by("held_on"))
    effective = dict(Decision.objects.visible_to(user).filter(item__submission__round__in=[r["pk"] for r in rounds])
                     .values_list("item__submission__round").annotate(last=Max("decided_on")).order_by())
    for r in rounds:
        day = effective.get(r["pk"])
        if day is not None and day <= today:
            days[day] = (days[day] + " · " if day in days else "") + _("%(round)s之后") % {"round": r["title"]}
    return sorted(days.items())


def drill_url(day: dt.date, **params: Any) -> str:
    return f"{reverse('layout:offering_list')}?{urlencode({'live_on': day.isoformat(), **params})}"


class HistoryView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        offerings = Offering.objects.visible_to(request.user)
        days = history_days(request.user, today)
        points = [{"day": p.day, "label": label, "offerings": p.offerings, "majors": p.majors, "url": drill_url(p.day)}
                  for (day, label), p in zip(days, history.timeline(offerings, [d for d, _l in days]), strict=True)]
        on, problem = today, None
        if request.GET.get("on"):
            try:
                on = dt.date.fromisoformat(request.GET["on"])
            except ValueError:
                problem = _("日期格式应为 2019-12-31；已按今天统计。")
        categories = [{**row, "url": (drill_url(on, category=row["code"]) if row["code"]
                                      else drill_url(on, off_catalogue="true"))}
                      for row in history.by_category_on(offerings, on)]
        chart = {"key": "layout-history", "type": "line", "title": _("专业数与专业点数"),
                 "labels": [f"{p['day']:%Y-%m-%d}" for p in points],
                 "series": [{"name": _("开设专业数"), "values": [p["majors"] for p in points],
                             "urls": [p["url"] for p in points]},
                            {"name": _("专业点数"), "values": [p["offerings"] for p in points],
                             "urls": [p["url"] for p in points]}]}
        by_category = {"key": "layout-categories", "type": "bar", "title": _("各专业大类专业点数"),
                       "labels": [f"{c['code']} {c['name']}".strip() or str(_("目录外专业")) for c in categories],
                       "values": [c["offerings"] for c in categories], "urls": [c["url"] for c in categories]}
        clusters = history.by_cluster_on(offerings, on)
        return render(request, "layout/history.html", {"points": points, "categories": categories, "on": on,
                                                       "problem": problem, "chart": chart,
                                                       "by_category": by_category, "clusters": clusters})


register_page(Page(gettext_lazy("专业布局"), gettext_lazy("专业预警"), "layout:fit", icon="alert-triangle", order=6))

FIT_PAGE_SIZE = 50


def fit_year(user: Any, asked: str | None, today: dt.date) -> tuple[int, str | None]:
    """The analysed year: as asked, else the latest year with figures (else last year)."""
    latest = OfferingYear.objects.visible_to(user).aggregate(y=Max("year"))["y"] or today.year - 1
    if not asked:
        return latest, None
    try:
        year = int(asked)
    except ValueError:
        return latest, _("年度应为四位数字；已显示最近有数据的年度。")
    if not 2000 <= year <= today.year:
        return latest, _("年度应在 2000 年至今年之间；已显示最近有数据的年度。")
    return year, None


class FitView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        year, problem = fit_year(request.user, request.GET.get("year"), today)
        problems = [problem] if problem else []
        offerings = fit.base(request.user, year)
        school = request.GET.get("school") or ""
        if school:
            if not school.isdigit():
                problems.append(_("学校参数无效；已显示全部学校。"))
                school = ""
            else:
                offerings = offerings.filter(school_id=int(school))
        major = request.GET.get("major") or ""
        if major:
            if not major.isdigit():
                problems.append(_("专业参数无效；已显示全部专业。"))
                major = ""
            else:
                offerings = offerings.filter(major_id=int(major))
        rating = request.GET.get("rating") or ""
        rows = fit.with_rating(offerings, year, rating if rating in fit.RATINGS else None)
        paginator = Paginator(rows.select_related("school__region", "major").order_by("school__name", "major__code",
                                                                                      "id"), FIT_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        items = list(page.object_list)
        fit.prefetch(items, year)
        query = urlencode({k: v for k, v in (("year", year), ("school", school), ("major", major),
                                             ("rating", rating)) if v})
        region = _pack_region(request)
        counted = fit.counts(request.user, year)  # the tiles and the school table: one statement
        return render(request, "layout/fit.html", {
            "year": year, "problem": "".join(problems), "school": school, "rating": rating, "page": page,
            "judged": fit.judge(items, year), "by_school": counted.schools,
            "city": counted.city, "ratings": fit.RATING_LABELS, "query": query,
            "rules": fit.fit_rules(), "region": region,
            "pack": rule_packs.pack_in_force(region, fit.year_end(year)) if region else None})


register_page(Page(gettext_lazy("专业布局"), gettext_lazy("预警规则包"), "layout:rule_packs", icon="package", order=7))


def _pack_region(request: HttpRequest) -> str:
    """The region whose rule pack and crosswalk a page uses: ``?region=`` when given (a region code),
    else the user's jurisdiction, else the region the platform serves."""
    asked = (request.GET.get("region") or "").strip()
    if asked.isdigit() and len(asked) in (2, 4, 6):
        return asked
    scope = get_scope(request.user)
    codes = sorted(scope.jurisdictions or ())
    return codes[0] if codes else settings.DEPLOYMENT_REGION


class RulePackView(View):
    """The shipped packs with their sources and differences; the bureau switches its region to one."""

    def get(self, request: HttpRequest, problem: str | None = None, status: int = 200) -> HttpResponse:
        region = request.GET.get("region") or _pack_region(request)
        today = timezone.localdate()
        in_force = rule_packs.pack_in_force(region, today) if region else None
        scope = get_scope(request.user)
        bounds = write_jurisdictions(request.user)
        return render(request, "layout/rule_packs.html", {
            "packs": [{"pack": p, "lines": rule_packs.describe(p),
                       "status": STATUS_LABELS.get(p.status, p.status)} for p in rule_packs.PACKS.values()],
            "region": region, "in_force": in_force, "today": today, "problem": problem,
            "may_apply": scope.writes_all, "regions": sorted(bounds) if bounds is not None else None,
        }, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        scope = get_scope(request.user)
        if not scope.writes_all:
            raise PermissionDenied
        pack = rule_packs.PACKS.get(request.POST.get("pack", ""))
        region = (request.POST.get("region") or "").strip()
        try:
            since = dt.date.fromisoformat(request.POST.get("effective_from") or "")
        except ValueError:
            return self.get(request, _("请填写生效日期，如 2015-01-01。"), 400)
        bounds = write_jurisdictions(request.user)
        if pack is None:
            return self.get(request, _("请选择规则包。"), 400)
        if bounds is not None and not code_within(region, bounds):
            return self.get(request, jurisdiction_message(bounds), 400)
        try:
            with transaction.atomic():
                rule_packs.apply_pack(pack, region, since)
        except ValidationError as exc:
            return self.get(request, "；".join(exc.messages), 400)
        return redirect(f"{reverse('layout:rule_packs')}?{urlencode({'region': region})}")


register_page(Page(gettext_lazy("专业布局"), gettext_lazy("专业与产业匹配"), "layout:supply_demand", icon="scale",
                   order=8))


class SupplyDemandView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        year, problem = fit_year(request.user, request.GET.get("year"), today)
        region = _pack_region(request)
        version = supply.version_for(region, year)
        rows = supply.by_pillar(request.user, year, version)
        grid = supply.heatmap(request.user, year, version)
        chart = {"key": "supply-demand", "type": "bar-pair", "title": _("各百亿产业：毕业生与企业需求"),
                 "labels": [str(r.pillar) for r in rows],
                 "series": [{"name": _("毕业生数"), "values": [r.graduates for r in rows],
                             "urls": [r.graduates_url for r in rows]},
                            {"name": _("需求人数"), "values": [r.demand for r in rows],
                             "urls": [r.demand_url for r in rows]}]}
        heat = {"key": "heatmap", "type": "heatmap", "title": _("百亿产业 × 专业大类（毕业生数 − 需求人数）"),
                "x": grid["categories"], "y": grid["pillars"],
                "cells": [[c["x"], c["y"], c["graduates"] - c["demand"]] for c in grid["cells"]],
                "urls": [c.get("supply_url") or c.get("demand_url") for c in grid["cells"]]}
        return render(request, "layout/supply_demand.html", {
            "year": year, "problem": problem, "region": region, "version": version, "rows": rows, "chart": chart,
            "heat": heat, "cells": grid, "sources": [str(s) for s in supply.DEMAND_SOURCES],
            "classifiers": supply.classifier_versions(request.user, year)})


register_page(Page(gettext_lazy("专业布局"), gettext_lazy("三张清单与匹配报告"), "layout:lists", icon="list-check",
                   order=9))


class ListsView(View):
    """急需紧缺 / 升级改造 / 限制或撤销, with the yearly fit report as .docx and .xlsx."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        year, problem = fit_year(request.user, request.GET.get("year"), today)
        the_basis = lists.basis(_pack_region(request), year, today)
        wanted = request.GET.get("format")
        if wanted in ("docx", "xlsx"):
            return self.download(request, the_basis, wanted)
        return render(request, "layout/lists.html", {"year": year, "problem": problem, "basis": the_basis,
                                                     "lists": lists.three_lists(request.user, year),
                                                     "labels": lists.LIST_LABELS})

    def download(self, request: HttpRequest, the_basis: lists.Basis, wanted: str) -> HttpResponse:
        name = report.title(the_basis)
        if wanted == "docx":
            content = report.as_docx(request.user, the_basis)
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            content = report.as_xlsx(request.user, the_basis)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        audit.record_security("export", message=name, details={
            "report": "layout_fit", "year": the_basis.year, "format": wanted, "pack": the_basis.pack_name,
            "crosswalk": the_basis.crosswalk_name})
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = content_disposition(f"layout-fit-{the_basis.year}.{wanted}",
                                                              f"{name}.{wanted}")
        return response


class ScenarioToRoundView(View):
    """POST: a scenario's changes become draft decisions of a round the bureau picks."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from django.contrib import messages
        from django.shortcuts import get_object_or_404

        from chanjiao.layout.models import Scenario
        from chanjiao.layout.scenarios import to_round

        scenario = get_object_or_404(Scenario.objects.editable_by(request.user), pk=pk)
        if not get_scope(request.user).writes_all:
            raise PermissionDenied
        round_ = ReviewRound.objects.visible_to(request.user).filter(pk=request.POST.get("round") or 0).first()
        if round_ is None:
            messages.error(request, _("请选择评审轮次。"))
            return redirect(scenario.get_absolute_url())
        try:
            created, skipped = to_round(scenario, round_, by=request.user)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect(scenario.get_absolute_url())
        messages.success(request, _("已生成 %(n)d 条拟定决定。") % {"n": created})
        if skipped:
            messages.warning(request, _("以下调整项在该轮没有对应的答辩专业或已有决定，未生成：%(items)s") % {
                "items": "；".join(skipped)})
        return redirect(scenario.get_absolute_url())
