"""On PostgreSQL, the database refuses two lets of one unit on overlapping dates.

An exclusion constraint over (unit, daterange[start, end]) needs btree_gist. SQLite has no
equivalent; there the service's check is the guard (domain.md §3). The constraint is kept out
of the model state on purpose, so the migration autodetector never tries to alter it.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE tenants_leaseunit ADD CONSTRAINT lease_unit_no_overlap
    EXCLUDE USING gist (unit_id WITH =, daterange(start_date, end_date, '[]') WITH &&);
"""
DROP = "ALTER TABLE tenants_leaseunit DROP CONSTRAINT IF EXISTS lease_unit_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
