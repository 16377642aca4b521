"""The rules of the major layout (core/rules): reached from ``clean()``, the importers and the scan.

MJ-02 is《职业教育专业目录（2021年）》's own wording (policy-rules.md, verified): only 中职 may file a
major outside the catalogue. REV-01 is the platform's conflict-of-interest rule for expert reviews
(回避制度, as every review regulation states it); the others are data checks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import JSONObject, Substr
from django.db.models.lookups import GreaterThan, LessThan
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.rules import BLOCK, DATA, LOCAL, SUPPORTED, UNVERIFIED, VERIFIED, Param, Rule, register
from chanjiao.layout.models import (
    ConflictDeclaration,
    CrosswalkEntry,
    Decision,
    DeclaredDemand,
    Expert,
    ExpertAssignment,
    Offering,
    OfferingYear,
    ProposedAction,
    ScenarioChange,
    Score,
    SubmissionItem,
)
from chanjiao.orgs.models import School, SchoolLevel


def _bool(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


@register
class OffCatalogueOnlyForSecondary(Rule):
    id = "MJ-02"
    title = gettext_lazy("目录外专业仅限中职学校按省级规定备案")
    citation = gettext_lazy("《职业教育专业目录（2021年）》（教职成〔2021〕2号）")
    status = VERIFIED
    severity = BLOCK
    model = Offering
    field = "off_catalogue_name"

    def observe(self, obj: Any) -> Any:
        return {"off_catalogue": not obj.major_id, "school_level": obj.school.school_level if obj.school_id else ""}

    def observed_expr(self) -> Any:
        return JSONObject(off_catalogue=_bool(Q(major__isnull=True)), school_level=F("school__school_level"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return bool(observed["off_catalogue"]) and observed["school_level"] != SchoolLevel.SECONDARY

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(major__isnull=True) & ~Q(school__school_level=SchoolLevel.SECONDARY)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("只有中职学校可以备案目录外专业；请选择《职业教育专业目录（2021年）》中的专业。")


def _class_known(path: str = "class_code") -> Exists:
    from chanjiao.catalog.models import Major

    return Exists(Major._base_manager.filter(class_code=OuterRef(path)))


def class_exists(code: str) -> bool:
    from chanjiao.catalog.models import Major

    return bool(code) and Major._base_manager.filter(class_code=code).exists()


@register
class CrosswalkEntryNamesAClass(Rule):
    """The 专业类 exists in the catalogue, and a refining major belongs to it."""

    id = "CW-D1"
    title = gettext_lazy("对照条目的专业类须为目录中的专业类，细化专业须属于该专业类")
    status = DATA
    severity = BLOCK
    model = CrosswalkEntry
    field = "class_code"

    def observe(self, obj: Any) -> Any:
        return {"known": class_exists(obj.class_code),
                "major_class": obj.major.class_code if obj.major_id else None, "class": obj.class_code}

    def observed_expr(self) -> Any:
        return JSONObject(known=_bool(Q(_class_known())), major_class=F("major__class_code"),
                          **{"class": F("class_code")})

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        mismatch = observed["major_class"] is not None and observed["major_class"] != observed["class"]
        return not observed["known"] or mismatch

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return ~Q(_class_known()) | (Q(major__isnull=False) & ~Q(major__class_code=F("class_code")))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("专业类代码须为《职业教育专业目录（2021年）》中的专业类；细化到的专业须属于该专业类。")


@register
class DemandNamesWhatIsNeeded(Rule):
    id = "DEM-D1"
    title = gettext_lazy("用人需求须写明职业或专业类（专业类须为目录中的专业类）")
    status = DATA
    severity = BLOCK
    model = DeclaredDemand
    field = "class_code"

    def observe(self, obj: Any) -> Any:
        return {"occupation": obj.occupation_id, "class": obj.class_code,
                "known": class_exists(obj.class_code) if obj.class_code else True}

    def observed_expr(self) -> Any:
        return JSONObject(occupation=F("occupation_id"), known=_bool(Q(class_code="") | Q(_class_known())),
                          **{"class": F("class_code")})

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return (not observed["occupation"] and not observed["class"]) or not observed["known"]

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return (Q(occupation__isnull=True) & Q(class_code="")) | (~Q(class_code="") & ~Q(_class_known()))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("请填写所需的职业或专业类（专业类代码须为《职业教育专业目录（2021年）》中的代码，如 4601）。")


@register
class ChangeFitsItsKind(Rule):
    """撤销 names an offering (and no school or major); 新设 names a school and a major (and no offering)."""

    id = "SCN-D1"
    title = gettext_lazy("方案调整项须与调整类型相符")
    status = DATA
    severity = BLOCK
    model = ScenarioChange
    field = "kind"

    def observe(self, obj: Any) -> Any:
        return {"kind": obj.kind, "offering": obj.offering_id, "school": obj.school_id, "major": obj.major_id}

    def observed_expr(self) -> Any:
        return JSONObject(kind=F("kind"), offering=F("offering_id"), school=F("school_id"), major=F("major_id"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        o = observed
        if o["kind"] == "close":
            return o["offering"] is None or o["school"] is not None or o["major"] is not None
        return o["offering"] is not None or o["school"] is None or o["major"] is None

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        close = Q(kind="close")
        return ((close & (Q(offering__isnull=True) | Q(school__isnull=False) | Q(major__isnull=False)))
                | (~close & (Q(offering__isnull=False) | Q(school__isnull=True) | Q(major__isnull=True))))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("“撤销专业点”须选择现有专业点（不填学校和专业）；“新设专业点”须选择学校和专业（不选专业点）。")


@register
class GraduatesAccountedFor(Rule):
    """落实 ≤ 毕业, 对口 ≤ 落实: each figure is a part of the one before (QR-04's definitions)."""

    id = "OFY-D1"
    title = gettext_lazy("毕业去向落实人数不超过毕业生数，对口就业人数不超过落实人数")
    status = DATA
    severity = BLOCK
    model = OfferingYear
    field = "employed"

    def observe(self, obj: Any) -> Any:
        return {"graduates": obj.graduates, "employed": obj.employed, "employed_related": obj.employed_related}

    def observed_expr(self) -> Any:
        return JSONObject(graduates=F("graduates"), employed=F("employed"), employed_related=F("employed_related"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        g, e, r = observed["graduates"] or 0, observed["employed"] or 0, observed["employed_related"] or 0
        return e > g or r > e

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(employed__gt=F("graduates")) | Q(employed_related__gt=F("employed"))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("毕业去向落实人数不能多于毕业生数，对口就业人数不能多于落实人数。")


@register
class ExpertAccountIsAnExpert(Rule):
    id = "EXP-D1"
    title = gettext_lazy("专家的评审账号须具有评审专家角色")
    status = DATA
    severity = BLOCK
    model = Expert
    field = "user"

    def observe(self, obj: Any) -> Any:
        from chanjiao.accounts.models import Membership
        from chanjiao.core.roles import Role

        if not obj.user_id:
            return True
        return Membership._base_manager.filter(user_id=obj.user_id, role=Role.EXPERT).exists()

    def observed_expr(self) -> Any:
        from chanjiao.accounts.models import Membership
        from chanjiao.core.roles import Role

        return _bool(Q(user__isnull=True) | Q(Exists(Membership._base_manager.filter(user_id=OuterRef("user_id"),
                                                                                       role=Role.EXPERT))))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return not observed

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        from chanjiao.accounts.models import Membership
        from chanjiao.core.roles import Role

        return Q(user__isnull=False) & ~Q(Exists(Membership._base_manager.filter(user_id=OuterRef("user_id"),
                                                                                   role=Role.EXPERT)))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("所选账号没有“评审专家”角色，请先由安全管理员授予该角色。")


@register
class ItemFitsItsAction(Rule):
    """新设 names the major to open and no existing offering; every other action names one of the
    school's own offerings; 合并 also names another of the school's offerings to merge into."""

    id = "SUB-D2"
    title = gettext_lazy("答辩专业须与拟采取措施相符")
    status = DATA
    severity = BLOCK
    model = SubmissionItem
    field = "offering"

    def observe(self, obj: Any) -> Any:
        school = obj.submission.school_id if obj.submission_id else None
        return {
            "action": obj.proposed_action,
            "offering_school": obj.offering.school_id if obj.offering_id else None,
            "new_major": obj.new_major_id,
            "merge_school": obj.merge_into.school_id if obj.merge_into_id else None,
            "same": bool(obj.merge_into_id and obj.merge_into_id == obj.offering_id),
            "school": school,
        }

    def observed_expr(self) -> Any:
        return JSONObject(action=F("proposed_action"), offering_school=F("offering__school_id"),
                          new_major=F("new_major_id"), merge_school=F("merge_into__school_id"),
                          same=_bool(Q(merge_into_id=F("offering_id"))), school=F("submission__school_id"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        o = observed
        if o["action"] == ProposedAction.OPEN:
            return o["new_major"] is None or o["offering_school"] is not None
        if o["offering_school"] is None or o["new_major"] is not None or o["offering_school"] != o["school"]:
            return True
        if o["action"] == ProposedAction.MERGE:
            return o["merge_school"] != o["school"] or bool(o["same"])
        return o["merge_school"] is not None

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        opening = Q(proposed_action=ProposedAction.OPEN)
        bad_open = opening & (Q(new_major__isnull=True) | Q(offering__isnull=False))
        bad_other = ~opening & (Q(offering__isnull=True) | Q(new_major__isnull=False)
                                | ~Q(offering__school_id=F("submission__school_id")))
        merging = Q(proposed_action=ProposedAction.MERGE)
        bad_merge = merging & (Q(merge_into__isnull=True) | ~Q(merge_into__school_id=F("submission__school_id"))
                               | Q(merge_into_id=F("offering_id")))
        bad_target = ~opening & ~merging & Q(merge_into__isnull=False)
        return bad_open | bad_other | bad_merge | bad_target

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("“新设”须选择拟新设专业且不选现有专业点；其他措施须选择本校的现有专业点；"
                 "“合并”还须选择本校另一个专业点作为并入专业点。")


def _conflicted(expert_path: str, school_path: str) -> Q:
    """The expert works at the school, or declared a conflict with it (REV-01, in SQL)."""
    declared = ConflictDeclaration._base_manager.filter(expert_id=OuterRef(f"{expert_path}_id"),
                                                        organisation_id=OuterRef(school_path))
    return Q(**{f"{expert_path}__organisation_id": F(school_path)}) | Q(Exists(declared))


@register
class NoReviewOfOwnOrConflicted(Rule):
    """回避: an expert is never assigned to (nor scores) a submission of their own organisation or of
    one they declared a conflict with."""

    id = "REV-01"
    title = gettext_lazy("评审专家回避本单位及申报回避的单位")
    citation = gettext_lazy("专业设置评审回避制度（各地专业设置管理办法通行规定）")
    status = SUPPORTED
    severity = BLOCK
    model = ExpertAssignment
    field = "expert"

    def observe(self, obj: Any) -> Any:
        if not (obj.expert_id and obj.submission_id):
            return False
        return obj.submission.school_id in obj.expert.conflicted_org_ids()

    def observed_expr(self) -> Any:
        return _bool(_conflicted("expert", "submission__school_id"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return bool(observed)

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return _conflicted("expert", "submission__school_id")

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("该专家须回避此学校（本人工作单位或已申报回避的单位），不能分配其评审。")


@register
class PointsWithinCriterion(Rule):
    id = "REV-02"
    title = gettext_lazy("评分须在该评分项的分值范围内")
    status = DATA
    severity = BLOCK
    model = Score
    field = "points"

    def observe(self, obj: Any) -> Any:
        return {"points": obj.points, "max": obj.criterion.max_points if obj.criterion_id else None}

    def observed_expr(self) -> Any:
        return JSONObject(points=F("points"), max=F("criterion__max_points"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        points, top = observed["points"], observed["max"]
        return points is not None and top is not None and not (0 <= float(points) <= float(top))

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return Q(points__lt=0) | Q(points__gt=F("criterion__max_points"))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        top = observed["max"]
        shown = "—" if top is None else f"{Decimal(str(top)).normalize():f}"
        return _("得分应在 0 至 %(max)s 分之间。") % {"max": shown}


@register
class ScoreBelongsToItsAssignment(Rule):
    """The item is of the assignment's submission, the criterion of its round, and the expert is not
    (any more) in conflict with the school."""

    id = "SCO-D1"
    title = gettext_lazy("评分须针对本人所分配申报的专业和该轮评分项")
    status = DATA
    severity = BLOCK
    model = Score
    field = "item"

    def observe(self, obj: Any) -> Any:
        if not (obj.assignment_id and obj.item_id and obj.criterion_id):
            return True
        a = obj.assignment
        return (obj.item.submission_id == a.submission_id and obj.criterion.round_id == a.submission.round_id
                and a.submission.school_id not in a.expert.conflicted_org_ids())

    def observed_expr(self) -> Any:
        return _bool(Q(item__submission_id=F("assignment__submission_id"))
                     & Q(criterion__round_id=F("assignment__submission__round_id"))
                     & ~_conflicted("assignment__expert", "assignment__submission__school_id"))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return not observed

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return (~Q(item__submission_id=F("assignment__submission_id"))
                | ~Q(criterion__round_id=F("assignment__submission__round_id"))
                | _conflicted("assignment__expert", "assignment__submission__school_id"))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("只能对分配给本人的答辩申报中的专业、按该轮评分标准评分，且须回避本单位及申报回避的单位。")


@register
class DecisionFitsItsItem(Rule):
    """A decision to open is for a proposed new major; every other decision is for an existing offering."""

    id = "DEC-D1"
    title = gettext_lazy("评审决定须与答辩专业相符")
    status = DATA
    severity = BLOCK
    model = Decision
    field = "action"

    def observe(self, obj: Any) -> Any:
        return {"action": obj.action, "new": bool(obj.item_id and obj.item.new_major_id)}

    def observed_expr(self) -> Any:
        return JSONObject(action=F("action"), new=_bool(Q(item__new_major__isnull=False)))

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return (observed["action"] == ProposedAction.OPEN) != bool(observed["new"])

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        opening = Q(action=ProposedAction.OPEN)
        return (opening & Q(item__new_major__isnull=True)) | (~opening & Q(item__new_major__isnull=False))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("“新设”只能用于拟新设的专业；现有专业点只能决定保留、做强、合并、暂停招生或撤销。")


# -- fit warnings (专业预警): asked by the fit analysis (layout/fit.py) on the ``fit`` event ----------------------
#
# ``on`` is the last day of the analysed year: the window is the ``years`` school years ending with it, and
# the thresholds are those in force that day. Each rule carries the rating it gives (红牌 red, 黄牌 amber).

FIT = "fit"
RED, AMBER = "red", "amber"
_MJ08 = gettext_lazy("某自治区2023年中职专业设置管理规定（policy-rules.md MJ-08，地方规定示例）")


def _window(p: dict[str, Any], on: dt.date) -> range:
    return range(on.year - int(p["years"]) + 1, on.year + 1)


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").replace("，", ",").replace("、", ",").split(",") if c.strip()]


def _enrolments(obj: Any) -> dict[int, int]:
    """Year → enrolment of the offering (fetched for a whole page by ``fit.prefetch``, else one query)."""
    cached = getattr(obj, "_fit_enrolments", None)
    if cached is not None:
        return dict(cached)
    return dict(OfferingYear._base_manager.filter(offering_id=obj.pk).values_list("year", "enrolled"))


ENABLED = Param("enabled", gettext_lazy("启用本条（是/否）"), default=True, kind="bool")


class FitRule(Rule):
    """A warning rule of the fit analysis. ``enabled`` is a parameter like the thresholds, so a rule pack
    (layout/rule_packs.py) switches rules on and off per jurisdiction; subclasses implement ``breaks``
    and ``breaks_q``."""

    events = (FIT,)
    model = Offering
    region_path = "school__region__code"
    rating: str = AMBER

    def violated(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return bool(p.get("enabled", True)) and self.breaks(observed, p, on)

    def violated_q(self, p: dict[str, Any], on: dt.date) -> Q:
        return self.breaks_q(p, on) if p.get("enabled", True) else Q(pk__in=[])

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        raise NotImplementedError

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        raise NotImplementedError


@register
class LowEnrolment(FitRule):
    """连续 N 年招生不足 M 人 → 调整对象 (MJ-08; exempt 大类/类/专业 codes, by default agriculture,
    health and arts)."""

    id = "MJ-08A"
    title = gettext_lazy("专业连续多年招生人数不足")
    citation = _MJ08
    status = LOCAL
    field = "status"
    rating = RED
    params = (ENABLED, Param("min_enrolment", gettext_lazy("每年最少招生人数"), default=30),
              Param("years", gettext_lazy("连续年数"), default=3),
              Param("exempt", gettext_lazy("豁免的专业大类/专业类/专业代码"), default="61,72,75", kind="text",
                    help=gettext_lazy("逗号分隔；默认豁免中职农林牧渔、医药卫生、文化艺术大类")))

    def observe(self, obj: Any) -> Any:
        return {"code": obj.major.code if obj.major_id else "", "enrolled": _enrolments(obj)}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        if any(observed["code"].startswith(c) for c in _codes(p["exempt"])):
            return False
        enrolled = observed["enrolled"]
        return all(y in enrolled and enrolled[y] < int(p["min_enrolment"]) for y in _window(p, on))

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        q = Q()
        for code in _codes(p["exempt"]):
            q &= ~Q(major__code__startswith=code)
        for year in _window(p, on):
            q &= Q(Exists(OfferingYear._base_manager.filter(offering_id=OuterRef("pk"), year=year,
                                                            enrolled__lt=int(p["min_enrolment"]))))
        return q

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("连续 %(years)s 年招生均不足 %(min)s 人，列为专业调整对象。") % {
            "years": p["years"], "min": p["min_enrolment"]}


@register
class NoEnrolment(FitRule):
    """连续 N 年未招生 → 须重新备案 (MJ-09: no national rule was confirmed; N configurable)."""

    id = "MJ-09"
    title = gettext_lazy("专业连续多年未招生")
    citation = gettext_lazy("各省专业设置管理办法通行做法（未查到全国统一规定，年限可配置）")
    status = UNVERIFIED
    field = "status"
    rating = RED
    params = (ENABLED, Param("years", gettext_lazy("连续未招生年数"), default=3))

    def observe(self, obj: Any) -> Any:
        return {"start_year": obj.start_year, "enrolled": _enrolments(obj)}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        window = _window(p, on)
        if observed["start_year"] > window[0]:
            return False  # not yet N years old: nothing to judge
        return not any(observed["enrolled"].get(y, 0) > 0 for y in window)

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        window = _window(p, on)
        enrolled = OfferingYear._base_manager.filter(offering_id=OuterRef("pk"), year__gte=window[0],
                                                     year__lte=window[-1], enrolled__gt=0)
        return Q(start_year__lte=window[0]) & ~Q(Exists(enrolled))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("连续 %(years)s 年未招生，恢复招生前须重新备案。") % {"years": p["years"]}


def _city_prefix(path: str) -> Substr:
    return Substr(OuterRef(path), 1, 4)


def _offering_schools() -> Subquery:
    """Schools of the offering's city offering the same major (live offerings)."""
    from chanjiao.layout.models import LIVE_OFFERING_STATUSES

    return Subquery(Offering._base_manager.filter(
        major_id=OuterRef("major_id"), status__in=LIVE_OFFERING_STATUSES,
        school__region__code__startswith=_city_prefix("school__region__code"))
        .order_by().values("major_id").annotate(n=Count("school_id", distinct=True)).values("n")[:1])


def _city_schools() -> Subquery:
    """Schools of the offering's city at the same level (中职 / 高职) — the denominator of 布点率."""
    return Subquery(School._base_manager.filter(
        region__code__startswith=_city_prefix("school__region__code"),
        school_level=OuterRef("school__school_level"))
        .order_by().values("school_level").annotate(n=Count("pk")).values("n")[:1])


@register
class Density(FitRule):
    """布点率 (the share of the city's schools of the same level offering the major) over the limit →
    no new filing of it (MJ-08). A city with fewer than ``min_schools`` such schools is not judged."""

    id = "MJ-08B"
    title = gettext_lazy("专业布点率过高")
    citation = _MJ08
    status = LOCAL
    field = "major"
    rating = AMBER
    params = (ENABLED, Param("max_rate", gettext_lazy("布点率上限（%）"), default=40, kind="decimal"),
              Param("min_schools", gettext_lazy("同层次学校少于此数时不判断"), default=3))

    def applies(self, obj: Any) -> bool:
        return bool(obj.major_id)

    def applies_q(self) -> Q:
        return Q(major__isnull=False)

    def observe(self, obj: Any) -> Any:
        from chanjiao.layout.models import LIVE_OFFERING_STATUSES

        cached = getattr(obj, "_fit_density", None)
        if cached is not None:
            return dict(cached)
        city = (obj.school.region.code if obj.school.region_id else "")[:4]
        offering = (Offering._base_manager.filter(major_id=obj.major_id, status__in=LIVE_OFFERING_STATUSES,
                                                  school__region__code__startswith=city)
                    .values("school_id").distinct().count()) if city else 0
        schools = (School._base_manager.filter(region__code__startswith=city,
                                               school_level=obj.school.school_level).count()) if city else 0
        return {"offering_schools": offering, "schools": schools}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        n, k = observed["schools"] or 0, observed["offering_schools"] or 0
        return n >= int(p["min_schools"]) and Decimal(k) * 100 > Decimal(str(p["max_rate"])) * n

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        # Two grouped counts (schools per city and level; schools offering each major per city and level),
        # compared here: a per-offering correlated count cost minutes at province scale (benchmarks/README).
        from chanjiao.layout.models import LIVE_OFFERING_STATUSES

        rate, least = Decimal(str(p["max_rate"])), int(p["min_schools"])
        schools = {(city, level): n for city, level, n in (
            School._base_manager.filter(kind="school", region__isnull=False)
            .annotate(city=Substr("region__code", 1, 4)).values_list("city", "school_level")
            .annotate(n=Count("pk")).order_by())}
        offered = (Offering._base_manager.filter(status__in=LIVE_OFFERING_STATUSES, major__isnull=False,
                                                 school__region__isnull=False)
                   .annotate(city=Substr("school__region__code", 1, 4))
                   .values_list("city", "school__school_level", "major_id")
                   .annotate(k=Count("school_id", distinct=True)).order_by())
        dense: dict[tuple[str, str], list[int]] = {}
        for city, level, major_id, k in offered:
            n = schools.get((city, level), 0)
            if n >= least and Decimal(k) * 100 > rate * n:
                dense.setdefault((city, level), []).append(major_id)
        q = Q(pk__in=[])  # one term per city and level, not per major: the condition stays short
        for (city, level), majors in dense.items():
            q |= Q(major_id__in=sorted(majors), school__school_level=level, school__region__code__startswith=city)
        return q

    def observed_expr(self) -> Any:
        return JSONObject(offering_schools=_offering_schools(), schools=_city_schools())

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        n, k = observed["schools"] or 0, observed["offering_schools"] or 0
        rate = Decimal(k * 100) / n if n else Decimal(0)
        return _("全市 %(n)s 所同层次学校中有 %(k)s 所开设该专业，布点率 %(rate)s%%，"
                 "超过 %(max)s%%，不宜新增布点。") % {
            "n": n, "k": k, "rate": f"{rate:.1f}", "max": p["max_rate"]}


def _years_with(p: dict[str, Any], on: dt.date, condition: Q) -> Q:
    """Each year of the window has a row of the offering meeting ``condition`` (one EXISTS per year)."""
    q = Q()
    for year in _window(p, on):
        q &= Q(Exists(OfferingYear._base_manager.filter(condition, offering_id=OuterRef("pk"), year=year)))
    return q


def _rows(obj: Any) -> dict[int, dict[str, int | None]]:
    """Year → the figures the rules read (fetched for a whole page by ``fit.prefetch``, else one query)."""
    cached = getattr(obj, "_fit_rows", None)
    if cached is not None:
        return dict(cached)
    return {y: {"planned": planned, "enrolled": enrolled, "graduates": graduates, "employed": employed}
            for y, planned, enrolled, graduates, employed in OfferingYear._base_manager.filter(offering_id=obj.pk)
            .values_list("year", "planned_enrolment", "enrolled", "graduates", "employed")}


@register
class LowEmployment(FitRule):
    """教育部《关于做好2012年全国普通高等学校毕业生就业工作的通知》（2011年底）：对就业率连续两年低于
    60%的专业，调减招生计划直至停招 — reported by 人民日报 (赵婀娜); the notice's own text was not retrieved.
    Off nationally: a rule pack switches it on."""

    id = "EMP-60"
    title = gettext_lazy("专业毕业去向落实率连续两年偏低")
    citation = gettext_lazy("教育部《关于做好2012年全国普通高等学校毕业生就业工作的通知》（据人民日报报道）")
    status = SUPPORTED
    field = "status"
    rating = AMBER
    params = (Param("enabled", gettext_lazy("启用本条（是/否）"), default=False, kind="bool"),
              Param("min_rate", gettext_lazy("最低毕业去向落实率（%）"), default=60, kind="decimal"),
              Param("years", gettext_lazy("连续年数"), default=2))

    def observe(self, obj: Any) -> Any:
        return {"rows": _rows(obj)}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        rate = Decimal(str(p["min_rate"]))
        rows = observed["rows"]
        return all(y in rows and (rows[y]["graduates"] or 0) > 0
                   and Decimal(rows[y]["employed"] or 0) * 100 < rate * rows[y]["graduates"]
                   for y in _window(p, on))

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        rate = Decimal(str(p["min_rate"]))
        low = Q(graduates__gt=0) & Q(LessThan(F("employed") * Value(100), F("graduates") * Value(rate)))
        return _years_with(p, on, low)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("毕业去向落实率连续 %(years)s 年低于 %(rate)s%%，应调减招生计划直至停招。") % {
            "years": p["years"], "rate": p["min_rate"]}


@register
class UnderPlan(FitRule):
    """吉林市教育局（2013年中职招生工作）：对连续两年招生不足计划30%或不足一个教学班的专业，下一年将撤销该
    专业招生资格 — as reproduced online; the size of a 教学班 is the city's own standard (a parameter)."""

    id = "JL-01"
    title = gettext_lazy("专业连续两年招生不足计划30%或不足一个教学班")
    citation = gettext_lazy("吉林市教育局2013年中等职业学校招生工作要求（网络转载）")
    status = LOCAL
    field = "status"
    rating = RED
    params = (Param("enabled", gettext_lazy("启用本条（是/否）"), default=False, kind="bool"),
              Param("min_share", gettext_lazy("最低完成招生计划比例（%）"), default=30, kind="decimal"),
              Param("class_size", gettext_lazy("一个教学班人数"), default=30),
              Param("years", gettext_lazy("连续年数"), default=2))

    def observe(self, obj: Any) -> Any:
        return {"rows": _rows(obj)}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        share, size = Decimal(str(p["min_share"])), int(p["class_size"])
        rows = observed["rows"]

        def short(r: dict[str, Any]) -> bool:
            under_plan = r["planned"] is not None and Decimal(r["enrolled"] or 0) * 100 < share * r["planned"]
            return under_plan or (r["enrolled"] or 0) < size

        return all(y in rows and short(rows[y]) for y in _window(p, on))

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        share, size = Decimal(str(p["min_share"])), int(p["class_size"])
        under = (Q(planned_enrolment__isnull=False)
                 & Q(LessThan(F("enrolled") * Value(100), F("planned_enrolment") * Value(share))))
        return _years_with(p, on, under | Q(enrolled__lt=size))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("连续 %(years)s 年招生不足计划的 %(share)s%% 或不足一个教学班（%(size)s 人），"
                 "下一年撤销招生资格。") % {
            "years": p["years"], "share": p["min_share"], "size": p["class_size"]}


def fit_crosswalk(on: dt.date) -> Any:
    """The crosswalk version the fit rules map majors by: the one in force for the region the platform
    serves (a bureau's own published version, else the platform's default)."""
    from django.conf import settings

    from chanjiao.layout.crosswalk import in_force

    return in_force(settings.DEPLOYMENT_REGION, on)


def pillar_groups(version: Any) -> dict[str, Any]:
    """Per region code of a group with pillar industries: what the crosswalk ``version`` maps onto one of
    that group's pillars (a ``crosswalk.PillarMap``; the groups, pillars and crosswalk: four queries)."""
    from chanjiao.layout import crosswalk
    from chanjiao.orgs.models import PillarIndustry

    pillars = list(PillarIndustry._base_manager.filter(group__region__isnull=False)
                   .values_list("pk", "group__region__code").order_by("pk"))
    mapping = crosswalk.pillar_mapping(crosswalk.codes_of([PillarIndustry(pk=pk) for pk, _code in pillars]), version)
    groups: dict[str, Any] = {}
    for pk, code in pillars:
        groups[code] = groups[code].union(mapping[pk]) if code in groups else mapping[pk]
    return groups


def _mapped_to_a_pillar(groups: dict[str, Any]) -> Q:
    """The offering's major reaches a pillar industry of a group whose region contains its school."""
    q = Q(pk__in=[])
    for code, mapped in groups.items():
        q |= Q(school__region__code__startswith=code) & mapped.q()
    return q


@register
class NoPillarIndustry(FitRule):
    """A major the crosswalk maps onto none of its city's pillar industries (the city has some): it serves
    no industry the city builds on — a question for the review, not a verdict."""

    id = "FIT-01"
    title = gettext_lazy("专业未对接本地百亿产业")
    citation = gettext_lazy("专业与产业匹配分析（平台规则，按所用专业产业对照表判断）")
    status = LOCAL
    field = "major"
    rating = AMBER
    params = (ENABLED,)

    def applies(self, obj: Any) -> bool:
        return bool(obj.major_id)

    def applies_q(self) -> Q:
        return Q(major__isnull=False)

    def observe(self, obj: Any) -> Any:
        from django.utils import timezone

        from chanjiao.layout import crosswalk
        from chanjiao.orgs.models import PillarIndustry

        cached = getattr(obj, "_fit_pillars", None)  # fit.prefetch: a page at once
        if cached is not None:
            return dict(cached)
        code = obj.school.region.code if obj.school.region is not None else ""
        pillars = [p for p in PillarIndustry._base_manager.filter(group__region__isnull=False)
                   .select_related("group__region")
                   if p.group.region is not None and code.startswith(p.group.region.code)]
        mapping = crosswalk.pillar_mapping(crosswalk.codes_of(pillars), fit_crosswalk(timezone.localdate()))
        mapped = [p.name for p in pillars if obj.major_id in mapping[p.pk].majors]
        return {"city_pillars": len(pillars), "mapped": mapped}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        return observed["city_pillars"] > 0 and not observed["mapped"]

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        from django.utils import timezone

        # The groups' regions and their mapped majors are catalogue-sized: computed once, then the
        # condition is a few region prefixes and major lists (a correlated join over regions cost seconds).
        groups = pillar_groups(fit_crosswalk(timezone.localdate()))
        in_a_group = Q(pk__in=[])
        for code in groups:
            in_a_group |= Q(school__region__code__startswith=code)
        return in_a_group & ~_mapped_to_a_pillar(groups)

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("按所用专业产业对照表，该专业未对接本市任何百亿产业。")


def _enrolled_in(year_of: int) -> Subquery:
    return Subquery(OfferingYear._base_manager.filter(offering_id=OuterRef("pk"), year=year_of).values("enrolled")[:1])


@register
class DemandFallsSupplyRises(FitRule):
    """The enterprises of the city declare less demand for the major's 专业类 than the year before, while
    the offering enrols more: supply moving against demand."""

    id = "FIT-02"
    title = gettext_lazy("企业需求下降而招生增加")
    citation = gettext_lazy("专业与产业匹配分析（平台规则，按企业填报的用人需求判断）")
    status = LOCAL
    field = "major"
    rating = AMBER
    params = (ENABLED, Param("min_fall", gettext_lazy("需求下降幅度不低于（%）"), default=10, kind="decimal"))

    def applies(self, obj: Any) -> bool:
        return bool(obj.major_id)

    def applies_q(self) -> Q:
        return Q(major__isnull=False)

    def observe(self, obj: Any) -> Any:
        cached = getattr(obj, "_fit_demand", None)  # fit.prefetch: a page at once
        if cached is not None:
            return {"demand": dict(cached), "enrolled": _enrolments(obj)}
        city = (obj.school.region.code if obj.school.region is not None else "")[:4]
        demand = dict(DeclaredDemand._base_manager.filter(class_code=obj.major.class_code,
                                                          enterprise__region__code__startswith=city)
                      .values_list("year").annotate(n=Sum("headcount")).order_by()) if city else {}
        return {"demand": demand, "enrolled": _enrolments(obj)}

    def breaks(self, observed: Any, p: dict[str, Any], on: dt.date) -> bool:
        y = on.year
        demand, enrolled = observed["demand"], observed["enrolled"]
        before, now = demand.get(y - 1) or 0, demand.get(y) or 0
        fall = Decimal(str(p["min_fall"]))
        if before <= 0 or Decimal(now) * 100 > (100 - fall) * before:
            return False
        return y in enrolled and y - 1 in enrolled and enrolled[y] > enrolled[y - 1]

    def breaks_q(self, p: dict[str, Any], on: dt.date) -> Q:
        # The (city, 专业类) whose demand fell, from one grouped statement; then the offerings of those
        # whose enrolment rose (an indexed look-up per offering and year).
        y, fall = on.year, Decimal(str(p["min_fall"]))
        sums: dict[tuple[str, str], dict[int, int]] = {}
        for city, class_code, year, n in (
                DeclaredDemand._base_manager.filter(year__in=(y - 1, y), enterprise__region__isnull=False)
                .exclude(class_code="").annotate(city=Substr("enterprise__region__code", 1, 4))
                .values_list("city", "class_code", "year").annotate(n=Sum("headcount")).order_by()):
            sums.setdefault((city, class_code), {})[year] = n
        falling: dict[str, list[str]] = {}
        for (city, class_code), by_year in sums.items():
            before, now = by_year.get(y - 1, 0), by_year.get(y, 0)
            if before > 0 and Decimal(now) * 100 <= (100 - fall) * before:
                falling.setdefault(city, []).append(class_code)
        q = Q(pk__in=[])  # one term per city
        for city, classes in falling.items():
            q |= Q(major__class_code__in=sorted(classes), school__region__code__startswith=city)
        return q & Q(GreaterThan(_enrolled_in(y), _enrolled_in(y - 1)))

    def message(self, observed: Any, p: dict[str, Any]) -> str:
        return _("本市企业对该专业类的用人需求较上年下降 %(fall)s%% 以上，而该专业点招生增加。") % {
            "fall": p["min_fall"]}
