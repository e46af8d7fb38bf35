"""§4a's rules in plain Python: which quarters are owed, status, reminders, the checks."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import FiscalQuarter
from core.vocabulary import ReminderKind, ReturnStatus
from returns.compliance import last_quarters
from returns.domain import (
    figure_problems,
    is_owed,
    latest_quarter,
    normalise_markets,
    quarters_owed,
    quarters_to_remind,
    quarters_up_to,
    reminder_day,
    return_status,
)
from tests.returns.support import figures

Q = FiscalQuarter.parse


def test_a_lease_starting_on_a_quarters_last_day_owes_that_quarter():
    assert quarters_owed([(date(2026, 9, 30), date(2026, 9, 30))], date(2027, 1, 1)) == [
        Q("2026-27 Q1")
    ]


def test_a_lease_ending_on_a_quarters_first_day_owes_that_quarter_too():
    owed = quarters_owed([(date(2026, 4, 1), date(2026, 10, 1))], date(2027, 1, 20))
    assert owed == [Q("2025-26 Q4"), Q("2026-27 Q1"), Q("2026-27 Q2")]


def test_the_running_quarter_is_not_owed_yet():
    assert quarters_owed([(date(2026, 11, 1), None)], date(2026, 12, 31)) == []
    assert quarters_owed([(date(2026, 11, 1), None)], date(2027, 1, 1)) == [Q("2026-27 Q2")]


def test_two_leases_in_one_quarter_owe_one_return_and_a_gap_owes_none():
    leases = [(date(2025, 7, 1), date(2025, 8, 1)), (date(2025, 9, 1), date(2025, 9, 30))]
    leases.append((date(2026, 4, 1), None))
    owed = quarters_owed(leases, date(2026, 10, 2))
    assert owed == [Q("2025-26 Q1"), Q("2025-26 Q4"), Q("2026-27 Q1")]


def test_due_dates_cross_the_fiscal_year():
    assert Q("2026-27 Q4").due_date == date(2027, 7, 10)
    assert Q("2026-27 Q2").due_date == date(2027, 1, 10)
    assert Q("2026-27 Q3").due_date == date(2027, 4, 10)
    assert Q("2026-27 Q1").due_date == date(2026, 10, 10)


@pytest.mark.parametrize(
    ("today", "filed", "status"),
    [
        (date(2027, 1, 10), False, ReturnStatus.DUE),
        (date(2027, 1, 11), False, ReturnStatus.OVERDUE),
        (date(2027, 3, 1), True, ReturnStatus.FILED),
    ],
)
def test_status_turns_overdue_the_day_after_the_due_date(today, filed, status):
    assert return_status(due_date=date(2027, 1, 10), filed=filed, today=today) == status


def test_reminders_go_five_days_before_and_the_day_after():
    due = Q("2026-27 Q2").due_date
    assert reminder_day(ReminderKind.BEFORE_DUE, due) == date(2027, 1, 5)
    assert reminder_day(ReminderKind.OVERDUE, due) == date(2027, 1, 11)
    assert quarters_to_remind(ReminderKind.BEFORE_DUE, date(2027, 1, 4)) == []
    assert quarters_to_remind(ReminderKind.BEFORE_DUE, date(2027, 1, 5)) == [Q("2026-27 Q2")]
    assert quarters_to_remind(ReminderKind.OVERDUE, date(2027, 1, 10)) == []
    assert quarters_to_remind(ReminderKind.OVERDUE, date(2027, 1, 11)) == [Q("2026-27 Q2")]
    # a missed day is caught up within the grace, and never after it
    assert quarters_to_remind(ReminderKind.OVERDUE, date(2027, 1, 17)) == [Q("2026-27 Q2")]
    assert quarters_to_remind(ReminderKind.OVERDUE, date(2027, 1, 18)) == []
    assert quarters_to_remind(ReminderKind.BEFORE_DUE, date(2027, 1, 11)) == []


def test_good_figures_have_no_problem():
    assert figure_problems(figures()) == {}


def test_every_problem_is_named_at_once():
    problems = figure_problems(
        figures(
            employees=-1,
            new_hires=2,
            new_hires_women=3,
            interns=1.5,
            export_earnings_usd=Decimal("-1.00"),
            domestic_revenue_pkr=Decimal("1.001"),
        )
    )
    assert set(problems) == {
        "employees",
        "new_hires_women",
        "interns",
        "export_earnings_usd",
        "domestic_revenue_pkr",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"employees_women": 13}, "employees_women"),
        ({"in_park": 13}, "in_park"),
        ({"in_park_women": 11}, "in_park_women"),
        ({"in_park_women": 5, "employees_women": 4}, "in_park_women"),
        ({"new_hires_women": 4}, "new_hires_women"),
    ],
)
def test_a_part_never_exceeds_its_whole(changes, field):
    assert field in figure_problems(figures(**changes))


def test_markets_are_tidied_each_once():
    assert normalise_markets(" usa;  United  Kingdom,USA\nUAE ,") == "usa, United Kingdom, UAE"


@given(
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    days=st.integers(0, 800),
    today=st.dates(date(2020, 1, 1), date(2032, 12, 31)),
)
def test_a_quarter_is_owed_exactly_when_the_lease_holds_a_day_of_it_and_it_is_over(
    start, days, today
):
    end = date.fromordinal(start.toordinal() + days)
    owed = set(quarters_owed([(start, end)], today))
    quarter = FiscalQuarter.of(date(2019, 7, 1))
    while quarter.first <= date(2033, 1, 1):
        holds = start <= quarter.last and end >= quarter.first
        assert (quarter in owed) == (holds and quarter.last < today)
        quarter = quarter.next()


def test_the_latest_quarter_over_is_the_one_before_the_todays():
    assert latest_quarter(date(2026, 12, 1)) == FiscalQuarter(2026, 1)
    # on a quarter's first day the one before has just ended
    assert latest_quarter(date(2026, 7, 1)) == FiscalQuarter(2025, 4)
    assert latest_quarter(date(2026, 6, 30)) == FiscalQuarter(2025, 3)


def test_the_series_runs_back_across_fiscal_years_oldest_first():
    assert [str(q) for q in quarters_up_to(FiscalQuarter(2026, 2), 6)] == [
        "2025-26 Q1",
        "2025-26 Q2",
        "2025-26 Q3",
        "2025-26 Q4",
        "2026-27 Q1",
        "2026-27 Q2",
    ]
    assert quarters_up_to(FiscalQuarter(2026, 2), 1) == [FiscalQuarter(2026, 2)]


@given(today=st.dates(date(1991, 1, 1), date(2998, 12, 31)))
def test_owed_the_latest_quarter_over_and_the_compliance_quarters_are_one_rule(today):
    latest = latest_quarter(today)
    assert latest.last < today <= latest.next().last  # over, and the next one is not
    assert is_owed(latest, today)
    assert not is_owed(latest.next(), today)
    assert is_owed(latest.previous(), today)
    recent = last_quarters(today, 3)
    assert recent == [latest, latest.previous(), latest.previous().previous()]
    assert all(is_owed(q, today) for q in recent)
