"""Statements on the pure module (domain.md §5–6): other charges, empty months, rounding,
fiscal years, numbers, due dates, periods, and why a statement has no subsidy.

Checked on the pure module without a database. Expected amounts are worked out by hand
from the rules, with the arithmetic in a comment.
"""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period, fiscal_year
from core.money import amount_problem, quantize_money
from subsidies.calculation import (
    Let,
    OtherCharge,
    Scheme,
    Span,
    compute_statement,
    document_number,
    due_date,
    let_lines,
    no_subsidy_reason,
)
from tests.subsidies.calculation_support import (
    CHARGE,
    INTERNET,
    INTERNET_SUBSIDY,
    RENT,
    RENT_SUBSIDY,
    a101,
    amounts,
    kinds,
    window_from,
)


def test_other_charges_are_never_subsidised_and_appear_as_charge_lines():
    # given a scheme subsidising 100% of everything it can, and two other charges
    everything = Scheme(13, "Everything", Decimal("100"), Decimal("100"), 12, date(2025, 1, 1))
    window = window_from(date(2026, 3, 1), everything)
    charges = [
        OtherCharge(2, "Parking, March", Decimal("1234.565")),
        OtherCharge(1, "Power backup, March", Decimal("7500.00")),
    ]

    # when March 2026 is billed
    statement = compute_statement(Period(2026, 3), [a101(date(2026, 3, 1))], window, charges)

    # then the charges come last, in id order, as 'charge' lines, rounded half up
    charge_lines = [line for line in statement.lines if line.kind == CHARGE]
    assert [(line.charge_id, line.amount) for line in charge_lines] == [
        (1, Decimal("7500.00")),
        (2, Decimal("1234.57")),  # 1234.565 → 1234.57 (half up)
    ]
    assert kinds(statement) == [RENT, INTERNET, RENT_SUBSIDY, INTERNET_SUBSIDY, CHARGE, CHARGE]
    # and only rent and internet are subsidised: −60000 − 5000
    assert statement.subsidy_total == Decimal("-65000.00")
    # gross 60000 + 5000 + 7500 + 1234.57 = 73734.57; net = the charges alone
    assert statement.gross == Decimal("73734.57")
    assert statement.net_payable == Decimal("8734.57")


def test_a_charge_in_a_month_with_nothing_leased_still_makes_a_statement():
    # given the lease ended in May, and damages recorded for June
    let = a101(date(2026, 3, 15), end=date(2026, 5, 31))
    window = window_from(let.start)

    statement = compute_statement(
        Period(2026, 6), [let], window, [OtherCharge(9, "Damages", Decimal("2500"))]
    )

    assert kinds(statement) == [CHARGE]
    assert statement.net_payable == Decimal("2500.00")
    assert statement.scheme is None


@pytest.mark.parametrize(
    ("period", "lets"),
    [
        (Period(2026, 2), [a101(date(2026, 3, 15))]),  # before the lease starts
        (Period(2026, 7), [a101(date(2026, 3, 15), end=date(2026, 6, 30))]),  # after it ends
        (Period(2026, 3), []),  # no lease at all
    ],
)
def test_a_month_with_nothing_leased_and_no_charge_has_no_statement(period, lets):
    window = window_from(date(2026, 3, 15))

    assert compute_statement(period, lets, window) is None
    assert compute_statement(period, lets, None) is None


def test_each_line_is_rounded_half_up_from_its_unrounded_base():
    # given rent 10.10 for a whole month, 25% rent subsidy
    let = Let(1, "K-1", Decimal("10.10"), Decimal("0.00"), date(2026, 4, 1))
    window = window_from(let.start)

    statement = compute_statement(Period(2026, 4), [let], window)

    # then 25% × 10.10 = 2.525 exactly → 2.53 (half up; half-even would give 2.52)
    assert amounts(statement, RENT) == [Decimal("10.10")]
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-2.53")]


def test_totals_are_sums_of_rounded_lines():
    # given two units of 1000.00 each, both leased only on 30 June 2026 (1 of 30 days)
    lets = [
        Let(1, "A-101", Decimal("1000.00"), Decimal("0.00"), date(2026, 6, 30)),
        Let(2, "A-102", Decimal("1000.00"), Decimal("0.00"), date(2026, 6, 30)),
    ]

    statement = compute_statement(Period(2026, 6), lets, None)

    # then each rent line is 1000 / 30 = 33.333… → 33.33
    assert amounts(statement, RENT) == [Decimal("33.33"), Decimal("33.33")]
    # and gross is 33.33 + 33.33 = 66.66, not the unrounded 2000 / 30 = 66.666… → 66.67
    assert statement.gross == Decimal("66.66")
    assert statement.net_payable == Decimal("66.66")


def test_subsidy_total_is_the_sum_of_rounded_subsidy_lines():
    # given three units of 100.00 rent, each leased 1 day of 31 with 100% rent subsidy
    everything = Scheme(13, "Everything", Decimal("0"), Decimal("100"), 12, date(2025, 1, 1))
    window = window_from(date(2026, 3, 31), everything)
    lets = [
        Let(n, f"A-10{n}", Decimal("100.00"), Decimal("0"), date(2026, 3, 31)) for n in (1, 2, 3)
    ]

    statement = compute_statement(Period(2026, 3), lets, window)

    # each subsidy 100 / 31 = 3.2258… → −3.23; three of them −9.69 (unrounded 300 / 31 → 9.68)
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-3.23")] * 3
    assert statement.subsidy_total == Decimal("-9.69")
    assert statement.net_payable == Decimal("0.00")
    # no internet subsidy line when the scheme's internet percentage is 0
    assert INTERNET_SUBSIDY not in kinds(statement)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.0049", "0.00"), ("2.525", "2.53"), ("-2.525", "-2.53"), ("7", "7.00")],
)
def test_quantize_money_rounds_to_the_paisa_half_up(amount, expected):
    assert quantize_money(Decimal(amount)) == Decimal(expected)


def test_a_fully_subsidised_internet_line_nets_to_exactly_zero():
    # 5000 × 17 / 31 = 2741.935… on both sides: 2741.94 − 2741.94
    lines = let_lines(a101(date(2026, 3, 15)), Period(2026, 3), window_from(date(2026, 3, 15)))
    internet = {line.kind: line.amount for line in lines}

    total = internet[INTERNET] + internet[INTERNET_SUBSIDY]

    assert total == Decimal("0.00")
    assert str(total) == "0.00"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 6, 30), "2025-26"),
        (date(2026, 7, 1), "2026-27"),
        (date(2027, 1, 1), "2026-27"),
        (date(2099, 12, 31), "2099-00"),
        (date(2000, 3, 1), "1999-00"),
    ],
)
def test_fiscal_year_runs_from_1_july_to_30_june(day, expected):
    assert fiscal_year(day) == expected


def test_document_number_is_code_fiscal_year_and_five_digit_sequence():
    assert document_number("GUJ", "2026-27", 1) == "GUJ-2026-27-00001"
    assert document_number("GLT", "2025-26", 12345) == "GLT-2025-26-12345"


def test_credit_note_numbers_carry_their_prefix_after_the_park_code():
    assert document_number("GUJ", "2026-27", 1, prefix="CN") == "GUJ-CN-2026-27-00001"


def test_document_numbers_start_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        document_number("GUJ", "2026-27", 0)


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        (date(2026, 4, 1), date(2026, 4, 16)),
        (date(2026, 12, 20), date(2027, 1, 4)),
        (date(2028, 2, 20), date(2028, 3, 6)),  # across a leap-day February
    ],
)
def test_a_statement_is_due_15_days_after_issue(issued, due):
    assert due_date(issued) == due


def test_period_parse_reads_yyyy_mm():
    assert Period.parse("2026-03") == Period(2026, 3)
    assert str(Period.parse(" 2026-12 ")) == "2026-12"


@pytest.mark.parametrize("text", ["2026-13", "26-01", "", "2026-00", "2026-1", "2026/03", "mar"])
def test_period_parse_refuses_text_that_is_not_a_month(text):
    with pytest.raises(ValueError, match=r"YYYY-MM|No such month"):
        Period.parse(text)


def test_a_month_has_ended_only_after_its_last_day():
    march = Period(2026, 3)

    assert not march.has_ended(date(2026, 3, 15))
    assert not march.has_ended(date(2026, 3, 31))
    assert march.has_ended(date(2026, 4, 1))


def test_periods_step_across_year_ends_and_know_their_days():
    assert Period(2026, 12).next() == Period(2027, 1)
    assert Period(2027, 1).previous() == Period(2026, 12)
    assert (Period(2028, 2).days, Period(2026, 2).days, Period(2026, 4).days) == (29, 28, 30)


WINDOW = Span(date(2025, 3, 15), date(2026, 3, 15))  # last subsidised day 14 March 2026


@pytest.mark.parametrize(
    ("period", "window", "fixed_after_issue", "reason"),
    [
        (Period(2026, 4), None, False, "No subsidy scheme covered this park when the company's"),
        (Period(2025, 4), WINDOW, True, "covered this park when this statement was issued"),
        (Period(2026, 4), WINDOW, False, "(15 March 2025 to 14 March 2026) ended before"),
        (Period(2025, 2), WINDOW, False, "(15 March 2025 to 14 March 2026) opens after"),
        (Period(2026, 3), WINDOW, False, "this statement bills none of those"),
    ],
)
def test_a_statement_without_subsidy_says_why_from_its_window(
    period, window, fixed_after_issue, reason
):
    assert reason in no_subsidy_reason(period, window=window, fixed_after_issue=fixed_after_issue)


@pytest.mark.parametrize("amount", ["1e30", "1000000000000", "99999999999999999999.99"])
def test_an_amount_beyond_any_money_column_is_refused_not_a_crash(amount):
    problem = amount_problem(Decimal(amount))
    assert problem == "The amount can be at most 999,999,999,999.99."


def test_the_largest_storable_amount_is_an_amount():
    assert amount_problem(Decimal("999999999999.99")) is None
