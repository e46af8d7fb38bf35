"""What the park pages say and offer, after the UX review: a way to apply from a park's
page with a summary of its units, the import's header message said once and in plain
words, and no zero-count sentences on the occupancy page."""

import html
import re
from datetime import date
from decimal import Decimal
from urllib.parse import quote, unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ParkStatus
from parks.unit_import import CSV_COLUMNS, parse_units_csv
from tests.factories import (
    ApplicationFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's text without tags, spaces collapsed: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


@pytest.fixture
def upcoming():
    return ParkFactory(
        code="SKR", name="Sukkur STP", status=ParkStatus.UPCOMING, opening_date=date(2027, 1, 15)
    )


@pytest.fixture
def planned():
    return ParkFactory(
        code="KIT", name="Karachi IT Park", status=ParkStatus.PLANNED, opening_date=None
    )


def apply_links(response) -> list[str]:
    return re.findall(r'<a class="button[^"]*" href="([^"]+)">Apply for space</a>', text(response))


# --- 3. A way forward from a park's page -------------------------------------------------------
@pytest.mark.parametrize("which", ["park", "upcoming"])
def test_a_visitor_is_invited_to_sign_up_to_apply_to_an_open_or_upcoming_park(
    client, request, which
):
    park = request.getfixturevalue(which)
    response = client.get(reverse("parks:detail", args=[park.code]))
    form = f"{reverse('tenants:application_create')}?park={park.code}"
    signup = f"{reverse('accounts:signup')}?next={quote(form, safe='')}"
    assert apply_links(response) == [signup]
    # The sign-up page's own sign-in link carries the form on.
    sign_in = re.findall(r'href="/accounts/sign-in/\?next=([^"]+)"', text(client.get(signup)))
    assert [unquote(n) for n in sign_in] == [form]


@pytest.mark.parametrize("which", ["park", "upcoming"])
def test_a_company_user_goes_straight_to_the_form_with_the_park_chosen(
    client, request, company_user, which
):
    park = request.getfixturevalue(which)
    client.force_login(company_user)
    response = client.get(reverse("parks:detail", args=[park.code]))
    form = f"{reverse('tenants:application_create')}?park={park.code}"
    assert apply_links(response) == [form]
    chosen = client.get(form).context["form"]["park"].value()
    assert chosen == park.code


@pytest.mark.parametrize("role", [None, "company_user", "pseb_staff"])
def test_a_planned_park_offers_no_way_to_apply(client, request, planned, role):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("parks:detail", args=[planned.code]))
    assert apply_links(response) == []
    assert "does not take applications yet" in text(response)


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_are_not_offered_to_apply(client, request, park, role):
    client.force_login(request.getfixturevalue(role))
    assert apply_links(client.get(reverse("parks:detail", args=[park.code]))) == []


def test_the_park_page_sums_up_sizes_seats_rents_and_internet_fees_by_kind(client, park):
    UnitFactory(
        park=park,
        kind="office",
        area_sqft=Decimal("800"),
        seats=8,
        monthly_rent=Decimal("48000"),
        internet_fee=Decimal("4000"),
    )
    leased = UnitFactory(
        park=park,
        kind="office",
        area_sqft=Decimal("1500"),
        seats=15,
        monthly_rent=Decimal("90000"),
        internet_fee=Decimal("6500"),
    )
    LeaseFactory(park=park, units=[leased], start_date=date(2025, 1, 1))
    UnitFactory(
        park=park,
        kind="desk",
        area_sqft=Decimal("40"),
        seats=1,
        monthly_rent=Decimal("6000"),
        internet_fee=Decimal("1500"),
    )
    response = client.get(reverse("parks:detail", args=[park.code]))
    rows = {r["kind"]: r for r in response.context["summary"]}
    office, desk = rows["Private office"], rows["Coworking desk"]
    assert office["area"] == (Decimal("800"), Decimal("1500"))
    assert office["rent"] == (Decimal("48000"), Decimal("90000"))
    assert office["internet"] == (Decimal("4000"), Decimal("6500"))
    assert office["seats"] == (8, 15)
    assert desk["rent"] == (Decimal("6000"), Decimal("6000"))
    page = words(response)
    assert "Private office 800 – 1,500 8 – 15 PKR 48,000 – 90,000 PKR 4,000 – 6,500" in page
    assert "Coworking desk 40 1 PKR 6,000 PKR 1,500" in page


def test_the_park_page_names_no_tenant(client, park):
    company = MembershipFactory(company__name="Hidden Tenant Software").company
    unit = UnitFactory(park=park, code="SECRET-7")
    LeaseFactory(park=park, company=company, units=[unit], start_date=date(2025, 1, 1))
    page = text(client.get(reverse("parks:detail", args=[park.code])))
    assert "Hidden Tenant Software" not in page
    assert "SECRET-7" not in page


def test_a_park_without_units_says_so_instead_of_empty_ranges(client, upcoming):
    page = words(client.get(reverse("parks:detail", args=[upcoming.code])))
    assert "No units have been listed for this park yet." in page


# --- 5. The import's header problem, once and in plain words ----------------------------------
def test_a_header_lacking_columns_lists_them_in_a_sentence():
    header = "code,floor,kind,area_sqft,seats"
    problem = parse_units_csv(f"{header}\nA-1,1,office,100,2\n".encode()).problem
    assert problem.startswith("The header row lacks these columns: monthly_rent, internet_fee.")
    assert "has missing" not in problem
    assert "Download the template" in problem


def test_unknown_and_repeated_header_columns_are_each_said_in_a_sentence():
    header = ",".join([*CSV_COLUMNS, "colour", "code"])
    problem = parse_units_csv(f"{header}\n".encode()).problem
    assert "It has columns the import does not know: 'colour'." in problem
    assert "These columns appear more than once: code." in problem
    assert "lacks" not in problem


def test_the_import_page_says_a_header_problem_once(client, park, park_manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(park_manager)
    data = b"code,floor,kind,area_sqft,seats\nA-1,1,office,100,2\n"
    response = client.post(
        reverse("parks:unit_import", args=[park.code]),
        {"file": SimpleUploadedFile("units.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 200
    page = text(response)
    assert page.count("The header row lacks these columns: monthly_rent, internet_fee.") == 1
    assert "Nothing was imported" in page
    assert not park.units.exists()


def test_a_single_bad_row_is_one_row_that_has_problems(client, park, park_manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(park_manager)
    data = ",".join(CSV_COLUMNS).encode() + b"\nA-1,1,cave,100,2,,0,no\n"
    response = client.post(
        reverse("parks:unit_import", args=[park.code]),
        {"file": SimpleUploadedFile("units.csv", data, content_type="text/csv")},
    )
    assert "Nothing was imported: 1 row of the file has problems." in text(response)


# --- 7. No zero-count sentences on the occupancy page ------------------------------------------
def test_the_occupancy_page_says_nothing_of_returned_applications_when_there_are_none(
    client, park, park_manager
):
    ApplicationFactory(park=park, status="submitted")
    client.force_login(park_manager)
    page = words(client.get(reverse("parks:occupancy", args=[park.code])))
    assert "returned to the company" not in page
    assert "0 more" not in page


def test_one_returned_application_is_said_in_the_singular(client, park, park_manager):
    ApplicationFactory(park=park, status="draft", submitted_at=timezone.now())
    client.force_login(park_manager)
    page = words(client.get(reverse("parks:occupancy", args=[park.code])))
    assert "1 more was returned to the company for changes." in page


# --- 4. The home page counts vacancies of open parks only ---------------------------------------
def test_the_home_page_counts_only_open_parks_vacancies_and_says_so(client, park, upcoming):
    UnitFactory(park=park)
    UnitFactory.create_batch(3, park=upcoming)
    response = client.get(reverse("home"))
    assert response.context["vacancies"] == 1
    assert "1 vacant unit in open parks today" in words(response)
