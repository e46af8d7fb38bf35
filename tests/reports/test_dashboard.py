"""Staff dashboards (issue 12, point 3): PSEB's programme and a manager's parks, read by the
report selectors, so each figure is its report's own; a manager sees only their parks; the
queries are the same for one park or many."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.calendar import Period
from core.vocabulary import Province
from parks.models import ParkManagerAssignment
from reports.frame import ReportFilters, report_scope
from reports.overview import cards
from stp_portal.demo import seed_demo
from tests.factories import (
    ApplicationFactory,
    LeaseFactory,
    ParkFactory,
    ParkManagerAssignmentFactory,
    UnitFactory,
)
from tests.reports.support import make_statement

pytestmark = pytest.mark.django_db


def _tenant_of(park, *, owes: str, waiting_days: int):
    """A lease in ``park``, a statement of ``owes`` due 45 days ago, and an application
    submitted ``waiting_days`` ago, waiting for a decision."""
    today = timezone.localdate()
    lease = LeaseFactory(park=park, start_date=today - timedelta(days=120))
    make_statement(
        park,
        lease.company,
        period=Period.of(today - timedelta(days=75)),
        issue_date=today - timedelta(days=60),
        due_date=today - timedelta(days=45),
        net=owes,
    )
    return ApplicationFactory(
        park=park,
        status="submitted",
        submitted_at=timezone.now() - timedelta(days=waiting_days),
    )


@pytest.fixture
def two_parks(park, other_park):
    other_park.province = Province.GILGIT_BALTISTAN
    other_park.save()
    return {
        "guj": _tenant_of(park, owes="1000.00", waiting_days=12),
        "glt": _tenant_of(other_park, owes="7000.00", waiting_days=3),
    }


def _dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response


def test_a_managers_dashboard_shows_only_their_parks_figures(client, park, park_manager, two_parks):
    response = _dashboard(client, park_manager)
    dashboard = response.context["dashboard"]
    page = response.content.decode()

    assert dashboard.occupancy_by == "park"
    assert [bar.name for bar in dashboard.occupancy] == ["Gujranwala STP"]
    assert dashboard.occupancy[0].percent == Decimal("100.0")
    assert dashboard.outstanding == dashboard.overdue == Decimal("1000.00")
    bands = {band.key: band.amount for band in dashboard.age_bands}
    assert bands == {
        "not_due": 0,
        "d1_30": 0,
        "d31_60": Decimal("1000.00"),
        "d61_90": 0,
        "d90_plus": 0,
    }
    assert [(row.pk, row.days_waiting) for row in dashboard.waiting] == [(two_parks["guj"].pk, 12)]
    assert dashboard.waiting_count == 1
    # the other park's application and company are nowhere on the page
    assert reverse("tenants:application_detail", args=[two_parks["glt"].pk]) not in page
    assert two_parks["glt"].company.name not in page
    assert "SCO STP Gilgit" not in page
    # links to their park's daily pages
    assert reverse("parks:units", args=[park.code]) in page
    assert reverse("parks:occupancy", args=[park.code]) in page


def test_pseb_sees_the_programme_by_province_with_its_charts(client, pseb_staff, two_parks):
    response = _dashboard(client, pseb_staff)
    dashboard = response.context["dashboard"]
    page = response.content.decode()

    assert dashboard.occupancy_by == "province"
    assert [bar.name for bar in dashboard.occupancy] == [
        Province.PUNJAB.label,
        Province.GILGIT_BALTISTAN.label,
    ]
    assert dashboard.outstanding == Decimal("8000.00")
    assert {row.pk for row in dashboard.waiting} == {two_parks["guj"].pk, two_parks["glt"].pk}
    # the oldest waiting first, with its days
    assert [row.days_waiting for row in dashboard.waiting] == [12, 3]
    # occupancy, arrears, subsidy by month, billed and received: four charts
    assert page.count('<figure class="chart') == 4
    for name in ("occupancy", "collections", "subsidy-given", "pipeline"):
        assert reverse("reports:report", args=[name]) in page


def test_each_card_is_the_overviews_own_figure_for_pseb_and_managers(client, pseb_staff):
    """The overview's cards are checked against the reports (test_overview): the
    dashboard's, read with the whole reports, are the same cards."""
    seed_demo()
    for user in (pseb_staff, User.objects.get(username="manager.gilgit")):
        response = _dashboard(client, user)
        filters = ReportFilters.default()
        expected = cards(report_scope(user, filters), filters)
        assert response.context["dashboard"].cards == expected, user.username
        assert any(card.value for card in expected)  # the demo's figures are not all zero
        page = response.content.decode()
        for card in expected:
            assert card.url in page


def test_every_card_icon_is_in_the_vendored_sprite(client, pseb_staff, two_parks):
    sprite = Path(settings.BASE_DIR, "static/vendor/tabler-icons/sprite.svg").read_text()
    symbols = set(re.findall(r'<symbol id="([^"]+)"', sprite))
    dashboard = _dashboard(client, pseb_staff).context["dashboard"]
    assert {card.icon for card in dashboard.cards} <= symbols


def test_the_dashboard_has_no_inline_script_or_style(client, pseb_staff, two_parks):
    page = _dashboard(client, pseb_staff).content.decode()
    assert "<script>" not in page
    assert "<script " not in page.replace("<script src=", "")
    assert "style=" not in page


def test_a_manager_with_no_park_is_told_so(client):
    manager = ParkManagerAssignmentFactory().user
    ParkManagerAssignment.objects.filter(user=manager).delete()
    page = _dashboard(client, manager).content.decode()
    assert "No park is assigned to you yet" in page


def _more_parks(manager, n):
    for _ in range(n):
        park = ParkFactory()
        ParkManagerAssignmentFactory(park=park, user=manager)
        UnitFactory(park=park)
        _tenant_of(park, owes="500.00", waiting_days=5)


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_the_dashboard_reads_as_many_queries_for_one_park_as_for_many(
    client, request, park, role, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    manager = user if role == "park_manager" else ParkManagerAssignmentFactory(park=park).user
    _tenant_of(park, owes="500.00", waiting_days=5)
    client.get(reverse("dashboard"))  # the liability projection is cached: warm it
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard")).status_code == 200
    queries = len(small.captured_queries)  # now: the next request empties the log
    _more_parks(manager, 20)  # 21 parks: a manager's chart turns to provinces too
    client.get(reverse("dashboard"))
    with django_assert_max_num_queries(queries):
        response = client.get(reverse("dashboard"))
    assert response.context["dashboard"].waiting_count == 21
