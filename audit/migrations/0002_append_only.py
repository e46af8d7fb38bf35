"""The trail is append-only in the database itself (issue 7 §8), on PostgreSQL: a trigger
refuses every UPDATE and DELETE of auditlog's LogEntry and of SecurityEvent, but one: setting
the actor / user to NULL, which is what deleting that user's account does (SET_NULL), so an
account can still be deleted; the row keeps the username or e-mail it recorded.

TRUNCATE is left to the table owner (test databases are flushed with it); keeping the
application's database role from truncating or dropping triggers is a deployment matter
(docs/security.md). SQLite has no such triggers here: the admin and the code offer no way to
change the trail there either.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_trail_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- TG_ARGV[0]: the user column that deleting the user may set to NULL.
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) ->> TG_ARGV[0]) IS NULL
       AND (to_jsonb(NEW) - TG_ARGV[0]) = (to_jsonb(OLD) - TG_ARGV[0]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % of % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

TABLES = (("auditlog_logentry", "actor_id"), ("audit_securityevent", "user_id"))


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # params=None: the % of RAISE are PL/pgSQL's, not query placeholders.
    schema_editor.execute(FUNCTION, params=None)
    for table, user_column in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION audit_trail_append_only('{user_column}')"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _ in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_trail_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
