"""AU-04: purge audit events past retention — never younger than the legal minimum of 183 days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from chanjiao.core import audit
from chanjiao.core.models import AuditEvent


def purge_audit_events(days: int | None = None) -> int:
    """Delete events older than ``days`` (at least the legal minimum); returns how many."""
    keep_days = max(days or settings.AUDIT_RETENTION_DAYS, settings.AUDIT_MIN_RETENTION_DAYS)
    cutoff = timezone.now() - timedelta(days=keep_days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The append-only trigger lets this one transaction delete old rows.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL chanjiao.audit_purge = 'on'")
        # The prefix before the first event that is still young (id order = chain order), so
        # what remains is an unbroken chain; its anchor — the last purged event's hash — is kept
        # in the purge event for ``verify_audit``.
        first_kept = AuditEvent.objects.filter(created_at__gte=cutoff).order_by("id").values_list("id", flat=True)
        prefix = AuditEvent.objects.filter(created_at__lt=cutoff)
        if first_kept.first() is not None:
            prefix = prefix.filter(id__lt=first_kept.first())
        last = prefix.order_by("-id").values("id", "hash").first()
        deleted, _ = prefix.delete()
        details = {"before": cutoff.isoformat(), "deleted": deleted}
        if last is not None:
            details |= {"anchor_id": last["id"], "anchor_hash": last["hash"]}
        audit.record_security("audit_purge", details=details)
    return deleted


class Command(BaseCommand):
    help = "按保留期限清理审计日志（不少于183天）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=None)

    def handle(self, *args: Any, days: int | None, **options: Any) -> None:
        with audit.audit_context(source="command:purge_audit"):
            deleted = purge_audit_events(days)
        self.stdout.write(f"已清理审计事件 {deleted} 条。")
