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
from datetime import date, timedelta
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
ONE_DAY = timedelta(days=1)
DAYS_IN_A_MONTH = 30  # for a whole month's line, whose amount does not depend on it
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
        # Differences at the first period of a run and after its last, rent and internet.
        self._rent: dict[int, Decimal] = {}
        self._internet: dict[int, Decimal] = {}

    def add(self, first: int, last: int, rent: Decimal, internet: Decimal) -> None:
        """``rent`` and ``internet`` in each period from ``first`` to ``last``
        (``month_index``es)."""
        if not (rent or internet):
            return
        after = last + 1
        steps = self._rent
        steps[first] = steps.get(first, ZERO) + rent
        steps[after] = steps.get(after, ZERO) - rent
        steps = self._internet
        steps[first] = steps.get(first, ZERO) + internet
        steps[after] = steps.get(after, ZERO) - internet

    def __bool__(self) -> bool:
        return bool(self._rent)

    def by_period(self) -> dict[Period, Subsidy]:
        """The subsidy of each period that has any, in order."""
        projected: dict[Period, Subsidy] = {}
        rent = internet = ZERO
        for index, following in pairwise(sorted(self._rent)):
            rent += self._rent[index]
            internet += self._internet[index]
            if rent or internet:
                amount = Subsidy(rent, internet)
                for month in range(index, following):
                    projected[period_at(month)] = amount
        return projected


def project_subsidy(
    lets: Iterable[Let], window: Window | None, first: Period, into: Projection
) -> bool:
    """Add to ``into`` the subsidy billing will give, per period from ``first`` on, for one
    company's ``lets`` in one park under its subsidy ``window`` (§7.3): per period, the sum
    of the subsidy lines its statement will carry. Answers whether there is any. Without a
    window (no scheme applied) there is none.

    Per let, only its first and last subsidised months can be partly subsidised; each is
    computed by ``let_subsidy``, as ``let_lines`` computes it. The months between are
    whole: a whole month's line is percentage × price × d ÷ d for its d days (``let_lines``
    with every day subsidised), the same amount whatever d (exact Decimal arithmetic before
    the one rounding), so it is computed once per let and added as a run.
    """
    if window is None:
        return False
    gave = False
    scheme = window.scheme
    rent_pct, internet_pct = scheme.rent_pct, scheme.internet_pct
    opens, last_day = max(window.start, first.first), window.last_day
    for let in lets:
        lo = let.start if let.start > opens else opens
        hi = last_day if let.end is None or let.end > last_day else let.end
        if lo > hi:
            continue
        a, b = month_index(lo), month_index(hi)
        if a == b:
            amount = let_subsidy(let, Period.of(lo), window)
            into.add(a, a, amount.rent, amount.internet)
            gave = gave or bool(amount.total)
            continue
        whole_from, whole_to = a, b
        if lo.day != 1:
            amount = let_subsidy(let, Period.of(lo), window)
            into.add(a, a, amount.rent, amount.internet)
            gave = gave or bool(amount.total)
            whole_from = a + 1
        if (hi + ONE_DAY).day != 1:
            amount = let_subsidy(let, Period.of(hi), window)
            into.add(b, b, amount.rent, amount.internet)
            gave = gave or bool(amount.total)
            whole_to = b - 1
        if whole_from <= whole_to:
            days = DAYS_IN_A_MONTH  # any d: percentage × price × d ÷ d
            rent = (
                _amount(rent_pct, let.monthly_rent, days, days)
                if subsidy_billed(rent_pct, let.monthly_rent)
                else ZERO
            )
            internet = (
                _amount(internet_pct, let.internet_fee, days, days)
                if subsidy_billed(internet_pct, let.internet_fee)
                else ZERO
            )
            into.add(whole_from, whole_to, rent, internet)
            gave = gave or bool(rent or internet)
    return gave


def projected(lets: Iterable[Let], window: Window | None, first: Period) -> dict[Period, Subsidy]:
    """The subsidy of each period from ``first`` on (those with any) for one company's lets
    in one park under its window: ``project_subsidy`` on its own."""
    projection = Projection()
    project_subsidy(lets, window, first, projection)
    return projection.by_period()
