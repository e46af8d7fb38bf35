from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from core.figures import rate as occupancy_ratio
from parks.domain import Occupation, unit_status_on
from parks.models import Unit
from parks.selectors import directory_row, directory_rows, park_directory, with_unit_status
from tests.factories import LeaseFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 5, 10)
CASES = [
    # (maintenance, [(start, end)], expected)
    (False, [], "vacant"),
    (True, [], "maintenance"),
    (False, [(date(2026, 1, 1), None)], "leased"),
    (False, [(DAY, DAY)], "leased"),
    (False, [(date(2026, 1, 1), DAY - timedelta(days=1))], "vacant"),
    (False, [(DAY + timedelta(days=1), None)], "reserved"),
    (True, [(DAY + timedelta(days=1), None)], "maintenance"),
    (True, [(date(2026, 1, 1), None)], "leased"),
    (False, [(date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 6, 1), None)], "reserved"),
]


def test_sql_unit_status_agrees_with_the_pure_rule_in_every_case():
    park = ParkFactory(opening_date=date(2020, 1, 1))
    expected = {}
    for maintenance, lets, want in CASES:
        unit = UnitFactory(park=park, under_maintenance=maintenance)
        for start, end in lets:
            LeaseFactory(park=park, units=[unit], start_date=start, end_date=end)
        pure = unit_status_on(
            DAY, under_maintenance=maintenance, occupations=[Occupation(s, e) for s, e in lets]
        )
        assert pure == want
        expected[unit.pk] = want
    got = dict(with_unit_status(Unit.objects.filter(park=park), DAY).values_list("pk", "status"))
    assert got == expected


def test_directory_counts_vacant_units_and_occupancy_by_area_excluding_maintenance():
    park = ParkFactory(opening_date=date(2020, 1, 1))
    leased = UnitFactory(park=park, area_sqft=Decimal("600"))
    UnitFactory(park=park, area_sqft=Decimal("400"))  # vacant
    UnitFactory(park=park, area_sqft=Decimal("1000"), under_maintenance=True)
    reserved = UnitFactory(park=park, area_sqft=Decimal("1000"))
    LeaseFactory(park=park, units=[leased], start_date=date(2026, 1, 1))
    LeaseFactory(park=park, units=[reserved], start_date=date(2026, 7, 1))

    row = directory_row(park_directory(AnonymousUser()).get(pk=park.pk), on=DAY)

    assert (row.units_total, row.units_vacant) == (4, 1)
    assert row.leased_area == Decimal("600")
    assert row.leasable_area == Decimal("2000")  # 600 leased + 400 vacant + 1000 reserved
    assert occupancy_ratio(row.leased_area, row.leasable_area) == Decimal("0.3000")


def test_occupancy_is_none_when_nothing_is_leasable():
    assert occupancy_ratio(Decimal(0), Decimal(0)) is None


@pytest.mark.parametrize("parks", [2, 12])
def test_directory_takes_one_query_whatever_the_number_of_parks(parks, django_assert_num_queries):
    for _ in range(parks):
        park = ParkFactory()
        LeaseFactory(park=park, units=[UnitFactory(park=park), UnitFactory(park=park)])
    # The parks, then their figures on a day other than today: one grouped query.
    with django_assert_num_queries(2):
        rows = directory_rows(park_directory(AnonymousUser()), on=DAY)
    assert len(rows) == parks
    assert all(r.units_total == 2 and r.units_vacant == 0 for r in rows)
