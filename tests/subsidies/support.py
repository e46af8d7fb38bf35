"""What the billing service tests share: the month they bill, a run done in-process, and
the small steps several of them take."""

from datetime import date, timedelta
from decimal import Decimal

from core.calendar import Period
from subsidies import services
from subsidies.models import Statement
from subsidies.selectors import with_balance

MARCH = Period(2026, 3)
ISSUED = date(2026, 4, 1)  # FY 2025-26


def bill(period=MARCH, park=None, today=ISSUED):
    """A run executed in-process without PDFs, as the worker's tasks would do it."""
    run = services.billing_run_start(user=None, period=period, park=park, today=today, queue=False)
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=today)
    run.refresh_from_db()
    return run


def change(scheme, **values):
    """A scheme as it stands, but for ``values``: a partial update's input."""
    return services.SchemeInput.build(values, scheme=scheme)


def status_of(statement, today):
    return with_balance(Statement.objects.filter(pk=statement.pk), today).get()


def backdated_park_scheme(user, park):
    """A scheme naming the park, valid from before March 2026's window opened."""
    return services.scheme_create(
        user=user,
        data=services.SchemeInput(
            name="GUJ special",
            internet_pct=Decimal("50.00"),
            rent_pct=Decimal("10.00"),
            duration_months=3,
            valid_from=date(2026, 1, 1),
            valid_to=None,
            anchor="lease_start",
            parks=(park,),
        ),
    )


def terminate(user, lease, end_date):
    from tenants.services import lease_terminate

    return lease_terminate(user=user, lease=lease, end_date=end_date, reason="Closed the office.")


def stalled_after(settings) -> timedelta:
    return timedelta(seconds=settings.BILLING_RUN_STALLED_AFTER)
