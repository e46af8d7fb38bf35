"""Requests the API cannot use answer the contract's JSON errors (api.md): 400 with field
messages for bad input, 404 in JSON for what is not there, never a 500 or an HTML page."""

import pytest
from django.test import override_settings

from core.vocabulary import ApplicationStatus
from stp_portal.api_requests import Pagination
from tests.factories import ApplicationFactory, ParkFactory

pytestmark = pytest.mark.django_db


def test_json_nested_deeper_than_python_decodes_is_a_400(api):
    body = "[" * 5000 + "]" * 5000
    response = api.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "²", "", "last", "1.5"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_on_the_page_field(api, page):
    ParkFactory()
    response = api.get("/api/v1/parks/", {"page": page})
    assert (response.status_code, response.json()) == (
        400,
        {"page": ["Write the page as a whole number, from 1."]},
    )


def test_the_last_page_is_served_and_the_one_after_it_is_a_404_naming_the_last(api, monkeypatch):
    # A page after the last depends on the data, not on the request's shape: the schema
    # cannot refuse it, so it is "not there" (404), as the schema documents.
    monkeypatch.setattr(Pagination, "page_size", 2)
    for _ in range(3):
        ParkFactory()
    last = api.get("/api/v1/parks/", {"page": "2"})
    assert (last.status_code, len(last.json()["results"])) == (200, 1)
    after = api.get("/api/v1/parks/", {"page": "3"})
    assert (after.status_code, after.json()) == (
        404,
        {"detail": "There is no page 3: the last page is 2."},
    )


@pytest.mark.parametrize("path", ["/api/v1/parks/1.5/", "/api/v1/no-such-thing/", "/api/x"])
def test_an_api_url_no_route_matches_answers_404_in_json(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_url_no_route_matches_still_answers_the_portals_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_an_api_body_django_cannot_read_answers_400_in_json(api, pseb_staff):
    api.force_authenticate(pseb_staff)
    fields = {f"f{i}": "x" for i in range(10)}
    response = api.post("/api/v1/subsidy-schemes/", fields)
    assert response.status_code == 400
    assert "too large or malformed" in response.json()["detail"]


def test_a_unit_id_beyond_any_database_id_is_a_400_on_units(as_user, pseb_staff, park):
    application = ApplicationFactory(park=park, status=ApplicationStatus.UNDER_REVIEW)
    response = as_user(pseb_staff).post(
        f"/api/v1/applications/{application.pk}/approve/",
        {"units": [2**63], "start_date": "2027-03-01"},
        format="json",
    )
    assert (response.status_code, list(response.json())) == (400, ["units"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW


def test_an_application_out_of_scope_is_404_whatever_the_input(as_user, company_user):
    theirs = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    caller = as_user(company_user)
    for pk in (theirs.pk, 999_999):
        response = caller.post(
            f"/api/v1/applications/{pk}/withdraw/", {"reason": "x" * 5000}, format="json"
        )
        assert response.status_code == 404
