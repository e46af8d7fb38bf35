"""The money rules of domain.md §5–6 (subsidy window, proration, statement lines, rounding,
fiscal-year numbering), checked on the pure module without a database.

Expected amounts are worked out by hand from the rules, with the arithmetic in a comment;
the property tests compare against an independent oracle (exact fractions, day-by-day
counting) rather than against the module's own formulas.
"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import Period, add_months, date_problem, fiscal_year, overlap_days
from core.money import amount_problem, quantize_money
from core.vocabulary import LineKind, WindowAnchor
from subsidies.calculation import (
    Let,
    OtherCharge,
    Scheme,
    Span,
    Window,
    compute_statement,
    document_number,
    due_date,
    let_lines,
    line_key,
    no_subsidy_reason,
    overbilled,
    subsidy_window,
    supplement,
)

RENT, INTERNET, CHARGE = LineKind.RENT, LineKind.INTERNET, LineKind.CHARGE
RENT_SUBSIDY, INTERNET_SUBSIDY = LineKind.RENT_SUBSIDY, LineKind.INTERNET_SUBSIDY
PARK_OPENING = WindowAnchor.PARK_OPENING

PARK = 1
OTHER_PARK = 2

# The programme of domain.md §5: 100% internet, 25% rent, 12 months.
PROGRAMME = Scheme(
    id=1,
    name="STP programme",
    internet_pct=Decimal("100"),
    rent_pct=Decimal("25"),
    duration_months=12,
    valid_from=date(2025, 7, 1),
)


def a101(start: date, end: date | None = None) -> Let:
    """Unit A-101 of the worked example: rent 60,000.00, internet 5,000.00."""
    return Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), start, end)


def window_from(first_lease_start: date, *schemes: Scheme, **kwargs) -> Window:
    window = subsidy_window(
        schemes or (PROGRAMME,), park_id=PARK, first_lease_start=first_lease_start, **kwargs
    )
    assert window is not None
    return window


def amounts(statement, kind: str) -> list[Decimal]:
    return [line.amount for line in statement.lines if line.kind == kind]


def kinds(statement) -> list[str]:
    return [line.kind for line in statement.lines]


def subsidised_days_in(period: Period, let: Let, window: Window) -> int:
    return window.days_within(let.start, let.end, period.first, period.last)


# --- The worked example of domain.md §6 -------------------------------------------------------
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


# --- Window rules (§5 rules 1–4) --------------------------------------------------------------
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


# --- Which scheme applies (§5 rule 2) ---------------------------------------------------------
LATER_SCHEME = Scheme(
    id=2,
    name="2026 revision",
    internet_pct=Decimal("50"),
    rent_pct=Decimal("10"),
    duration_months=6,
    valid_from=date(2026, 6, 1),
)


def test_a_later_scheme_does_not_change_a_window_that_started_earlier():
    # given the programme, and a revision valid from 2026-06-01
    schemes = [PROGRAMME, LATER_SCHEME]

    # when the window opened on 2026-03-15, before the revision
    window = subsidy_window(schemes, park_id=PARK, first_lease_start=date(2026, 3, 15))

    # then it keeps the programme: 12 months, 25% rent
    assert window.scheme == PROGRAMME
    assert window.end == date(2027, 3, 15)

    # and billing a month after the revision still uses the programme's percentages
    statement = compute_statement(Period(2026, 7), [a101(date(2026, 3, 15))], window)
    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-15000.00")]  # 25% × 60000
    assert amounts(statement, INTERNET_SUBSIDY) == [Decimal("-5000.00")]  # 100% × 5000


def test_a_window_opening_after_a_new_scheme_takes_the_new_scheme():
    window = subsidy_window(
        [PROGRAMME, LATER_SCHEME], park_id=PARK, first_lease_start=date(2026, 6, 1)
    )

    assert window.scheme == LATER_SCHEME
    assert window.end == date(2026, 12, 1)  # 6 months


def test_a_scheme_naming_the_park_wins_over_an_all_parks_scheme():
    # given an all-parks scheme newer than the park's own
    own = Scheme(
        3,
        "Gujranwala",
        Decimal("100"),
        Decimal("50"),
        24,
        date(2025, 1, 1),
        park_ids=frozenset({PARK}),
    )
    everywhere = Scheme(4, "All parks", Decimal("100"), Decimal("25"), 12, date(2026, 1, 1))

    window = subsidy_window([everywhere, own], park_id=PARK, first_lease_start=date(2026, 3, 15))

    # then the park's own wins, even with an older valid_from
    assert window.scheme == own
    assert window.end == date(2028, 3, 15)
    # and another park still gets the all-parks scheme
    other = subsidy_window(
        [everywhere, own], park_id=OTHER_PARK, first_lease_start=date(2026, 3, 15)
    )
    assert other.scheme == everywhere


def test_the_latest_valid_from_wins_among_schemes_of_the_same_reach():
    older = Scheme(5, "Older", Decimal("100"), Decimal("25"), 12, date(2025, 1, 1))
    newer = Scheme(6, "Newer", Decimal("100"), Decimal("30"), 12, date(2026, 1, 1))

    for schemes in ([older, newer], [newer, older]):
        window = subsidy_window(schemes, park_id=PARK, first_lease_start=date(2026, 3, 15))
        assert window.scheme == newer


def test_the_choice_among_equal_schemes_does_not_depend_on_reading_order():
    twin_a = Scheme(7, "Twin A", Decimal("100"), Decimal("25"), 12, date(2026, 1, 1))
    twin_b = Scheme(8, "Twin B", Decimal("100"), Decimal("20"), 12, date(2026, 1, 1))

    chosen = {
        subsidy_window(order, park_id=PARK, first_lease_start=date(2026, 3, 15)).scheme
        for order in ([twin_a, twin_b], [twin_b, twin_a])
    }

    assert len(chosen) == 1


@pytest.mark.parametrize(
    ("first_lease_start", "expected"),
    [
        (date(2025, 12, 31), "Old"),  # the last day of validity counts (valid_to inclusive)
        (date(2026, 1, 1), None),  # the old one has expired, the new one not yet begun
        (date(2026, 2, 28), None),
        (date(2026, 3, 1), "New"),
        (date(2024, 12, 31), None),  # before any scheme
    ],
)
def test_valid_from_and_valid_to_bound_the_window_start(first_lease_start, expected):
    old = Scheme(9, "Old", Decimal("100"), Decimal("25"), 12, date(2025, 1, 1), date(2025, 12, 31))
    new = Scheme(10, "New", Decimal("100"), Decimal("25"), 12, date(2026, 3, 1))

    window = subsidy_window([old, new], park_id=PARK, first_lease_start=first_lease_start)

    assert (window.scheme.name if window else None) == expected


def test_an_expired_scheme_still_applies_to_a_window_opened_while_it_was_valid():
    # grandfathering: validity is judged on the window's start, not on the billed month
    old = Scheme(9, "Old", Decimal("100"), Decimal("25"), 12, date(2025, 1, 1), date(2025, 12, 31))
    window = subsidy_window([old], park_id=PARK, first_lease_start=date(2025, 12, 1))
    let = a101(date(2025, 12, 1))

    statement = compute_statement(Period(2026, 6), [let], window)

    assert amounts(statement, RENT_SUBSIDY) == [Decimal("-15000.00")]


def test_park_opening_anchor_gives_a_late_tenant_only_the_remaining_months():
    # given a 12-month scheme anchored at the park's opening, 2026-01-01 → window to 2027-01-01
    opening = Scheme(
        11, "Opening", Decimal("100"), Decimal("25"), 12, date(2025, 7, 1), anchor=PARK_OPENING
    )
    tenant = a101(date(2026, 11, 1))  # arrives after 10 months: November and December left

    window = subsidy_window(
        [opening], park_id=PARK, first_lease_start=tenant.start, park_opening=date(2026, 1, 1)
    )

    # then the window is the park's, not the tenant's
    assert (window.start, window.end) == (date(2026, 1, 1), date(2027, 1, 1))
    # and only November and December 2026 are subsidised: 30 + 31 = 61 days
    months = [Period(2026, 11), Period(2026, 12), Period(2027, 1), Period(2027, 2)]
    assert [subsidised_days_in(p, tenant, window) for p in months] == [30, 31, 0, 0]
    december = compute_statement(Period(2026, 12), [tenant], window)
    assert amounts(december, RENT_SUBSIDY) == [Decimal("-15000.00")]
    january = compute_statement(Period(2027, 1), [tenant], window)
    assert kinds(january) == [RENT, INTERNET]


def test_park_opening_anchor_with_a_tenant_arriving_mid_month_ten():
    opening = Scheme(
        11, "Opening", Decimal("100"), Decimal("25"), 12, date(2025, 7, 1), anchor=PARK_OPENING
    )
    tenant = a101(date(2026, 10, 15))
    window = subsidy_window(
        [opening], park_id=PARK, first_lease_start=tenant.start, park_opening=date(2026, 1, 1)
    )

    october = compute_statement(Period(2026, 10), [tenant], window)

    # 15th–31st October = 17 days: rent subsidy 15000 × 17 / 31 = 8225.8064… → −8225.81
    assert amounts(october, RENT_SUBSIDY) == [Decimal("-8225.81")]
    total = sum(
        subsidised_days_in(p, tenant, window)
        for p in [Period(2026, 10), Period(2026, 11), Period(2026, 12), Period(2027, 1)]
    )
    assert total == 17 + 30 + 31


def test_park_opening_anchor_needs_a_scheme_valid_on_the_opening_date():
    opening = Scheme(
        11, "Opening", Decimal("100"), Decimal("25"), 12, date(2026, 6, 1), anchor=PARK_OPENING
    )

    # the park opened before the scheme existed: validity is judged on the window's start
    window = subsidy_window(
        [opening], park_id=PARK, first_lease_start=date(2026, 7, 1), park_opening=date(2026, 1, 1)
    )

    assert window is None


def test_a_park_with_no_scheme_gets_no_subsidy():
    # given no scheme at all
    window = subsidy_window([], park_id=PARK, first_lease_start=date(2026, 3, 15))
    assert window is None

    # when a month is billed
    statement = compute_statement(Period(2026, 4), [a101(date(2026, 3, 15))], window)

    # then rent and internet are charged in full, with no subsidy lines and no scheme
    assert kinds(statement) == [RENT, INTERNET]
    assert statement.subsidy_total == Decimal("0.00")
    assert statement.net_payable == statement.gross == Decimal("65000.00")
    assert statement.scheme is None


def test_a_scheme_for_other_parks_does_not_cover_this_park():
    elsewhere = Scheme(
        12,
        "Gilgit only",
        Decimal("100"),
        Decimal("25"),
        12,
        date(2025, 1, 1),
        park_ids=frozenset({OTHER_PARK}),
    )

    assert subsidy_window([elsewhere], park_id=PARK, first_lease_start=date(2026, 3, 15)) is None
    assert (
        subsidy_window([elsewhere], park_id=OTHER_PARK, first_lease_start=date(2026, 3, 15)).scheme
        == elsewhere
    )


# --- Other charges (§5 rule 5) and empty months ------------------------------------------------
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


# --- Rounding (§6) --------------------------------------------------------------------------
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


# --- Fiscal year, numbers, due dates, periods -------------------------------------------------
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


# --- Properties ------------------------------------------------------------------------------
FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2035, 12, 31)
# The autouse media fixture of tests/conftest.py is function-scoped; these pure tests ignore it.
PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
money = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
percentages = st.decimals(
    min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False
)
periods = days.map(Period.of)


@st.composite
def lets(draw, lease_unit_id: int = 1) -> Let:
    start = draw(days)
    end = draw(st.none() | st.dates(min_value=start, max_value=LAST_DAY))
    return Let(lease_unit_id, f"U-{lease_unit_id}", draw(money), draw(money), start, end)


@st.composite
def schemes(draw, internet_pct=percentages, rent_pct=percentages) -> Scheme:
    return Scheme(
        id=1,
        name="Drawn",
        internet_pct=draw(internet_pct),
        rent_pct=draw(rent_pct),
        duration_months=draw(st.integers(min_value=1, max_value=60)),
        valid_from=date(2019, 1, 1),
    )


@st.composite
def windows(draw, start=days) -> Window:
    return window_from(draw(start), draw(schemes()))


def day_by_day(period: Period, let: Let, window: Window | None) -> tuple[int, int]:
    """(leased, subsidised) days of ``let`` in ``period``, counted one day at a time."""
    leased = subsidised = 0
    day = period.first
    while day <= period.last:
        if let.start <= day and (let.end is None or day <= let.end):
            leased += 1
            if window is not None and window.start <= day < window.end:
                subsidised += 1
        day += timedelta(days=1)
    return leased, subsidised


def half_up(value: Fraction) -> Decimal:
    """The exact value rounded to the paisa, half up (the oracle for §6 rounding)."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(Decimal("0.01"))


@PROPERTY
@given(let=lets(), period=periods, window=windows())
def test_subsidised_plus_unsubsidised_days_are_the_leased_days(let, period, window):
    leased = overlap_days(let.start, let.end, period.first, period.last)
    subsidised = window.days_within(let.start, let.end, period.first, period.last)
    counted_leased, counted_subsidised = day_by_day(period, let, window)
    unsubsidised = counted_leased - counted_subsidised

    assert leased == counted_leased
    assert subsidised == counted_subsidised
    assert subsidised + unsubsidised == leased


@PROPERTY
@given(window=windows(), open_ended=st.booleans(), extra=st.integers(min_value=0, max_value=400))
def test_a_let_covering_the_window_is_subsidised_for_exactly_its_length(window, open_ended, extra):
    # given a let from the window's start to its last day or beyond
    end = None if open_ended else window.last_day + timedelta(days=extra)
    let = Let(1, "U-1", Decimal("1"), Decimal("1"), window.start, end)

    # when the subsidised days of every month from the window's start to its end are summed
    total, period = 0, Period.of(window.start)
    while period <= Period.of(window.last_day):
        total += window.days_within(let.start, let.end, period.first, period.last)
        period = period.next()

    # then they are the window's length in days
    assert total == (window.end - window.start).days
    # and no day after the window is subsidised
    after = Period.of(window.end)
    if after.first >= window.end:
        assert window.days_within(let.start, let.end, after.first, after.last) == 0


@PROPERTY
@given(let=lets(), period=periods, window=st.none() | windows())
def test_each_line_is_the_exact_amount_rounded_half_up(let, period, window):
    leased, subsidised = day_by_day(period, let, window)

    lines = {line.kind: line.amount for line in let_lines(let, period, window)}

    if leased == 0:
        assert lines == {}
        return
    share = Fraction(leased, period.days)
    assert lines[RENT] == half_up(Fraction(let.monthly_rent) * share)
    assert lines[INTERNET] == half_up(Fraction(let.internet_fee) * share)
    for kind, pct, price in (
        (RENT_SUBSIDY, window and window.scheme.rent_pct, let.monthly_rent),
        (INTERNET_SUBSIDY, window and window.scheme.internet_pct, let.internet_fee),
    ):
        if subsidised and pct and price:
            exact = Fraction(pct) / 100 * Fraction(price) * Fraction(subsidised, period.days)
            assert lines[kind] == -half_up(exact)
        else:
            assert kind not in lines


@PROPERTY
@given(let=lets(), period=periods, window=windows())
def test_no_subsidy_line_exceeds_the_charge_it_subsidises(let, period, window):
    lines = {line.kind: line.amount for line in let_lines(let, period, window)}

    for charged, subsidy in ((RENT, RENT_SUBSIDY), (INTERNET, INTERNET_SUBSIDY)):
        if subsidy in lines:
            assert lines[subsidy] <= 0
            assert abs(lines[subsidy]) <= lines[charged]


@PROPERTY
@given(
    drawn_lets=st.lists(lets(), max_size=3),
    charge_amounts=st.lists(money, max_size=2),
    period=periods,
    window=st.none() | windows(),
)
def test_statement_totals_add_up_and_net_is_never_negative(
    drawn_lets, charge_amounts, period, window
):
    lets_ = [
        Let(n, f"U-{n}", let.monthly_rent, let.internet_fee, let.start, let.end)
        for n, let in enumerate(drawn_lets, start=1)
    ]
    charges = [OtherCharge(n, f"Charge {n}", a) for n, a in enumerate(charge_amounts, start=1)]

    statement = compute_statement(period, lets_, window, charges)

    if statement is None:
        assert not charges
        assert all(day_by_day(period, let, None)[0] == 0 for let in lets_)
        return
    charged = [line.amount for line in statement.lines if line.kind in (RENT, INTERNET, CHARGE)]
    subsidies = [
        line.amount for line in statement.lines if line.kind in (RENT_SUBSIDY, INTERNET_SUBSIDY)
    ]
    assert statement.gross == sum(charged, Decimal("0.00"))
    assert statement.subsidy_total == sum(subsidies, Decimal("0.00"))
    assert statement.net_payable == statement.gross + statement.subsidy_total
    assert statement.net_payable >= 0
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in statement.lines)
    assert (statement.scheme is not None) == bool(subsidies)


@PROPERTY
@given(
    scheme=schemes(internet_pct=st.just(Decimal("100")) | st.just(Decimal("100.00"))),
    start=days,
    length=st.integers(min_value=0, max_value=2000),
    fee=money,
    month_offset=st.integers(min_value=0, max_value=60),
)
def test_fully_subsidised_internet_nets_to_exactly_zero(scheme, start, length, fee, month_offset):
    # given a let entirely inside the window
    window = window_from(start, scheme)
    end = min(start + timedelta(days=length), window.last_day)
    let = Let(1, "U-1", Decimal("0"), fee, start, end)
    period = Period.of(add_months(start.replace(day=1), month_offset))
    if period > Period.of(end):
        period = Period.of(end)

    # when any month of it is billed
    lines = {line.kind: line.amount for line in let_lines(let, period, window)}

    # then internet and its subsidy cancel to the paisa
    net = lines[INTERNET] + lines.get(INTERNET_SUBSIDY, Decimal("0.00"))
    assert net == Decimal("0.00")
    assert str(net) == "0.00"


def test_a_supplement_bills_only_the_lines_not_billed_yet():
    # given March 2026 billed for one let, and a second let entered late
    window = subsidy_window([PROGRAMME], park_id=PARK, first_lease_start=date(2026, 3, 15))
    first = Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), date(2026, 3, 15))
    late = Let(2, "B-201", Decimal("31000.00"), Decimal("3100.00"), date(2026, 3, 20))
    march = Period(2026, 3)
    issued = compute_statement(march, [first], window)
    # when the month is computed again with both
    extra = supplement(compute_statement(march, [first, late], window), map(line_key, issued.lines))
    # then only B-201 is billed: 31,000 × 12/31 = 12,000.00 and 3,100 × 12/31 = 1,200.00,
    # less 25% (3,000.00) and 100% (1,200.00)
    assert [(ln.unit_code, ln.amount) for ln in extra.lines] == [
        ("B-201", Decimal("12000.00")),
        ("B-201", Decimal("1200.00")),
        ("B-201", Decimal("-3000.00")),
        ("B-201", Decimal("-1200.00")),
    ]
    assert extra.net_payable == Decimal("9000.00")
    assert extra.scheme == PROGRAMME


def test_nothing_new_to_bill_gives_no_supplement():
    window = subsidy_window([PROGRAMME], park_id=PARK, first_lease_start=date(2026, 3, 15))
    let = Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), date(2026, 3, 15))
    issued = compute_statement(Period(2026, 3), [let], window)
    ended_earlier = Let(
        1, "A-101", let.monthly_rent, let.internet_fee, let.start, date(2026, 3, 20)
    )
    again = compute_statement(Period(2026, 3), [ended_earlier], window)
    assert supplement(again, map(line_key, issued.lines)) is None


def billed_lines(statement) -> list:
    return [(line_key(line), line.amount) for line in statement.lines]


def test_a_lease_ended_earlier_is_overbilled_by_the_days_after_its_end():
    # given March 2026 of the worked example billed (17 days: net 24,677.42)
    window = window_from(date(2026, 3, 15))
    march = Period(2026, 3)
    issued = compute_statement(march, [a101(date(2026, 3, 15))], window)
    assert issued.net_payable == Decimal("24677.42")
    # when the lease is found to have ended on the 20th (6 days: 11,612.90 + 967.74
    # - 2,903.23 - 967.74 = 8,709.67)
    again = compute_statement(march, [a101(date(2026, 3, 15), date(2026, 3, 20))], window)
    assert again.net_payable == Decimal("8709.67")
    # then the month was overbilled by the difference, line by line
    assert overbilled(billed_lines(issued), again, Decimal("0.00")) == Decimal("15967.75")


def test_a_month_that_charges_nothing_any_more_is_overbilled_by_all_it_billed():
    window = window_from(date(2026, 3, 15))
    april = compute_statement(Period(2026, 4), [a101(date(2026, 3, 15))], window)
    assert april.net_payable == Decimal("45000.00")  # 65,000 less 15,000 and 5,000
    assert overbilled(billed_lines(april), None, Decimal("0.00")) == Decimal("45000.00")


def test_credit_notes_already_issued_count_and_nothing_goes_below_zero():
    window = window_from(date(2026, 3, 15))
    april = compute_statement(Period(2026, 4), [a101(date(2026, 3, 15))], window)
    assert overbilled(billed_lines(april), None, Decimal("40000.00")) == Decimal("5000.00")
    assert overbilled(billed_lines(april), None, Decimal("45000.00")) == Decimal("0.00")
    # voided by hand, and then some: still nothing, never a negative credit
    assert overbilled(billed_lines(april), None, Decimal("50000.00")) == Decimal("0.00")


def test_lines_not_billed_yet_are_for_a_supplement_not_a_credit():
    # given March billed for A-101 only, and the month now also charging B-201
    window = window_from(date(2026, 3, 15))
    march = Period(2026, 3)
    first = a101(date(2026, 3, 15))
    late = Let(2, "B-201", Decimal("31000.00"), Decimal("3100.00"), date(2026, 3, 20))
    issued = compute_statement(march, [first], window)
    again = compute_statement(march, [first, late], window)
    # then nothing was overbilled: the new lines do not offset anything
    assert overbilled(billed_lines(issued), again, Decimal("0.00")) == Decimal("0.00")
    assert overbilled(billed_lines(issued), issued, Decimal("0.00")) == Decimal("0.00")


def test_a_scheme_dated_back_after_billing_adds_no_subsidy_to_lines_already_billed():
    # given March billed without a scheme (no window, no subsidy)
    march = Period(2026, 3)
    let = a101(date(2026, 3, 15))
    issued = compute_statement(march, [let], None)
    assert issued.net_payable == Decimal("35645.17")
    # when the month is computed again under a scheme created since, dated back
    again = compute_statement(march, [let], window_from(date(2026, 3, 15)))
    # then nothing is supplemented: a subsidy alone would be a negative statement
    assert supplement(again, map(line_key, issued.lines)) is None
    # but a let entered late comes with its own subsidy
    late = Let(2, "B-201", Decimal("31000.00"), Decimal("3100.00"), date(2026, 3, 20))
    both = compute_statement(march, [let, late], window_from(date(2026, 3, 15)))
    extra = supplement(both, map(line_key, issued.lines))
    assert [ln.unit_code for ln in extra.lines] == ["B-201"] * 4
    assert extra.net_payable == Decimal("9000.00")


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (date(1990, 1, 1), False),
        (date(2999, 12, 31), False),
        (date(1989, 12, 31), True),
        (date(3000, 1, 1), True),
        (date(9999, 12, 31), True),
    ],
)
def test_a_programme_date_must_fall_in_a_month_that_can_be_billed(day, refused):
    problem = date_problem(day)
    assert (problem is not None) == refused
    if refused:
        assert "between 1990-01-01 and 2999-12-31" in problem


# --- Why a statement has no subsidy (§5) ---------------------------------------------------------
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
