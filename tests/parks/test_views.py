from datetime import date

import pytest
from django.urls import reverse

from core.vocabulary import ParkStatus
from tests.factories import LeaseFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def parks():
    gilgit = ParkFactory(code="GLT", name="SCO STP Gilgit", city="Gilgit")
    quetta = ParkFactory(code="QTA", name="UltraSoft STP Quetta", city="Quetta")
    sukkur = ParkFactory(
        code="SKR",
        name="Sukkur STP",
        city="Sukkur",
        status=ParkStatus.UPCOMING,
        opening_date=date(2027, 1, 15),
    )
    karachi = ParkFactory(
        code="KIT",
        name="Karachi IT Park",
        city="Karachi",
        status=ParkStatus.PLANNED,
        opening_date=None,
    )
    return gilgit, quetta, sukkur, karachi


def test_directory_lists_every_park_with_status_city_and_vacancies_to_the_public(client, parks):
    gilgit = parks[0]
    leased, _vacant = UnitFactory(park=gilgit), UnitFactory(park=gilgit)
    LeaseFactory(park=gilgit, units=[leased], start_date=date(2024, 1, 1))

    response = client.get(reverse("parks:list"))

    assert response.status_code == 200
    html = response.content.decode()
    for park in parks:
        assert park.name in html
    assert ">Open<" in html
    assert ">Planned<" in html
    rows = {r.park.code: r for r in response.context["rows"]}
    assert (rows["GLT"].units_vacant, rows["GLT"].units_total) == (1, 2)
    assert "1 of 2 units vacant" in html


def test_directory_filters_by_status_and_city(client, parks):
    response = client.get(reverse("parks:list"), {"status": "existing", "city": "Quetta"})
    names = [p.name for p in response.context["page"]]
    assert names == ["UltraSoft STP Quetta"]

    response = client.get(reverse("parks:list"), {"status": "upcoming"})
    assert [p.code for p in response.context["page"]] == ["SKR"]


def test_directory_lists_open_parks_first_then_upcoming_then_planned(client, parks):
    response = client.get(reverse("parks:list"))
    assert [p.code for p in response.context["page"]] == ["GLT", "QTA", "SKR", "KIT"]


def test_an_unknown_filter_value_answers_a_clear_message_not_an_error(client, parks):
    response = client.get(reverse("parks:list"), {"status": "closed"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert list(response.context["page"]) == []


def test_park_page_shows_vacancies_by_kind_and_unknown_codes_answer_404(client, parks):
    UnitFactory(park=parks[0], kind="desk", seats=1)
    response = client.get(reverse("parks:detail", args=["glt"]))
    assert response.status_code == 200
    desks = next(r for r in response.context["summary"] if r["kind"] == "Coworking desk")
    assert (desks["total"], desks["vacant"], desks["seats_vacant"]) == (1, 1, 1)
    assert client.get(reverse("parks:detail", args=["NOPE"])).status_code == 404


def test_planned_park_page_says_it_takes_no_applications(client, parks):
    response = client.get(reverse("parks:detail", args=["KIT"]))
    assert "does not take applications" in response.content.decode()


def test_home_shows_open_parks_and_programme_figures(client, parks):
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "SCO STP Gilgit" in html
    assert "UltraSoft STP Quetta" in html
    assert [r.park.code for r in response.context["open_parks"]] == ["GLT", "QTA"]
    assert response.context["counts"] == {"Existing": 2, "Upcoming": 1, "Planned": 1}


@pytest.mark.parametrize("url", ["/", "/parks/", "/parks/GLT/", "/accounts/sign-in/"])
def test_pages_load_every_asset_from_the_portal_itself(client, parks, url):
    import re

    html = client.get(url).content.decode()
    assert 'name="viewport"' in html
    assets = re.findall(r'<(?:link|script|img)\b[^>]*?(?:href|src)="([^"]+)"', html)
    assert "/static/css/portal.css" in assets
    assert [a for a in assets if not a.startswith("/")] == []


def test_home_shows_the_twelve_open_parks_with_most_room_and_links_to_all(client):
    from stp_portal.views import PARKS_SHOWN

    parks = [ParkFactory(status="existing", name=f"Park {i:02d}") for i in range(PARKS_SHOWN + 2)]
    roomy = parks[-1]
    UnitFactory(park=roomy)
    UnitFactory(park=roomy)
    response = client.get(reverse("home"))
    rows = response.context["open_parks"]
    assert len(rows) == PARKS_SHOWN
    assert rows[0].park == roomy  # the most vacant units first, then by name
    assert [r.park.name for r in rows[1:3]] == ["Park 00", "Park 01"]
    assert response.context["vacancies"] == 2
    assert f"See all {PARKS_SHOWN + 2} open parks" in response.content.decode()
