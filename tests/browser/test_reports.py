"""PSEB staff and a park manager open the programme overview and every report in a real
browser: each card leads to its report, each report draws its chart with the table under it,
the filters work, and a manager's reports hold their parks only."""

import pytest
from playwright.sync_api import expect

from reports.registry import REPORTS
from stp_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(base + "/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def open_every_report(page, base) -> dict[str, str]:
    """Open the overview, then each report from the reports menu: its heading, its table,
    and its chart when it has one. Answers each report's scope line."""
    page.goto(base + "/reports/")
    expect(page.get_by_role("heading", name="Programme overview")).to_be_visible()
    expect(page.locator(".report-cards .figure")).to_have_count(12)
    scopes = {}
    for spec in REPORTS.values():
        page.get_by_role("navigation", name="Reports").get_by_role("link", name=spec.title).click()
        page.wait_for_url(f"**/reports/{spec.name}/")
        expect(page.get_by_role("heading", name=spec.title, exact=True)).to_be_visible()
        expect(page.locator("table.report-table").first).to_be_visible()
        if page.locator("figure.chart svg").count():
            expect(page.locator("figure.chart svg").first).to_have_attribute("role", "img")
        scopes[spec.name] = page.locator(".report-scope").inner_text()
    return scopes


def test_pseb_opens_the_overview_and_every_report(page, demo):
    sign_in(page, demo, "pseb")
    page.get_by_role("link", name="Reports").first.click()
    scopes = open_every_report(page, demo)
    assert all(scope.startswith("All parks") for scope in scopes.values()), scopes
    # A card opens its report.
    page.goto(demo + "/reports/")
    page.locator(".report-cards .figure", has_text="Subsidy liability").click()
    page.wait_for_url("**/reports/subsidy-liability/")
    # The park filter narrows the table to one park.
    page.goto(demo + "/reports/occupancy/")
    page.select_option("#id_park", "GLT")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/reports/occupancy/?*park=GLT*")
    expect(page.locator(".report-scope")).to_contain_text("Parks shown (1 park)")
    expect(page.locator("table.report-table").first.locator("tbody tr")).to_have_count(1)


def test_a_manager_opens_the_reports_of_their_parks(page, demo):
    sign_in(page, demo, "manager.gilgit")
    expect(page.locator(".report-cards .figure")).to_have_count(12)  # their dashboard's cards
    scopes = open_every_report(page, demo)
    assert all(scope.startswith("Your parks (1 park)") for scope in scopes.values()), scopes
    page.goto(demo + "/reports/occupancy/")
    rows = page.locator("table.report-table").first.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Gilgit")
