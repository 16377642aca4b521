"""AU-07: verify the audit hash chain; exit non-zero naming the first broken event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from chanjiao.core import audit
from chanjiao.core.models import AuditEvent


@dataclass
class ChainReport:
    checked: int = 0
    head_id: int | None = None
    head_hash: str = ""
    broken_id: int | None = None
    broken_at: Any = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify_chain() -> ChainReport:
    """Walk the events in id order: each hash must match its content and link to the one before.

    The oldest remaining event links either to nothing (the chain's start) or to the anchor a
    retention purge recorded (``audit_purge`` event, ``anchor_hash``): a purged prefix is accepted,
    a prefix deleted any other way is not.
    """
    report = ChainReport()
    first: AuditEvent | None = None
    anchors: set[str] = set()
    prev: str | None = None
    fields = ("id", "prev_hash", "hash", *audit.HASHED_FIELDS)
    for event in AuditEvent.objects.order_by("id").only(*fields).iterator(chunk_size=2000):
        report.checked += 1
        if first is None:
            first = event
        elif event.prev_hash != prev:
            return _broken(report, event, _("与前一事件的链接不符（前一事件被修改、删除或插入）"))
        if not event.hash or not audit.hash_matches(event):
            return _broken(report, event, _("内容与哈希不符（事件被修改）"))
        if event.action == "audit_purge" and isinstance(event.changes, dict) and event.changes.get("anchor_hash"):
            anchors.add(str(event.changes["anchor_hash"]))
        prev = event.hash
        report.head_id, report.head_hash = event.id, event.hash
    if first is not None and first.prev_hash and first.prev_hash not in anchors:
        return _broken(report, first, _("最早的事件之前有事件被删除，且不是按保留期限清理的"))
    return report


def _broken(report: ChainReport, event: AuditEvent, reason: str) -> ChainReport:
    report.broken_id, report.broken_at, report.reason = event.id, event.created_at, reason
    return report


class Command(BaseCommand):
    help = "校验审计日志哈希链（AU-07）：发现篡改时以非零状态退出，并指出第一条异常事件"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.intact:
            when = timezone.localtime(report.broken_at).strftime("%Y-%m-%d %H:%M:%S")
            message = _("审计日志哈希链已损坏：第一条异常事件 ID %(id)s（%(time)s）：%(reason)s。共校验 %(n)d 条。")
            raise CommandError(message % {"id": report.broken_id, "time": when, "reason": report.reason,
                                          "n": report.checked})
        self.stdout.write(_("审计日志哈希链完整：共校验 %(n)d 条事件。") % {"n": report.checked})
        if report.head_id is not None:
            # Keep the head somewhere else (a ticket, the backup log): events cut off the end can
            # only be noticed against a head recorded earlier.
            head = {"id": report.head_id, "hash": report.head_hash}
            self.stdout.write(_("链头：事件 ID %(id)s，哈希 %(hash)s") % head)
