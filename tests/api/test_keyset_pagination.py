"""The API's lists page by position (issue 9): ``next`` and ``previous`` are cursor links
read through an index, so a deep page costs what the first does; ``count`` stays exact;
``page_size`` works within its cap; ``?page=N`` is still served."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.models import Application
from tests.factories import ApplicationFactory, ParkFactory, PsebStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applications():
    """Seven applications, five of them created at the same instant: the order's ties are
    broken by id, so no row is served twice or skipped."""
    rows = [ApplicationFactory(status="submitted", submitted_at=timezone.now()) for _ in range(7)]
    same = timezone.now()
    Application.objects.filter(pk__in=[a.pk for a in rows[1:6]]).update(created_at=same)
    return rows


def _walk(client, url, link="next"):
    pages, seen = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body[link]
    return pages, seen


def test_next_links_walk_every_row_once_in_the_lists_order(as_user, applications):
    client = as_user(PsebStaffFactory())
    expected = list(Application.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))

    pages, seen = _walk(client, "/api/v1/applications/?page_size=2")

    assert seen == expected
    assert [len(p["results"]) for p in pages] == [2, 2, 2, 1]
    assert {p["count"] for p in pages} == {7}
    assert "cursor=" in pages[0]["next"]
    assert "page=" not in pages[0]["next"]


def test_previous_links_walk_back_to_the_first_row(as_user, applications):
    client = as_user(PsebStaffFactory())
    pages, forward = _walk(client, "/api/v1/applications/?page_size=3")
    last = pages[-1]
    # From the last page, back: the pages before it, in the same order.
    back, _ = _walk(client, last["previous"], link="previous")
    assert [row["id"] for p in reversed(back) for row in p["results"]] == forward[:6]
    assert back[-1]["previous"] is None


def test_a_cursor_page_reads_by_position_not_by_counting_rows_before_it(as_user, applications):
    client = as_user(PsebStaffFactory())
    first = client.get("/api/v1/applications/?page_size=2").json()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(first["next"])
    assert response.status_code == 200
    listing = [q["sql"] for q in queries if "tenants_application" in q["sql"]]
    assert listing, "the list was read"
    assert not any("OFFSET" in sql.upper() for sql in listing)


@pytest.mark.parametrize("size", ["0", "201", "abc", "-1", "1" * 30])
def test_a_page_size_outside_its_cap_is_a_400_on_that_field(api, size):
    ParkFactory()
    response = api.get("/api/v1/parks/", {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()) == ["page_size"]


def test_a_page_size_within_the_cap_is_served(api):
    for _ in range(4):
        ParkFactory()
    body = api.get("/api/v1/parks/", {"page_size": "3"}).json()
    assert (len(body["results"]), body["count"]) == (3, 4)


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        "W10",
        "eyJhZnRlciI6IFsxLCAyXX0",
        "eyJhZnRlciI6IFsiMjAyNi0xMy00MFQwMDowMDowMCIsICIxIl19",
        "eyJzaWRld2F5cyI6IFsiYSIsICJiIl19",
    ],
)
def test_a_cursor_the_api_did_not_give_is_a_404(as_user, applications, cursor):
    response = as_user(PsebStaffFactory()).get("/api/v1/applications/", {"cursor": cursor})
    assert response.status_code == 404
    assert "no such position" in response.json()["detail"]


def test_page_numbers_are_still_served(as_user, applications):
    client = as_user(PsebStaffFactory())
    second = client.get("/api/v1/applications/", {"page": "2", "page_size": "3"}).json()
    walked = _walk(client, "/api/v1/applications/?page_size=3")[1]
    assert [row["id"] for row in second["results"]] == walked[3:6]
    # Its previous link is the first page by number; its next link a cursor after its rows.
    first = client.get(second["previous"]).json()
    assert [row["id"] for row in first["results"]] == walked[:3]
    third = client.get(second["next"]).json()
    assert "cursor=" in second["next"]
    assert [row["id"] for row in third["results"]] == walked[6:9]
