"""A park's unit list as CSV and XLSX (issue 10 §4): the page's columns and rows, its
filters, status as of today; only for the park's manager and PSEB."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import UnitKind
from tests.factories import LeaseFactory, UnitFactory
from tests.xlsx import (
    body_of,
    export_queries,
    page_headers,
    read_csv,
    read_xlsx,
    read_xlsx_cells,
    table_part,
)

pytestmark = pytest.mark.django_db


def url(fmt, code="GUJ"):
    return reverse("parks:unit_export", kwargs={"code": code, "fmt": fmt})


@pytest.fixture
def units(park):
    office = UnitFactory(
        park=park, code="A-101", floor="Ground", area_sqft=Decimal("1250.50"), seats=14,
        monthly_rent=Decimal("75030.00"), internet_fee=Decimal("5000.00"),
    )  # fmt: skip
    desk = UnitFactory(
        park=park, code="D-1", floor="", kind=UnitKind.DESK, area_sqft=Decimal("40.00"), seats=1,
        monthly_rent=Decimal("4500.00"), internet_fee=Decimal("800.00"),
    )  # fmt: skip
    LeaseFactory(park=park, units=[office], start_date=timezone.localdate())
    return office, desk


def test_the_units_file_has_the_pages_columns_and_rows(client, park_manager, units):
    client.force_login(park_manager)
    page = client.get(reverse("parks:units", args=["GUJ"]))
    data = body_of(client.get(url("xlsx")))
    heading, labels, rows = table_part(read_xlsx(data))
    assert labels == page_headers(page)
    assert len(rows) == page.context["page"].paginator.count == 2
    tenant = units[0].lease_units.get().lease.company.name
    assert rows == [
        # an open-ended lease ends on no date; a vacant unit has no tenant (empty cells)
        ["A-101", "Leased", tenant, None, "Private office", "Ground", 1250.5, 14, 75030, 5000],
        ["D-1", "Vacant", None, None, "Coworking desk", None, 40, 1, 4500, 800],
    ]
    cells = read_xlsx_cells(data)[len(heading) + 2]
    assert [c.format for c in cells[6:10]] == ["#,##0.00", "#,##0", "#,##0.00", "#,##0.00"]
    assert all(c.numeric for c in cells[6:10])


def test_the_units_file_keeps_the_filters_in_its_heading_and_name(client, park_manager, units):
    client.force_login(park_manager)
    response = client.get(url("csv"), {"status": "vacant"})
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert f'filename="units_GUJ_asof-{today}_status-vacant.csv"' in response["Content-Disposition"]
    heading, _, rows = table_part(read_csv(response))
    assert heading == [
        ["Report", "Units of Gujranwala STP"],
        ["As of", today],
        ["Status", "Vacant"],
    ]
    assert rows == [
        ["D-1", "Vacant", "", "", "Coworking desk", "", "40.00", "1", "4500.00", "800.00"]
    ]


def test_another_parks_manager_gets_no_file(client, other_park_manager, units):
    client.force_login(other_park_manager)
    assert client.get(url("csv")).status_code == 404


def test_the_units_file_takes_as_many_queries_for_30_units_as_for_3(client, pseb_staff, park):
    client.force_login(pseb_staff)
    for _ in range(3):
        UnitFactory(park=park)
    few, rows = export_queries(client, url("csv"))
    assert len(rows) == 3
    for _ in range(27):
        LeaseFactory(park=park)
    many, rows = export_queries(client, url("csv"))
    assert len(rows) == 30
    assert many == few
