"""The programme's calendar (core.calendar): billing periods, Pakistan's fiscal years (1 July –
30 June, written 2026-27) and their quarters (Q3 is January–March, a return is due on the
10th after the quarter), checked without a database."""

import re
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    QUARTER_MESSAGE,
    QUARTER_PATTERN,
    FiscalQuarter,
    FiscalYear,
    Period,
    add_months,
    date_problem,
    fiscal_year,
    local_date,
    long_date,
    month_ends,
    overlap_days,
    quarter_from_text,
    year_problem,
)
from tests.core.support import PROPERTY, exactly

# Days of the fiscal years the programme can name (1990-91 … 2998-99).
days = st.dates(min_value=date(FIRST_YEAR, 7, 1), max_value=date(LAST_YEAR, 6, 30))


# --- Periods (billing months) ---------------------------------------------------------------
def test_period_parse_reads_yyyy_mm_and_ignores_surrounding_space():
    assert Period.parse("2026-03") == Period(2026, 3)
    assert Period.parse("  2026-12\n") == Period(2026, 12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "There is no month 13: write the period as YYYY-MM, e.g. 2026-03."),
        ("2026-00", "There is no month 00: write the period as YYYY-MM, e.g. 2026-03."),
        ("2026-3", "Write the period as YYYY-MM, e.g. 2026-03."),
        ("26-03", "Write the period as YYYY-MM, e.g. 2026-03."),
        ("2026/03", "Write the period as YYYY-MM, e.g. 2026-03."),
        ("", "Write the period as YYYY-MM, e.g. 2026-03."),
        ("1989-12", f"Write a month between {FIRST_YEAR}-01 and {LAST_YEAR}-12."),
        ("3000-01", f"Write a month between {FIRST_YEAR}-01 and {LAST_YEAR}-12."),
    ],
)
def test_period_parse_refuses_what_is_not_a_month_of_the_programme(text, message):
    with pytest.raises(ValueError, match=exactly(message)):
        Period.parse(text)


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (0, 1), (9999, 1)])
def test_a_period_that_is_no_month_cannot_be_made(year, month):
    with pytest.raises(ValueError, match="No such month"):
        Period(year, month)


def test_the_period_after_december_is_january_of_the_next_year():
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2026, 3).next() == Period(2026, 4)


def test_the_period_before_january_is_december_of_the_year_before():
    assert Period(2027, 1).previous() == Period(2026, 12)
    assert Period(2026, 4).previous() == Period(2026, 3)


def test_a_period_knows_its_first_and_last_day_leap_years_included():
    assert (Period(2028, 2).first, Period(2028, 2).last) == (date(2028, 2, 1), date(2028, 2, 29))
    assert Period(2026, 2).last == date(2026, 2, 28)
    assert Period(2100, 2).days == 28  # a century that is not a leap year
    assert Period(2026, 7).days == 31


def test_a_month_has_ended_only_after_its_last_day():
    march = Period(2026, 3)
    assert not march.has_ended(date(2026, 3, 31))
    assert march.has_ended(date(2026, 4, 1))


def test_a_period_is_written_yyyy_mm_with_leading_zeros():
    assert str(Period(2026, 3)) == "2026-03"
    assert str(Period(1990, 11)) == "1990-11"


@PROPERTY
@given(day=days)
def test_a_period_round_trips_through_its_text_and_steps_by_one_month(day):
    period = Period.of(day)
    assert Period.parse(str(period)) == period
    assert period.first <= day <= period.last
    assert period.next().previous() == period
    assert period.next().first == period.last + timedelta(days=1)
    assert period < period.next()


# --- Fiscal years -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (date(2026, 6, 30), 2025),  # the last day of 2025-26
        (date(2026, 7, 1), 2026),  # the first day of 2026-27
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
    ],
)
def test_the_fiscal_year_turns_between_30_june_and_1_july(day, start_year):
    assert FiscalYear.of(day) == FiscalYear(start_year)


def test_a_fiscal_year_runs_from_1_july_to_30_june():
    year = FiscalYear(2026)
    assert (year.first, year.last) == (date(2026, 7, 1), date(2027, 6, 30))


def test_a_fiscal_year_is_written_with_both_calendar_years():
    assert str(FiscalYear(2026)) == "2026-27"
    assert str(FiscalYear(1999)) == "1999-00"  # across a century
    assert fiscal_year(date(2026, 7, 1)) == "2026-27"
    assert fiscal_year(date(2026, 6, 30)) == "2025-26"


def test_fiscal_year_parse_reads_yyyy_yy():
    assert FiscalYear.parse("2026-27") == FiscalYear(2026)
    assert FiscalYear.parse(" 1999-00 ") == FiscalYear(1999)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-28", "Write the fiscal year as YYYY-YY, e.g. 2026-27."),  # not the next year
        ("2026-26", "Write the fiscal year as YYYY-YY, e.g. 2026-27."),
        ("2026/27", "Write the fiscal year as YYYY-YY, e.g. 2026-27."),
        ("2026-2027", "Write the fiscal year as YYYY-YY, e.g. 2026-27."),
        ("", "Write the fiscal year as YYYY-YY, e.g. 2026-27."),
        ("1989-90", f"Write a fiscal year between {FIRST_YEAR} and {LAST_YEAR}."),
    ],
)
def test_fiscal_year_parse_refuses_other_text(text, message):
    with pytest.raises(ValueError, match=exactly(message)):
        FiscalYear.parse(text)


def test_a_fiscal_year_has_four_quarters_in_order():
    assert FiscalYear(2026).quarters() == [FiscalQuarter(2026, n) for n in (1, 2, 3, 4)]


# --- Fiscal quarters ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (date(2026, 7, 1), FiscalQuarter(2026, 1)),
        (date(2026, 9, 30), FiscalQuarter(2026, 1)),
        (date(2026, 10, 1), FiscalQuarter(2026, 2)),
        (date(2026, 12, 31), FiscalQuarter(2026, 2)),
        (date(2027, 1, 1), FiscalQuarter(2026, 3)),  # Q3 is January–March
        (date(2027, 3, 31), FiscalQuarter(2026, 3)),
        (date(2027, 4, 1), FiscalQuarter(2026, 4)),
        (date(2027, 6, 30), FiscalQuarter(2026, 4)),
    ],
)
def test_the_quarter_of_a_day_follows_the_fiscal_year(day, quarter):
    assert FiscalQuarter.of(day) == quarter


@pytest.mark.parametrize(
    ("number", "first", "last"),
    [
        (1, date(2026, 7, 1), date(2026, 9, 30)),
        (2, date(2026, 10, 1), date(2026, 12, 31)),
        (3, date(2027, 1, 1), date(2027, 3, 31)),
        (4, date(2027, 4, 1), date(2027, 6, 30)),
    ],
)
def test_a_quarter_runs_three_calendar_months(number, first, last):
    quarter = FiscalQuarter(2026, number)
    assert (quarter.first, quarter.last) == (first, last)


@pytest.mark.parametrize(
    ("number", "due"),
    [
        (1, date(2026, 10, 10)),
        (2, date(2027, 1, 10)),  # into the next calendar year
        (3, date(2027, 4, 10)),
        (4, date(2027, 7, 10)),  # into the next fiscal year
    ],
)
def test_a_return_is_due_on_the_10th_after_its_quarter(number, due):
    assert FiscalQuarter(2026, number).due_date == due


def test_a_quarter_is_written_with_its_fiscal_year():
    assert str(FiscalQuarter(2026, 2)) == "2026-27 Q2"
    assert FiscalQuarter(2026, 2).fiscal_year == FiscalYear(2026)


def test_quarter_parse_reads_the_written_form():
    assert FiscalQuarter.parse("2026-27 Q2") == FiscalQuarter(2026, 2)
    assert FiscalQuarter.parse(" 1999-00   Q4 ") == FiscalQuarter(1999, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-27 Q5", "Write the quarter as YYYY-YY Qn, e.g. 2026-27 Q2."),
        ("2026-27 Q0", "Write the quarter as YYYY-YY Qn, e.g. 2026-27 Q2."),
        ("2026-27", "Write the quarter as YYYY-YY Qn, e.g. 2026-27 Q2."),
        ("Q2", "Write the quarter as YYYY-YY Qn, e.g. 2026-27 Q2."),
        ("", "Write the quarter as YYYY-YY Qn, e.g. 2026-27 Q2."),
        ("2026-28 Q2", "Write the fiscal year as YYYY-YY, e.g. 2026-27."),
    ],
)
def test_quarter_parse_refuses_other_text(text, message):
    with pytest.raises(ValueError, match=exactly(message)):
        FiscalQuarter.parse(text)


def _written_as_parse_writes_it(text: str) -> bool:
    try:
        return str(FiscalQuarter.parse(text)) == text
    except ValueError:
        return False


@pytest.mark.parametrize(
    "text",
    [
        f"{FIRST_YEAR - 1}-{FIRST_YEAR % 100:02d} Q4",
        f"{FIRST_YEAR}-{(FIRST_YEAR + 1) % 100:02d} Q1",
        "1999-00 Q3",
        "2026-27 Q2",
        "2099-00 Q1",
        f"{LAST_YEAR}-{(LAST_YEAR + 1) % 100:02d} Q4",
        f"{LAST_YEAR + 1}-{(LAST_YEAR + 2) % 100:02d} Q1",
        "2026-99 Q1",
        "2026-28 Q1",
        "2026-27 Q0",
        "2026-27 Q5",
        "2026-27  Q1",
        " 2026-27 Q1",
        "2026-27 Q1 ",
        "2026-27 q1",
        "2026-27\tQ1",
        "２０２６-27 Q1",
        "",
    ],
)
def test_the_quarter_pattern_states_exactly_the_quarters_parse_reads_as_written(text):
    assert (re.fullmatch(QUARTER_PATTERN, text) is not None) == _written_as_parse_writes_it(text)


@PROPERTY
@given(
    year=st.integers(min_value=FIRST_YEAR - 20, max_value=LAST_YEAR + 20),
    second=st.integers(min_value=0, max_value=99),
    number=st.integers(min_value=0, max_value=9),
)
def test_the_quarter_pattern_agrees_with_parse_on_any_year_pair(year, second, number):
    text = f"{year}-{second:02d} Q{number}"
    assert (re.fullmatch(QUARTER_PATTERN, text) is not None) == _written_as_parse_writes_it(text)


def test_quarter_from_text_exact_takes_only_the_written_form_with_the_calendars_messages():
    assert quarter_from_text(" 2026-27 Q2 ") == FiscalQuarter(2026, 2)
    assert quarter_from_text("2026-27 Q2", exact=True) == FiscalQuarter(2026, 2)
    for text in (" 2026-27 Q2", "2026-27  Q2", None, 202627, "2026-27\x00 Q2"):
        with pytest.raises(ValueError, match=exactly(QUARTER_MESSAGE)):
            quarter_from_text(text, exact=True)
    with pytest.raises(ValueError, match="Write the fiscal year as YYYY-YY"):
        quarter_from_text("2026-99 Q1", exact=True)
    with pytest.raises(ValueError, match=f"between {FIRST_YEAR} and {LAST_YEAR}"):
        quarter_from_text(f"{FIRST_YEAR - 1}-{FIRST_YEAR % 100:02d} Q1", exact=True)


@pytest.mark.parametrize("number", [0, 5, -1])
def test_there_are_only_four_quarters(number):
    with pytest.raises(ValueError, match=f"No such quarter: Q{number}."):
        FiscalQuarter(2026, number)


def test_quarters_step_across_the_fiscal_year():
    assert FiscalQuarter(2026, 4).next() == FiscalQuarter(2027, 1)
    assert FiscalQuarter(2026, 1).previous() == FiscalQuarter(2025, 4)
    assert FiscalQuarter(2026, 2).next() == FiscalQuarter(2026, 3)


@PROPERTY
@given(day=days)
def test_a_quarter_round_trips_and_holds_its_days(day):
    quarter = FiscalQuarter.of(day)
    assert FiscalQuarter.parse(str(quarter)) == quarter
    assert quarter.first <= day <= quarter.last
    assert quarter.fiscal_year == FiscalYear.of(day)
    assert FiscalYear.parse(str(quarter.fiscal_year)) == quarter.fiscal_year
    # The quarters tile the calendar: the next one starts the day after this one ends.
    assert quarter.next().first == quarter.last + timedelta(days=1)
    assert quarter.next().previous() == quarter
    # Due on the 10th of the month after the quarter.
    after = quarter.last + timedelta(days=1)
    assert quarter.due_date == after.replace(day=10)


@PROPERTY
@given(year=st.integers(min_value=FIRST_YEAR, max_value=LAST_YEAR - 1))
def test_a_fiscal_years_quarters_cover_it_without_gap(year):
    fiscal = FiscalYear(year)
    quarters = fiscal.quarters()
    assert quarters[0].first == fiscal.first
    assert quarters[-1].last == fiscal.last
    for earlier, later in pairwise(quarters):
        assert later.first == earlier.last + timedelta(days=1)


# --- Months, dates and bounds -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clipped to the month's end
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 5, 10), -17, date(2024, 12, 10)),
    ],
)
def test_add_months_moves_by_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


def test_a_date_is_written_as_people_read_it():
    assert long_date(date(2026, 12, 1)) == "1 December 2026"


def test_the_local_date_is_pakistans_and_needs_a_time_zone():
    # 20:00 UTC on 30 June is 01:00 on 1 July in Karachi (UTC+5): the next fiscal year.
    moment = datetime(2026, 6, 30, 20, 0, tzinfo=UTC)
    assert local_date(moment) == date(2026, 7, 1)
    with pytest.raises(ValueError, match="time zone"):
        local_date(datetime(2026, 6, 30, 20, 0))  # noqa: DTZ001 - naive on purpose


def test_years_and_dates_outside_the_programme_are_refused():
    assert year_problem(FIRST_YEAR) is None
    assert year_problem(LAST_YEAR) is None
    assert year_problem(LAST_YEAR + 1) == f"Choose a year between {FIRST_YEAR} and {LAST_YEAR}."
    assert date_problem(date(9999, 1, 1)) == (
        f"Choose a date between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31."
    )
    assert date_problem(date(2026, 7, 1)) is None


def test_overlap_days_counts_both_ends_and_an_open_end():
    march = Period(2026, 3)
    assert overlap_days(date(2026, 3, 16), None, march.first, march.last) == 16
    assert overlap_days(date(2026, 1, 1), date(2026, 3, 1), march.first, march.last) == 1
    assert overlap_days(date(2026, 4, 1), None, march.first, march.last) == 0


def test_month_ends_are_oldest_first_and_end_today():
    assert month_ends(date(2026, 3, 15), months=3) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 15),
    ]
