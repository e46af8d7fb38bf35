"""The fiscal quarters a quarterly report covers (domain.md §7.6): the quarter asked, by
default the latest one over on the as-of date D (its returns are owed: §4a), and the series
of quarters up to it. "Over" is ``returns.domain``'s rule (``latest_quarter``, ``is_owed``,
``quarters_up_to``, re-exported here). No Django import."""

from __future__ import annotations

from datetime import date

from core.calendar import FiscalQuarter, long_date
from returns.domain import is_owed, latest_quarter, quarters_up_to

__all__ = [
    "SERIES_QUARTERS",
    "YEAR_QUARTERS",
    "latest_quarter",
    "published_quarter",
    "quarter_problem",
    "quarters_up_to",
]

SERIES_QUARTERS = 8  # the impact report's series: two fiscal years
YEAR_QUARTERS = 4  # "the last four quarters" (exports on the overview and the home page)


def published_quarter(as_of: date) -> FiscalQuarter:
    """The latest quarter whose returns' due date has passed on ``as_of``: the public
    figures' quarter. Until the latest quarter over is due (the 1st to the 10th after it),
    its figures would grow one filing at a time, and the difference between two days would
    tell one company's figures: the quarter before it is published meanwhile."""
    quarter = latest_quarter(as_of)
    return quarter if quarter.due_date < as_of else quarter.previous()


def quarter_problem(quarter: FiscalQuarter, as_of: date) -> str | None:
    """Why ``quarter`` cannot be reported on ``as_of`` (it is not over yet: no return of it is
    owed), or None."""
    if is_owed(quarter, as_of):
        return None
    return (
        f"{quarter} is not over on {long_date(as_of)}: choose a quarter that has ended, "
        f"e.g. {latest_quarter(as_of)}."
    )
