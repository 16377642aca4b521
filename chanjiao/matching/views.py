"""The recommendation pages: enterprises for a school's major (an offering, a major under review, or a school
and a major typed in — an order class being planned, a programme not offered yet) and offerings for an
enterprise's demand. Every row shows its score, the reasons it sums and what the reader can do next: draft an
agreement, plan an order class, invite the partner to an event — links to those forms, filled in, which the
reader still checks and saves (nothing is written from here).

The target is read through the reader's scope (``visible_to``): another school's offering is a 404, like its
detail page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from chanjiao.catalog.models import Major
from chanjiao.core.navigation import Page, register_page
from chanjiao.core.roles import Role
from chanjiao.core.scoping import can_create, get_scope
from chanjiao.engagement.models import Agreement, EventParticipation, OrderClass
from chanjiao.layout.models import Offering, SubmissionItem
from chanjiao.matching import services
from chanjiao.orgs.models import Enterprise, School

DEFAULT_LIMIT = 10
MAX_LIMIT = 50

register_page(Page(gettext_lazy("专业布局"), gettext_lazy("合作企业推荐"), "matching:enterprises", icon="affiliate",
                   order=10))


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    icon: str


def _add_url(model: type[Model], **values: Any) -> str:
    """The model's 新建 form with ``values`` filled in (core.views.prefill)."""
    name = f"{model._meta.app_label}:{model._meta.model_name}_add"
    return f"{reverse(name)}?{urlencode(values, doseq=True)}"


def partner_actions(user: Any, *, school: Any, enterprise: Any, major: Major | None, invite: Any) -> list[Action]:
    """What ``user`` may start from a recommendation of ``enterprise`` for ``school``'s ``major``: only the
    forms they may create records with. ``invite`` is the organisation the event invitation names."""
    actions = []
    if can_create(Agreement, user):
        values: dict[str, Any] = {"schools": school.pk, "enterprises": enterprise.pk}
        if major is not None:
            values["majors"] = major.pk
        actions.append(Action(_("起草合作协议"), _add_url(Agreement, **values), "file-plus"))
    if major is not None and can_create(OrderClass, user):
        actions.append(Action(_("筹建订单班"), _add_url(OrderClass, school=school.pk, enterprise=enterprise.pk,
                                                         major=major.pk), "users-group"))
    if can_create(EventParticipation, user):
        actions.append(Action(_("邀请参加活动"), _add_url(EventParticipation, organisation=invite.pk), "mail"))
    return actions


def _limit(request: HttpRequest) -> int:
    """How many recommendations (1–50, default 10): anything else is the default, not an error page."""
    try:
        asked = int(request.GET.get("limit", DEFAULT_LIMIT))
    except ValueError:
        return DEFAULT_LIMIT
    return min(max(asked, 1), MAX_LIMIT)


class EnterprisesView(View):
    """推荐合作企业: for ``offering=…``, ``item=…`` (a major under review) or ``school=…&major=<专业代码>``."""

    def get(self, request: HttpRequest, offering: int | None = None, item: int | None = None) -> HttpResponse:
        user = request.user
        limit = _limit(request)
        problem = ""
        target: Any = None
        subject = ""
        # The schools whose recommendations the reader may see (may_match_for): their own, or all for the bureau.
        schools = School.objects.visible_to(user).order_by("name")
        if not get_scope(user).reads_all:
            schools = schools.filter(pk__in=get_scope(user).orgs(Role.SCHOOL_ADMIN))
        school_pk, major_code = request.GET.get("school", ""), request.GET.get("major", "").strip()
        if offering is not None:
            target = get_object_or_404(Offering.objects.visible_to(user).select_related("school__region", "major"),
                                       pk=offering)
            subject = str(target)
        elif item is not None:
            target = get_object_or_404(SubmissionItem.objects.visible_to(user).select_related(
                "submission__school__region", "offering__school__region", "offering__major", "new_major"), pk=item)
            subject = str(target)
        elif school_pk or major_code:
            school = schools.filter(pk=school_pk).first() if school_pk.isdigit() else None
            major = Major.objects.visible_to(user).filter(code=major_code).first() if major_code else None
            if school is None:
                problem = _("请选择您可查看的学校。")
            elif major is None:
                problem = _("专业代码“%(code)s”不在职业教育专业目录中。") % {"code": major_code}
            else:
                target = (school, major)
                subject = f"{school} · {major.code} {major.name}"
        recommendations: list[services.Recommendation] = []
        school_of = major_of = None
        if target is not None:
            try:
                school_of, major_of = services.school_and_major(target)
            except ValueError as error:
                problem = str(error)
        if school_of is not None:
            if not services.may_match_for(user, school_of.pk):
                if offering is not None or item is not None:
                    raise Http404  # as another school's records are: not there, for this reader
                problem = _("只有该校的管理员和教育局等全局用户可以查看为该校推荐的合作企业。")
            else:
                recommendations = services.rank_enterprises(target, user=user, limit=limit)
        rows = [{"rec": rec, "url": rec.obj.get_absolute_url(),
                 "actions": partner_actions(user, school=school_of, enterprise=rec.obj, major=major_of,
                                            invite=rec.obj)}
                for rec in recommendations]
        return render(request, "matching/recommendations.html", {
            "direction": "enterprises", "subject": subject, "rows": rows, "problem": problem, "limit": limit,
            "asked": target is not None, "schools": schools, "school_pk": school_pk, "major_code": major_code,
            "show_form": offering is None and item is None})


class OfferingsView(View):
    """推荐供给专业点: the live offerings that supply an enterprise (``class_code=…`` narrows to one 专业类)."""

    def get(self, request: HttpRequest, enterprise: int) -> HttpResponse:
        user = request.user
        firm = get_object_or_404(Enterprise.objects.visible_to(user).select_related("industry", "region"),
                                 pk=enterprise)
        if not services.may_match_for(user, firm.pk):
            raise Http404
        class_code = request.GET.get("class_code", "").strip()
        problem = ""
        if class_code and not Major.objects.visible_to(user).filter(class_code=class_code).exists():
            problem = _("专业类代码“%(code)s”不在职业教育专业目录中。") % {"code": class_code}
            recommendations: list[services.Recommendation] = []
        else:
            recommendations = services.rank_offerings(firm, user=user, class_code=class_code or None,
                                                      limit=_limit(request))
        rows = [{"rec": rec, "url": rec.obj.get_absolute_url(),
                 "actions": partner_actions(user, school=rec.obj.school, enterprise=firm, major=rec.obj.major,
                                            invite=rec.obj.school)}
                for rec in recommendations]
        return render(request, "matching/recommendations.html", {
            "direction": "offerings", "subject": str(firm), "firm": firm, "rows": rows, "problem": problem,
            "limit": _limit(request), "asked": True, "class_code": class_code,
            "classes": services.demanded_classes(firm)})

