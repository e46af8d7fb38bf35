"""Occupancy over time as a pure rule (domain.md §2): no database."""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import month_ends
from parks.domain import Occupation, unit_status_on
from parks.occupancy import OccupancyPoint, UnitLet, UnitSpace, occupancy_series

A = UnitSpace(1, Decimal("600"), 6)
B = UnitSpace(2, Decimal("400"), 4)
DESK = UnitSpace(3, Decimal("50.50"), 1)
FLAGGED = UnitSpace(4, Decimal("1000"), 10, under_maintenance=True)


def point(day, lets, units=(A, B, DESK, FLAGGED)) -> OccupancyPoint:
    return occupancy_series(lets, units, [day])[0]


def test_occupancy_is_leased_area_over_leasable_area_excluding_units_under_maintenance():
    p = point(date(2026, 5, 31), [UnitLet(1, date(2026, 1, 1))])
    assert (p.leased_area, p.leasable_area) == (Decimal("600"), Decimal("1050.50"))
    assert p.by_area == Decimal("0.5712")
    assert p.percent == Decimal("57.1")
    assert (p.leased_units, p.leasable_units) == (1, 3)
    assert (p.leased_seats, p.leasable_seats) == (6, 11)
    assert p.units_percent == Decimal("33.3")
    assert p.seats_percent == Decimal("54.5")


def test_a_flagged_unit_a_tenant_still_occupies_counts_as_leased_and_leasable():
    p = point(date(2026, 5, 31), [UnitLet(4, date(2026, 1, 1))])
    assert (p.leased_area, p.leasable_area) == (Decimal("1000"), Decimal("2050.50"))


def test_the_lease_end_date_is_inclusive_and_an_open_end_runs_on():
    lets = [UnitLet(1, date(2026, 1, 1), date(2026, 3, 31)), UnitLet(2, date(2026, 3, 1))]
    on_last_day, day_after = occupancy_series(lets, [A, B], [date(2026, 3, 31), date(2026, 4, 1)])
    assert on_last_day.leased_area == Decimal("1000")
    assert day_after.leased_area == Decimal("400")


def test_a_lease_starting_after_the_date_does_not_count_yet():
    assert point(date(2026, 2, 28), [UnitLet(1, date(2026, 3, 1))], units=[A]).leased_area == 0


def test_a_unit_let_twice_over_time_counts_once_per_day():
    lets = [
        UnitLet(1, date(2025, 1, 1), date(2025, 6, 30)),
        UnitLet(1, date(2025, 7, 1), None),
    ]
    days = [date(2025, 3, 31), date(2025, 6, 30), date(2025, 7, 1), date(2026, 1, 31)]
    assert [p.leased_area for p in occupancy_series(lets, [A, B], days)] == [Decimal("600")] * 4


def test_a_park_with_nothing_leasable_has_no_occupancy_figure_rather_than_zero_or_an_error():
    p = point(date(2026, 5, 31), [], units=[FLAGGED])
    assert (p.by_area, p.percent, p.units_percent, p.seats_percent) == (None, None, None, None)
    assert occupancy_series([], [], [date(2026, 5, 31)])[0].percent is None


def test_occupancy_is_exact_decimal_and_rounds_half_up():
    # 1 of 8 = 12.5% exactly; 1 of 3 seats = 33.33…% → 33.3
    units = [UnitSpace(n, Decimal("100.00"), 1) for n in range(8)]
    p = point(date(2026, 1, 1), [UnitLet(0, date(2025, 1, 1))], units=units)
    assert p.percent == Decimal("12.5")
    assert p.by_area == Decimal("0.1250")
    assert isinstance(p.leased_area, Decimal)
    half = OccupancyPoint(date(2026, 1, 1), Decimal("1"), Decimal("2000"), 0, 0, 0, 0)
    assert half.percent == Decimal("0.1")  # 0.05% rounds half up, not to even


def test_occupancy_series_returns_one_point_per_date_in_order():
    days = month_ends(date(2026, 5, 10))
    points = occupancy_series([UnitLet(1, date(2026, 1, 15))], [A, B], days)
    assert [p.day for p in points] == days
    assert [p.percent for p in points] == [Decimal("0.0")] * 7 + [Decimal("60.0")] * 5


@pytest.mark.parametrize("day", [date(2026, 5, 10), date(2026, 6, 1), date(2026, 1, 1)])
def test_the_series_agrees_with_the_unit_status_rule_on_every_day(day):
    lets = [
        UnitLet(1, date(2026, 1, 1), date(2026, 5, 10)),
        UnitLet(2, date(2026, 6, 1)),
        UnitLet(4, date(2025, 1, 1), date(2026, 1, 1)),
    ]
    units = [A, B, DESK, FLAGGED]
    statuses = {
        u.id: unit_status_on(
            day,
            under_maintenance=u.under_maintenance,
            occupations=[Occupation(let.start, let.end) for let in lets if let.unit_id == u.id],
        )
        for u in units
    }
    p = point(day, lets, units)
    assert p.leased_area == sum(
        (u.area_sqft for u in units if statuses[u.id] == "leased"), Decimal(0)
    )
    assert p.leasable_area == sum(
        (u.area_sqft for u in units if statuses[u.id] != "maintenance"), Decimal(0)
    )


def test_month_ends_are_the_last_day_of_the_eleven_previous_months_then_today():
    days = month_ends(date(2026, 3, 15))
    assert len(days) == 12
    assert days[0] == date(2025, 4, 30)
    assert date(2026, 2, 28) in days  # not a leap year
    assert days[-2:] == [date(2026, 2, 28), date(2026, 3, 15)]


def test_month_ends_cross_the_year_and_handle_leap_years_and_the_first_of_a_month():
    assert month_ends(date(2028, 3, 1), months=3) == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 1),
    ]
    assert month_ends(date(2026, 1, 31), months=2) == [date(2025, 12, 31), date(2026, 1, 31)]
