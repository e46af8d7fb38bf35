"""The billing periods a period report covers (domain.md §7.2, §7.4): ``from``..``to`` as
asked, by default the 12 periods up to the as-of date's previous month, i.e. the months
billing has already billed on D (§6: in arrears). No Django import."""

from __future__ import annotations

from datetime import date

from core.calendar import Period

DEFAULT_PERIODS = 12
MOST_PERIODS = 240  # 20 years: a wider range is a typo, not a question


def report_periods(
    as_of: date, period_from: Period | None = None, period_to: Period | None = None
) -> list[Period]:
    """The periods ``period_from``..``period_to`` (inclusive, oldest first).

    Without ``period_to``: D's previous month, the last one billed on D. Without
    ``period_from``: 11 periods before ``period_to`` (12 in all). A range asked backwards is
    empty; one longer than ``MOST_PERIODS`` keeps its last ``MOST_PERIODS``.
    """
    last = period_to or Period.of(as_of).previous()
    first = period_from
    if first is None:
        first = last
        for _ in range(DEFAULT_PERIODS - 1):
            first = first.previous()
    periods: list[Period] = []
    period = last
    while period >= first and len(periods) < MOST_PERIODS:
        periods.append(period)
        period = period.previous()
    return periods[::-1]
