"""The database keeps the invariants it can, whatever code writes the rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from core.vocabulary import ParkStatus
from parks.models import Park
from tests.factories import ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["G", "guj", "GUJRAN", "GU1"])
def test_park_code_must_be_two_to_five_capital_letters(code):
    # Too long is a DataError on PostgreSQL (varchar(5)), a check violation on SQLite.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        ParkFactory(code=code)


def test_park_codes_are_unique():
    ParkFactory(code="GUJ")
    with pytest.raises(IntegrityError), transaction.atomic():
        Park.objects.create(
            code="GUJ",
            name="Another park",
            city="X",
            province="punjab",
            tier="secondary",
            status="existing",
            opening_date=date(2024, 1, 1),
            rent_per_sqft=Decimal("10"),
        )


def test_only_a_planned_park_may_lack_an_opening_date():
    ParkFactory(status=ParkStatus.PLANNED, opening_date=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ParkFactory(status=ParkStatus.UPCOMING, opening_date=None)


def test_park_rent_rate_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        ParkFactory(rent_per_sqft=Decimal("0"))


def test_unit_codes_are_unique_within_a_park_but_not_across_parks():
    first, second = ParkFactory(), ParkFactory()
    UnitFactory(park=first, code="A-101")
    UnitFactory(park=second, code="A-101")
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFactory(park=first, code="A-101")


@pytest.mark.parametrize(
    "field",
    [
        {"area_sqft": Decimal("0")},
        {"seats": 0},
        {"monthly_rent": Decimal("-1")},
        {"internet_fee": Decimal("-0.01")},
    ],
)
def test_unit_sizes_and_prices_cannot_be_zero_or_negative(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFactory(**field)


def test_unit_rent_holds_pkr_rents_far_above_a_hundred_thousand():
    unit = UnitFactory(monthly_rent=Decimal("12500000.00"))
    unit.refresh_from_db()
    assert unit.monthly_rent == Decimal("12500000.00")
