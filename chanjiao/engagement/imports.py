"""Spreadsheet imports of the matching cycle (issue #9 point 10): events and their participants,
agreements with their parties, visits, teacher enterprise practice and order classes.

Organisations are named by their codes (学校标识码, 统一社会信用代码), committees and departments by
name, majors by catalog code; lists of parties, co-hosts, majors or visitors go in one cell
("市商务局、市农业农村局"). Two cells together name an event (活动名称 + 活动日期) and a teacher
(学校标识码 + 工号): ``PairColumn`` below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chanjiao.core.imports import Column, ImportResult, cell_text, code_text, parse_date, parse_int
from chanjiao.core.imports.importer import LOOKUP_BATCH, PREVIEW_ROWS
from chanjiao.core.imports.lookups import linked_ids
from chanjiao.core.imports.preview import build_preview
from chanjiao.core.roles import Role
from chanjiao.core.scoping import get_scope, unscoped
from chanjiao.engagement.models import (
    Agreement,
    CooperationForm,
    Event,
    EventParticipation,
    OrderClass,
    TeacherPractice,
    Visit,
    practice_days,
)
from chanjiao.engagement.services import recount_practice_days
from chanjiao.orgs.imports import AMBIGUOUS, ORG_CODE, ReferencingImporter, _lookup_all
from chanjiao.orgs.models import Department, Teacher

_SCHOOL_HELP = gettext_lazy("教育部学校标识码，10 位数字")
_USCC_HELP = gettext_lazy("企业的 18 位统一社会信用代码")
_ORG_CODE_HELP = gettext_lazy("学校填 10 位学校标识码，其他单位填 18 位统一社会信用代码")


@dataclass
class PairColumn(Column):
    """One of two cells that together name a related row: 活动名称 + 活动日期 → an event,
    学校标识码 + 工号 → a teacher. Both columns are bound to the same foreign key; ``fk`` is the
    related model's lookup path this cell holds ("school__school_code"); ``read`` parses the cell."""

    read: Callable[[Any], Any] = cell_text

    def bind(self, model: type[models.Model]) -> None:
        super().bind(model)
        self.fk_text = self.read  # a title keeps its spaces and case, a date is a date


def _follow(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = None if obj is None else getattr(obj, part)
    return obj


class EngagementImporter(ReferencingImporter):
    """Pair columns, many-to-many lists resolved by the importer itself, and row checks after the
    foreign keys are known (``check_resolved``)."""

    # Messages for a pair that names nothing: (first cell unknown, second cell unknown for that first).
    pair_missing: tuple[Any, Any] = ("", "")  # str or lazy text

    # -- values as the spreadsheet holds them ---------------------------------------------------
    def fk_code(self, column: Column, obj: Any) -> str:
        if isinstance(column, PairColumn):
            value = _follow(obj, column.fk or "")
            return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
        return super().fk_code(column, obj)

    def export_rows(self, queryset: QuerySet[Any]) -> Iterable[list[Any]]:
        # The pair cells read through the foreign key (teacher → school): joined once, not per row.
        deeper = {f"{c.field}__{(c.fk or '').rsplit('__', 1)[0]}" for c in self.columns
                  if isinstance(c, PairColumn) and "__" in (c.fk or "")}
        return super().export_rows(queryset.select_related(*deeper) if deeper else queryset)

    def _custom(self, column: Column) -> bool:
        # Names (committees) may be shared by two groups' committees: say so instead of picking one.
        return super()._custom(column) or (column.fk == "name" and not column.many)

    # -- resolution -----------------------------------------------------------------------------
    def _own_slots(self) -> set[int]:
        """Slots this importer resolves itself (pairs, lists that need more than one lookup field)."""
        return {slot for slot, (_i, c) in enumerate(self._plan) if isinstance(c, PairColumn)}

    def _resolve_foreign_keys(self, rows: list[Any], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        own = self._own_slots()
        super()._resolve_foreign_keys(rows, {s: c for s, c in fk_codes.items() if s not in own}, result)
        self._resolve_pairs(rows, result)
        self.resolve_lists(rows, {s: c for s, c in fk_codes.items() if s in own}, result)

    def resolve_lists(self, rows: list[Any], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        """Many-to-many columns this importer resolves itself (after the other foreign keys)."""

    def _resolve_pairs(self, rows: list[Any], result: ImportResult) -> None:
        pairs: dict[str, list[tuple[int, Column]]] = {}
        for slot, (_i, column) in enumerate(self._plan):
            if isinstance(column, PairColumn):
                pairs.setdefault(column.field, []).append((slot, column))
        for field, members in pairs.items():
            (first_slot, first), (second_slot, second) = members
            related = first.model_field.related_model
            manager = related._default_manager
            visible = manager.visible_to(self.user)
            named = [r for r in rows if r.values[first_slot] not in (None, "")
                     and r.values[second_slot] not in (None, "")]
            firsts = {r.values[first_slot] for r in named}
            seconds = {r.values[second_slot] for r in named}
            found = self._pair_lookup(visible, first, second, firsts, seconds)
            editable = (self._pair_lookup(self.owner_targets(first), first, second, firsts, seconds)
                        if field in self.owner_fields else found)
            known_firsts = {a for a, _b in found}
            # A first cell naming rows the uploader cannot see (another school's teachers): "no right", not
            # "does not exist" — which rows exist decides the message only; nothing of them is shown.
            unseen = firsts - known_firsts
            with unscoped("whether a refused code names rows at all, for the message"):
                hidden = set(related._base_manager.filter(**{f"{first.fk}__in": unseen})
                             .values_list(first.fk or "", flat=True)) if unseen else set()
            complete = {id(r) for r in named}
            for row in rows:
                pair = (row.values[first_slot], row.values[second_slot])
                pk = None
                if id(row) in complete:
                    pk = editable.get(pair)
                    if pk is None or pk is AMBIGUOUS:
                        if found.get(pair) is AMBIGUOUS:
                            self._error(result, row.number, second, pair[1],
                                        _("对应多条%(model)s记录，无法确定") % {"model": related._meta.verbose_name})
                        elif pair in found:
                            self._error(result, row.number, second, pair[1],
                                        _("您无权为该%(model)s导入数据") % {"model": related._meta.verbose_name})
                        elif pair[0] in hidden:
                            self._error(result, row.number, first, pair[0],
                                        _("您无权为该%(model)s导入数据") % {"model": related._meta.verbose_name})
                        elif pair[0] not in known_firsts:
                            self._error(result, row.number, first, pair[0], str(self.pair_missing[0]))
                        else:
                            self._error(result, row.number, second, pair[1], str(self.pair_missing[1]))
                        pk = None
                row.values[first_slot] = row.values[second_slot] = pk

    @staticmethod
    def _pair_lookup(queryset: QuerySet[Any], first: Column, second: Column, firsts: set[Any],
                     seconds: set[Any]) -> dict[tuple[Any, Any], Any]:
        found: dict[tuple[Any, Any], Any] = {}
        ordered = list(firsts)
        for start in range(0, len(ordered), LOOKUP_BATCH):
            chunk = ordered[start:start + LOOKUP_BATCH]
            for a, b, pk in queryset.filter(**{f"{first.fk}__in": chunk, f"{second.fk}__in": seconds}) \
                    .values_list(first.fk or "", second.fk or "", "pk"):
                found[(a, b)] = AMBIGUOUS if (a, b) in found and found[(a, b)] != pk else pk
        return found

    def _resolve_many_by(self, rows: list[Any], slot: int, mapping: Callable[[Any, Any], Any],
                         missing: Callable[[Any], str], result: ImportResult) -> None:
        """A list cell whose codes ``mapping(row, code)`` turns into pks (None: unknown, AMBIGUOUS)."""
        column = self._plan[slot][1]
        for row in rows:
            pks = set()
            for code in row.values[slot] or ():
                pk = mapping(row, code)
                if pk is AMBIGUOUS:
                    self._error(result, row.number, column, code, _("名称对应多条记录，无法确定"))
                elif pk is None:
                    self._error(result, row.number, column, code, missing(code))
                else:
                    pks.add(pk)
            row.values[slot] = frozenset(pks)

    # -- checks once the foreign keys are known ---------------------------------------------------
    def _check_rules(self, rows: list[Any], result: ImportResult) -> None:
        super()._check_rules(rows, result)
        failed = {e.row for e in result.errors}
        clean = [r for r in rows if r.number not in failed]
        if clean:
            by_field = {c.field: slot for slot, (_i, c) in enumerate(self._plan)}
            for row, header, value, reason in self.check_resolved(clean, by_field):
                self._error(result, row.number, header, value, reason)

    def check_resolved(self, rows: list[Any], slots: dict[str, int]) -> list[tuple[Any, str, Any, str]]:
        """Checks that need the resolved rows: [(row, column header, value, reason)]."""
        return []

    def header(self, field: str) -> str:
        return next(c.header for c in self.columns if c.field == field)


# --- events ------------------------------------------------------------------------------------------


def _department_names(user: Any, names: set[str]) -> dict[str, Any]:
    """name or short name → department pk (AMBIGUOUS when a short name is shared)."""
    visible = Department.objects.visible_to(user)
    found: dict[str, Any] = dict(_lookup_all(visible, "name", names))
    for short, pk in _lookup_all(visible, "short_name", names - set(found)):
        found[short] = AMBIGUOUS if short in found and found[short] != pk else pk
    return found


class EventImporter(EngagementImporter):
    """校企对接活动 by (活动名称, 日期); the committee by name, co-hosting departments by name or short name."""

    model = Event
    key = ("title", "date")
    columns = [
        Column("活动类型", "kind", required=True, example="职业校企行"),
        Column("活动名称", "title", required=True, example="2019年智能制造职业校企行"),
        Column("日期", "date", required=True, help=gettext_lazy("日期，如 2019-06-18"), example="2019-06-18"),
        Column("地点", "place", example="宜昌市职教中心报告厅"),
        Column("主办产学合作委员会", "committee", required=True, fk="name",
               help=gettext_lazy("委员会全称，如 智能制造产学合作委员会"), example="智能制造产学合作委员会"),
        Column("联合主办行业主管部门", "co_hosts", fk="name",
               help=gettext_lazy("部门全称或简称；可填多个，用顿号“、”或逗号分隔"), example="市商务局、市农业农村局"),
        Column("开展一次政策宣讲", "policy_briefing", help=gettext_lazy("是 / 否"), example="是"),
        Column("组织企业观摩一次技能竞赛", "skills_show", help=gettext_lazy("是 / 否"), example="否"),
        Column("召开一次深度对接研讨会", "seminar", help=gettext_lazy("是 / 否"), example="是"),
        Column("活动成果", "outcome"),
    ]
    instructions = [gettext_lazy("以“活动名称、日期”识别同一活动：再次导入会更新其地点、成果等信息。"),
                    gettext_lazy("“签署一批协议”“成立一批联盟”由登记在该活动下的协议和联盟证明，不在此填写。"),
                    gettext_lazy("产学合作委员会负责人只能导入本人所负责委员会的活动。")]

    def owner_targets(self, column: Column) -> QuerySet[Any]:
        # A leader files events for the committees it runs, which it does not edit (Event.committee_targets).
        return Event.committee_targets(self.user)

    def _own_slots(self) -> set[int]:
        return super()._own_slots() | {s for s, (_i, c) in enumerate(self._plan) if c.field == "co_hosts"}

    def resolve_lists(self, rows: list[Any], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        for slot, codes in fk_codes.items():
            found = _department_names(self.user, codes)

            def pick(_row: Any, code: Any, found: dict[str, Any] = found) -> Any:
                return found.get(code)

            def missing(code: Any) -> str:
                return _("名称不存在（%(model)s）") % {"model": Department._meta.verbose_name}

            self._resolve_many_by(rows, slot, pick, missing, result)


def _event_columns() -> list[Column]:
    return [
        PairColumn("活动名称", "event", required=True, fk="title",
                   help=gettext_lazy("与“日期”一起确定活动，须与活动列表中的名称一致"),
                   example="2019年智能制造校企合作座谈会"),
        PairColumn("活动日期", "event", required=True, fk="date", read=parse_date,
                   help=gettext_lazy("活动日期，如 2019-05-20"), example="2019-05-20"),
    ]


class EventParticipationImporter(EngagementImporter):
    """活动参与单位 by (活动, 单位): the event by its title and date, the organisation by 单位代码."""

    model = EventParticipation
    key = ("event", "organisation")
    columns = [
        *_event_columns(),
        Column("单位代码", "organisation", required=True, fk=ORG_CODE, help=_ORG_CODE_HELP,
               example="91410100MA9000001M"),
        Column("受邀", "invited", help=gettext_lazy("是 / 否；不填为是"), example="是"),
        Column("出席", "attended", help=gettext_lazy("是 / 否"), example="是"),
        Column("出席人数", "attendees", help=gettext_lazy("整数；未出席的单位不填"), example="2"),
        Column("出席人员", "people", example="张经理、李工程师"),
    ]
    instructions = [gettext_lazy("以“活动名称、活动日期、单位代码”识别同一条参与记录；活动须已登记。"),
                    gettext_lazy("产学合作委员会负责人只能导入本人所负责委员会活动的参与单位。")]
    pair_missing = (gettext_lazy("活动不存在（请核对活动名称）"), gettext_lazy("该日期不存在此名称的活动"))
    # 未出席不能填写出席人数: rule ENG-D1 (engagement/rules.py), checked per row by the engine.


# --- agreements ----------------------------------------------------------------------------------------

_FORM_LABELS = {str(label): value for value, label in CooperationForm.choices}
_FORM_ORDER = [value for value, _label in CooperationForm.choices]
_FORM_SEPARATORS = "；;\n"  # the labels themselves hold 、 and ，


def parse_forms(value: Any) -> list[str]:
    """合作形式 (SC-02): labels separated by “；” or line breaks → their values, in the catalogue's order."""
    text = cell_text(value)
    for separator in _FORM_SEPARATORS[1:]:
        text = text.replace(separator, _FORM_SEPARATORS[0])
    chosen = set()
    for part in (p.strip() for p in text.split(_FORM_SEPARATORS[0])):
        if not part:
            continue
        if part not in _FORM_LABELS:
            raise ValueError(_("“%(v)s”不是可选的合作形式（可选：%(c)s；多个用分号“；”分隔）")
                             % {"v": part[:40], "c": "；".join(_FORM_LABELS)})
        chosen.add(_FORM_LABELS[part])
    return [v for v in _FORM_ORDER if v in chosen]


# An agreement is between schools and enterprises (LAW-01): the form's messages.
_NO_SCHOOL = gettext_lazy("协议须至少有一所学校作为签约方。")
_NO_ENTERPRISE = gettext_lazy("协议须至少有一家企业作为签约方。")


class AgreementImporter(EngagementImporter):
    """校企合作协议 by 协议编号; a row without a number is the agreement of the same kind, start date and
    parties (the form's duplicate rule), so re-importing it changes nothing. New rows are drafts: the
    status moves only through the workflow."""

    model = Agreement
    key = ("number",)
    columns = [
        Column("协议编号", "number", help=gettext_lazy("各方约定的编号；没有编号的协议以类型、开始日期和签约方识别"),
               example="YC-XQ-2019-001"),
        Column("协议名称", "title", required=True, example="智能制造专业校企深度合作协议"),
        Column("协议类型", "kind", required=True, example="深度合作协议"),
        Column("学校标识码", "schools", fk="school_code",
               help=gettext_lazy("签约学校的 10 位学校标识码；可填多个，用顿号“、”或逗号分隔"), example="4141000001"),
        Column("企业统一社会信用代码", "enterprises", fk="uscc",
               help=gettext_lazy("签约企业的 18 位统一社会信用代码；可填多个，用顿号“、”或逗号分隔"),
               example="91410100MA9000001M"),
        Column("所属产学合作委员会", "committee", fk="name", help=gettext_lazy("委员会全称，可不填"),
               example="智能制造产学合作委员会"),
        Column("涉及专业代码", "majors", fk="code",
               help=gettext_lazy("职业教育专业目录代码；可填多个，用顿号“、”或逗号分隔"), example="460103"),
        Column("合作形式", "forms", parse=parse_forms,
               help=gettext_lazy("《职业学校校企合作促进办法》所列合作形式的全称，多个用分号“；”分隔"),
               example=str(CooperationForm.MAJORS.label)),
        Column("企业接收实习", "hosts_interns", help=gettext_lazy("是 / 否"), example="否"),
        Column("签署日期", "signed_on", help=gettext_lazy("日期，如 2019-05-20"), example="2019-05-20"),
        Column("开始日期", "start", required=True, help=gettext_lazy("日期，如 2019-06-01"), example="2019-06-01"),
        Column("结束日期", "end", help=gettext_lazy("日期，长期有效的不填"), example="2022-05-31"),
        Column("预期成果", "expected_outcomes"),
        Column("已取得成果", "achieved_outcomes"),
    ]
    instructions = [
        gettext_lazy("以“协议编号”识别同一协议；没有编号的，以“协议类型、开始日期、签约学校和企业”识别。"),
        gettext_lazy("同类型、同开始日期、同签约方的协议只能登记一份。新导入的协议为“草拟”状态，签署、履行等请在协议页面办理。"),
        gettext_lazy("学校管理员、企业联系人只能导入本单位作为签约方的协议。"),
    ]

    def clean_row(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        errors = []
        if not values.get("schools"):
            errors.append((self.header("schools"), str(_NO_SCHOOL)))
        if not values.get("enterprises"):
            errors.append((self.header("enterprises"), str(_NO_ENTERPRISE)))
        return errors
    # 结束日期不能早于开始日期: rule AGR-D1; SC-03 warns only (engagement/rules.py).

    def _cell(self, column: Column, value: Any) -> Any:
        if column.field == "forms":
            labels = {v: str(label) for v, label in CooperationForm.choices}
            return "；".join(labels.get(v, str(v)) for v in value or ()) or None
        return super()._cell(column, value)

    # -- the same agreement, by kind, start and parties ------------------------------------------
    def _identities(self, rows: list[Any]) -> dict[tuple[Any, ...], list[tuple[Any, ...]]]:
        """Every stored agreement of a kind and start in ``rows``, by (kind, start, schools, enterprises):
        [(pk, number, title, full record aligned with the plan)]."""
        slots = {c.field: s for s, (_i, c) in enumerate(self._plan)}
        kinds = {r.values[slots["kind"]] for r in rows}
        starts = {r.values[slots["start"]] for r in rows}
        attnames = [c.attname for _i, c in self._plan if not c.many]
        many = [(s, c) for s, (_i, c) in enumerate(self._plan) if c.many]
        # Over every agreement, seen or not: a duplicate is one whoever recorded it (services.duplicate_agreement).
        with unscoped("a duplicate agreement is refused whoever recorded the first one"):
            records = list(Agreement._base_manager.filter(kind__in=kinds, start__in=starts)
                           .values_list("pk", "title", *attnames))
        pks = [r[0] for r in records]
        schools = linked_ids(Agreement._meta.get_field("schools"), pks)
        enterprises = linked_ids(Agreement._meta.get_field("enterprises"), pks)
        links = {s: linked_ids(c.model_field, pks) for s, c in many}
        result: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for record in records:
            pk, title, values = record[0], record[1], iter(record[2:])
            full = (pk, *(links[s][pk] if s in links else next(values) for s in range(len(self._plan))))
            number = full[1 + slots["number"]]
            identity = (full[1 + slots["kind"]], full[1 + slots["start"]], schools[pk], enterprises[pk])
            result.setdefault(identity, []).append((pk, number, title, full))
        return result

    def _identity(self, row: Any) -> tuple[Any, ...] | None:
        slots = {c.field: s for s, (_i, c) in enumerate(self._plan)}
        if "schools" not in slots or "enterprises" not in slots:
            return None
        values = row.values
        return (values[slots["kind"]], values[slots["start"]], values[slots["schools"]] or frozenset(),
                values[slots["enterprises"]] or frozenset())

    def _match_existing(self, rows: list[Any], key_slots: list[int], result: ImportResult) -> None:
        super()._match_existing(rows, key_slots, result)
        slot = key_slots[0]
        failed = {e.row for e in result.errors}
        loose = [r for r in rows if r.pk is None and not r.values[slot] and r.number not in failed]
        if not loose:
            return
        stored = self._identities(loose)
        candidates = {pk for records in stored.values() for pk, number, _t, _f in records if not number}
        editable = set(Agreement.objects.editable_by(self.user).filter(pk__in=candidates)
                       .values_list("pk", flat=True)) if candidates else set()
        changed_before = []
        for row in loose:
            identity = self._identity(row)
            same = [rec for rec in stored.get(identity, ()) if not rec[1]] if identity else []
            if len(same) != 1:
                continue  # none: a new agreement; a numbered twin is refused in check_resolved
            pk, _number, _title, full = same[0]
            if pk not in editable:
                self._error(result, row.number, self._plan[slot][1], "", _("该记录不在您的管理范围内，无权修改"))
                continue
            row.pk = pk
            attnames = [c.attname for _i, c in self._plan]
            row.changed = tuple(a for i, a in enumerate(attnames) if not _same(row.values[i], full[1 + i]))
            if row.changed:
                changed_before.append((row, full[1:]))
        result.created = sum(1 for r in rows if r.pk is None)
        result.updated = sum(1 for r in rows if r.changed)
        result.unchanged = sum(1 for r in rows if r.pk is not None and not r.changed)
        if not result.error_count:
            old = result.preview.get("changed", []) if result.preview else []
            preview = build_preview(self, [r for r in rows if r.pk is None][:PREVIEW_ROWS],
                                    changed_before[:PREVIEW_ROWS])
            preview["changed"] = sorted(old + preview["changed"], key=lambda c: c["row"])[:PREVIEW_ROWS]
            result.preview = preview

    def check_resolved(self, rows: list[Any], slots: dict[str, int]) -> list[tuple[Any, str, Any, str]]:
        errors: list[tuple[Any, str, Any, str]] = []
        # The uploader's own organisation is a party (a school admin or enterprise contact).
        scope = get_scope(self.user)
        if not scope.writes_all:
            own = scope.orgs(Role.SCHOOL_ADMIN, Role.ENTERPRISE_CONTACT)
            for row in rows:
                parties = set(row.values[slots["schools"]] or ()) | set(row.values[slots["enterprises"]] or ())
                if not parties & own:
                    errors.append((row, self.header("schools"), "",
                                   _("签约方须包括您所在的单位，您无权为其他单位导入协议")))
        stored = self._identities(rows)
        first: dict[tuple[Any, ...], Any] = {}
        for row in rows:
            identity = self._identity(row)
            if identity is None:
                continue
            twin = next((rec for rec in stored.get(identity, ()) if rec[0] != row.pk), None)
            column = self.header("kind")
            if twin is not None:
                errors.append((row, column, "", _("已登记过相同的协议（同类型、同开始日期、同签约方）：%(title)s。")
                               % {"title": twin[2]}))
            elif identity in first:
                errors.append((row, column, "", _("与第 %(row)d 行是相同的协议（同类型、同开始日期、同签约方）")
                               % {"row": first[identity].number}))
            else:
                first[identity] = row
        return errors


def _same(new: Any, old: Any) -> bool:
    from chanjiao.core.imports.lookups import same

    return same(new, old)


# --- visits ----------------------------------------------------------------------------------------------


class VisitImporter(EngagementImporter):
    """走访企业 by (学校, 企业, 走访日期); the visitors by 工号 among the school's own teachers."""

    model = Visit
    key = ("school", "enterprise", "date")
    columns = [
        Column("学校标识码", "school", required=True, fk="school_code", help=_SCHOOL_HELP, example="4141000001"),
        Column("企业统一社会信用代码", "enterprise", required=True, fk="uscc", help=_USCC_HELP,
               example="91410100MA9000001M"),
        Column("走访日期", "date", required=True, help=gettext_lazy("日期，如 2019-04-10"), example="2019-04-10"),
        Column("走访目的", "purpose", required=True, example="了解企业用工需求"),
        Column("走访成果", "outcome", example="达成订单班合作意向"),
        Column("后续跟进", "follow_up", example="6 月前拟订订单培养协议"),
        Column("跟进截止日期", "follow_up_by", help=gettext_lazy("日期，如 2019-06-30"), example="2019-06-30"),
        Column("走访教师工号", "visitors", fk="employee_no",
               help=gettext_lazy("本校教师的工号；可填多个，用顿号“、”或逗号分隔"), example="T2019001、T2019002"),
    ]
    instructions = [gettext_lazy("以“学校标识码、企业统一社会信用代码、走访日期”识别同一次走访。"),
                    gettext_lazy("走访教师须为本校教师，按工号填写。学校管理员只能导入本校的走访记录。")]

    def _own_slots(self) -> set[int]:
        return super()._own_slots() | {s for s, (_i, c) in enumerate(self._plan) if c.field == "visitors"}

    def resolve_lists(self, rows: list[Any], fk_codes: dict[int, set[str]], result: ImportResult) -> None:
        school_slot = next(s for s, (_i, c) in enumerate(self._plan) if c.field == "school")
        for slot, codes in fk_codes.items():
            schools = {r.values[school_slot] for r in rows if r.values[school_slot] is not None}
            found: dict[tuple[Any, str], Any] = {}
            if schools and codes:
                teachers = Teacher.objects.visible_to(self.user).filter(school_id__in=schools, employee_no__in=codes)
                found = {(s, no): pk for s, no, pk in teachers.values_list("school_id", "employee_no", "pk")}
            # A row whose school is unknown (reported on its own cell) has no teachers to look among.
            for row in rows:
                if row.values[school_slot] is None:
                    row.values[slot] = frozenset()

            def pick(row: Any, code: Any, found: dict[tuple[Any, str], Any] = found) -> Any:
                return found.get((row.values[school_slot], code))

            def missing(code: Any) -> str:
                return _("本校不存在工号为 %(no)s 的教师（走访教师须为本校教师）") % {"no": code}

            self._resolve_many_by(rows, slot, pick, missing, result)


# --- teacher enterprise practice ---------------------------------------------------------------------------


class TeacherPracticeImporter(EngagementImporter):
    """教师企业实践 by (教师, 企业, 开始日期); the teacher by 学校标识码 + 工号. The bulk write skips
    ``save()``: ``days`` is derived per row and ``counted_days`` recounted for the teachers written."""

    model = TeacherPractice
    key = ("teacher", "enterprise", "start")
    columns = [
        PairColumn("学校标识码", "teacher", required=True, fk="school__school_code", read=code_text,
                   help=_SCHOOL_HELP, example="4141000001"),
        PairColumn("工号", "teacher", required=True, fk="employee_no", help=gettext_lazy("教师在本校的工号"),
                   example="T2019001"),
        Column("实践企业统一社会信用代码", "enterprise", required=True, fk="uscc", help=_USCC_HELP,
               example="91410100MA9000001M"),
        Column("开始日期", "start", required=True, help=gettext_lazy("日期，如 2019-07-01"), example="2019-07-01"),
        Column("结束日期", "end", required=True, help=gettext_lazy("日期，如 2019-08-31"), example="2019-08-31"),
        Column("实践形式", "form", required=True, example="在企业生产和管理岗位兼职或任职"),
        Column("实践内容", "content", example="数控加工工艺与质量管理"),
        Column("岗前实践", "pre_service", help=gettext_lazy("是 / 否"), example="否"),
        Column("企业鉴定", "appraisal", example="良好"),
        Column("企业鉴定意见", "appraisal_note"),
    ]
    instructions = [gettext_lazy("以“学校标识码、工号、实践企业、开始日期”识别同一条实践记录。"),
                    gettext_lazy("同一教师时间重叠的实践记录，重叠的天数只计一次。学校管理员只能导入本校教师的实践记录。")]
    pair_missing = (gettext_lazy("学校标识码不存在或该校没有教师"), gettext_lazy("该校不存在此工号的教师"))
    # 结束日期不能早于开始日期: rule PRA-D1 (engagement/rules.py), checked per row by the engine.

    def derived(self, values: dict[str, Any]) -> dict[str, Any]:
        return {"days": practice_days(values.get("start"), values.get("end"))}

    def after_write(self, created: list[models.Model], updated: list[models.Model]) -> None:
        # counted_days depends on the teacher's other records: recounted once for every teacher written.
        recount_practice_days({obj.teacher_id for obj in [*created, *updated]})  # type: ignore[attr-defined]


# --- order classes -----------------------------------------------------------------------------------------


class OrderClassImporter(EngagementImporter):
    """订单班 by (学校, 开班年度, 班级名称); the agreement by its number."""

    model = OrderClass
    key = ("school", "cohort_year", "name")
    columns = [
        Column("学校标识码", "school", required=True, fk="school_code", help=_SCHOOL_HELP, example="4141000001"),
        Column("班级名称", "name", required=True, example="宜昌智造订单班"),
        Column("开班年度", "cohort_year", required=True, parse=parse_int(2000, 2100),
               help=gettext_lazy("四位年份，如 2019"), example="2019"),
        Column("订单企业统一社会信用代码", "enterprise", required=True, fk="uscc", help=_USCC_HELP,
               example="91410100MA9000001M"),
        Column("专业代码", "major", required=True, fk="code", help=gettext_lazy("职业教育专业目录代码，如 460103"),
               example="460103"),
        Column("计划人数", "planned", help=gettext_lazy("整数，不小于 0"), example="40"),
        Column("在读人数", "enrolled", help=gettext_lazy("整数，不小于 0"), example="38"),
        Column("订单培养协议编号", "agreement", fk="number", help=gettext_lazy("本校签署的协议的编号，可不填"),
               example="YC-DD-2019-001"),
        Column("企业导师", "mentors", help=gettext_lazy("姓名、职务，一行一位")),
        Column("毕业人数", "graduates", help=gettext_lazy("整数，尚未毕业的不填"), example="36"),
        Column("订单企业录用人数", "hired", help=gettext_lazy("整数"), example="30"),
        Column("一年后仍在岗人数", "retained", help=gettext_lazy("整数"), example="25"),
    ]
    instructions = [gettext_lazy("以“学校标识码、开班年度、班级名称”识别同一订单班。"),
                    gettext_lazy("毕业人数不能多于在读人数，录用人数不能多于毕业人数，一年后仍在岗人数不能多于录用人数。"),
                    gettext_lazy("学校管理员只能导入本校的订单班。")]
    # 在读 ≥ 毕业 ≥ 录用 ≥ 留任: rule ORD-D1 (engagement/rules.py), checked per row by the engine.

    def check_resolved(self, rows: list[Any], slots: dict[str, int]) -> list[tuple[Any, str, Any, str]]:
        if "agreement" not in slots:
            return []
        named = [r for r in rows if r.values[slots["agreement"]] is not None]
        if not named:
            return []
        # The agreement's parties include the row's school (OrderClass.clean): one query on the links.
        through = Agreement.schools.through
        pairs = set(through.objects.filter(
            agreement_id__in={r.values[slots["agreement"]] for r in named},
            school_id__in={r.values[slots["school"]] for r in named}).values_list("agreement_id", "school_id"))
        return [(r, self.header("agreement"), "", _("所选协议的签约方须包括本校。")) for r in named
                if (r.values[slots["agreement"]], r.values[slots["school"]]) not in pairs]


__all__ = ["AgreementImporter", "EventImporter", "EventParticipationImporter", "OrderClassImporter", "PairColumn",
           "TeacherPracticeImporter", "VisitImporter", "parse_forms"]
