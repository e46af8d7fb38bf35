"""The fiscal quarters of every year the programme knows, and the view of owed returns.

The view joins each lease to the quarters it holds a day of (domain.md §4a) and names the
current version filed for each company, park and quarter (the highest). Standard SQL, the
same on PostgreSQL and SQLite. A later migration that alters the columns it reads
(tenants_lease start_date/end_date/company/park, returns_progressreturn keys, returns_quarter
days) drops it first (``DROP_VIEW``) and recreates it after (``CREATE_VIEW``).
"""

from django.db import migrations

from returns.quarters import add_missing_quarters

CREATE_VIEW = """
CREATE VIEW returns_owedreturn AS
SELECT
    CAST(owed.company_id AS VARCHAR(20)) || '-' || CAST(owed.park_id AS VARCHAR(20))
        || '-' || CAST(owed.quarter_id AS VARCHAR(20)) AS key,
    owed.company_id,
    owed.park_id,
    owed.quarter_id,
    (
        SELECT filed.id FROM returns_progressreturn filed
        WHERE filed.company_id = owed.company_id
          AND filed.park_id = owed.park_id
          AND filed.quarter_id = owed.quarter_id
        ORDER BY filed.version DESC
        LIMIT 1
    ) AS current_id
FROM (
    SELECT DISTINCT lease.company_id, lease.park_id, quarter.id AS quarter_id
    FROM tenants_lease lease
    JOIN returns_quarter quarter
      ON lease.start_date <= quarter.last_day
     AND (lease.end_date IS NULL OR lease.end_date >= quarter.first_day)
) owed
"""
DROP_VIEW = "DROP VIEW IF EXISTS returns_owedreturn"


def add_quarters(apps, schema_editor):
    add_missing_quarters(apps.get_model("returns", "Quarter"), schema_editor.connection.alias)


def remove_quarters(apps, schema_editor):
    apps.get_model("returns", "Quarter").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_initial"),
        ("tenants", "0007_waiting_index"),
    ]

    operations = [
        migrations.RunPython(add_quarters, remove_quarters),
        migrations.RunSQL(CREATE_VIEW, DROP_VIEW),
    ]
