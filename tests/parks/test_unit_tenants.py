"""The units list says who is in each unit and when its lease ends (issue 12, "Park
managers"): the company (a link to it), the lease end, vacant units marked, the lease's
charges one click away; one more query for the whole page."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import LeaseFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _row(page: str, code: str) -> str:
    """The table row of unit ``code``."""
    start = page.index(f"<strong>{code}</strong>")  # the code links to the unit's edit page
    return page[page.rindex("<tr>", 0, start) : page.index("</tr>", start)]


def test_each_unit_shows_its_tenant_and_when_the_lease_ends(client, park, park_manager):
    today = timezone.localdate()
    leased, open_ended, reserved = (UnitFactory(park=park, code=c) for c in ("L-1", "O-1", "R-1"))
    UnitFactory(park=park, code="V-1")
    ending = LeaseFactory(
        park=park,
        units=[leased],
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=60),
        company__name="Karakoram Code",
    )
    # an earlier, ended lease of the same unit is not who is in it now
    LeaseFactory(
        park=park,
        units=[UnitFactory(park=park, code="L-2")],
        start_date=today - timedelta(days=400),
        end_date=today - timedelta(days=301),
    )
    LeaseFactory(park=park, units=[open_ended], start_date=today - timedelta(days=10))
    coming = LeaseFactory(
        park=park,
        units=[reserved],
        start_date=today + timedelta(days=20),
        company__name="Indus Freelancers",
    )
    client.force_login(park_manager)

    page = html.unescape(client.get(reverse("parks:units", args=[park.code])).content.decode())

    row = _row(page, "L-1")
    assert "Karakoram Code" in row
    assert reverse("tenants:company_detail", args=[ending.company_id]) in row
    assert f"{ending.end_date:%-d %b %Y}" in row
    assert reverse("subsidies:lease_charges", args=[ending.pk]) in row
    assert "Open-ended" in _row(page, "O-1")
    reserved_row = _row(page, "R-1")
    assert "Indus Freelancers" in reserved_row
    assert f"from {coming.start_date:%-d %b %Y}" in reserved_row
    assert ">Vacant<" in _row(page, "V-1")
    assert ">Vacant<" in _row(page, "L-2")  # its lease ended
    assert "lease_charges" not in _row(page, "V-1")
    assert "/charges/" not in _row(page, "V-1")


@pytest.mark.parametrize("size", [2, 30])
def test_the_tenants_are_read_in_one_query_for_the_whole_page(
    client, park, park_manager, django_assert_max_num_queries, size
):
    for unit in UnitFactory.create_batch(size, park=park):
        LeaseFactory(park=park, units=[unit], start_date=timezone.localdate())
    client.force_login(park_manager)

    # session, user, park, count, page, the page's lets with lease and company
    with django_assert_max_num_queries(6):
        response = client.get(reverse("parks:units", args=[park.code]))

    assert response.content.decode().count("/charges/") == size


def test_the_units_file_has_the_tenant_and_lease_end_too(client, park, park_manager):
    today = timezone.localdate()
    unit = UnitFactory(park=park, code="L-1")
    lease = LeaseFactory(
        park=park,
        units=[unit],
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=90),
        company__name="Karakoram Code",
    )
    client.force_login(park_manager)

    body = client.get(reverse("parks:unit_export", kwargs={"code": park.code, "fmt": "csv"}))
    text = b"".join(body.streaming_content).decode()

    assert f"L-1,Leased,Karakoram Code,{lease.end_date:%Y-%m-%d}" in text
