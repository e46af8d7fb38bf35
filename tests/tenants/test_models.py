from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.vocabulary import ApplicationStatus, CompanyKind
from tenants.models import LeaseUnit
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def test_lease_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseFactory(start_date=date(2026, 3, 15), end_date=date(2026, 3, 14))


def test_a_one_day_lease_is_allowed():
    lease = LeaseFactory(start_date=date(2026, 3, 15), end_date=date(2026, 3, 15))
    assert lease.lease_units.count() == 1


def test_women_headcount_cannot_exceed_headcount():
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(headcount=5, women_headcount=6)


def test_only_companies_carry_an_secp_number():
    CompanyFactory(kind=CompanyKind.COMPANY, secp_number="0123456")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(kind=CompanyKind.FREELANCER, secp_number="0123456")


def test_pseb_registration_is_unique_when_given_and_may_be_blank_for_many():
    CompanyFactory(pseb_registration="")
    CompanyFactory(pseb_registration="")
    CompanyFactory(pseb_registration="PSEB-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyFactory(pseb_registration="PSEB-1")


def test_a_company_user_belongs_to_exactly_one_company():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=membership.user)


def test_an_application_wants_seats_or_area():
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(seats=0, area_sqft=Decimal("0"))


def test_only_an_approved_application_points_at_a_lease():
    lease = LeaseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(status=ApplicationStatus.SUBMITTED, lease=lease)
    ApplicationFactory(status=ApplicationStatus.APPROVED, lease=lease)


def test_a_unit_appears_once_per_lease():
    lease = LeaseFactory()
    unit = lease.lease_units.get().unit
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseUnit.objects.create(
            lease=lease, unit=unit, start_date=lease.start_date, monthly_rent=1, internet_fee=1
        )


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((date(2026, 1, 1), None), (date(2027, 1, 1), None)),
        ((date(2026, 1, 1), date(2026, 6, 30)), (date(2026, 6, 30), None)),
        ((date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 12, 31))),
    ],
)
def test_postgres_refuses_overlapping_lets_of_one_unit(first, second):
    unit = UnitFactory(park__opening_date=date(2020, 1, 1))
    LeaseFactory(park=unit.park, units=[unit], start_date=first[0], end_date=first[1])
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaseFactory(park=unit.park, units=[unit], start_date=second[0], end_date=second[1])


@pytest.mark.postgres
def test_postgres_accepts_back_to_back_lets_of_one_unit():
    unit = UnitFactory(park__opening_date=date(2020, 1, 1))
    LeaseFactory(
        park=unit.park, units=[unit], start_date=date(2026, 1, 1), end_date=date(2026, 6, 30)
    )
    LeaseFactory(park=unit.park, units=[unit], start_date=date(2026, 7, 1))
    assert LeaseUnit.objects.filter(unit=unit).count() == 2
