"""Occupancy is one rule (domain.md §2, issue 8): the database's sums (the directory, My
parks) and the pure series (``parks.occupancy``) give the same figures for the same units and
lets, with the one rounding of ``core.figures`` (half up)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parks.occupancy import OccupancyPoint, UnitLet, UnitSpace, occupancy_series
from parks.selectors import (
    directory_row,
    managed_parks_with_occupancy,
    park_directory,
    park_occupancy,
)
from tests.factories import LeaseFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 5, 10)


def _lets(offsets: list[int]) -> list[tuple[date, date | None]]:
    """Non-overlapping lets from sorted day offsets around DAY: (a, b), (c, d), …; an odd
    last offset starts an open let (a unit is never let twice for the same day)."""
    days = [DAY + timedelta(days=n) for n in sorted(offsets)]
    return [(days[i], days[i + 1] if i + 1 < len(days) else None) for i in range(0, len(days), 2)]


units = st.lists(
    st.fixed_dictionaries(
        {
            "area_sqft": st.decimals(
                min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2
            ),
            "seats": st.integers(min_value=1, max_value=60),
            "under_maintenance": st.booleans(),
            "lets": st.lists(st.integers(-400, 400), max_size=4, unique=True).map(_lets),
        }
    ),
    max_size=6,
)


def _from_the_database(park, user) -> tuple[object, OccupancyPoint, OccupancyPoint]:
    row = directory_row(park_directory(AnonymousUser()).get(pk=park.pk), on=DAY)
    managed = dict(managed_parks_with_occupancy(user, on=DAY))[park]
    return row, managed, park_occupancy(park, today=DAY).now


def _make(specs) -> tuple[object, list[UnitSpace], list[UnitLet]]:
    park = ParkFactory(code="PRP", opening_date=date(2020, 1, 1))
    spaces, lets = [], []
    for spec in specs:
        unit = UnitFactory(
            park=park,
            area_sqft=spec["area_sqft"],
            seats=spec["seats"],
            under_maintenance=spec["under_maintenance"],
        )
        spaces.append(UnitSpace(unit.pk, spec["area_sqft"], spec["seats"], unit.under_maintenance))
        for start, end in spec["lets"]:
            LeaseFactory(park=park, units=[unit], start_date=start, end_date=end)
            lets.append(UnitLet(unit.pk, start, end))
    return park, spaces, lets


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=units)
def test_the_sql_and_the_python_give_the_same_occupancy_for_any_units_and_lets(specs, pseb_staff):
    with transaction.atomic():
        # given
        park, spaces, lets = _make(specs)
        # when
        pure = occupancy_series(lets, spaces, [DAY])[0]
        row, managed, series = _from_the_database(park, pseb_staff)
        # then
        assert managed == pure
        assert series == pure
        assert (row.leased_area, row.leasable_area) == (pure.leased_area, pure.leasable_area)
        assert row.occupancy == managed.by_area == pure.by_area
        transaction.set_rollback(True)


def test_one_square_foot_of_twenty_thousand_is_0_0001_everywhere(pseb_staff):
    # given: 1 of 20,000 sq ft leased; 0.00005 rounds half up (half to even would give 0)
    unit = {"seats": 1, "under_maintenance": False}
    park, spaces, lets = _make(
        [
            {**unit, "area_sqft": Decimal("1"), "lets": _lets([-1])},
            {**unit, "area_sqft": Decimal("19999"), "lets": []},
        ]
    )
    # when
    pure = occupancy_series(lets, spaces, [DAY])[0]
    row, managed, series = _from_the_database(park, pseb_staff)
    # then
    assert pure.by_area == managed.by_area == series.by_area == row.occupancy == Decimal("0.0001")
