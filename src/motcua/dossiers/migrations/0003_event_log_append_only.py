"""On PostgreSQL the event log refuses UPDATE and DELETE at the database itself, so not even a
QuerySet.update() or a hand-typed SQL statement can rewrite history. (SQLite relies on the model's
guard; its triggers would also block the test-suite's table flushes.)"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION motcua_event_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossiers_dossierevent is append-only (nhật ký hồ sơ chỉ được ghi thêm)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossierevent_append_only
    BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION motcua_event_log_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS dossierevent_append_only ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS motcua_event_log_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_digitization_facts")]

    operations = [migrations.RunPython(forward, backward)]
