"""The owed-returns view carries its quarter's days (first_day, last_day, due_date), and
finds each return's current version by a join.

A filter on the quarter's days through a join to ``returns_quarter`` (``quarter__last_day``)
stays outside the view, so the database first paired every open-ended lease with every
quarter of the calendar (to 2999) and took minutes at national scale; a filter on the view's
own columns is pushed into its join, which then reads only the quarters asked for. The
current version (the one no amendment follows: one per return, ``ProgressReturn``'s
constraints) is joined once for all rows, where a subquery per row probed the index 76,000
times for PSEB's list (0.9 s at national scale).
"""

from django.db import migrations, models

CREATE_VIEW = """
CREATE VIEW returns_owedreturn AS
SELECT
    CAST(owed.company_id AS VARCHAR(20)) || '-' || CAST(owed.park_id AS VARCHAR(20))
        || '-' || CAST(owed.quarter_id AS VARCHAR(20)) AS key,
    owed.company_id,
    owed.park_id,
    owed.quarter_id,
    owed.first_day,
    owed.last_day,
    owed.due_date,
    filed.id AS current_id
FROM (
    SELECT DISTINCT
        lease.company_id,
        lease.park_id,
        quarter.id AS quarter_id,
        quarter.first_day,
        quarter.last_day,
        quarter.due_date
    FROM tenants_lease lease
    JOIN returns_quarter quarter
      ON lease.start_date <= quarter.last_day
     AND (lease.end_date IS NULL OR lease.end_date >= quarter.first_day)
) owed
LEFT JOIN (
    SELECT version.id, version.company_id, version.park_id, version.quarter_id
    FROM returns_progressreturn version
    WHERE NOT EXISTS (
        SELECT 1 FROM returns_progressreturn later WHERE later.amends_id = version.id
    )
) filed
  ON filed.company_id = owed.company_id
 AND filed.park_id = owed.park_id
 AND filed.quarter_id = owed.quarter_id
"""
DROP_VIEW = "DROP VIEW IF EXISTS returns_owedreturn"


def previous_view() -> str:
    from importlib import import_module

    return import_module("returns.migrations.0002_quarters_and_owed_view").CREATE_VIEW


class Migration(migrations.Migration):
    dependencies = [("returns", "0002_quarters_and_owed_view")]

    operations = [
        migrations.RunSQL([DROP_VIEW, CREATE_VIEW], [DROP_VIEW, previous_view()]),
        # The view is not managed: its new columns exist for Django's state only.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField("owedreturn", name, models.DateField(), preserve_default=False)
                for name in ("first_day", "last_day", "due_date")
            ]
        ),
    ]
