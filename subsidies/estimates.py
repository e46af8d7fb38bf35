"""The price estimator of a park's page (issue 12 §5), billed by billing's own rules.

``parks.pricing`` asks for the months' costs of a quoted space; this answers with
``subsidies.calculation``: the subsidy window a first lease starting then would get
(``subsidy_window``, with every scheme as billing loads them) and each month's statement
(``compute_statement``) of the quote's units. Nothing is written.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from core.calendar import Period
from core.money import ZERO
from core.vocabulary import LineKind
from parks.domain import Quote
from parks.pricing import MonthCost, PriceEstimate, PriceEstimator

from . import calculation as calc
from .loading import schemes_load

if TYPE_CHECKING:
    from parks.models import Park


def month_cost(period: Period, lets: list[calc.Let], window: calc.Window | None) -> MonthCost:
    """One month of the lets as billing would bill it (§6): the statement's lines summed."""
    statement = calc.compute_statement(period, lets, window)
    lines = statement.lines if statement else ()

    def total(kind: LineKind) -> Decimal:
        return sum((line.amount for line in lines if line.kind == kind), ZERO)

    return MonthCost(
        period=period,
        rent=total(LineKind.RENT),
        internet=total(LineKind.INTERNET),
        subsidy=statement.subsidy_total if statement else ZERO,
        net=statement.net_payable if statement else ZERO,
    )


class SubsidisedPrices(PriceEstimator):
    def months(self, *, park: Park, quote: Quote, start: date) -> PriceEstimate:
        window = calc.subsidy_window(
            schemes_load(),
            park_id=park.pk,
            first_lease_start=start,
            park_opening=park.opening_date,
        )
        lets = [
            calc.Let(
                lease_unit_id=number,
                unit_code=f"{quote.kind} {number}",
                monthly_rent=rent,
                internet_fee=internet,
                start=start,
            )
            for number, (rent, internet) in enumerate(quote.lets, start=1)
        ]
        period = Period.of(start)
        # Until the first month wholly after the window: the price from then on.
        stop = Period.of(window.last_day).next() if window and window.end > start else period
        months = [month_cost(period, lets, window)]
        while period != stop:
            period = period.next()
            months.append(month_cost(period, lets, window))
        subsidised = window is not None and any(m.subsidy < 0 for m in months)
        return PriceEstimate(
            quote=quote,
            start=start,
            scheme=window.scheme.name if window and subsidised else None,
            window=(max(window.start, start), window.last_day) if window and subsidised else None,
            months=tuple(months),
        )
