"""A park's prices with the programme's subsidy, for the estimator on its page (issue 12 §5).

The subsidy is billing's rule (domain.md §5–6, ``subsidies.calculation``), and parks sits
below subsidies in the layers: it imports nothing of it. So the park page asks an
*estimator* for the months' costs, which subsidies provides once, in its
``AppConfig.ready()`` (``subsidies.estimates``), as it does for a lease's events
(``tenants.lifecycle``). The estimator bills the quote's units month by month with the very
functions that bill statements, so the page can never show a second formula's figures.

This module only groups the months into the rows the page shows. No Django import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from core.calendar import Period, add_months

from .domain import Quote

if TYPE_CHECKING:
    from .models import Park


@dataclass(frozen=True)
class MonthCost:
    """What one month of the quoted space would bill (domain.md §6): rent, internet, the
    subsidy (zero or negative) and the net payable."""

    period: Period
    rent: Decimal
    internet: Decimal
    subsidy: Decimal
    net: Decimal

    @property
    def saved(self) -> Decimal:
        """The subsidy as the tenant saves it: a positive amount."""
        return -self.subsidy

    @property
    def amounts(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        return (self.rent, self.internet, self.subsidy, self.net)


@dataclass(frozen=True)
class Stage:
    """A run of months that cost the same, numbered from the lease's first month;
    ``last`` None: every month from ``first`` on."""

    first: int
    last: int | None
    start: Period
    end: Period | None
    cost: MonthCost

    @property
    def subsidised(self) -> bool:
        return self.cost.subsidy < 0


@dataclass(frozen=True)
class PriceEstimate:
    """The estimator's answer: the quote, the first month, the scheme and window that would
    apply (none: no subsidy), the months by stage and the subsidy they add up to."""

    quote: Quote
    start: date
    scheme: str | None
    window: tuple[date, date] | None  # first and last subsidised day
    months: tuple[MonthCost, ...]

    @property
    def stages(self) -> list[Stage]:
        return stages(self.months)

    @property
    def subsidy_total(self) -> Decimal:
        """The subsidy over the whole window: what the tenant saves (a positive amount)."""
        return -sum((m.subsidy for m in self.months), Decimal(0))


def stages(months: Sequence[MonthCost]) -> list[Stage]:
    """Consecutive months with the same amounts as one stage each; the last month given is
    the price from then on (the estimator gives months until one wholly after the window)."""
    found: list[Stage] = []
    for number, month in enumerate(months, start=1):
        last = found[-1] if found else None
        if last is not None and last.cost.amounts == month.amounts:
            found[-1] = Stage(last.first, number, last.start, month.period, last.cost)
        else:
            found.append(Stage(number, number, month.period, month.period, month))
    if found:
        tail = found[-1]
        found[-1] = Stage(tail.first, None, tail.start, None, tail.cost)
    return found


def estimate_start(today: date, opening_date: date | None) -> date:
    """The first day a new lease would bill a whole month from: the 1st of next month, or of
    the month after the park opens when that is later (no lease starts before the park
    opens: domain.md §2)."""
    start = add_months(today.replace(day=1), 1)
    if opening_date is not None and opening_date > start:
        start = (
            opening_date if opening_date.day == 1 else add_months(opening_date.replace(day=1), 1)
        )
    return start


class PriceEstimator(Protocol):
    def months(self, *, park: Park, quote: Quote, start: date) -> PriceEstimate:
        """The quote billed month by month from ``start`` under the scheme that would apply
        to a first lease in the park starting then: until a month wholly after the subsidy
        window (one month when there is no window)."""
        ...


_estimators: list[PriceEstimator] = []


def provide(estimator: PriceEstimator) -> None:
    """Register the estimator (subsidies, once, at start-up)."""
    _estimators[:] = [estimator]


def estimator() -> PriceEstimator | None:
    return _estimators[0] if _estimators else None
