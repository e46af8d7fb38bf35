"""The application → approval → lease flow through the API, as an outside system drives it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from core.vocabulary import ApplicationStatus
from tenants.models import Application, Lease, LeaseUnit
from tests.factories import ApplicationFactory, LeaseFactory, UnitFactory

pytestmark = pytest.mark.django_db
APPS = "/api/v1/applications/"


@pytest.fixture
def owner(company_user):
    return company_user


@pytest.fixture
def draft_body(park):
    return {
        "park": park.pk,
        "seats": 8,
        "area_sqft": "750.00",
        "unit_kind": "office",
        "desired_start": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "duration_months": 12,
        "business_plan": "Ten React developers for export clients.",
    }


def _under_review(application, pseb_staff, as_user):
    as_user(application.company.memberships.get().user).post(f"{APPS}{application.pk}/submit/")
    as_user(pseb_staff).post(f"{APPS}{application.pk}/review/")


def test_company_applies_pseb_approves_and_the_lease_answers_with_agreed_prices(
    as_user, owner, pseb_staff, park, draft_body
):
    # given a company's draft
    company_api = as_user(owner)
    created = company_api.post(APPS, draft_body, format="json")
    assert created.status_code == 201, created.json()
    app_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["company"] == owner.memberships.get().company_id
    unit = UnitFactory(park=park, monthly_rent="60000.00", internet_fee="5000.00")

    # when it is submitted, reviewed and approved with a unit
    assert company_api.post(f"{APPS}{app_id}/submit/").json()["status"] == "submitted"
    staff_api = as_user(pseb_staff)
    assert staff_api.post(f"{APPS}{app_id}/review/").json()["status"] == "under_review"
    start = timezone.localdate() + timedelta(days=30)
    approved = staff_api.post(
        f"{APPS}{app_id}/approve/",
        {"units": [unit.pk], "start_date": start.isoformat()},
        format="json",
    )

    # then the answer is the lease, with money as two-decimal strings
    assert approved.status_code == 201, approved.json()
    lease = approved.json()
    assert lease["units"] == [unit.pk]
    assert lease["unit_prices"] == [
        {"unit": unit.pk, "code": unit.code, "monthly_rent": "60000.00", "internet_fee": "5000.00"}
    ]
    assert (lease["start_date"], lease["end_date"], lease["status"]) == (
        start.isoformat(),
        None,
        "scheduled",
    )
    detail = company_api.get(f"{APPS}{app_id}/").json()
    assert (detail["status"], detail["lease"]) == ("approved", lease["id"])
    assert [t["action"] for t in detail["transitions"]] == ["submit", "review", "approve"]
    assert company_api.get(f"/api/v1/leases/{lease['id']}/").status_code == 200


def test_a_transition_the_state_does_not_allow_answers_409_and_changes_nothing(
    as_user, owner, pseb_staff, park
):
    application = ApplicationFactory(
        company=owner.memberships.get().company, park=park, created_by=owner
    )
    response = as_user(pseb_staff).post(f"{APPS}{application.pk}/review/")
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not application.transitions.exists()


def test_reject_and_return_need_a_reason(as_user, owner, pseb_staff, park):
    application = ApplicationFactory(
        company=owner.memberships.get().company, park=park, created_by=owner
    )
    _under_review(application, pseb_staff, as_user)
    for action in ("reject", "return"):
        response = as_user(pseb_staff).post(
            f"{APPS}{application.pk}/{action}/", {"reason": " "}, format="json"
        )
        assert response.status_code == 400
        assert "reason" in response.json()
    response = as_user(pseb_staff).post(
        f"{APPS}{application.pk}/return/", {"reason": "Attach the SECP certificate."}, format="json"
    )
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize("action", ["review", "approve", "reject", "return"])
def test_a_company_cannot_decide_its_own_application(as_user, owner, park, action):
    application = ApplicationFactory(
        company=owner.memberships.get().company,
        park=park,
        created_by=owner,
        status=ApplicationStatus.SUBMITTED,
    )
    response = as_user(owner).post(
        f"{APPS}{application.pk}/{action}/",
        {"reason": "x", "units": [1], "start_date": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_approving_a_unit_already_leased_for_those_dates_answers_409(
    as_user, owner, pseb_staff, park
):
    unit = UnitFactory(park=park)
    LeaseFactory(park=park, units=[unit], start_date=date(2026, 1, 1))
    application = ApplicationFactory(
        company=owner.memberships.get().company, park=park, created_by=owner
    )
    _under_review(application, pseb_staff, as_user)
    response = as_user(pseb_staff).post(
        f"{APPS}{application.pk}/approve/",
        {"units": [unit.pk], "start_date": "2027-01-01"},
        format="json",
    )
    assert response.status_code == 409
    assert unit.code in response.json()["units"][0]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert LeaseUnit.objects.filter(unit=unit).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"units": [], "start_date": "2027-01-01"}, "units"),
        ({"units": ["x"], "start_date": "2027-01-01"}, "units"),
        ({"units": [999999], "start_date": "2027-01-01"}, "units"),
        ({"units": [1], "start_date": "soon"}, "start_date"),
        ({"units": [1], "start_date": "2027-01-02", "end_date": "2027-01-01"}, "end_date"),
    ],
)
def test_bad_approval_input_answers_400_with_the_field(
    as_user, owner, pseb_staff, park, body, field
):
    application = ApplicationFactory(
        company=owner.memberships.get().company, park=park, created_by=owner
    )
    _under_review(application, pseb_staff, as_user)
    if body["units"] == [1]:
        body = {**body, "units": [UnitFactory(park=park).pk]}
    response = as_user(pseb_staff).post(f"{APPS}{application.pk}/approve/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Lease.objects.exists()


def test_another_company_and_another_parks_manager_get_404_never_403(
    as_user, owner, other_company_user, other_park_manager, park, pseb_staff
):
    application = ApplicationFactory(
        company=owner.memberships.get().company, park=park, created_by=owner
    )
    for outsider in (other_company_user, other_park_manager):
        client = as_user(outsider)
        assert client.get(f"{APPS}{application.pk}/").status_code == 404
        assert client.post(f"{APPS}{application.pk}/withdraw/").status_code == 404
        assert (
            client.patch(f"{APPS}{application.pk}/", {"seats": 1}, format="json").status_code == 404
        )
        assert application.pk not in [a["id"] for a in client.get(APPS).json()["results"]]


def test_a_draft_can_be_edited_but_not_once_submitted(as_user, owner, park):
    application = ApplicationFactory(
        company=owner.memberships.get().company,
        park=park,
        created_by=owner,
        desired_start=timezone.localdate() + timedelta(days=9),
    )
    client = as_user(owner)
    assert (
        client.patch(f"{APPS}{application.pk}/", {"seats": 3}, format="json").json()["seats"] == 3
    )
    client.post(f"{APPS}{application.pk}/submit/")
    response = client.patch(f"{APPS}{application.pk}/", {"seats": 4}, format="json")
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.seats == 3


def test_applying_to_a_planned_park_or_for_another_company_is_refused(
    as_user, owner, other_company_user, draft_body
):
    from tests.factories import ParkFactory

    planned = ParkFactory(status="planned", opening_date=None)
    client = as_user(owner)
    response = client.post(APPS, {**draft_body, "park": planned.pk}, format="json")
    assert response.status_code == 400
    assert "park" in response.json()
    other = other_company_user.memberships.get().company_id
    response = client.post(APPS, {**draft_body, "company": other}, format="json")
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_list_filters_by_park_status_and_company(as_user, pseb_staff, park, other_park):
    mine = ApplicationFactory(park=park, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(park=other_park, status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(park=park)
    client = as_user(pseb_staff)
    for query in (
        f"park={park.pk}&status=submitted",
        "park=GUJ&status=submitted",
        f"company={mine.company_id}",
    ):
        ids = [a["id"] for a in client.get(f"{APPS}?{query}").json()["results"]]
        assert ids == [mine.pk], query
    assert client.get(f"{APPS}?status=bogus").status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries_do_not_grow_with_rows(
    as_user, pseb_staff, park, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        ApplicationFactory(park=park)
    client = as_user(pseb_staff)
    with django_assert_max_num_queries(6):
        assert client.get(APPS).json()["count"] == rows
