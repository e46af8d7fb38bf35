"""The quarters a quarterly report covers (reports.quarters): no database. "The latest
quarter over" and the series of quarters are returns.domain's (tests/returns/test_domain.py)."""

from datetime import date

from core.calendar import FiscalQuarter
from reports.quarters import quarter_problem


def test_a_quarter_not_over_on_the_as_of_date_cannot_be_reported():
    assert quarter_problem(FiscalQuarter(2025, 4), date(2026, 7, 1)) is None
    problem = quarter_problem(FiscalQuarter(2025, 4), date(2026, 6, 30))
    assert problem == (
        "2025-26 Q4 is not over on 30 June 2026: choose a quarter that has ended, e.g. 2025-26 Q3."
    )
