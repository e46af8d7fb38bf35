"""Which subsidy scheme applies to a window (domain.md §5 rule 2), on the pure module."""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period
from subsidies.calculation import (
    Scheme,
    compute_statement,
    subsidy_window,
)
from tests.subsidies.calculation_support import (
    INTERNET,
    INTERNET_SUBSIDY,
    OTHER_PARK,
    PARK,
    PARK_OPENING,
    PROGRAMME,
    RENT,
    RENT_SUBSIDY,
    a101,
    amounts,
    kinds,
    subsidised_days_in,
)

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
