"""The applications and leases lists as CSV and XLSX files (issue 10 §4): the page's rows
and columns, every page of them, with the page's filters; scoped like the page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ApplicationStatus, UnitKind
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    UnitFactory,
)
from tests.xlsx import body_of, export_queries, page_headers, read_csv, read_xlsx, table_part

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name, fmt):
    return reverse(f"tenants:{name}_export", args=[fmt])


# --- Applications ----------------------------------------------------------------------------
@pytest.fixture
def applications(park, other_park, company_user):
    mine = MembershipFactory._meta.model.objects.get(user=company_user).company
    submitted = ApplicationFactory(
        company=mine, park=park, status=ApplicationStatus.SUBMITTED, seats=3,
        unit_kind=UnitKind.DESK, desired_start=date(2027, 1, 15),
    )  # fmt: skip
    draft = ApplicationFactory(company=mine, park=park, seats=1)
    elsewhere = ApplicationFactory(
        company__name="Elsewhere Ltd", park=other_park, status=ApplicationStatus.UNDER_REVIEW
    )
    return submitted, draft, elsewhere


def test_the_applications_file_has_the_pages_columns_and_rows(client, pseb_staff, applications):
    submitted, draft, _elsewhere = applications
    client.force_login(pseb_staff)
    page = client.get(reverse("tenants:application_list"), {"drafts": "on"})
    response = client.get(url("application", "csv"), {"drafts": "on"})
    _heading, labels, rows = table_part(read_csv(response))
    assert labels == page_headers(page) == ["#", "Company", "Park", "Wants", "Desired start",
                                            "Status", "Submitted", "Days waiting"]  # fmt: skip
    assert len(rows) == page.context["page"].paginator.count == 3
    # The page's order: latest submitted first, drafts last.
    assert [r[0] for r in rows] == [f"#{a.pk}" for a in page.context["page"].object_list]
    by_number = {r[0]: r for r in rows}
    assert by_number[f"#{submitted.pk}"] == [
        f"#{submitted.pk}", "First Company (Pvt) Ltd", "Gujranwala STP", "Coworking desk, 3 seats",
        "2027-01-15", "Submitted", f"{TODAY():%Y-%m-%d}", "0",
    ]  # fmt: skip
    assert by_number[f"#{draft.pk}"][3] == "Private office, 1 seat"
    assert by_number[f"#{draft.pk}"][6] == ""  # never submitted


def test_the_applications_file_carries_the_filters_in_its_heading_and_name(
    client, pseb_staff, applications
):
    submitted, _, _ = applications
    client.force_login(pseb_staff)
    response = client.get(url("application", "xlsx"), {"park": "GUJ", "status": "submitted"})
    today = f"{TODAY():%Y-%m-%d}"
    assert response["Content-Disposition"] == (
        f'attachment; filename="applications_asof-{today}_park-GUJ_status-submitted.xlsx"'
    )
    heading, _labels, rows = table_part(read_xlsx(body_of(response)))
    assert heading == [
        ["Report", "Applications"],
        ["As of", today],
        ["Park", "GUJ"],
        ["Status", "Submitted"],
    ]
    assert [r[0] for r in rows] == [f"#{submitted.pk}"]
    # Dates are dates in the workbook.
    assert rows[0][4] == date(2027, 1, 15)
    assert rows[0][6] == TODAY()


def test_a_company_downloads_only_its_own_applications(client, company_user, applications):
    submitted, draft, _elsewhere = applications
    client.force_login(company_user)
    _, _, rows = table_part(read_csv(client.get(url("application", "csv"))))
    assert sorted(r[0] for r in rows) == sorted([f"#{submitted.pk}", f"#{draft.pk}"])


def test_a_manager_downloads_their_parks_submitted_applications_only(
    client, park_manager, applications
):
    submitted, _draft, _elsewhere = applications
    client.force_login(park_manager)
    _, _, rows = table_part(read_csv(client.get(url("application", "csv"))))
    assert [r[0] for r in rows] == [f"#{submitted.pk}"]  # not the draft, not the other park


def test_a_bad_filter_goes_back_to_the_list(client, pseb_staff):
    client.force_login(pseb_staff)
    response = client.get(url("application", "xlsx"), {"submitted_after": "not a day"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tenants:application_list"))


def test_the_applications_file_takes_as_many_queries_for_30_rows_as_for_3(client, pseb_staff, park):
    client.force_login(pseb_staff)
    for _ in range(3):
        ApplicationFactory(park=park, status=ApplicationStatus.SUBMITTED)
    few, rows = export_queries(client, url("application", "csv"))
    assert len(rows) == 3
    for _ in range(27):
        ApplicationFactory(park=park, status=ApplicationStatus.SUBMITTED)
    many, rows = export_queries(client, url("application", "csv"))
    assert len(rows) == 30
    assert many == few


def test_the_list_offers_its_files_only_when_it_has_rows(client, pseb_staff, park):
    client.force_login(pseb_staff)
    assert "Download CSV" not in client.get(reverse("tenants:application_list")).content.decode()
    ApplicationFactory(park=park, status=ApplicationStatus.SUBMITTED)
    body = client.get(reverse("tenants:application_list"), {"park": "GUJ"}).content.decode()
    assert "Download CSV" in body
    assert f"{url('application', 'xlsx')}?park=GUJ" in body


# --- Leases ----------------------------------------------------------------------------------
@pytest.fixture
def leases(park, other_park, company_user):
    mine = MembershipFactory._meta.model.objects.get(user=company_user).company
    units = [UnitFactory(park=park, code="B-2"), UnitFactory(park=park, code="A-1")]
    running = LeaseFactory(
        company=mine, park=park, units=units, start_date=date(2026, 3, 15),
        end_date=date(2027, 3, 14),
    )  # fmt: skip
    later = LeaseFactory(company=mine, park=park, start_date=TODAY() + timedelta(days=40))
    elsewhere = LeaseFactory(company=CompanyFactory(), park=other_park)
    return running, later, elsewhere


def test_the_leases_file_has_the_pages_columns_and_rows(client, pseb_staff, leases):
    running, later, _elsewhere = leases
    client.force_login(pseb_staff)
    page = client.get(reverse("tenants:lease_list"))
    response = client.get(url("lease", "xlsx"))
    _heading, labels, rows = table_part(read_xlsx(body_of(response)))
    assert labels == page_headers(page) == ["Lease", "Company", "Park", "Units", "From", "To",
                                            "Status"]  # fmt: skip
    assert len(rows) == page.context["page"].paginator.count == 3
    assert [r[0] for r in rows] == [f"#{lease.pk}" for lease in page.context["page"].object_list]
    by_number = {r[0]: r for r in rows}
    assert by_number[f"#{running.pk}"] == [
        f"#{running.pk}", "First Company (Pvt) Ltd", "Gujranwala STP", "A-1, B-2",
        date(2026, 3, 15), date(2027, 3, 14), "Active",
    ]  # fmt: skip
    assert by_number[f"#{later.pk}"][5:] == [None, "Scheduled"]  # open-ended: no end date


def test_a_company_downloads_only_its_own_leases(client, other_company_user, leases):
    _running, _later, _elsewhere = leases
    client.force_login(other_company_user)
    response = client.get(url("lease", "csv"))
    _, _, rows = table_part(read_csv(response))
    assert rows == []  # owner.two's company has no lease; the others' are not theirs


def test_the_leases_file_keeps_the_page_filters(client, park_manager, leases):
    running, later, _elsewhere = leases
    client.force_login(park_manager)
    response = client.get(url("lease", "csv"), {"company": "first"})
    heading, _, rows = table_part(read_csv(response))
    assert heading[2] == ["Company legal name contains", "first"]  # the filter form's words
    assert "_company-first.csv" in response["Content-Disposition"]
    assert sorted(r[0] for r in rows) == sorted([f"#{running.pk}", f"#{later.pk}"])


def test_the_leases_file_takes_as_many_queries_for_30_rows_as_for_3(client, pseb_staff, park):
    client.force_login(pseb_staff)
    for _ in range(3):
        LeaseFactory(park=park)
    few, rows = export_queries(client, url("lease", "csv"))
    assert len(rows) == 3
    for _ in range(27):
        LeaseFactory(park=park, units=[UnitFactory(park=park), UnitFactory(park=park)])
    many, rows = export_queries(client, url("lease", "csv"))
    assert len(rows) == 30
    assert many == few
