"""Queries per list request do not grow with the number of rows (issue 3)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ApplicationFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
LISTS = [
    "/api/v1/parks/",
    "/api/v1/units/",
    "/api/v1/companies/",
    "/api/v1/applications/",
    "/api/v1/leases/",
    "/api/v1/subsidy-schemes/",
]


def _grow(n: int) -> None:
    for _ in range(n):
        park = ParkFactory(opening_date=date(2024, 1, 1))
        company = MembershipFactory().company
        units = [UnitFactory(park=park) for _ in range(3)]
        LeaseFactory(company=company, park=park, units=units[:2], start_date=date(2025, 1, 1))
        ApplicationFactory(company=company, park=park)
        SubsidySchemeFactory()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:200])
    return len(captured)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_takes_as_many_queries_for_30_rows_as_for_3(as_user, pseb_staff, url):
    client = as_user(pseb_staff)
    _grow(3)
    few = _queries(client, url)
    _grow(27)
    many = _queries(client, url)
    assert many == few, f"{url}: {few} queries for 3 rows, {many} for 30"
