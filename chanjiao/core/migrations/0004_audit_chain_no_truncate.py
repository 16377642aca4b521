"""AU-03 + AU-07: the audit table refuses TRUNCATE too, and its events are hash-chained.

* A statement-level trigger refuses ``TRUNCATE core_auditevent`` (row triggers never see a
  TRUNCATE). The one exception is a superuser session that set ``chanjiao.audit_truncate = 'on'``:
  the test suite's flush between transactional tests. A superuser could disable the trigger anyway,
  and the application role (see docs/deployment.md) is no superuser, so this opens nothing.
* ``prev_hash``/``hash`` columns; existing events are chained here, in id order, so that
  ``manage.py verify_audit`` checks the whole table from the first row.
"""

from django.db import migrations, models
from django.utils import timezone

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('chanjiao.audit_truncate', true) = 'on'
       AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '审计日志只允许追加，禁止清空 (audit log is append-only: TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_no_truncate();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_no_truncate();
"""


def chain_existing(apps, schema_editor):
    from chanjiao.core import audit

    AuditEvent = apps.get_model("core", "AuditEvent")
    connection = schema_editor.connection
    if not AuditEvent.objects.exists():
        return
    if connection.vendor == "postgresql":
        # The migration runs as the table's owner: the one moment rows may be filled in.
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    prev = ""
    batch = []
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        prev = audit.seal(event, prev)
        batch.append(event)
        if len(batch) >= 2000:
            AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "ip"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["prev_hash", "hash", "ip"])
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_importjob")]
    operations = [
        migrations.AlterField(
            model_name="auditevent", name="created_at",
            field=models.DateTimeField(db_index=True, default=timezone.now, verbose_name="时间"),
        ),
        migrations.AddField(
            model_name="auditevent", name="prev_hash",
            field=models.CharField(blank=True, db_default="", default="", max_length=64, verbose_name="前一事件哈希"),
        ),
        migrations.AddField(
            model_name="auditevent", name="hash",
            field=models.CharField(blank=True, db_default="", default="", max_length=64, verbose_name="哈希"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.RunPython(forward, backward),
    ]
