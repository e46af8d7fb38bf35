"""The subsidy billing will give in months not billed yet: the programme's liability
(domain.md §7.3), projected by the very rules that bill (``subsidies.calculation``).

No Django import. For one company's lets in one park and its subsidy window, the subsidy of
each period from a first period on is the sum of the subsidy lines ``let_lines`` would bill
for it, each computed and rounded per line by ``calculation.subsidy_amount`` exactly as a
statement's lines are (§6). Only the days of a let inside the window (and from the first
period on) can carry a subsidy, so nothing else is looked at, and the whole months between
a let's first and last subsidised month are added as one run: an open-ended lease runs for
ever, but its subsidy stops at the window's end (§5 rule 1), so every total is finite and
a portfolio of 20,000 leases is projected in a few thousand additions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

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
# The line rule, remembered for the amounts already met: a pure function of four numbers, and
# a portfolio has few distinct prices, so most lines are looked up, not computed again.
_amount = lru_cache(maxsize=65536)(subsidy_amount)


def month_index(day: date) -> int:
    """The month of ``day`` as a number that counts months (consecutive months differ by 1)."""
    return day.year * 12 + day.month - 1


def period_at(index: int) -> Period:
    """The period of a ``month_index``."""
    year, month = divmod(index, 12)
    return Period(year, month + 1)


def subsidised_days(let: Let, window: Window, first: Period) -> tuple[date, date] | None:
    """The first and last day, from ``first`` on, on which ``let`` is inside ``window``: the
    only days a statement can subsidise it (§6). None when there are none (the let ends
    before the window opens or ``first`` begins, or starts after the window closes)."""
    lo = max(let.start, window.start, first.first)
    hi = window.last_day if let.end is None else min(let.end, window.last_day)
    return (lo, hi) if lo <= hi else None


def let_subsidy(let: Let, period: Period, window: Window) -> Subsidy:
    """The rent and internet subsidy lines ``let_lines`` bills for ``let`` in ``period``,
    added up as positive amounts: percentage × price × days both let and in the window ÷
    days in the month, each line rounded on its own (§6, ``calculation.subsidy_amount``)."""
    subsidised = window.days_within(let.start, let.end, period.first, period.last)
    if subsidised == 0:
        return NOTHING
    scheme, days = window.scheme, period.days
    rent = (
        _amount(scheme.rent_pct, let.monthly_rent, subsidised, days)
        if subsidy_billed(scheme.rent_pct, let.monthly_rent)
        else ZERO
    )
    internet = (
        _amount(scheme.internet_pct, let.internet_fee, subsidised, days)
        if subsidy_billed(scheme.internet_pct, let.internet_fee)
        else ZERO
    )
    return Subsidy(rent, internet)


class Projection:
    """Subsidy per period, added a run of consecutive periods at a time: a let subsidised
    for 12 whole months is one addition, not twelve. Sums of Decimals are exact, so the
    running sums equal the period-by-period sums to the paisa."""

    def __init__(self) -> None:
        self._steps: dict[int, Subsidy] = {}

    def add(self, first: int, last: int, amount: Subsidy) -> None:
        """``amount`` in each period from ``first`` to ``last`` (``month_index``es)."""
        if not amount.total:
            return
        steps = self._steps
        steps[first] = steps.get(first, NOTHING) + amount
        negative = Subsidy(-amount.rent, -amount.internet)
        steps[last + 1] = steps.get(last + 1, NOTHING) + negative

    def __bool__(self) -> bool:
        return bool(self._steps)

    def by_period(self) -> dict[Period, Subsidy]:
        """The subsidy of each period that has any, in order."""
        projected: dict[Period, Subsidy] = {}
        running = NOTHING
        indices = sorted(self._steps)
        for index, following in pairwise(indices):
            running = running + self._steps[index]
            if running.total:
                for month in range(index, following):
                    projected[period_at(month)] = running
        return projected


def project_subsidy(
    lets: Iterable[Let], window: Window | None, first: Period, into: Projection
) -> bool:
    """Add to ``into`` the subsidy billing will give, per period from ``first`` on, for one
    company's ``lets`` in one park under its subsidy ``window`` (§7.3): per period, the sum
    of the subsidy lines its statement will carry. Answers whether there is any. Without a
    window (no scheme applied) there is none.

    Per let, only its first and last subsidised months can be partly subsidised; each is
    computed as ``let_lines`` computes it. The months between are whole: every one of them
    carries percentage × price × d ÷ d for its d days, the same amount whatever d (exact
    Decimal arithmetic before the one rounding), so it is computed once, for the first of
    them, and added as a run.
    """
    if window is None:
        return False
    gave = False
    for let in lets:
        days = subsidised_days(let, window, first)
        if days is None:
            continue
        lo, hi = days
        a, b = month_index(lo), month_index(hi)
        if a == b:
            amount = let_subsidy(let, Period.of(lo), window)
            into.add(a, a, amount)
            gave = gave or bool(amount.total)
            continue
        whole_from, whole_to = a, b
        if lo.day != 1:
            amount = let_subsidy(let, Period.of(lo), window)
            into.add(a, a, amount)
            gave = gave or bool(amount.total)
            whole_from = a + 1
        if hi != Period.of(hi).last:
            amount = let_subsidy(let, Period.of(hi), window)
            into.add(b, b, amount)
            gave = gave or bool(amount.total)
            whole_to = b - 1
        if whole_from <= whole_to:
            amount = let_subsidy(let, period_at(whole_from), window)
            into.add(whole_from, whole_to, amount)
            gave = gave or bool(amount.total)
    return gave


def projected(lets: Iterable[Let], window: Window | None, first: Period) -> dict[Period, Subsidy]:
    """The subsidy of each period from ``first`` on (those with any) for one company's lets
    in one park under its window: ``project_subsidy`` on its own."""
    projection = Projection()
    project_subsidy(lets, window, first, projection)
    return projection.by_period()
