"""What the report tests share: a statement written straight to the database (for dates and
amounts billing would take months to reach), the report read as a user would ask for it."""

from datetime import date
from decimal import Decimal
from itertools import count

from core.calendar import Period
from reports.frame import ReportFilters, report_scope
from subsidies.models import Statement

_numbers = count(1)


def make_statement(
    park,
    company,
    *,
    period: Period,
    issue_date: date,
    due_date: date,
    net: str,
    subsidy: str = "0.00",
    supplements=None,
) -> Statement:
    """An issued statement of ``net`` payable (gross = net − subsidy)."""
    n = next(_numbers)
    return Statement.objects.create(
        number=f"{park.code}-T-{n:05d}",
        company=company,
        park=park,
        period=period.first,
        issue_date=issue_date,
        due_date=due_date,
        gross=Decimal(net) - Decimal(subsidy),
        subsidy_total=Decimal(subsidy),
        net_payable=Decimal(net),
        supplements=supplements,
        verification_token=f"token-{n}",
    )


def read(builder, user, as_of: date, **filters):
    """The report ``builder`` as ``user`` asks for it, as of ``as_of``."""
    chosen = ReportFilters(as_of=as_of, **filters)
    return builder(report_scope(user, chosen), chosen)


def by_park(report) -> dict:
    return {row["park"]: row for row in report.table.rows}
