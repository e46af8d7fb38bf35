from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.vocabulary import ParkStatus
from stp_portal.errors import UnitAlreadyLeased
from tenants.services import lease_create
from tests.factories import CompanyFactory, LeaseFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_park():
    return ParkFactory(opening_date=date(2024, 1, 1))


def _create(park, units, start, end=None, *, by):
    return lease_create(
        company=CompanyFactory(),
        park=park,
        units=units,
        start_date=start,
        end_date=end,
        created_by=by,
    )


def test_lease_copies_the_agreed_prices_and_later_price_changes_do_not_touch_it(
    open_park, pseb_staff
):
    unit = UnitFactory(
        park=open_park, monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    lease = _create(open_park, [unit], date(2026, 3, 15), by=pseb_staff)
    unit.monthly_rent = Decimal("90000.00")
    unit.save()
    agreed = lease.lease_units.get()
    assert (agreed.monthly_rent, agreed.internet_fee) == (Decimal("60000.00"), Decimal("5000.00"))
    assert (agreed.start_date, agreed.end_date) == (date(2026, 3, 15), None)


def test_a_lease_may_start_in_the_past_to_onboard_an_existing_tenant(open_park, pseb_staff):
    lease = _create(open_park, [UnitFactory(park=open_park)], date(2024, 2, 1), by=pseb_staff)
    assert lease.start_date == date(2024, 2, 1)


def test_no_lease_starts_before_the_park_opens(pseb_staff):
    park = ParkFactory(status=ParkStatus.UPCOMING, opening_date=date(2027, 3, 1))
    with pytest.raises(ValidationError) as error:
        _create(park, [UnitFactory(park=park)], date(2027, 2, 28), by=pseb_staff)
    assert "opens on 2027-03-01" in str(error.value.message_dict["start_date"])
    assert park.leases.count() == 0


def test_a_unit_already_leased_on_overlapping_dates_is_refused_and_nothing_is_written(
    open_park, pseb_staff
):
    taken, free = UnitFactory(park=open_park, code="A-101"), UnitFactory(park=open_park)
    LeaseFactory(
        park=open_park, units=[taken], start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)
    )
    with pytest.raises(UnitAlreadyLeased) as error:
        _create(open_park, [free, taken], date(2026, 12, 31), by=pseb_staff)
    assert "A-101" in str(error.value.message_dict["units"])
    assert open_park.leases.count() == 1


def test_a_unit_is_free_again_the_day_after_a_lease_ends(open_park, pseb_staff):
    unit = UnitFactory(park=open_park)
    LeaseFactory(
        park=open_park, units=[unit], start_date=date(2026, 1, 1), end_date=date(2026, 6, 30)
    )
    lease = _create(open_park, [unit], date(2026, 7, 1), by=pseb_staff)
    assert lease.pk


def test_units_of_another_park_are_refused(open_park, pseb_staff):
    elsewhere = UnitFactory(code="X-1")
    with pytest.raises(ValidationError) as error:
        _create(open_park, [elsewhere], date(2026, 1, 1), by=pseb_staff)
    assert "X-1" in str(error.value.message_dict["units"])


def test_a_lease_needs_units_and_an_end_not_before_its_start(open_park, pseb_staff):
    with pytest.raises(ValidationError):
        _create(open_park, [], date(2026, 1, 1), by=pseb_staff)
    with pytest.raises(ValidationError):
        _create(
            open_park,
            [UnitFactory(park=open_park)],
            date(2026, 1, 2),
            date(2026, 1, 1),
            by=pseb_staff,
        )
