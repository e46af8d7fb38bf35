"""Racing approvals on PostgreSQL: the database, not luck, keeps one lease per unit and day."""

from datetime import date

import pytest

from core.vocabulary import ApplicationStatus
from tenants.models import Application, LeaseUnit
from tenants.services import application_approve
from tests.concurrency import race
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    ParkFactory,
    PsebStaffFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 20


def test_twenty_concurrent_approvals_of_one_unit_leave_exactly_one_lease():
    park = ParkFactory(opening_date=date(2024, 1, 1))
    unit = UnitFactory(park=park)
    staff = PsebStaffFactory()
    applications = []
    for _ in range(RACERS):
        owner = MembershipFactory().user
        applications.append(
            ApplicationFactory(
                company=owner.memberships.get().company,
                park=park,
                created_by=owner,
                status=ApplicationStatus.UNDER_REVIEW,
            )
        )

    outcomes = race(
        [
            (
                lambda a=a, i=i: application_approve(
                    user=staff,
                    application=a,
                    unit_ids=[unit.pk],
                    start_date=date(2027, 1, 1 + i),
                    end_date=None,
                )
            )
            for i, a in enumerate(applications)
        ]
    )

    assert sorted(outcomes) == ["UnitAlreadyLeased"] * (RACERS - 1) + ["ok"]
    assert LeaseUnit.objects.filter(unit=unit).count() == 1
    statuses = list(Application.objects.values_list("status", flat=True))
    assert statuses.count(ApplicationStatus.APPROVED) == 1
    assert statuses.count(ApplicationStatus.UNDER_REVIEW) == RACERS - 1


def test_twenty_concurrent_approvals_of_one_application_create_one_lease():
    park = ParkFactory(opening_date=date(2024, 1, 1))
    units = [UnitFactory(park=park) for _ in range(RACERS)]
    staff = PsebStaffFactory()
    owner = MembershipFactory().user
    application = ApplicationFactory(
        company=owner.memberships.get().company,
        park=park,
        created_by=owner,
        status=ApplicationStatus.UNDER_REVIEW,
    )

    outcomes = race(
        [
            (
                lambda u=u: application_approve(
                    user=staff,
                    application=application,
                    unit_ids=[u.pk],
                    start_date=date(2027, 1, 1),
                )
            )
            for u in units
        ]
    )

    assert sorted(outcomes) == ["TransitionNotAllowed"] * (RACERS - 1) + ["ok"]
    assert LeaseUnit.objects.count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.transitions.filter(action="approve").count() == 1
