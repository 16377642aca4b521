"""AU-03/AU-07: the audit table cannot be emptied, and its events are hash-chained (``verify_audit``)."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from chanjiao.core import audit
from chanjiao.core.management.commands.purge_audit import purge_audit_events
from chanjiao.core.management.commands.verify_audit import verify_chain
from chanjiao.core.models import AuditEvent
from chanjiao.orgs.models import School
from tests.factories import SchoolFactory

POSTGRES = connection.vendor == "postgresql"


def tamper(sql: str, params: list[Any] | None = None) -> None:
    """Change the table behind the application's back, as a database superuser would."""
    with connection.cursor() as cursor:
        if POSTGRES:
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cursor.execute(sql, params or [])
        if POSTGRES:
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def some_events(n: int = 3) -> list[AuditEvent]:
    for i in range(n):
        SchoolFactory(name=f"链测试学校{i}")
    return list(AuditEvent.objects.order_by("id"))


@pytest.mark.django_db
def test_every_event_is_chained_to_the_one_before() -> None:
    events = some_events()
    assert events[0].prev_hash == ""
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash and len(after.hash) == 64
    assert "审计日志哈希链完整：共校验 3 条事件" in verify()


@pytest.mark.django_db
def test_a_row_changed_by_raw_sql_is_reported_as_the_first_broken_event() -> None:
    events = some_events()
    tamper("UPDATE core_auditevent SET object_repr = 'forged' WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"第一条异常事件 ID {events[1].pk}（") as raised:
        verify()
    assert "内容与哈希不符" in str(raised.value)


@pytest.mark.django_db
def test_a_row_whose_hash_was_recomputed_without_the_key_breaks_the_link() -> None:
    # The superuser rewrites content and a fresh hash of their own; the next event no longer links.
    events = some_events()
    tamper("UPDATE core_auditevent SET action = 'delete', hash = %s WHERE id = %s", ["0" * 64, events[1].pk])
    report = verify_chain()
    assert report.broken_id == events[1].pk


@pytest.mark.django_db
def test_a_deleted_row_in_the_middle_is_detected_at_the_next_event() -> None:
    events = some_events()
    tamper("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
    report = verify_chain()
    assert (report.broken_id, report.intact) == (events[2].pk, False)
    assert "链接不符" in report.reason


@pytest.mark.django_db
def test_a_row_inserted_by_raw_sql_is_detected() -> None:
    some_events(2)
    tamper("INSERT INTO core_auditevent (created_at, category, action, outcome, actor_username, actor_roles,"
           " request_id, user_agent, source, object_type, object_id, object_repr, changes, message)"
           " VALUES (%s, 'data', 'create', 'success', '', '', '', '', 'web', '', '', 'fake', '{}', '')",
           [timezone.now()])
    report = verify_chain()
    assert not report.intact
    assert report.broken_id == AuditEvent.objects.get(object_repr="fake").pk


@pytest.mark.django_db
def test_bulk_written_events_are_chained_too() -> None:
    schools = [SchoolFactory(name=f"批量学校{i}") for i in range(3)]  # 3 events one by one
    schools = list(School.objects.filter(name__startswith="批量学校").order_by("pk"))
    assert audit.record_bulk("update", schools) == 3  # 3 more in one bulk INSERT / COPY
    report = verify_chain()
    assert report.intact and report.checked == 6
    bulk_ids = list(AuditEvent.objects.filter(action="update").order_by("id").values_list("id", flat=True))
    tamper("UPDATE core_auditevent SET changes = %s WHERE id = %s", ['{"name": [null, "x"]}', bulk_ids[2]])
    assert verify_chain().broken_id == bulk_ids[2]


@pytest.mark.django_db
def test_a_retention_purge_leaves_a_verifiable_chain_and_other_deletions_do_not() -> None:
    old = timezone.now() - timedelta(days=500)
    for i in range(3):
        AuditEvent(created_at=old + timedelta(minutes=i), category="data", action="create", source="web",
                   object_repr=f"旧事件{i}").save()
    SchoolFactory(name="新事件学校")
    assert purge_audit_events(days=400) == 3
    purge = AuditEvent.objects.get(action="audit_purge")
    first = AuditEvent.objects.order_by("id").first()
    assert first.prev_hash == purge.changes["anchor_hash"] != ""
    assert "完整" in verify()

    # The oldest remaining row deleted without a purge: the chain no longer starts at an anchor.
    tamper("DELETE FROM core_auditevent WHERE id = %s", [first.pk])
    report = verify_chain()
    assert not report.intact and "不是按保留期限清理的" in report.reason


@pytest.mark.django_db
def test_a_savepoint_rollback_leaves_no_gap_in_the_chain() -> None:
    SchoolFactory(name="回滚前")
    with transaction.atomic():
        try:
            with transaction.atomic():
                SchoolFactory(name="回滚的")
                raise RuntimeError
        except RuntimeError:
            pass
        SchoolFactory(name="回滚后")
    assert verify_chain().intact


@pytest.mark.skipif(not POSTGRES, reason="the append-only triggers exist on PostgreSQL only")
@pytest.mark.django_db
def test_truncate_is_refused_and_the_rows_remain() -> None:
    SchoolFactory()
    count = AuditEvent.objects.count()
    assert count > 0
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic(), connection.cursor() as cursor:
        # As in production: no session asked for the test suite's flush exception (tests/conftest.py).
        cursor.execute("SET LOCAL chanjiao.audit_truncate = 'off'")
        cursor.execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == count


@pytest.mark.skipif(not POSTGRES, reason="two real writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_keep_one_chain() -> None:
    # Each thread has its own connection; both write events in transactions at the same time.
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            barrier.wait()
            for i in range(15):
                with transaction.atomic():
                    audit.record_security("export", message=f"{tag}-{i}")
                    audit.record_security("export", message=f"{tag}-{i}-b")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(tag,)) for tag in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = verify_chain()
    assert report.intact and report.checked == 60
