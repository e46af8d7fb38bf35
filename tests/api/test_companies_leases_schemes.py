from datetime import date

import pytest

from core.vocabulary import MemberRole
from subsidies.models import SubsidyScheme
from tenants.models import Company
from tests.factories import LeaseFactory, SubsidySchemeFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_company_user_creates_their_company_and_becomes_its_owner(as_user):
    user = UserFactory()
    response = as_user(user).post(
        "/api/v1/companies/",
        {
            "name": "Karakoram Code Works",
            "kind": "company",
            "city": "Gilgit",
            "headcount": 12,
            "women_headcount": 5,
            "export_earnings_usd": "125000.50",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["export_earnings_usd"] == "125000.50"
    assert user.memberships.get().role == MemberRole.OWNER
    again = as_user(user).post(
        "/api/v1/companies/", {"name": "Second", "kind": "company", "city": "Gilgit"}, format="json"
    )
    assert again.status_code == 403
    assert Company.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "freelancer", "secp_number": "0012345"}, "secp_number"),
        ({"headcount": 3, "women_headcount": 4}, "women_headcount"),
        ({"kind": "robot"}, "kind"),
        ({"export_earnings_usd": "-1"}, "export_earnings_usd"),
    ],
)
def test_bad_company_input_answers_400_and_creates_nothing(as_user, body, field):
    base = {"name": "Hunza Devs", "kind": "company", "city": "Hunza"}
    response = as_user(UserFactory()).post("/api/v1/companies/", {**base, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Company.objects.exists()


def test_companies_are_scoped_and_only_their_users_edit_them(
    as_user, company_user, other_company_user, park_manager, pseb_staff
):
    company = company_user.memberships.get().company
    url = f"/api/v1/companies/{company.pk}/"
    assert as_user(other_company_user).get(url).status_code == 404
    assert as_user(park_manager).get(url).status_code == 404  # no application in their park
    assert as_user(pseb_staff).get(url).status_code == 200
    assert as_user(pseb_staff).patch(url, {"city": "Quetta"}, format="json").status_code == 403
    response = as_user(company_user).patch(url, {"city": "Quetta"}, format="json")
    assert (response.status_code, response.json()["city"]) == (200, "Quetta")


def test_pseb_terminates_a_lease_which_brings_the_end_forward_once(
    as_user, pseb_staff, company_user, park
):
    lease = LeaseFactory(
        company=company_user.memberships.get().company, park=park, start_date=date(2026, 1, 1)
    )
    url = f"/api/v1/leases/{lease.pk}/terminate/"
    assert (
        as_user(company_user).post(url, {"end_date": "2026-06-30"}, format="json").status_code
        == 403
    )
    bad = as_user(pseb_staff).post(url, {"end_date": "2025-12-31"}, format="json")
    assert (bad.status_code, list(bad.json())) == (400, ["end_date"])
    far = as_user(pseb_staff).post(url, {"end_date": "9999-12-31"}, format="json")
    assert (far.status_code, list(far.json())) == (400, ["end_date"])
    done = as_user(pseb_staff).post(
        url, {"end_date": "2026-06-30", "reason": "Moved out"}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["end_date"] == "2026-06-30"
    assert done.json()["status"] in {"terminated", "active"}
    assert lease.lease_units.get().end_date == date(2026, 6, 30)
    again = as_user(pseb_staff).post(url, {"end_date": "2026-05-31"}, format="json")
    assert again.status_code == 409


def test_leases_are_scoped_by_company_and_park(
    as_user, company_user, other_company_user, park_manager, other_park_manager, park
):
    lease = LeaseFactory(company=company_user.memberships.get().company, park=park)
    url = f"/api/v1/leases/{lease.pk}/"
    assert as_user(company_user).get(url).status_code == 200
    assert as_user(park_manager).get(url).status_code == 200
    assert as_user(other_company_user).get(url).status_code == 404
    assert as_user(other_park_manager).get(url).status_code == 404


def test_subsidy_schemes_are_read_by_staff_and_managers_and_written_by_pseb(
    as_user, pseb_staff, park_manager, company_user, park
):
    SubsidySchemeFactory(name="Programme 2022")
    assert as_user(company_user).get("/api/v1/subsidy-schemes/").status_code == 403
    listing = as_user(park_manager).get("/api/v1/subsidy-schemes/")
    assert [s["name"] for s in listing.json()["results"]] == ["Programme 2022"]
    body = {
        "name": "Gilgit 2027",
        "internet_pct": "100.00",
        "rent_pct": "50.00",
        "duration_months": 18,
        "valid_from": "2027-01-01",
        "parks": [park.pk],
        "anchor": "park_opening",
    }
    assert (
        as_user(park_manager).post("/api/v1/subsidy-schemes/", body, format="json").status_code
        == 403
    )
    created = as_user(pseb_staff).post("/api/v1/subsidy-schemes/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["parks"] == [park.pk]
    bad = as_user(pseb_staff).post(
        "/api/v1/subsidy-schemes/",
        {**body, "name": "Bad", "rent_pct": "125", "valid_to": "2026-01-01"},
        format="json",
    )
    assert bad.status_code == 400
    assert {"rent_pct"} <= set(bad.json())
    assert SubsidyScheme.objects.count() == 2


def test_units_are_public_as_vacancies_and_whole_to_their_managers(
    api, as_user, park, park_manager, other_park_manager
):
    vacant, leased = UnitFactory(park=park, code="V-1"), UnitFactory(park=park, code="L-1")
    LeaseFactory(park=park, units=[leased], start_date=date(2025, 1, 1))
    public = [u["code"] for u in api.get(f"/api/v1/units/?park={park.code}").json()["results"]]
    assert public == ["V-1"]
    assert api.get(f"/api/v1/units/{leased.pk}/").status_code == 404
    assert as_user(other_park_manager).get(f"/api/v1/units/{leased.pk}/").status_code == 404
    mine = as_user(park_manager).get(f"/api/v1/units/?park={park.pk}").json()["results"]
    assert {u["code"]: u["status"] for u in mine} == {"L-1": "leased", "V-1": "vacant"}
    assert vacant.pk


def test_a_park_manager_adds_units_to_their_park_only(as_user, park, other_park, park_manager):
    client = as_user(park_manager)
    body = {
        "park": park.pk,
        "code": "C-301",
        "floor": "3",
        "kind": "office",
        "area_sqft": "500.00",
        "seats": 6,
        "internet_fee": "5000.00",
    }
    created = client.post("/api/v1/units/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["monthly_rent"] == "30000.00"  # 500 sq ft × 60.00
    assert client.post("/api/v1/units/", body, format="json").status_code == 400  # code taken
    other = client.post("/api/v1/units/", {**body, "park": other_park.pk}, format="json")
    assert other.status_code == 403
    assert not other_park.units.exists()


def test_parks_are_public_with_filters_and_money_as_strings(api, park, other_park):
    listing = api.get("/api/v1/parks/?city=gilgit")
    assert [p["code"] for p in listing.json()["results"]] == ["GLT"]
    detail = api.get(f"/api/v1/parks/{park.pk}/").json()
    assert detail["rent_per_sqft"] == "60.00"
    assert {"units_total", "units_vacant", "occupancy"} <= set(detail)
    assert api.get("/api/v1/parks/?tier=galactic").status_code == 400
    assert api.post("/api/v1/parks/", {}, format="json").status_code == 401
