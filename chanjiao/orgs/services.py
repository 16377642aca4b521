"""Domain operations on organisations and the group: merging duplicates, the enterprise timeline,
re-election (换届) and the end of memberships. Views and the API call these; they hold no rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from chanjiao.core import audit
from chanjiao.core.rules import enforce
from chanjiao.core.scoping import get_scope, unscoped
from chanjiao.orgs.models import (
    BoardSeat,
    BoardTerm,
    CommitteeMembership,
    Contact,
    Enterprise,
    GuidanceMember,
    Organisation,
    OrgKind,
    VocationalGroup,
)

# ------------------------------------------------------------------------------------- merge


# Fields copied from the duplicate when the kept record has them empty.
_MERGE_FILL = ("short_name", "uscc", "industry_id", "region_id", "address", "website", "size", "ownership",
               "headcount", "headcount_date")


def _relations_to_organisation() -> list[Any]:
    """Every reverse relation to Organisation, including hidden ones (``related_name="+"``) and
    those of apps added later — found from the model registry, never listed by hand."""
    return [f for f in Organisation._meta.get_fields(include_hidden=True)
            if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)]


def _move_row(row: models.Model, field_name: str, keep: Organisation) -> bool:
    """Point ``row`` at ``keep``; False when an identical link already exists there (unique clash)."""
    setattr(row, field_name, keep)
    try:
        with transaction.atomic():
            row.save(update_fields=[field_name])
    except IntegrityError:
        return False
    return True


def merge_enterprises(keep: Organisation, duplicate: Organisation, user: Any) -> dict[str, int]:
    """Merge ``duplicate`` into ``keep``: every link moves, the duplicate is deleted, one transaction.

    Returns the number of links moved per relation (``app.model.field``). A link that already exists
    on the kept side (a unique constraint) is dropped as redundant — and counted under ``…:dropped``.
    """
    scope = get_scope(user)
    if not scope.writes_all:
        raise PermissionDenied(_("只有教育局或职教集团秘书处可以合并企业。"))
    if keep.pk == duplicate.pk:
        raise ValidationError(_("不能把企业与自身合并。"))
    if keep.kind != OrgKind.ENTERPRISE or duplicate.kind != OrgKind.ENTERPRISE:
        raise ValidationError(_("只能合并两家企业。"))
    ctx = audit.current_context()
    moved: dict[str, int] = {}
    # Keep the request id of the surrounding request so the merge reads as one action in the log.
    keep_ids = {"request_id": ctx.request_id} if ctx.request_id else {}
    # Only the global writers get here (checked above); they reach every row the merge moves.
    with audit.audit_context(user=user, source=ctx.source, **keep_ids), transaction.atomic(), \
            unscoped("a merge by a global writer moves every row of the duplicate"):
        keep = Organisation.objects.select_for_update().get(pk=keep.pk)
        duplicate = Organisation.objects.select_for_update().get(pk=duplicate.pk)
        for rel in _relations_to_organisation():
            if rel.many_to_many:
                _merge_m2m(rel, keep, duplicate, moved)
                continue
            field = rel.field
            key = f"{audit.object_label(rel.related_model)}.{field.name}"
            for row in rel.related_model._base_manager.filter(**{field.name: duplicate.pk}):
                if _move_row(row, field.name, keep):
                    moved[key] = moved.get(key, 0) + 1
                else:
                    row.delete()
                    moved[f"{key}:dropped"] = moved.get(f"{key}:dropped", 0) + 1
        dup_values = {name: getattr(duplicate, name) for name in _MERGE_FILL}
        dup_label = {"id": duplicate.pk, "name": duplicate.name, "uscc": duplicate.uscc}
        duplicate.delete()
        for name, value in dup_values.items():
            if value not in (None, "") and getattr(keep, name) in (None, ""):
                setattr(keep, name, value)
        keep.save()
        audit.record_security(
            "enterprise_merge", obj=keep,
            message=_("企业合并：“%(dup)s”（ID %(dup_id)s）并入“%(keep)s”（ID %(keep_id)s）")
            % {"dup": dup_label["name"], "dup_id": dup_label["id"], "keep": keep.name, "keep_id": keep.pk},
            details={"kept": {"id": keep.pk, "name": keep.name, "uscc": keep.uscc}, "duplicate": dup_label,
                     "moved": moved},
        )
    return moved


def _merge_m2m(rel: Any, keep: Organisation, duplicate: Organisation, moved: dict[str, int]) -> None:
    through = rel.through
    fk = next(f for f in through._meta.fields
              if f.is_relation and f.related_model._meta.concrete_model is Organisation
              and f.remote_field.model is not rel.related_model)
    key = f"{audit.object_label(rel.related_model)}.{rel.field.name}"
    for row in through._base_manager.filter(**{fk.name: duplicate.pk}):
        if _move_row(row, fk.name, keep):
            moved[key] = moved.get(key, 0) + 1
        else:
            row.delete()


# ---------------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineEntry:
    """One interaction of an organisation with the platform, for the detail page timeline."""

    date: dt.date | None
    kind: str
    title: str
    detail: str = ""
    url: str = ""


TimelineSource = Callable[[Organisation, Any], Iterable[TimelineEntry]]
# Later stages (events, agreements, order classes …) append their own source here.
timeline_sources: list[TimelineSource] = []


def timeline_source(func: TimelineSource) -> TimelineSource:
    timeline_sources.append(func)
    return func


@timeline_source
def _committee_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    rows = CommitteeMembership.objects.visible_to(user).filter(organisation=org).select_related("committee")
    for m in rows:
        yield TimelineEntry(m.joined, _("产学合作委员会"), _("加入%(c)s（%(r)s）") % {"c": m.committee,
                                                                               "r": m.get_role_display()},
                            m.person_name, m.committee.get_absolute_url())
        if m.left:
            yield TimelineEntry(m.left, _("产学合作委员会"), _("退出%(c)s") % {"c": m.committee}, m.note,
                                m.committee.get_absolute_url())


@timeline_source
def _guidance_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    rows = GuidanceMember.objects.visible_to(user).filter(organisation=org).select_related("committee__school")
    for m in rows:
        yield TimelineEntry(m.joined, _("专业教学指导委员会"),
                            _("%(p)s 任%(c)s%(r)s") % {"p": m.person_name, "c": m.committee, "r": m.get_role_display()},
                            m.person_title, m.committee.get_absolute_url())
        if m.left:
            yield TimelineEntry(m.left, _("专业教学指导委员会"), _("%(p)s 退出%(c)s") % {"p": m.person_name,
                                                                                   "c": m.committee})


@timeline_source
def _board_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    rows = BoardSeat.objects.visible_to(user).filter(organisation=org).select_related("term__group")
    for s in rows:
        yield TimelineEntry(s.term.start_date, _("理事会"), _("%(t)s %(r)s") % {"t": s.term, "r": s.get_role_display()},
                            s.person_name, s.get_absolute_url())


@timeline_source
def _contact_entries(org: Organisation, user: Any) -> Iterable[TimelineEntry]:
    for c in Contact.objects.visible_to(user).filter(organisation=org):
        yield TimelineEntry(c.created_at.date(), _("联系人"), _("登记联系人 %(n)s") % {"n": c.name}, c.title,
                            c.get_absolute_url())


def enterprise_timeline(org: Organisation, user: Any) -> list[TimelineEntry]:
    """Everything the platform knows the organisation took part in, newest first, as ``user`` may see it."""
    entries = [e for source in timeline_sources for e in source(org, user)]
    return sorted(entries, key=lambda e: (e.date or dt.date.min, e.kind), reverse=True)


# --------------------------------------------------------------------------- terms and members


def start_board_term(group: VocationalGroup, *, number: int, start_date: dt.date,
                     elected_at: dt.date | None = None, note: str = "") -> BoardTerm:
    """换届: close the running term the day before ``start_date`` and open term ``number``.

    The old term's seats stay as they were (history); committee memberships are untouched —
    a re-election changes the board, not who belongs to which committee.
    """
    with transaction.atomic():
        for term in BoardTerm.objects.filter(group=group, end_date__isnull=True).exclude(number=number):
            term.end_date = start_date - dt.timedelta(days=1)
            term.save()
        term, _created = BoardTerm.objects.get_or_create(
            group=group, number=number,
            defaults={"start_date": start_date, "elected_at": elected_at or start_date, "note": note})
    return term


def end_membership(membership: CommitteeMembership | GuidanceMember, left: dt.date, note: str = "") -> None:
    """End a membership by date; the row stays so the committee's history can be read back."""
    if membership.left is not None:
        return
    membership.left = left
    try:
        enforce(membership)  # MEM-D1 and any other rule of the model (orgs/rules.py)
    except ValidationError:
        membership.left = None
        raise
    if note and hasattr(membership, "note"):
        membership.note = note
    membership.save()


def change_committee_role(membership: CommitteeMembership, role: str, on: dt.date) -> CommitteeMembership:
    """A new role is a new period: the old row ends the day before, a new row starts on ``on``."""
    with transaction.atomic():
        end_membership(membership, on - dt.timedelta(days=1))
        return CommitteeMembership.objects.create(committee=membership.committee, organisation=membership.organisation,
                                                  role=role, person_name=membership.person_name, joined=on)


__all__ = ["Enterprise", "TimelineEntry", "change_committee_role", "end_membership", "enterprise_timeline",
           "merge_enterprises", "start_board_term", "timeline_source"]
