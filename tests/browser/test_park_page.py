"""A visitor on a park's page (issue 12 §4–5): the map shows where it is, and the price
estimator answers with the server's figures, with or without JavaScript."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("STP_SCREENSHOTS")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def test_a_visitor_sees_where_the_park_is_and_estimates_the_price_of_desks(page, demo, tmp_path):
    page.goto(demo + "/parks/GLT/")
    expect(page.get_by_role("img", name="Map of Pakistan showing where")).to_be_visible()

    page.select_option("#id_kind", "desk")
    page.fill("#id_size", "3")
    page.get_by_role("button", name="Estimate").click()
    page.wait_for_url("**kind=desk**")
    table = page.locator("#estimate table")
    expect(table).to_contain_text("Months 1–12")
    expect(table).to_contain_text("subsidised")
    expect(page.locator("#estimate")).to_contain_text("3 coworking desks")

    page.fill("#id_size", "0")
    page.get_by_role("button", name="Estimate").click()
    expect(page.locator("#estimate")).to_contain_text("Enter from 1 to 100 desks.")
    expect(page.locator("#estimate table")).to_have_count(0)

    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    page.goto(demo + "/parks/GLT/?kind=office&size=1200#estimate")
    page.screenshot(path=str(shots / "park-page-estimator.png"), full_page=True)


def test_the_map_pages_have_no_serious_accessibility_violation(page, demo):
    for path in ("/", "/parks/", "/parks/GLT/"):
        page.goto(demo + path)
        page.evaluate(AXE.read_text())  # through the devtools protocol: the CSP stays on
        result = page.evaluate(
            "async () => (await axe.run(document, "
            "{resultTypes: ['violations']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
        )
        assert result == [], f"{path}: {result}"
