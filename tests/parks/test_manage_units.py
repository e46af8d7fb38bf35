"""A park's units: create, edit, maintenance flag, list with derived status (issue 3)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from parks.services import unit_create, unit_update
from tests.factories import LeaseFactory, UnitFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "code": "A-101",
    "floor": "1",
    "kind": "office",
    "area_sqft": Decimal("1200.00"),
    "seats": 15,
    "monthly_rent": None,
    "internet_fee": Decimal("5000.00"),
    "under_maintenance": False,
}


# --- services ---------------------------------------------------------------------------------
def test_a_unit_created_without_rent_gets_area_times_the_parks_rate(park, park_manager):
    unit = unit_create(user=park_manager, park=park, **FIELDS)
    assert unit.monthly_rent == Decimal("72000.00")  # 1200 × 60.00
    assert unit.park == park


def test_a_given_rent_overrides_the_default(park, park_manager):
    unit = unit_create(user=park_manager, park=park, **{**FIELDS, "monthly_rent": Decimal("1")})
    assert unit.monthly_rent == Decimal("1.00")


def test_a_unit_code_taken_in_the_park_is_a_field_error_ignoring_case(park, park_manager):
    UnitFactory(park=park, code="A-101")
    with pytest.raises(ValidationError) as caught:
        unit_create(user=park_manager, park=park, **{**FIELDS, "code": "a-101"})
    assert "already has a unit" in caught.value.message_dict["code"][0]
    assert park.units.count() == 1


def test_the_same_code_is_fine_in_another_park(park, other_park, park_manager):
    UnitFactory(park=other_park, code="A-101")
    assert unit_create(user=park_manager, park=park, **FIELDS).code == "A-101"


def test_only_the_parks_managers_and_pseb_staff_create_units(park, other_park_manager, pseb_staff):
    with pytest.raises(PermissionDenied):
        unit_create(user=other_park_manager, park=park, **FIELDS)
    assert unit_create(user=pseb_staff, park=park, **FIELDS).pk


def test_invalid_values_are_refused_with_field_messages(park, park_manager):
    with pytest.raises(ValidationError) as caught:
        unit_create(user=park_manager, park=park, **{**FIELDS, "area_sqft": Decimal("0")})
    assert "area_sqft" in caught.value.message_dict
    assert not park.units.exists()


def test_update_sets_the_maintenance_flag_and_keeps_the_code_its_own(park, park_manager):
    unit = UnitFactory(park=park, code="A-101", monthly_rent=Decimal("100.00"))
    unit = unit_update(user=park_manager, unit=unit, code="A-101", under_maintenance=True)
    unit.refresh_from_db()
    assert unit.under_maintenance is True
    assert unit.monthly_rent == Decimal("100.00")


def test_update_to_a_code_another_unit_has_is_refused(park, park_manager):
    UnitFactory(park=park, code="A-101")
    unit = UnitFactory(park=park, code="A-102")
    with pytest.raises(ValidationError):
        unit_update(user=park_manager, unit=unit, code="A-101")
    unit.refresh_from_db()
    assert unit.code == "A-102"


def test_clearing_the_rent_on_edit_recomputes_the_default_from_the_new_area(park, park_manager):
    unit = UnitFactory(park=park, monthly_rent=Decimal("5.00"))
    unit = unit_update(user=park_manager, unit=unit, area_sqft=Decimal("10"), monthly_rent=None)
    assert unit.monthly_rent == Decimal("600.00")


def test_another_parks_manager_cannot_update(park, other_park_manager):
    unit = UnitFactory(park=park)
    with pytest.raises(PermissionDenied):
        unit_update(user=other_park_manager, unit=unit, under_maintenance=True)


# --- pages ------------------------------------------------------------------------------------
def post_fields(**changes) -> dict:
    data = {k: "" if v is None else str(v) for k, v in FIELDS.items()}
    data.pop("under_maintenance")  # an unticked checkbox is not posted
    data.update(changes)
    return data


def test_create_page_adds_a_unit_with_the_default_rent_and_says_so(client, park, park_manager):
    client.force_login(park_manager)

    response = client.post(
        reverse("parks:unit_create", args=[park.code]), post_fields(), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("parks:units", args=[park.code])
    assert "Unit A-101 added" in response.content.decode()
    assert park.units.get().monthly_rent == Decimal("72000.00")


def test_a_duplicate_code_is_a_friendly_form_error_not_a_server_error(client, park, park_manager):
    UnitFactory(park=park, code="A-101")
    client.force_login(park_manager)

    response = client.post(reverse("parks:unit_create", args=[park.code]), post_fields())

    assert response.status_code == 200
    assert "already has a unit A-101" in response.context["form"].errors["code"][0]
    assert park.units.count() == 1


def test_the_form_shows_field_errors_for_bad_numbers(client, park, park_manager):
    client.force_login(park_manager)
    response = client.post(
        reverse("parks:unit_create", args=[park.code]), post_fields(area_sqft="-1", seats="0")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"area_sqft", "seats"}
    assert not park.units.exists()


def test_edit_page_puts_a_unit_under_maintenance(client, park, park_manager):
    unit = UnitFactory(park=park, code="A-101")
    client.force_login(park_manager)

    response = client.post(
        reverse("parks:unit_edit", args=[park.code, unit.pk]),
        post_fields(monthly_rent="60000", under_maintenance="on"),
        follow=True,
    )

    assert "Unit A-101 saved." in response.content.decode()
    unit.refresh_from_db()
    assert unit.under_maintenance is True


def test_units_list_shows_each_units_derived_status(client, park, park_manager):
    today = timezone.localdate()
    leased, reserved = UnitFactory(park=park, code="L-1"), UnitFactory(park=park, code="R-1")
    UnitFactory(park=park, code="V-1")
    UnitFactory(park=park, code="M-1", under_maintenance=True)
    LeaseFactory(park=park, units=[leased], start_date=today - timedelta(days=30))
    LeaseFactory(park=park, units=[reserved], start_date=today + timedelta(days=30))
    client.force_login(park_manager)

    response = client.get(reverse("parks:units", args=[park.code]))

    statuses = {u.code: u.status for u in response.context["page"]}
    assert statuses == {"L-1": "leased", "R-1": "reserved", "V-1": "vacant", "M-1": "maintenance"}
    assert "Under maintenance" in response.content.decode()


def test_units_list_filters_by_kind_and_by_status(client, park, park_manager):
    leased = UnitFactory(park=park, code="A-1")
    UnitFactory(park=park, code="A-2")
    UnitFactory(park=park, code="D-1", kind="desk", seats=1)
    LeaseFactory(park=park, units=[leased], start_date=timezone.localdate())
    client.force_login(park_manager)
    url = reverse("parks:units", args=[park.code])

    by_kind = client.get(url, {"kind": "desk"}).context["page"]
    by_status = client.get(url, {"status": "vacant", "kind": "office"}).context["page"]

    assert [u.code for u in by_kind] == ["D-1"]
    assert [u.code for u in by_status] == ["A-2"]


def test_an_unknown_filter_value_is_a_message_not_an_error(client, park, park_manager):
    UnitFactory(park=park)
    client.force_login(park_manager)
    response = client.get(reverse("parks:units", args=[park.code]), {"status": "haunted"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["page"]) == []


def test_units_list_shows_only_this_parks_units(client, park, other_park, park_manager):
    UnitFactory(park=park, code="MINE-1")
    UnitFactory(park=other_park, code="THEIRS-1")
    client.force_login(park_manager)
    html = client.get(reverse("parks:units", args=[park.code])).content.decode()
    assert "MINE-1" in html
    assert "THEIRS-1" not in html


@pytest.mark.parametrize("size", [2, 40])
def test_units_list_queries_do_not_grow_with_the_number_of_units(
    client, park, park_manager, django_assert_max_num_queries, size
):
    for unit in UnitFactory.create_batch(size, park=park):
        LeaseFactory(park=park, units=[unit], start_date=timezone.localdate())
    client.force_login(park_manager)

    # session, user, park, count, page, the page's tenants: the same for 2 units or 40
    with django_assert_max_num_queries(6):
        response = client.get(reverse("parks:units", args=[park.code]))

    assert len(response.context["page"]) == size


def test_a_field_that_is_not_editable_is_refused_not_silently_written(park, park_manager):
    unit = UnitFactory(park=park)
    with pytest.raises(TypeError, match="created_at"):
        unit_create(user=park_manager, park=park, **FIELDS, created_at=None)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="created_at"):
        unit_update(user=park_manager, unit=unit, created_at=None)  # type: ignore[call-arg]
