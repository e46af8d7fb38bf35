"""Who sees which tenant data (domain.md §1: "multi-tenant" means exactly this scoping)."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from core.vocabulary import MemberRole
from tenants.selectors import (
    applications_visible_to,
    companies_visible_to,
    company_of,
    free_units_for,
    leases_visible_to,
    lets_overlapping,
)
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    ParkManagerAssignmentFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _pks(queryset):
    return sorted(queryset.values_list("pk", flat=True))


@pytest.fixture
def world(park, other_park, company_user, other_company_user):
    """Two companies, each applying and leasing in its own park, plus a third company that
    only applies to GUJ and a fourth that only leases in GUJ."""
    first, second = company_of(company_user), company_of(other_company_user)
    applies_only, leases_only = (
        CompanyFactory(name="Applies Only"),
        CompanyFactory(name="Leases Only"),
    )
    return {
        "first": first,
        "second": second,
        "applies_only": applies_only,
        "leases_only": leases_only,
        "first_application": ApplicationFactory(company=first, park=park, status="submitted"),
        "second_application": ApplicationFactory(
            company=second, park=other_park, status="submitted"
        ),
        "applies_only_application": ApplicationFactory(
            company=applies_only, park=park, status="submitted"
        ),
        "first_lease": LeaseFactory(company=first, park=park),
        "second_lease": LeaseFactory(company=second, park=other_park),
        "leases_only_lease": LeaseFactory(company=leases_only, park=park),
    }


# --- PSEB staff --------------------------------------------------------------------------------
def test_pseb_staff_see_every_company_application_and_lease(world, pseb_staff):
    assert _pks(companies_visible_to(pseb_staff)) == sorted(
        c.pk for c in (world["first"], world["second"], world["applies_only"], world["leases_only"])
    )
    assert applications_visible_to(pseb_staff).count() == 3
    assert leases_visible_to(pseb_staff).count() == 3


def test_a_deactivated_pseb_account_sees_nothing(world, pseb_staff):
    pseb_staff.is_active = False
    pseb_staff.save()
    assert not companies_visible_to(pseb_staff).exists()
    assert not applications_visible_to(pseb_staff).exists()
    assert not leases_visible_to(pseb_staff).exists()


# --- Park managers -----------------------------------------------------------------------------
def test_a_park_manager_sees_the_applications_of_their_park_only(world, park_manager):
    assert _pks(applications_visible_to(park_manager)) == sorted(
        [world["first_application"].pk, world["applies_only_application"].pk]
    )


def test_a_park_manager_does_not_see_a_draft_never_submitted(park, park_manager):
    draft = ApplicationFactory(park=park)
    assert not applications_visible_to(park_manager).filter(pk=draft.pk).exists()
    assert not companies_visible_to(park_manager).filter(pk=draft.company_id).exists()

    draft.submitted_at = draft.created_at  # submitted once, then returned for changes
    draft.save()
    assert applications_visible_to(park_manager).filter(pk=draft.pk).exists()
    assert companies_visible_to(park_manager).filter(pk=draft.company_id).exists()


def test_a_park_manager_sees_the_leases_of_their_park_only(world, park_manager):
    assert _pks(leases_visible_to(park_manager)) == sorted(
        [world["first_lease"].pk, world["leases_only_lease"].pk]
    )


def test_a_park_manager_sees_companies_that_apply_to_or_lease_in_their_park_only(
    world, park_manager
):
    assert _pks(companies_visible_to(park_manager)) == sorted(
        [world["first"].pk, world["applies_only"].pk, world["leases_only"].pk]
    )


def test_the_other_parks_manager_sees_only_the_other_park(world, other_park_manager):
    assert _pks(applications_visible_to(other_park_manager)) == [world["second_application"].pk]
    assert _pks(leases_visible_to(other_park_manager)) == [world["second_lease"].pk]
    assert _pks(companies_visible_to(other_park_manager)) == [world["second"].pk]


def test_a_company_with_many_applications_and_leases_in_a_park_is_listed_once(park, park_manager):
    company = CompanyFactory()
    ApplicationFactory.create_batch(3, company=company, park=park, status="submitted")
    LeaseFactory.create_batch(2, company=company, park=park)
    assert list(companies_visible_to(park_manager)) == [company]


def test_a_manager_of_two_parks_sees_both_without_duplicates(world, park, other_park):
    manager = ParkManagerAssignmentFactory(park=park).user
    ParkManagerAssignmentFactory(user=manager, park=other_park)
    assert applications_visible_to(manager).count() == 3
    assert leases_visible_to(manager).count() == 3
    assert companies_visible_to(manager).count() == 4


def test_a_park_manager_with_no_park_sees_nothing(world):
    manager = UserFactory(role="park_manager")
    assert not applications_visible_to(manager).exists()
    assert not leases_visible_to(manager).exists()
    assert not companies_visible_to(manager).exists()


def test_a_manager_assigned_to_a_park_does_not_see_its_applications_by_sharing_a_city(world, park):
    # Same city, different park: scoping is by park, not by place.
    twin = ParkFactory(code="GUJB", name="Gujranwala Annex", city=park.city)
    manager = ParkManagerAssignmentFactory(park=twin).user
    assert not applications_visible_to(manager).exists()


# --- Company users -----------------------------------------------------------------------------
def test_a_company_user_sees_only_their_own_company_applications_and_leases(world, company_user):
    assert _pks(companies_visible_to(company_user)) == [world["first"].pk]
    assert _pks(applications_visible_to(company_user)) == [world["first_application"].pk]
    assert _pks(leases_visible_to(company_user)) == [world["first_lease"].pk]


def test_the_other_company_user_sees_only_theirs(world, other_company_user):
    assert _pks(companies_visible_to(other_company_user)) == [world["second"].pk]
    assert _pks(applications_visible_to(other_company_user)) == [world["second_application"].pk]
    assert _pks(leases_visible_to(other_company_user)) == [world["second_lease"].pk]


def test_a_member_sees_the_same_as_the_owner(world):
    member = MembershipFactory(company=world["first"], role=MemberRole.MEMBER).user
    assert _pks(applications_visible_to(member)) == [world["first_application"].pk]
    assert _pks(leases_visible_to(member)) == [world["first_lease"].pk]
    assert _pks(companies_visible_to(member)) == [world["first"].pk]


def test_a_company_user_without_a_company_sees_nothing(world):
    newcomer = UserFactory()
    assert not companies_visible_to(newcomer).exists()
    assert not applications_visible_to(newcomer).exists()
    assert not leases_visible_to(newcomer).exists()


# --- Anonymous ---------------------------------------------------------------------------------
def test_anonymous_visitors_see_no_tenant_data(world):
    anonymous = AnonymousUser()
    assert not companies_visible_to(anonymous).exists()
    assert not applications_visible_to(anonymous).exists()
    assert not leases_visible_to(anonymous).exists()
    assert company_of(anonymous) is None


# --- company_of --------------------------------------------------------------------------------
def test_company_of_answers_the_users_one_company(world, company_user):
    assert company_of(company_user) == world["first"]


def test_company_of_a_member_is_the_company_they_joined(world):
    member = MembershipFactory(company=world["second"], role=MemberRole.MEMBER).user
    assert company_of(member) == world["second"]


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_have_no_company(request, role):
    assert company_of(request.getfixturevalue(role)) is None


def test_a_new_company_user_has_no_company_yet():
    assert company_of(UserFactory()) is None


# --- lets_overlapping: dates are inclusive at both ends -----------------------------------------
@pytest.fixture
def let_unit(park):
    """A unit let from 1 March to 30 June 2026, both days included."""
    unit = UnitFactory(park=park, code="L-1")
    LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 1), end_date=date(2026, 6, 30))
    return unit


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (date(2026, 6, 30), date(2026, 7, 31), True),  # first day asked = last day let
        (date(2026, 7, 1), date(2026, 7, 31), False),  # the day after the let ends
        (date(2026, 1, 1), date(2026, 3, 1), True),  # last day asked = first day let
        (date(2026, 1, 1), date(2026, 2, 28), False),  # the day before the let starts
        (date(2026, 4, 1), date(2026, 4, 30), True),  # inside
        (date(2026, 1, 1), date(2026, 12, 31), True),  # around
        (date(2026, 1, 1), None, True),  # open-ended from before
        (date(2026, 7, 1), None, False),  # open-ended from after
        (date(2026, 6, 30), date(2026, 6, 30), True),  # one day, the last
    ],
)
def test_lets_overlapping_counts_both_end_dates_as_let(let_unit, start, end, overlaps):
    assert lets_overlapping([let_unit.pk], start, end).exists() is overlaps


def test_an_open_ended_let_overlaps_every_later_date(park):
    unit = UnitFactory(park=park)
    LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 1), end_date=None)
    assert lets_overlapping([unit.pk], date(2040, 1, 1), date(2040, 1, 31)).exists()
    assert not lets_overlapping([unit.pk], date(2026, 1, 1), date(2026, 2, 28)).exists()


def test_lets_overlapping_can_leave_out_the_lease_being_changed(park, let_unit):
    lease = let_unit.lease_units.get().lease
    assert not lets_overlapping(
        [let_unit.pk], date(2026, 4, 1), None, exclude_lease_id=lease.pk
    ).exists()


def test_lets_overlapping_looks_only_at_the_units_asked(park, let_unit):
    other = UnitFactory(park=park)
    assert not lets_overlapping([other.pk], date(2026, 4, 1), None).exists()


# --- free_units_for ----------------------------------------------------------------------------
def _codes(queryset):
    return [u.code for u in queryset]


def test_free_units_leave_out_units_under_maintenance(park):
    UnitFactory(park=park, code="A-1")
    UnitFactory(park=park, code="A-2", under_maintenance=True)
    assert _codes(free_units_for(park.pk, date(2027, 1, 1), None)) == ["A-1"]


def test_free_units_leave_out_units_of_other_parks(park, other_park):
    UnitFactory(park=park, code="A-1")
    UnitFactory(park=other_park, code="A-1")
    units = list(free_units_for(park.pk, date(2027, 1, 1), None))
    assert [(u.park_id, u.code) for u in units] == [(park.pk, "A-1")]


@pytest.mark.parametrize(
    ("start", "end", "free"),
    [
        (date(2026, 6, 30), date(2026, 12, 31), False),
        (date(2026, 7, 1), date(2026, 12, 31), True),
        (date(2026, 1, 1), date(2026, 3, 1), False),
        (date(2026, 1, 1), date(2026, 2, 28), True),
        (date(2026, 1, 1), None, False),
        (date(2026, 7, 1), None, True),
    ],
)
def test_free_units_leave_out_units_let_on_any_of_the_days_inclusive(
    park, let_unit, start, end, free
):
    UnitFactory(park=park, code="Z-9")
    expected = ["L-1", "Z-9"] if free else ["Z-9"]
    assert _codes(free_units_for(park.pk, start, end)) == expected


def test_a_unit_let_from_a_later_date_is_not_free_for_an_open_ended_request(park):
    unit = UnitFactory(park=park, code="F-1")
    LeaseFactory(park=park, units=[unit], start_date=date(2027, 6, 1))
    assert _codes(free_units_for(park.pk, date(2027, 1, 1), None)) == []
    assert _codes(free_units_for(park.pk, date(2027, 1, 1), date(2027, 5, 31))) == ["F-1"]


def test_a_unit_is_free_after_the_end_a_termination_brought_forward(park, pseb_staff):
    from tenants.services import lease_terminate

    unit = UnitFactory(park=park, code="T-1")
    lease = LeaseFactory(park=park, units=[unit], start_date=date(2026, 1, 1))
    lease_terminate(user=pseb_staff, lease=lease, end_date=date(2026, 8, 31))
    assert _codes(free_units_for(park.pk, date(2026, 9, 1), None)) == ["T-1"]
    assert _codes(free_units_for(park.pk, date(2026, 8, 31), None)) == []


def test_free_units_are_listed_by_kind_then_code(park):
    UnitFactory(park=park, code="B-2", kind="office")
    UnitFactory(park=park, code="D-1", kind="desk")
    UnitFactory(park=park, code="A-1", kind="office")
    assert _codes(free_units_for(park.pk, date(2027, 1, 1), None)) == ["D-1", "A-1", "B-2"]
