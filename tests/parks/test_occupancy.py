"""A park's occupancy now and by month, vacant units and the pipeline (domain.md §2, §7)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from core.figures import rate as occupancy_ratio
from parks.selectors import (
    directory_row,
    managed_parks_with_occupancy,
    park_directory,
    park_occupancy,
)
from parks.services import occupancy_refresh_all
from tests.factories import ApplicationFactory, LeaseFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 10)


@pytest.fixture
def history(park):
    """Four units of 250 sq ft: one let since January, one let Feb–March, one under
    maintenance, one reserved from June."""
    units = {
        code: UnitFactory(park=park, code=code, area_sqft=Decimal("250"), seats=5)
        for code in ("A", "B", "C", "D")
    }
    units["C"].under_maintenance = True
    units["C"].save()
    LeaseFactory(park=park, units=[units["A"]], start_date=date(2026, 1, 15))
    LeaseFactory(
        park=park, units=[units["B"]], start_date=date(2026, 2, 1), end_date=date(2026, 3, 31)
    )
    LeaseFactory(park=park, units=[units["D"]], start_date=date(2026, 6, 1))
    return units


def test_the_trend_has_twelve_months_measured_on_month_ends_and_today(park, history):
    trend = park_occupancy(park, today=TODAY).trend
    assert len(trend) == 12
    assert (trend[0].day, trend[-2].day, trend[-1].day) == (
        date(2025, 6, 30),
        date(2026, 4, 30),
        TODAY,
    )


def test_the_trend_follows_lease_history_month_by_month(park, history):
    trend = park_occupancy(park, today=TODAY).trend
    by_month = {p.day.strftime("%Y-%m"): p.percent for p in trend}
    # 750 sq ft leasable (C is under maintenance): A from mid-January, B in Feb and March.
    assert by_month["2025-12"] == Decimal("0.0")
    assert by_month["2026-01"] == Decimal("33.3")
    assert by_month["2026-02"] == by_month["2026-03"] == Decimal("66.7")
    assert by_month["2026-04"] == by_month["2026-05"] == Decimal("33.3")


def test_occupancy_now_is_the_last_point_and_agrees_with_the_directory(park, history):
    data = park_occupancy(park, today=TODAY)
    row = directory_row(park_directory(AnonymousUser()).get(pk=park.pk), on=TODAY)
    assert data.now == data.trend[-1]
    assert (data.now.leased_area, data.now.leasable_area) == (row.leased_area, row.leasable_area)
    assert data.now.by_area == occupancy_ratio(row.leased_area, row.leasable_area)


def test_my_parks_figures_in_sql_agree_with_the_python_series(
    park, other_park, history, pseb_staff
):
    UnitFactory(park=other_park)
    rows = dict(managed_parks_with_occupancy(pseb_staff, on=TODAY))
    assert rows[park] == park_occupancy(park, today=TODAY).now
    assert (rows[park].leased_units, rows[park].leasable_units) == (1, 3)
    assert (rows[park].leased_seats, rows[park].leasable_seats) == (5, 15)
    assert rows[other_park].percent == Decimal("0.0")


def test_a_park_without_units_shows_no_occupancy_rather_than_failing(client, pseb_staff):
    empty = ParkFactory(code="EMP")
    rows = dict(managed_parks_with_occupancy(pseb_staff, on=TODAY))
    assert rows[empty].percent is None
    client.force_login(pseb_staff)
    assert client.get(reverse("parks:occupancy", args=["EMP"])).status_code == 200


def test_vacant_units_exclude_leased_reserved_and_maintenance(park, history):
    assert [u.code for u in park_occupancy(park, today=TODAY).vacant_units] == ["B"]


# --- the page ---------------------------------------------------------------------------------
def test_the_page_draws_twelve_bars_in_inline_svg_without_scripts_or_inline_styles(
    client, park, park_manager
):
    unit = UnitFactory(park=park)
    LeaseFactory(park=park, units=[unit], start_date=timezone.localdate() - timedelta(days=90))
    client.force_login(park_manager)

    response = client.get(reverse("parks:occupancy", args=[park.code]))

    html = response.content.decode()
    chart = html.rindex("<svg", 0, html.index('class="chart-svg"'))  # not a card's meter
    svg = html[chart : html.index("</svg>", chart)]
    assert svg.count('<rect class="chart-bar"') == 12
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # scripts only from files
    assert "style=" not in html
    assert "http" not in svg  # nothing fetched from anywhere
    assert response.context["occupancy"].now.percent == Decimal("100.0")
    heights = [int(h) for h in re.findall(r'class="chart-bar"[^>]*height="(\d+)"', svg)]
    assert heights[-1] > 0
    assert heights[0] == 0


def test_the_pipeline_lists_this_parks_submitted_and_under_review_applications(
    client, park, other_park, park_manager
):
    submitted = ApplicationFactory(park=park, status="submitted")
    reviewing = ApplicationFactory(park=park, status="under_review")
    ApplicationFactory.create_batch(2, park=park, status="draft", submitted_at=timezone.now())
    ApplicationFactory(park=park, status="draft")  # never submitted: the company's own
    ApplicationFactory(park=park, status="rejected")
    elsewhere = ApplicationFactory(park=other_park, status="submitted")
    client.force_login(park_manager)

    response = client.get(reverse("parks:occupancy", args=[park.code]))

    assert {a.pk for a in response.context["pipeline"]} == {submitted.pk, reviewing.pk}
    assert response.context["drafts"] == 2
    html = response.content.decode()
    assert f'href="/applications/{submitted.pk}/"' in html
    assert f'href="/applications/{elsewhere.pk}/"' not in html
    assert "2 more were returned to the company for changes." in html


def test_my_parks_shows_occupancy_by_area_units_and_seats_with_links(client, park, park_manager):
    leased = UnitFactory(park=park, area_sqft=Decimal("300"), seats=3)
    UnitFactory(park=park, area_sqft=Decimal("100"), seats=1)
    LeaseFactory(park=park, units=[leased], start_date=timezone.localdate())
    client.force_login(park_manager)

    response = client.get(reverse("parks:managed"))

    html = response.content.decode()
    assert "75.0%" in html  # 300 of 400 sq ft, and 3 of 4 seats
    assert "50.0%" in html  # 1 of 2 units
    assert reverse("parks:units", args=[park.code]) in html
    assert reverse("parks:occupancy", args=[park.code]) in html


def _fill(park, size):
    start = timezone.localdate() - timedelta(days=400)
    for n in range(size):
        unit = UnitFactory(park=park)
        # Each unit let twice over the year, so the lease history grows with the size too.
        LeaseFactory(park=park, units=[unit], start_date=start, end_date=start + timedelta(200))
        LeaseFactory(park=park, units=[unit], start_date=start + timedelta(201 + n))
        ApplicationFactory(park=park, status="submitted")


@pytest.mark.parametrize("size", [1, 25])
def test_occupancy_page_queries_do_not_grow_with_leases_units_or_applications(
    client, park, park_manager, django_assert_max_num_queries, size
):
    _fill(park, size)
    client.force_login(park_manager)

    # session, user, park, units, lets, pipeline, drafts count
    with django_assert_max_num_queries(7):
        response = client.get(reverse("parks:occupancy", args=[park.code]))

    assert len(response.context["pipeline"]) == size


@pytest.mark.parametrize("size", [1, 8])
def test_my_parks_queries_do_not_grow_with_the_number_of_parks(
    client, pseb_staff, django_assert_max_num_queries, size
):
    for _ in range(size):
        _fill(ParkFactory(), 2)
    client.force_login(pseb_staff)

    # session, user, parks, their stored figures, one grouped count of the parks not stored
    with django_assert_max_num_queries(5):
        response = client.get(reverse("parks:managed"))
    assert len(response.context["rows"]) == size

    # Once stored for today (the night's refresh), the grouped count is not needed.
    occupancy_refresh_all()
    with django_assert_max_num_queries(4):
        again = client.get(reverse("parks:managed"))
    assert again.context["rows"] == response.context["rows"]


def test_only_pseb_staff_and_the_parks_managers_see_its_pipeline_and_drafts(
    park, park_manager, other_park_manager, pseb_staff, company_user
):
    from parks.selectors import park_application_pipeline, park_draft_applications_count

    waiting = ApplicationFactory(park=park, status="submitted")
    ApplicationFactory(park=park, status="draft", submitted_at=timezone.now())  # returned
    ApplicationFactory(park=park, status="draft")  # never submitted: the company's own

    for user in (park_manager, pseb_staff):
        assert list(park_application_pipeline(user, park)) == [waiting]
        assert park_draft_applications_count(user, park) == 1
    for user in (other_park_manager, company_user, AnonymousUser()):
        assert list(park_application_pipeline(user, park)) == []
        assert park_draft_applications_count(user, park) == 0


def test_the_page_lists_ten_vacant_units_and_links_to_all_of_them(client, park, park_manager):
    UnitFactory.create_batch(12, park=park)
    client.force_login(park_manager)

    html = client.get(reverse("parks:occupancy", args=[park.code])).content.decode()

    assert html.count("/edit/") == 10
    assert "All 12 vacant units" in html
    assert f"{reverse('parks:units', args=[park.code])}?status=vacant" in html
