"""The overview's cards read each report's headline figures without its tables: they must
be the very numbers the reports themselves show, for PSEB and for a park manager."""

import pytest
from django.urls import reverse

from accounts.models import User
from reports.frame import ReportFilters, report_scope
from reports.overview import cards, headlines
from reports.registry import REPORTS
from stp_portal.demo import seed_demo

pytestmark = pytest.mark.django_db

SHOWN = {
    "occupancy": ["parks_open", "occupancy_percent", "tenants"],
    "subsidy-given": ["this_fiscal_year"],
    "subsidy-liability": ["next_12"],
    "collections": ["outstanding", "overdue"],
    "pipeline": ["waiting"],
}


@pytest.fixture
def demo():
    seed_demo()


def test_each_card_is_its_reports_own_figure_for_pseb_and_managers(demo):
    # one demo for the three readers: seeding it is the slow part
    for username in ("pseb", "manager.gilgit", "manager.punjab"):
        user = User.objects.get(username=username)
        filters = ReportFilters.default()
        scope = report_scope(user, filters)
        quick = headlines(scope, filters)
        for name, keys in SHOWN.items():
            full = REPORTS[name].build(scope, filters).figures
            for key in keys:
                assert quick[name][key] == full[key], (username, name, key)
        # the demo's figures are not all zero: the comparison above compares something
        assert quick["subsidy-given"]["this_fiscal_year"] > 0, username
        assert quick["collections"]["outstanding"] > 0, username
        assert quick["subsidy-liability"]["next_12"] > 0, username


def test_the_overview_links_each_card_and_a_managers_dashboard_shows_theirs(demo, client):
    client.force_login(User.objects.get(username="pseb"))
    page = client.get(reverse("reports:overview")).content.decode()
    scope = report_scope(User.objects.get(username="pseb"), ReportFilters.default())
    for card in cards(scope, ReportFilters.default()):
        assert card.url in page
    for spec in REPORTS.values():
        assert reverse("reports:report", args=[spec.name]) in page
    manager = User.objects.get(username="manager.gilgit")
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your parks&#x27; figures" in page or "Your parks' figures" in page
    scope = report_scope(manager, ReportFilters.default())
    outstanding = next(c for c in cards(scope, ReportFilters.default()) if c.title == "Outstanding")
    assert f"{outstanding.value:,.2f}" in page
