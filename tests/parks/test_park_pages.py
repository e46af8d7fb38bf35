"""The park pages of issue 12 §4–5: the offline map, contact and amenities kept by PSEB,
status words, the price estimator, and PSEB creating and editing parks and assigning
managers in the portal."""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ParkStatus, UnitKind
from parks.models import Park, ParkManagerAssignment
from tests.factories import (
    ParkFactory,
    ParkManagerAssignmentFactory,
    ParkManagerFactory,
    SubsidySchemeFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


def page(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page(response)))


def markers(response) -> list[str]:
    """The status of each marker on the page's map, in drawing order."""
    return re.findall(r'class="park-map-marker park-map-(\w+)', page(response))


@pytest.fixture
def country():
    """Three parks, one of each status, placed in three cities."""
    return {
        "GLT": ParkFactory(
            code="GLT",
            name="SCO STP Gilgit",
            city="Gilgit",
            latitude=Decimal("35.9208"),
            longitude=Decimal("74.3089"),
        ),
        "SKR": ParkFactory(
            code="SKR",
            name="Sukkur STP",
            city="Sukkur",
            status=ParkStatus.UPCOMING,
            opening_date=date(NEXT_YEAR, 3, 1),
            latitude=Decimal("27.7052"),
            longitude=Decimal("68.8574"),
        ),
        "KIT": ParkFactory(
            code="KIT",
            name="Karachi IT Park",
            city="Karachi",
            status=ParkStatus.PLANNED,
            opening_date=None,
            latitude=Decimal("24.8607"),
            longitude=Decimal("67.0011"),
        ),
    }


# --- The map (§4) --------------------------------------------------------------------------
def test_the_home_page_maps_every_park_by_status_with_a_legend(client, country):
    response = client.get(reverse("home"))
    assert sorted(markers(response)) == ["existing", "planned", "upcoming"]
    text = page(response)
    assert 'role="img"' in text
    assert "Map of Pakistan with 3 parks: 1 open, 1 opening, 1 planned." in text
    for legend in ("Open", "Opening (upcoming)", "Planned"):
        assert legend in words(response)
    # Each marker links to its park and names it, its city and its status in words.
    assert f'href="{reverse("parks:detail", args=["SKR"])}"' in text
    assert f"<title>Sukkur STP, Sukkur: Opening {NEXT_YEAR}</title>" in text


def test_markers_differ_by_shape_not_only_colour(client, country):
    text = page(client.get(reverse("home")))
    circle = re.search(r'park-map-existing">\s*<title>[^<]*</title>\s*<path d="M[^"]*a', text)
    triangle = re.search(r'park-map-upcoming">\s*<title>[^<]*</title>\s*<path d="M[^"]*L', text)
    square = re.search(r'park-map-planned">\s*<title>[^<]*</title>\s*<path d="M[^"]*h', text)
    assert circle
    assert triangle
    assert square


def test_the_directory_maps_the_parks_its_filters_keep(client, country):
    response = client.get(reverse("parks:list"), {"status": "upcoming"})
    assert markers(response) == ["upcoming"]


def test_a_park_page_highlights_its_park_and_fades_the_others(client, country):
    response = client.get(reverse("parks:detail", args=["SKR"]))
    text = page(response)
    assert "park-map-upcoming park-map-highlight" in text
    assert text.count('opacity="0.4"') == 2
    assert "Map of Pakistan showing where Sukkur STP is, in Sukkur." in text


def test_a_park_without_coordinates_says_so_instead_of_a_map(client):
    ParkFactory(code="NOW")
    response = client.get(reverse("parks:detail", args=["NOW"]))
    assert "location has not been recorded yet" in words(response)
    assert markers(response) == []


def test_the_map_reads_no_more_queries_for_more_parks(
    client, country, django_assert_max_num_queries
):
    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    urls = ("/", "/parks/", "/parks/GLT/")
    for url in urls:
        count(url)  # the home page's impact figures are cached once read
    few = {url: count(url) for url in urls}
    for n in range(12):
        ParkFactory(latitude=Decimal("30.1") + n, longitude=Decimal("70.2"))
    assert {url: count(url) for url in few} == few
    with django_assert_max_num_queries(12):
        client.get("/parks/GLT/")
    with django_assert_max_num_queries(6):
        client.get("/parks/")


# --- Status words and capacity (§5) ---------------------------------------------------------
def test_every_page_says_open_opening_year_and_planned(client, country):
    for url in ("/", "/parks/", "/parks/SKR/"):
        assert f"Opening {NEXT_YEAR}" in words(client.get(url)), url
    directory = words(client.get("/parks/"))
    assert " Open " in directory
    assert " Planned " in directory


def test_upcoming_parks_never_show_zero_of_zero_vacant(client, country):
    text = words(client.get("/parks/"))
    assert "0 of 0" not in text
    assert "0 / 0" not in text
    assert f"Takes applications now; leases from Mar {NEXT_YEAR}" in text
    assert "Not taking applications yet" in text


def test_an_upcoming_park_with_units_shows_its_planned_capacity(client, country):
    UnitFactory(park=country["SKR"], seats=8)
    UnitFactory(park=country["SKR"], seats=4)
    assert "2 units, 12 seats planned" in words(client.get("/parks/"))
    assert "2 units, 12 seats planned" in words(client.get("/parks/SKR/"))


def test_the_api_keeps_the_raw_status_and_adds_the_words(client, country):
    body = client.get("/api/v1/parks/").json()
    rows = body["results"] if isinstance(body, dict) else body
    sukkur = next(r for r in rows if r["code"] == "SKR")
    assert sukkur["status"] == "upcoming"
    assert sukkur["status_label"] == f"Opening {NEXT_YEAR}"


# --- Contact and amenities, kept by PSEB (§5) ----------------------------------------------
def _form(park: Park, **changes) -> dict:
    data = {
        "name": park.name,
        "code": park.code,
        "city": park.city,
        "province": park.province,
        "tier": park.tier,
        "status": park.status,
        "opening_date": park.opening_date.isoformat() if park.opening_date else "",
        "operator": park.operator,
        "address": park.address,
        "latitude": park.latitude or "",
        "longitude": park.longitude or "",
        "rent_per_sqft": park.rent_per_sqft,
        "description": park.description,
        "contact_name": park.contact_name,
        "contact_phone": park.contact_phone,
        "contact_email": park.contact_email,
        "amenities": list(park.amenities),
    }
    return {**data, **changes}


def test_pseb_edits_contact_and_amenities_and_the_trail_logs_it(client, country, pseb_staff):
    park = country["GLT"]
    client.force_login(pseb_staff)
    response = client.post(
        reverse("parks:edit", args=["GLT"]),
        _form(
            park,
            contact_name=" Ali Raza ",
            contact_phone="+92 5811 920456",
            contact_email="gilgit@stp.example.pk",
            amenities=["parking", "fibre", "backup_power"],
        ),
    )
    assert response.status_code == 302
    park.refresh_from_db()
    assert park.contact_name == "Ali Raza"
    assert park.amenities == ["fibre", "backup_power", "parking"]  # the vocabulary's order
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Park), object_pk=str(park.pk)
    ).latest("timestamp")
    assert entry.actor == pseb_staff
    assert entry.changes_dict["contact_phone"][1] == "+92 5811 920456"
    assert "amenities" in entry.changes_dict

    shown = words(client.get(reverse("parks:detail", args=["GLT"])))
    for text in ("Ali Raza", "+92 5811 920456", "gilgit@stp.example.pk", "Fibre internet"):
        assert text in shown


def test_a_bad_phone_or_amenity_is_a_clear_message_and_nothing_changes(client, country, pseb_staff):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("parks:edit", args=["GLT"]),
        _form(country["GLT"], contact_phone="call the office", amenities=["jacuzzi"]),
    )
    assert response.status_code == 200
    text = words(response)
    assert "Enter a phone number of 7 to 15 digits" in text
    assert "Select a valid choice" in text
    country["GLT"].refresh_from_db()
    assert country["GLT"].contact_phone == ""


def test_a_park_manager_cannot_edit_the_park_they_run(client, country, pseb_staff):
    manager = ParkManagerAssignmentFactory(park=country["GLT"]).user
    client.force_login(manager)
    response = client.post(reverse("parks:edit", args=["GLT"]), _form(country["GLT"], name="X"))
    assert response.status_code == 404
    country["GLT"].refresh_from_db()
    assert country["GLT"].name == "SCO STP Gilgit"


# --- PSEB creates parks (§5) ---------------------------------------------------------------
NEW_PARK = {
    "name": "Jamshoro STP",
    "code": "jms",
    "city": "Jamshoro",
    "province": "sindh",
    "tier": "tertiary",
    "status": "upcoming",
    "opening_date": f"{NEXT_YEAR}-07-01",
    "rent_per_sqft": "40.00",
    "latitude": "25.4304",
    "longitude": "68.2809",
    "contact_phone": "022-2109876",
    "amenities": ["fibre"],
}


def test_pseb_adds_a_park_and_is_led_to_assign_its_managers(client, pseb_staff):
    client.force_login(pseb_staff)
    response = client.post(reverse("parks:create"), NEW_PARK)
    assert response.status_code == 302
    assert response.url == reverse("parks:managers", args=["JMS"])
    park = Park.objects.get(code="JMS")
    assert park.amenities == ["fibre"]
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Park),
        object_pk=str(park.pk),
        action=LogEntry.Action.CREATE,
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "GLT"}, "code", "already exists"),
        ({"code": "new"}, "code", "reserved"),
        ({"latitude": "51.5", "longitude": "-0.12"}, "latitude", "lies between 23.5° and 37.2°"),
        ({"longitude": ""}, "longitude", "both the latitude and the longitude"),
        ({"opening_date": ""}, "opening_date", "needs its opening date"),
        ({"opening_date": "1980-01-01"}, "opening_date", ""),
    ],
)
def test_a_park_that_cannot_be_right_is_refused_with_its_reason(
    client, country, pseb_staff, changes, field, message
):
    client.force_login(pseb_staff)
    response = client.post(reverse("parks:create"), {**NEW_PARK, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not Park.objects.filter(name="Jamshoro STP").exists()


# --- PSEB assigns managers (§5) -------------------------------------------------------------
def test_pseb_assigns_a_manager_chosen_among_park_manager_accounts(
    client, country, pseb_staff, company_user
):
    sara = ParkManagerFactory(username="sara.k", first_name="Sara", last_name="Khan")
    ParkManagerFactory(username="omar.b", first_name="Omar", last_name="Baig")
    client.force_login(pseb_staff)
    url = reverse("parks:managers", args=["GLT"])

    sara_label = f"Sara Khan (sara.k, {sara.email})"
    choices = response_choices(client.get(url))
    assert sara_label in choices
    assert all("owner" not in c for c in choices)  # company users are never offered
    assert response_choices(client.get(url, {"q": "khan"})) == [sara_label]

    assert client.post(url, {"manager": sara.pk}).status_code == 302
    assert ParkManagerAssignment.objects.filter(park=country["GLT"], user=sara).exists()
    assert sara_label not in response_choices(client.get(url))  # runs it already

    refused = client.post(url, {"manager": company_user.pk})
    assert refused.status_code == 200
    assert "Choose one of the park managers listed." in words(refused)


def response_choices(response) -> list[str]:
    return [
        html.unescape(label)
        for value, label in re.findall(
            r'<option value="(\d+)"[^>]*>([^<]+)</option>', page(response)
        )
    ]


def test_pseb_takes_a_park_away_from_a_manager(client, country, pseb_staff):
    assignment = ParkManagerAssignmentFactory(park=country["GLT"])
    client.force_login(pseb_staff)
    response = client.post(reverse("parks:manager_remove", args=["GLT", assignment.pk]))
    assert response.status_code == 302
    assert not ParkManagerAssignment.objects.filter(pk=assignment.pk).exists()


# --- The price estimator (§5) ---------------------------------------------------------------
@pytest.fixture
def priced(country):
    park = country["GLT"]
    park.rent_per_sqft = Decimal("60.00")
    park.save()
    UnitFactory(park=park, kind=UnitKind.OFFICE, area_sqft=Decimal(1000), internet_fee=5000)
    UnitFactory(
        park=park,
        kind=UnitKind.DESK,
        area_sqft=Decimal(45),
        seats=1,
        monthly_rent=Decimal(7500),
        internet_fee=Decimal(1500),
    )
    SubsidySchemeFactory(name="STP tenant subsidy", valid_from=date(2022, 7, 1))
    return park


def test_the_estimator_shows_the_month_with_and_after_the_subsidy(client, priced):
    response = client.get(reverse("parks:detail", args=["GLT"]), {"kind": "office", "size": 1000})
    estimate = response.context["estimator"]["estimate"]
    first, after = estimate.stages
    # Rent 60,000 and internet 5,000; 25% of rent and 100% of internet off for 12 months.
    assert (first.first, first.last) == (1, 12)
    assert first.cost.net == Decimal("45000.00")
    assert (after.first, after.last) == (13, None)
    assert after.cost.net == Decimal("65000.00")
    assert estimate.subsidy_total == Decimal("240000.00")
    text = words(response)
    assert "PKR 45,000.00" in text
    assert "PKR 65,000.00" in text
    assert "STP tenant subsidy" in text


def test_desks_are_estimated_per_desk(client, priced):
    response = client.get(reverse("parks:detail", args=["GLT"]), {"kind": "desk", "size": 3})
    first = response.context["estimator"]["estimate"].stages[0]
    assert first.cost.rent == Decimal("22500.00")
    assert first.cost.net == Decimal("16875.00")  # 3 × (7,500 × 75%), internet all subsidised


def test_without_a_scheme_the_price_is_the_same_every_month(client, country):
    UnitFactory(park=country["GLT"], kind=UnitKind.OFFICE, area_sqft=Decimal(500))
    response = client.get(reverse("parks:detail", args=["GLT"]), {"kind": "office", "size": 500})
    estimate = response.context["estimator"]["estimate"]
    assert [s.subsidised for s in estimate.stages] == [False]
    assert "No subsidy scheme covers a lease here" in words(response)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "office", "size": "lots"}, "Enter a whole number"),
        ({"kind": "office", "size": "5"}, "Enter an office area from 100 to 50,000 sq ft."),
        ({"kind": "hall", "size": "5"}, "Choose a private office or coworking desks."),
        ({"kind": "desk", "size": ""}, "Enter a size"),
    ],
)
def test_bad_estimator_input_is_a_clear_message_and_no_figures(client, priced, query, message):
    response = client.get(reverse("parks:detail", args=["GLT"]), query)
    assert response.status_code == 200
    assert response.context["estimator"]["estimate"] is None
    assert message in words(response)


def test_a_planned_park_has_no_estimator(client, country):
    response = client.get(reverse("parks:detail", args=["KIT"]))
    assert response.context["estimator"] is None


def test_an_upcoming_park_is_estimated_from_its_opening(client, country, priced):
    UnitFactory(park=country["SKR"], kind=UnitKind.OFFICE, area_sqft=Decimal(800))
    response = client.get(reverse("parks:detail", args=["SKR"]), {"kind": "office", "size": 800})
    assert response.context["estimator"]["estimate"].start == date(NEXT_YEAR, 3, 1)


def test_the_estimate_is_what_billing_computes(monkeypatch, client, priced):
    # The estimator calls billing's own module: change it, and the estimate changes with it.
    from subsidies import calculation

    real = calculation.compute_statement
    calls = []

    def spy(period, lets, window, charges=()):
        calls.append(period)
        return real(period, lets, window, charges)

    monkeypatch.setattr(calculation, "compute_statement", spy)
    client.get(reverse("parks:detail", args=["GLT"]), {"kind": "office", "size": 1000})
    assert len(calls) == 13  # 12 months in the window and the first after it


def test_the_api_takes_contact_and_amenities_from_pseb_and_refuses_unknown_ones(
    country, pseb_staff
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(pseb_staff)
    url = f"/api/v1/parks/{country['GLT'].pk}/"
    refused = api.patch(url, {"amenities": ["fibre", "jacuzzi"]}, format="json")
    assert refused.status_code == 400
    assert "amenities" in refused.json()
    saved = api.patch(
        url, {"amenities": ["parking", "fibre"], "contact_phone": "051-9204567"}, format="json"
    )
    assert saved.status_code == 200
    assert saved.json()["amenities"] == ["fibre", "parking"]
    assert saved.json()["contact_phone"] == "051-9204567"
