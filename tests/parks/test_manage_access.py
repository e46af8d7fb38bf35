"""Who may open the park manager's pages (domain.md §1: out of scope answers 404, never 403)."""

import pytest
from django.urls import reverse

from parks.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

PARK_PAGES = [
    "parks:units",
    "parks:unit_create",
    "parks:unit_edit",
    "parks:unit_import",
    "parks:unit_import_template",
    "parks:occupancy",
]


@pytest.fixture
def unit(park):
    return UnitFactory(park=park, code="A-101")


def url_of(name, park, unit):
    args = [park.code, unit.pk] if name == "parks:unit_edit" else [park.code]
    return reverse(name, args=args)


@pytest.mark.parametrize("name", PARK_PAGES)
@pytest.mark.parametrize("role", ["park_manager", "pseb_staff"])
def test_the_parks_manager_and_pseb_staff_open_every_park_page(
    client, request, park, unit, name, role
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url_of(name, park, unit)).status_code == 200


@pytest.mark.parametrize("name", PARK_PAGES)
@pytest.mark.parametrize("role", ["other_park_manager", "company_user"])
def test_another_parks_manager_and_company_users_get_404_for_every_park_page(
    client, request, park, unit, name, role
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url_of(name, park, unit)).status_code == 404


@pytest.mark.parametrize("name", [*PARK_PAGES, "parks:managed"])
def test_anonymous_visitors_are_sent_to_sign_in(client, park, unit, name):
    url = reverse(name) if name == "parks:managed" else url_of(name, park, unit)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_park_codes_are_matched_whatever_their_case(client, park, park_manager):
    client.force_login(park_manager)
    assert client.get(reverse("parks:units", args=[park.code.lower()])).status_code == 200


def test_another_parks_manager_cannot_add_or_edit_units_by_posting(
    client, park, unit, other_park_manager
):
    client.force_login(other_park_manager)
    fields = {"code": "X-1", "kind": "office", "area_sqft": "10", "seats": "1", "internet_fee": "0"}

    assert client.post(url_of("parks:unit_create", park, unit), fields).status_code == 404
    assert client.post(url_of("parks:unit_edit", park, unit), fields).status_code == 404
    unit.refresh_from_db()
    assert unit.code == "A-101"
    assert not Unit.objects.filter(code="X-1").exists()


def test_a_unit_of_another_park_answers_404_even_under_a_park_one_manages(
    client, park, other_park, park_manager
):
    elsewhere = UnitFactory(park=other_park)
    client.force_login(park_manager)
    response = client.get(reverse("parks:unit_edit", args=[park.code, elsewhere.pk]))
    assert response.status_code == 404


def test_my_parks_lists_only_the_parks_a_manager_manages(client, park, other_park, park_manager):
    client.force_login(park_manager)
    response = client.get(reverse("parks:managed"))
    assert response.status_code == 200
    assert [p.code for p, _ in response.context["rows"]] == [park.code]
    assert other_park.name not in response.content.decode()


def test_my_parks_lists_every_park_for_pseb_staff(client, park, other_park, pseb_staff):
    client.force_login(pseb_staff)
    response = client.get(reverse("parks:managed"))
    assert response.status_code == 200
    assert {p.code for p, _ in response.context["rows"]} == {park.code, other_park.code}


def test_my_parks_is_not_a_page_for_company_users(client, park, company_user):
    client.force_login(company_user)
    assert client.get(reverse("parks:managed")).status_code == 404


def test_the_managed_path_is_not_taken_for_a_park_code(client, park):
    assert reverse("parks:managed") == "/parks/managed/"
    assert client.get("/parks/managed/").status_code == 302  # sign in, not "no such park"


def test_only_pseb_staff_and_park_managers_may_manage_parks(park_manager, pseb_staff, company_user):
    from django.contrib.auth.models import AnonymousUser

    from core.permissions import has_permission

    assert has_permission("manage_parks", park_manager)
    assert has_permission("manage_parks", pseb_staff)
    refused = has_permission("manage_parks", company_user)
    assert not refused
    assert "park managers" in refused.reason
    assert not has_permission("manage_parks", AnonymousUser())
