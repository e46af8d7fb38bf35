"""The subsidy billing will give in months not billed yet: the programme's liability
(domain.md §7.3), projected by the very rules that bill (``subsidies.calculation``).

No Django import. For one company's lets in one park and its subsidy window, the subsidy of
each period from a first period on is the sum of the subsidy lines ``let_lines`` would bill
for it, each computed and rounded per line by ``calculation.subsidy_amount`` exactly as a
statement's lines are (§6). Only periods overlapping both a let and the window can carry a
subsidy, so only those are visited: an open-ended lease runs for ever, but its subsidy stops
at the window's end (§5 rule 1), so every total is finite and quick to reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from decimal import Decimal

from core.calendar import Period
from core.money import ZERO

from .calculation import Let, Window, subsidy_amount, subsidy_billed


@dataclass(frozen=True)
class Subsidy:
    """The subsidy of a period, rent and internet apart, as positive amounts (a statement
    bills them as negative lines)."""

    rent: Decimal = ZERO
    internet: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.rent + self.internet

    def __add__(self, other: Subsidy) -> Subsidy:
        return Subsidy(self.rent + other.rent, self.internet + other.internet)


NOTHING = Subsidy()


def subsidised_periods(let: Let, window: Window, first: Period) -> Iterator[Period]:
    """The periods from ``first`` on in which ``let`` has a day inside ``window``: the only
    ones a statement can subsidise it in (§6). None when the let ends before the window opens
    or starts after it closes."""
    lo = max(let.start, window.start, first.first)
    hi = window.last_day if let.end is None else min(let.end, window.last_day)
    if lo > hi:
        return
    period, last = Period.of(lo), Period.of(hi)
    while period <= last:
        yield period
        period = period.next()


def let_subsidy(let: Let, period: Period, window: Window) -> Subsidy:
    """The rent and internet subsidy lines ``let_lines`` bills for ``let`` in ``period``,
    added up as positive amounts: percentage × price × days both let and in the window ÷
    days in the month, each line rounded on its own (§6)."""
    subsidised = window.days_within(let.start, let.end, period.first, period.last)
    if subsidised == 0:
        return NOTHING
    scheme, days = window.scheme, period.days
    rent = (
        subsidy_amount(scheme.rent_pct, let.monthly_rent, subsidised, days)
        if subsidy_billed(scheme.rent_pct, let.monthly_rent)
        else ZERO
    )
    internet = (
        subsidy_amount(scheme.internet_pct, let.internet_fee, subsidised, days)
        if subsidy_billed(scheme.internet_pct, let.internet_fee)
        else ZERO
    )
    return Subsidy(rent, internet)


def project_subsidy(
    lets: Iterable[Let],
    window: Window | None,
    first: Period,
    into: MutableMapping[Period, Subsidy] | None = None,
) -> MutableMapping[Period, Subsidy]:
    """The subsidy billing will give, per period from ``first`` on, for one company's
    ``lets`` in one park under its subsidy ``window`` (§7.3): per period, the sum of the
    subsidy lines its statement will carry. Without a window (no scheme applied), nothing.
    Periods with no subsidy are left out. ``into`` adds to an existing mapping (a park's or
    the programme's), so many companies are summed without intermediate dictionaries.
    """
    projected: MutableMapping[Period, Subsidy] = {} if into is None else into
    if window is None:
        return projected
    for let in lets:
        for period in subsidised_periods(let, window, first):
            amount = let_subsidy(let, period, window)
            if amount.total:
                projected[period] = projected.get(period, NOTHING) + amount
    return projected
