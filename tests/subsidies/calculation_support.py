"""What the tests of the pure money rules share: line kinds, parks, domain.md §5's
programme, unit A-101 of the worked example, and readers of computed statements."""

from datetime import date
from decimal import Decimal

from core.calendar import Period
from core.vocabulary import LineKind, WindowAnchor
from subsidies.calculation import (
    Let,
    Scheme,
    Window,
    subsidy_window,
)

RENT, INTERNET, CHARGE = LineKind.RENT, LineKind.INTERNET, LineKind.CHARGE
RENT_SUBSIDY, INTERNET_SUBSIDY = LineKind.RENT_SUBSIDY, LineKind.INTERNET_SUBSIDY
PARK_OPENING = WindowAnchor.PARK_OPENING
PARK = 1
OTHER_PARK = 2


# The programme of domain.md §5: 100% internet, 25% rent, 12 months.
PROGRAMME = Scheme(
    id=1,
    name="STP programme",
    internet_pct=Decimal("100"),
    rent_pct=Decimal("25"),
    duration_months=12,
    valid_from=date(2025, 7, 1),
)


def a101(start: date, end: date | None = None) -> Let:
    """Unit A-101 of the worked example: rent 60,000.00, internet 5,000.00."""
    return Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), start, end)


def window_from(first_lease_start: date, *schemes: Scheme, **kwargs) -> Window:
    window = subsidy_window(
        schemes or (PROGRAMME,), park_id=PARK, first_lease_start=first_lease_start, **kwargs
    )
    assert window is not None
    return window


def amounts(statement, kind: str) -> list[Decimal]:
    return [line.amount for line in statement.lines if line.kind == kind]


def kinds(statement) -> list[str]:
    return [line.kind for line in statement.lines]


def subsidised_days_in(period: Period, let: Let, window: Window) -> int:
    return window.days_within(let.start, let.end, period.first, period.last)
