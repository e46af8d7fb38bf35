"""Parks are created and edited by PSEB staff only, through parks.services (domain.md §1–2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parks.models import Park
from parks.services import park_create, park_update

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "Sukkur STP",
    "code": "skr",
    "city": "Sukkur",
    "province": "sindh",
    "tier": "secondary",
    "status": "upcoming",
    "opening_date": date(2027, 1, 15),
    "rent_per_sqft": Decimal("45.00"),
}


def test_pseb_staff_create_a_park_and_its_code_is_stored_in_capitals(pseb_staff):
    park = park_create(user=pseb_staff, **FIELDS)
    assert Park.objects.get(pk=park.pk).code == "SKR"


def test_park_managers_and_company_users_cannot_create_or_edit_parks(
    park, park_manager, company_user
):
    for user in (park_manager, company_user):
        with pytest.raises(PermissionDenied):
            park_create(user=user, **FIELDS)
        with pytest.raises(PermissionDenied):
            park_update(user=user, park=park, name="Renamed")
    assert not Park.objects.filter(code="SKR").exists()


def test_a_park_that_is_not_planned_needs_an_opening_date(pseb_staff):
    with pytest.raises(ValidationError) as caught:
        park_create(user=pseb_staff, **{**FIELDS, "opening_date": None})
    assert "opening_date" in caught.value.message_dict
    assert park_create(user=pseb_staff, **{**FIELDS, "status": "planned", "opening_date": None})


def test_a_taken_park_code_is_a_field_error(park, pseb_staff):
    with pytest.raises(ValidationError) as caught:
        park_create(user=pseb_staff, **{**FIELDS, "code": park.code})
    assert "code" in caught.value.message_dict


def test_pseb_staff_update_a_parks_rate(park, pseb_staff):
    park_update(user=pseb_staff, park=park, rent_per_sqft=Decimal("70.00"))
    park.refresh_from_db()
    assert park.rent_per_sqft == Decimal("70.00")


def test_a_park_cannot_open_after_its_first_lease_starts_nor_go_back_to_planned(park, pseb_staff):
    from tests.factories import LeaseFactory

    LeaseFactory(park=park, start_date=date(2026, 3, 15))
    before = Park.objects.values().get(pk=park.pk)
    with pytest.raises(ValidationError) as caught:
        park_update(user=pseb_staff, park=park, status="upcoming", opening_date=date(2030, 1, 1))
    assert "15 March 2026" in caught.value.message_dict["opening_date"][0]
    with pytest.raises(ValidationError) as caught:
        park_update(user=pseb_staff, park=park, status="planned", opening_date=None)
    assert "status" in caught.value.message_dict
    assert Park.objects.values().get(pk=park.pk) == before  # nothing changed
    # on or before the first lease's start is fine
    park_update(user=pseb_staff, park=park, opening_date=date(2026, 3, 15))


def test_a_park_with_applications_waiting_cannot_go_back_to_planned(pseb_staff):
    from tests.factories import ApplicationFactory

    park = park_create(user=pseb_staff, **{**FIELDS, "status": "upcoming"})
    ApplicationFactory(park=park, status="submitted")
    with pytest.raises(ValidationError) as caught:
        park_update(user=pseb_staff, park=park, status="planned", opening_date=None)
    assert "status" in caught.value.message_dict
