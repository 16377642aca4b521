"""AU-03: on PostgreSQL the audit table refuses UPDATE and DELETE.

The retention purge (AU-04) is the one exception: it runs ``SET LOCAL chanjiao.audit_purge = 'on'``
inside its transaction and may then delete rows older than the minimum retention.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('chanjiao.audit_purge', true) = 'on'
       AND OLD.created_at < now() - interval '183 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '审计日志只允许追加，禁止修改或删除 (audit log is append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
