"""Personal values of events sealed by salted digests, so that they can be erased (dossiers.erasure)
without breaking the hash chain. Events already stored keep scheme 1 — they are not re-hashed: the
chain is never rewritten silently (docs/privacy.md). Events written from now on use scheme 2.

On PostgreSQL the append-only trigger gains one narrow exception: the SECURITY DEFINER function
`motcua_event_personal_erase(event, erasure)` — owned by the tables' owner, the role this migration
runs as — replaces the personal values of one event by "(đã xóa)" and drops their salts, only when
a `personal_data_erased` event of the same dossier, later in its chain, lists that event. Nothing
else may update an event; nothing may delete one."""

from django.db import migrations, models

ERASED = "(đã xóa)"

FORWARD = f"""
CREATE OR REPLACE FUNCTION motcua_event_log_append_only() RETURNS trigger AS $$
BEGIN
    -- The one exception: motcua_event_personal_erase (running as the table's owner) rewriting the
    -- payload and personal columns of the event it announced, nothing else.
    IF TG_OP = 'UPDATE'
       AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
       AND current_setting('motcua.erasing_event', true) = OLD.id::text
       AND (to_jsonb(NEW) - 'payload' - 'personal') = (to_jsonb(OLD) - 'payload' - 'personal')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'dossiers_dossierevent is append-only (nhật ký hồ sơ chỉ được ghi thêm)';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION motcua_event_personal_erase(p_event bigint, p_erasure bigint)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    target dossiers_dossierevent%ROWTYPE;
    erasure dossiers_dossierevent%ROWTYPE;
    entry jsonb;
    new_payload jsonb;
    new_personal jsonb := '[]'::jsonb;
BEGIN
    SELECT * INTO target FROM dossiers_dossierevent WHERE id = p_event FOR UPDATE;
    SELECT * INTO erasure FROM dossiers_dossierevent WHERE id = p_erasure;
    IF target.id IS NULL OR erasure.id IS NULL OR erasure.kind <> 'personal_data_erased'
       OR erasure.dossier_id <> target.dossier_id OR erasure.seq <= target.seq
       OR NOT coalesce(erasure.payload -> 'erased_events', '[]'::jsonb) @> to_jsonb(target.seq)
    THEN
        RAISE EXCEPTION 'no erasure record names event % (không có bản ghi xóa)', p_event;
    END IF;
    IF target.scheme < 2 THEN
        RAISE EXCEPTION 'event % is sealed by scheme 1: its values cannot be erased', p_event;
    END IF;
    new_payload := target.payload;
    FOR entry IN SELECT value FROM jsonb_array_elements(target.personal) LOOP
        new_payload := jsonb_set(
            new_payload,
            ARRAY(SELECT step FROM jsonb_array_elements_text(entry -> 'path')
                  WITH ORDINALITY AS p(step, n) ORDER BY n),
            to_jsonb('{ERASED}'::text),
            false
        );
        new_personal := new_personal || jsonb_build_array(entry || '{{"salt": null}}'::jsonb);
    END LOOP;
    PERFORM set_config('motcua.erasing_event', target.id::text, true);
    UPDATE dossiers_dossierevent SET payload = new_payload, personal = new_personal
        WHERE id = target.id;
    PERFORM set_config('motcua.erasing_event', '', true);
    RETURN jsonb_array_length(target.personal);
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS motcua_event_personal_erase(bigint, bigint);
CREATE OR REPLACE FUNCTION motcua_event_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossiers_dossierevent is append-only (nhật ký hồ sơ chỉ được ghi thêm)';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)  # plpgsql uses %


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_audit_ops_event_hash_chain")]

    operations = [
        # Existing events read as scheme 1 (the database default: their hashes seal the values as
        # they are); every event the application writes from now on is scheme 2.
        migrations.AddField(
            model_name="dossierevent",
            name="personal",
            field=models.JSONField(
                blank=True, db_default=models.Value("[]"), default=list, editable=False
            ),
        ),
        migrations.AddField(
            model_name="dossierevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(
                db_default=1, default=2, editable=False, verbose_name="phiên bản niêm phong"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
