"""The money rules of domain.md §5–6: the worked example, and the subsidy window's rules
(§5 rules 1–4).

Checked on the pure module without a database. Expected amounts are worked out by hand
from the rules, with the arithmetic in a comment.
"""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period, add_months
from subsidies.calculation import (
    Let,
    Scheme,
    compute_statement,
)
from tests.subsidies.calculation_support import (
    INTERNET,
    INTERNET_SUBSIDY,
    PROGRAMME,
    RENT,
    RENT_SUBSIDY,
    a101,
    amounts,
    kinds,
    subsidised_days_in,
    window_from,
)


def test_worked_example_march_2026_prorates_the_first_month_and_subsidises_it_all():
    # given the lease of A-101 from 2026-03-15 under the programme
    window = window_from(date(2026, 3, 15))

    # when March 2026 is billed (31 days, 15th–31st = 17 leased, all in the window)
    statement = compute_statement(Period(2026, 3), [a101(date(2026, 3, 15))], window)

    # then every line is to the paisa
    assert kinds(statement) == [RENT, INTERNET, RENT_SUBSIDY, INTERNET_SUBSIDY]
    # rent 60000 × 17 / 31 = 32903.2258… → 32903.23
    assert amounts(statement, RENT) == [Decimal("32903.23")]
    # internet 5000 × 17 / 31 = 2741.9354… → 2741.94
    assert amounts(statement, INTERNET) == [Decimal("2741.94")]
    # rent subsidy 25% × 60000 × 17 / 31 = 8225.8064… → −8225.81
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-8225.81")]
    # internet subsidy 100% × 5000 × 17 / 31 = 2741.9354… → −2741.94
    assert amounts(statement, INTERNET_SUBSIDY) == [Decimal("-2741.94")]
    # gross 32903.23 + 2741.94 = 35645.17; subsidy −8225.81 − 2741.94 = −10967.75
    assert statement.gross == Decimal("35645.17")
    assert statement.subsidy_total == Decimal("-10967.75")
    # net 35645.17 − 10967.75 = 24677.42
    assert statement.net_payable == Decimal("24677.42")
    assert statement.scheme == PROGRAMME
    assert "17 of 31 days" in statement.lines[0].description


def test_worked_example_march_2027_subsidises_only_the_1st_to_the_14th():
    # given the same lease, still running a year later
    window = window_from(date(2026, 3, 15))

    # when March 2027 is billed (31 days leased, 1st–14th = 14 inside the window)
    statement = compute_statement(Period(2027, 3), [a101(date(2026, 3, 15))], window)

    # then a whole month is exactly the monthly price, and the subsidy covers 14 days
    assert amounts(statement, RENT) == [Decimal("60000.00")]
    assert amounts(statement, INTERNET) == [Decimal("5000.00")]
    # rent subsidy 25% × 60000 × 14 / 31 = 6774.1935… → −6774.19
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-6774.19")]
    # internet subsidy 5000 × 14 / 31 = 2258.0645… → −2258.06
    assert amounts(statement, INTERNET_SUBSIDY) == [Decimal("-2258.06")]
    assert statement.gross == Decimal("65000.00")
    assert statement.subsidy_total == Decimal("-9032.25")
    # net 65000.00 − 6774.19 − 2258.06 = 55967.75
    assert statement.net_payable == Decimal("55967.75")
    assert "14 of 31 days" in statement.lines[2].description


def test_window_from_the_15th_ends_the_day_before_the_same_date_a_year_later():
    window = window_from(date(2026, 3, 15))

    assert window.start == date(2026, 3, 15)
    assert window.end == date(2027, 3, 15)
    assert window.last_day == date(2027, 3, 14)


def test_window_from_31_january_ends_31_january_exclusive():
    window = window_from(date(2026, 1, 31))

    assert window.end == date(2027, 1, 31)
    assert window.last_day == date(2027, 1, 30)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # February 2026 has 28 days
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # 2028 is a leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 10, 31), 2, date(2026, 12, 31)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 15), -3, date(2025, 12, 15)),
    ],
)
def test_add_months_moves_by_calendar_months_clipping_the_day_to_the_months_end(
    day, months, expected
):
    assert add_months(day, months) == expected


def test_lease_starting_on_the_31st_gets_a_window_clipped_to_a_shorter_months_end():
    # given a 6-month scheme and a lease from 31 August 2026
    six_months = Scheme(
        2, "Six months", Decimal("100"), Decimal("25"), 6, valid_from=date(2025, 7, 1)
    )
    window = window_from(date(2026, 8, 31), six_months)

    # then 31 August + 6 months is clipped to 28 February 2027 (exclusive)
    assert window.end == date(2027, 2, 28)
    assert window.last_day == date(2027, 2, 27)

    # when February 2027 is billed (28 days, 1st–27th subsidised)
    let = a101(date(2026, 8, 31))
    statement = compute_statement(Period(2027, 2), [let], window)

    assert subsidised_days_in(Period(2027, 2), let, window) == 27
    # rent subsidy 25% × 60000 × 27 / 28 = 14464.2857… → −14464.29
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-14464.29")]
    # internet subsidy 5000 × 27 / 28 = 4821.4285… → −4821.43
    assert amounts(statement, INTERNET_SUBSIDY) == [Decimal("-4821.43")]

    # and the first month (August, 31 days) is one day: 60000 × 1 / 31 = 1935.4838… → 1935.48
    august = compute_statement(Period(2026, 8), [let], window)
    assert amounts(august, RENT) == [Decimal("1935.48")]
    assert amounts(august, RENT_SUBSIDY) == [Decimal("-483.87")]  # 15000 / 31 = 483.870…


def test_lease_starting_on_29_february_gets_a_window_ending_28_february_exclusive():
    # given a lease from 29 February 2028 (leap day)
    window = window_from(date(2028, 2, 29))
    let = a101(date(2028, 2, 29))

    # then the window end is clipped to 28 February 2029 (exclusive)
    assert window.end == date(2029, 2, 28)
    assert window.last_day == date(2029, 2, 27)

    # when February 2028 is billed (29 days, 1 leased and subsidised)
    first = compute_statement(Period(2028, 2), [let], window)
    # rent 60000 / 29 = 2068.9655… → 2068.97; internet 5000 / 29 = 172.4137… → 172.41
    # rent subsidy 15000 / 29 = 517.2413… → −517.24; internet subsidy −172.41
    assert amounts(first, RENT) == [Decimal("2068.97")]
    assert amounts(first, INTERNET) == [Decimal("172.41")]
    assert amounts(first, RENT_SUBSIDY) == [Decimal("-517.24")]
    assert amounts(first, INTERNET_SUBSIDY) == [Decimal("-172.41")]
    # net 2068.97 + 172.41 − 517.24 − 172.41 = 1551.73
    assert first.net_payable == Decimal("1551.73")

    # when February 2029 is billed (28 days leased, 1st–27th subsidised)
    last = compute_statement(Period(2029, 2), [let], window)
    # rent subsidy 15000 × 27 / 28 = 14464.2857… → −14464.29
    # internet subsidy 5000 × 27 / 28 = 4821.4285… → −4821.43
    assert amounts(last, RENT_SUBSIDY) == [Decimal("-14464.29")]
    assert amounts(last, INTERNET_SUBSIDY) == [Decimal("-4821.43")]
    # net 65000.00 − 14464.29 − 4821.43 = 45714.28
    assert last.net_payable == Decimal("45714.28")


def test_a_lease_starting_on_the_16th_counts_the_16th_itself():
    # given a lease from 16 May 2026 (31 days; 16th–31st inclusive = 16 days, not 15)
    let = a101(date(2026, 5, 16))
    window = window_from(let.start)

    # when May 2026 is billed
    statement = compute_statement(Period(2026, 5), [let], window)

    # then rent 60000 × 16 / 31 = 30967.7419… → 30967.74
    assert amounts(statement, RENT) == [Decimal("30967.74")]
    # internet 5000 × 16 / 31 = 2580.6451… → 2580.65
    assert amounts(statement, INTERNET) == [Decimal("2580.65")]
    # rent subsidy 15000 × 16 / 31 = 7741.9354… → −7741.94
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-7741.94")]
    assert amounts(statement, INTERNET_SUBSIDY) == [Decimal("-2580.65")]
    assert "16 of 31 days" in statement.lines[0].description


def test_the_month_the_window_ends_in_is_partly_subsidised_and_the_next_not_at_all():
    # given a lease from 10 June 2026: the window ends 10 June 2027 (exclusive)
    let = a101(date(2026, 6, 10))
    window = window_from(let.start)

    # when June 2027 is billed (30 days leased, 1st–9th = 9 subsidised)
    june = compute_statement(Period(2027, 6), [let], window)

    # then rent subsidy 25% × 60000 × 9 / 30 = 4500.00; internet 5000 × 9 / 30 = 1500.00
    assert amounts(june, RENT) == [Decimal("60000.00")]
    assert amounts(june, RENT_SUBSIDY) == [Decimal("-4500.00")]
    assert amounts(june, INTERNET_SUBSIDY) == [Decimal("-1500.00")]
    # net 65000.00 − 4500.00 − 1500.00 = 59000.00
    assert june.net_payable == Decimal("59000.00")

    # and July 2027, after the window, has no subsidy and no scheme applied
    july = compute_statement(Period(2027, 7), [let], window)
    assert kinds(july) == [RENT, INTERNET]
    assert july.net_payable == Decimal("65000.00")
    assert july.scheme is None


def test_units_leased_later_share_the_original_window():
    # given A-101 from 2026-03-15 and, later, A-102 from 2026-09-01 in the same park
    first = a101(date(2026, 3, 15))
    later = Let(2, "A-102", Decimal("40000.00"), Decimal("3000.00"), date(2026, 9, 1))
    window = window_from(first.start)

    # when March 2027 is billed
    march = compute_statement(Period(2027, 3), [later, first], window)

    # then A-102 is subsidised only until the original window ends (14 of 31 days)
    assert subsidised_days_in(Period(2027, 3), later, window) == 14
    a102 = [line for line in march.lines if line.unit_code == "A-102"]
    assert [(line.kind, line.amount) for line in a102] == [
        (RENT, Decimal("40000.00")),
        (INTERNET, Decimal("3000.00")),
        # 25% × 40000 × 14 / 31 = 4516.1290… → −4516.13
        (RENT_SUBSIDY, Decimal("-4516.13")),
        # 3000 × 14 / 31 = 1354.8387… → −1354.84
        (INTERNET_SUBSIDY, Decimal("-1354.84")),
    ]
    # lines come per unit in order: A-101 first, whatever order the lets were given in
    assert [line.unit_code for line in march.lines[:4]] == ["A-101"] * 4
    # subsidy −6774.19 − 2258.06 − 4516.13 − 1354.84 = −14903.22
    assert march.subsidy_total == Decimal("-14903.22")
    # net 60000 + 5000 + 40000 + 3000 − 14903.22 = 93096.78
    assert march.net_payable == Decimal("93096.78")

    # and in April 2027 neither unit is subsidised, though A-102 has had only 7 months
    april = compute_statement(Period(2027, 4), [first, later], window)
    assert kinds(april) == [RENT, INTERNET, RENT, INTERNET]
    assert april.scheme is None


def test_termination_mid_month_bills_up_to_and_including_the_end_date():
    # given the lease terminated on 10 June 2026 (end inclusive)
    let = a101(date(2026, 3, 15), end=date(2026, 6, 10))
    window = window_from(let.start)

    # when June 2026 is billed (30 days, 1st–10th = 10 leased and subsidised)
    june = compute_statement(Period(2026, 6), [let], window)

    # then rent 60000 × 10 / 30 = 20000.00; internet 5000 × 10 / 30 = 1666.666… → 1666.67
    assert amounts(june, RENT) == [Decimal("20000.00")]
    assert amounts(june, INTERNET) == [Decimal("1666.67")]
    # rent subsidy 25% × 20000 = −5000.00; internet subsidy −1666.67
    assert amounts(june, RENT_SUBSIDY) == [Decimal("-5000.00")]
    assert amounts(june, INTERNET_SUBSIDY) == [Decimal("-1666.67")]
    # net 20000 + 1666.67 − 5000 − 1666.67 = 15000.00
    assert june.net_payable == Decimal("15000.00")
    assert "10 of 30 days" in june.lines[0].description

    # and a lease ending on the last day of a month bills nothing the next month
    assert compute_statement(Period(2026, 7), [let], window) is None


def test_a_lease_ending_on_its_first_day_is_one_day_let():
    let = a101(date(2026, 6, 30), end=date(2026, 6, 30))

    statement = compute_statement(Period(2026, 6), [let], None)

    # 60000 × 1 / 30 = 2000.00; 5000 × 1 / 30 = 166.666… → 166.67
    assert amounts(statement, RENT) == [Decimal("2000.00")]
    assert amounts(statement, INTERNET) == [Decimal("166.67")]


def test_leaving_and_coming_back_opens_no_new_window():
    # given a first lease 2026-03-15 to 2026-05-31, then, after a gap, B-201 from 2026-11-01
    first = a101(date(2026, 3, 15), end=date(2026, 5, 31))
    comeback = Let(3, "B-201", Decimal("50000.00"), Decimal("4000.00"), date(2026, 11, 1))
    # the caller passes the start of the *first* lease in the park
    window = window_from(first.start)
    lets = [first, comeback]

    # then the window is the first lease's, not one opened by the comeback
    assert (window.start, window.end) == (date(2026, 3, 15), date(2027, 3, 15))
    assert window.end != add_months(comeback.start, PROGRAMME.duration_months)

    # during the gap there is nothing to bill
    assert compute_statement(Period(2026, 8), lets, window) is None

    # November 2026 is fully subsidised (inside the original window)
    november = compute_statement(Period(2026, 11), lets, window)
    assert amounts(november, RENT_SUBSIDY) == [Decimal("-12500.00")]  # 25% × 50000
    assert amounts(november, INTERNET_SUBSIDY) == [Decimal("-4000.00")]

    # March 2027: only the 1st–14th of the original window remain
    march = compute_statement(Period(2027, 3), lets, window)
    # 25% × 50000 × 14 / 31 = 5645.1612… → −5645.16; 4000 × 14 / 31 = 1806.4516… → −1806.45
    assert amounts(march, RENT_SUBSIDY) == [Decimal("-5645.16")]
    assert amounts(march, INTERNET_SUBSIDY) == [Decimal("-1806.45")]

    # April 2027, which a new window from 2026-11-01 would have covered, is not subsidised
    april = compute_statement(Period(2027, 4), lets, window)
    assert kinds(april) == [RENT, INTERNET]
    assert april.scheme is None
