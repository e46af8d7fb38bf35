"""The quarters a quarterly report covers (reports.quarters): no database. "The latest
quarter over" and the series of quarters are returns.domain's (tests/returns/test_domain.py)."""

from datetime import date

from core.calendar import FiscalQuarter
from reports.quarters import latest_quarter, published_quarter, quarter_problem, quarters_up_to


def test_the_latest_quarter_over_is_the_one_before_the_as_of_dates():
    assert latest_quarter(date(2026, 12, 1)) == FiscalQuarter(2026, 1)
    # on a quarter's first day the one before has just ended
    assert latest_quarter(date(2026, 7, 1)) == FiscalQuarter(2025, 4)
    assert latest_quarter(date(2026, 6, 30)) == FiscalQuarter(2025, 3)


def test_a_quarter_not_over_on_the_as_of_date_cannot_be_reported():
    assert quarter_problem(FiscalQuarter(2025, 4), date(2026, 7, 1)) is None
    problem = quarter_problem(FiscalQuarter(2025, 4), date(2026, 6, 30))
    assert problem == (
        "2025-26 Q4 is not over on 30 June 2026: choose a quarter that has ended, e.g. 2025-26 Q3."
    )


def test_the_series_runs_back_across_fiscal_years_oldest_first():
    assert [str(q) for q in quarters_up_to(FiscalQuarter(2026, 2), 6)] == [
        "2025-26 Q1",
        "2025-26 Q2",
        "2025-26 Q3",
        "2025-26 Q4",
        "2026-27 Q1",
        "2026-27 Q2",
    ]
    assert len(quarters_up_to(FiscalQuarter(2026, 1), 8)) == 8


def test_the_quarter_published_is_the_latest_whose_due_date_has_passed():
    # 2026-27 Q1 (July–September) is due on 10 October
    assert published_quarter(date(2026, 10, 1)) == FiscalQuarter(2025, 4)
    assert published_quarter(date(2026, 10, 10)) == FiscalQuarter(2025, 4)
    assert published_quarter(date(2026, 10, 11)) == FiscalQuarter(2026, 1)
    assert published_quarter(date(2026, 12, 31)) == FiscalQuarter(2026, 1)
    assert published_quarter(date(2027, 1, 1)) == FiscalQuarter(2026, 1)
