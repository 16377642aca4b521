"""AU-04: audit retention — purge only what is past retention, never younger than 183 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from chanjiao.core.management.commands.purge_audit import purge_audit_events
from chanjiao.core.models import AuditEvent


def insert_event(age_days: int, action: str) -> None:
    # Raw INSERT: the ORM stamps created_at with now(), and rows are never updated afterwards.
    created = timezone.now() - timedelta(days=age_days)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (created_at, category, action, outcome, actor_username, actor_roles,"
            " request_id, user_agent, source, object_type, object_id, object_repr, changes, message)"
            " VALUES (%s, 'data', %s, 'success', '', '', '', '', 'test', '', '', '', %s, '')",
            [created, action, "{}"],
        )


@pytest.mark.django_db
def test_it_purges_only_events_past_retention() -> None:
    insert_event(500, "old")
    insert_event(300, "middle")
    insert_event(100, "recent")

    assert purge_audit_events(days=400) == 1

    remaining = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"middle", "recent"} <= remaining and "old" not in remaining
    assert AuditEvent.objects.filter(action="audit_purge").count() == 1  # the purge itself is logged


@pytest.mark.django_db
def test_it_never_purges_events_younger_than_the_legal_minimum() -> None:
    insert_event(200, "past-minimum")
    insert_event(100, "within-minimum")

    deleted = purge_audit_events(days=10)  # asks for 10 days; the floor is 183

    assert deleted == 1
    assert AuditEvent.objects.filter(action="within-minimum").exists()


@pytest.mark.django_db
def test_the_command_reports_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    insert_event(450, "old")
    call_command("purge_audit")
    assert "已清理审计事件 1 条" in capsys.readouterr().out
