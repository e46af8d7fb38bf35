"""Leases and their termination, pages out of scope (404), queries per list:
the tenant pages end to end, with the Django test client (issue 3).

Every bad input answers the page again with a message and changes nothing; objects outside
a user's scope answer 404 (domain.md §1); a role that may see but not act gets 403.
"""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.vocabulary import ApplicationStatus
from tenants import services
from tenants.models import (
    ApplicationDocument,
    LeaseUnit,
)
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    UnitFactory,
)
from tests.pdfs import PDF
from tests.tenants.pages import assert_sign_in_redirect, text

pytestmark = pytest.mark.django_db


# --- Leases ------------------------------------------------------------------------------------
def test_lease_list_and_detail_show_the_agreed_prices(client, company_user, lease):
    client.force_login(company_user)
    response = client.get(reverse("tenants:lease_list"))
    assert [row.pk for row in response.context["page"].object_list] == [lease.pk]
    assert "B-201" in text(response)
    detail = client.get(reverse("tenants:lease_detail", args=[lease.pk]))
    assert detail.status_code == 200
    assert "PKR 60,000.00" in text(detail)
    assert "Terminate lease" not in text(detail)


def test_the_lease_list_filters_by_park_and_company(client, pseb_staff, lease, other_park):
    other = LeaseFactory(park=other_park, company=CompanyFactory(name="Karakoram Apps"))
    client.force_login(pseb_staff)

    def pks(query):
        response = client.get(reverse("tenants:lease_list"), query)
        return {row.pk for row in response.context["page"].object_list}

    assert pks({}) == {lease.pk, other.pk}
    assert pks({"park": "GLT"}) == {other.pk}
    assert pks({"company": "first company"}) == {lease.pk}


def test_the_parks_manager_lists_only_their_parks_leases(client, park_manager, lease, other_park):
    LeaseFactory(park=other_park)
    client.force_login(park_manager)
    response = client.get(reverse("tenants:lease_list"))
    assert [row.pk for row in response.context["page"].object_list] == [lease.pk]


def test_pseb_terminates_a_lease_from_its_page(
    client, pseb_staff, lease, run_on_commit, mailoutbox
):
    client.force_login(pseb_staff)
    assert "Terminate lease" in text(client.get(reverse("tenants:lease_detail", args=[lease.pk])))
    assert client.get(reverse("tenants:lease_terminate", args=[lease.pk])).status_code == 200
    response = run_on_commit(
        client.post,
        reverse("tenants:lease_terminate", args=[lease.pk]),
        {"end_date": "2026-12-31", "reason": "Moved to Lahore."},
        follow=True,
    )
    assert f"Lease #{lease.pk} terminated." in text(response)
    assert "Moved to Lahore." in text(response)
    assert "Terminate lease" not in text(response)
    lease.refresh_from_db()
    assert lease.end_date == date(2026, 12, 31)
    assert lease.terminated_at is not None
    assert set(LeaseUnit.objects.values_list("end_date", flat=True)) == {date(2026, 12, 31)}
    assert mailoutbox


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ("2026-03-14", "cannot end before that"),
        ("2027-03-14", "must bring the end forward"),
        ("2028-01-01", "must bring the end forward"),
        ("", "This field is required"),
        ("whenever", "Enter a valid date"),
    ],
)
def test_a_bad_termination_shows_a_message_and_changes_nothing(
    client, pseb_staff, lease, end, message
):
    client.force_login(pseb_staff)
    response = client.post(reverse("tenants:lease_terminate", args=[lease.pk]), {"end_date": end})
    assert response.status_code == 200
    assert message in text(response)
    lease.refresh_from_db()
    assert (lease.end_date, lease.terminated_at) == (date(2027, 3, 14), None)


def test_terminating_twice_shows_a_message_and_keeps_the_first_end(client, pseb_staff, lease):
    services.lease_terminate(user=pseb_staff, lease=lease, end_date=date(2026, 12, 31))
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:lease_terminate", args=[lease.pk]),
        {"end_date": "2026-10-31"},
        follow=True,
    )
    assert "already terminated" in text(response)
    lease.refresh_from_db()
    assert lease.end_date == date(2026, 12, 31)


@pytest.mark.parametrize("role", ["park_manager", "company_user"])
def test_only_pseb_terminates_a_lease(client, request, lease, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("tenants:lease_terminate", args=[lease.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"end_date": "2026-12-31"}).status_code == 403
    lease.refresh_from_db()
    assert lease.terminated_at is None


# --- Out of scope: 404 --------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["other_company_user", "other_park_manager"])
def test_another_tenant_or_another_parks_manager_gets_404_everywhere(
    client, request, targets, draft, document, lease, role
):
    client.force_login(request.getfixturevalue(role))
    for method, url in targets:
        response = getattr(client, method)(url, {"reason": "x", "end_date": "2026-12-31"})
        assert response.status_code == 404, (method, url)
    draft.refresh_from_db()
    lease.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert lease.terminated_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, targets):
    extra = [
        ("get", reverse("tenants:application_list")),
        ("get", reverse("tenants:application_create")),
        ("get", reverse("tenants:lease_list")),
        ("get", reverse("tenants:company")),
        ("get", reverse("tenants:company_create")),
        ("get", reverse("tenants:company_edit")),
        ("post", reverse("tenants:company_invite")),
        ("get", reverse("dashboard")),
    ]
    for method, url in [*targets, *extra]:
        assert_sign_in_redirect(getattr(client, method)(url))


def test_ids_that_do_not_exist_are_404_too(client, pseb_staff):
    client.force_login(pseb_staff)
    assert client.get(reverse("tenants:application_detail", args=[999999])).status_code == 404
    assert client.get(reverse("tenants:lease_detail", args=[999999])).status_code == 404
    assert client.get(reverse("tenants:company_detail", args=[999999])).status_code == 404


# --- Queries per list do not grow with rows ------------------------------------------------------
def _rows(park, n):
    for _ in range(n):
        company = CompanyFactory()
        ApplicationFactory(company=company, park=park, status="under_review")
        LeaseFactory(company=company, park=park, units=[UnitFactory(park=park) for _ in range(2)])


@pytest.mark.parametrize(
    "url_name", ["tenants:application_list", "tenants:lease_list", "dashboard"]
)
@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_list_pages_take_the_same_number_of_queries_for_2_and_20_rows(
    client, request, park, django_assert_max_num_queries, url_name, role
):
    client.force_login(request.getfixturevalue(role))
    url = reverse(url_name)
    _rows(park, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _rows(park, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name",
    ["tenants:application_list", "tenants:lease_list", "dashboard", "tenants:company"],
)
def test_company_list_pages_take_the_same_number_of_queries_for_2_and_20_rows(
    client, company_user, company_rows, django_assert_max_num_queries, url_name
):
    client.force_login(company_user)
    url = reverse(url_name)
    company_rows(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    company_rows(18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_application_page_takes_the_same_number_of_queries_for_1_and_10_documents(
    client, company_user, draft, django_assert_max_num_queries
):
    def add_documents(n):
        for i in range(n):
            services.document_add(
                user=company_user,
                application=draft,
                upload=SimpleUploadedFile(f"d{i}.pdf", PDF),
            )

    client.force_login(company_user)
    url = reverse("tenants:application_detail", args=[draft.pk])
    add_documents(1)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_documents(9)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_lease_page_takes_the_same_number_of_queries_for_1_and_10_units(
    client, pseb_staff, park, django_assert_max_num_queries
):
    small_lease = LeaseFactory(park=park, units=[UnitFactory(park=park)])
    big_lease = LeaseFactory(park=park, units=[UnitFactory(park=park) for _ in range(10)])
    client.force_login(pseb_staff)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("tenants:lease_detail", args=[small_lease.pk]))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("tenants:lease_detail", args=[big_lease.pk])).status_code == 200
