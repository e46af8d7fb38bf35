import os
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from stp_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Screenshots go to STP_SCREENSHOTS when set (to look at them), else to the test's tmp dir.
SHOTS = os.environ.get("STP_SCREENSHOTS")


def test_visitor_browses_the_directory_filters_by_city_and_signs_in_and_out(page, demo):
    page.goto(demo + "/parks/")
    expect(page.locator("h1")).to_have_text("Park directory")
    expect(page.get_by_role("link", name="SCO Software Technology Park Gilgit")).to_be_visible()
    expect(page.get_by_role("link", name="Karachi IT Park")).to_be_visible()

    page.select_option("#id_city", "Gilgit")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**city=Gilgit**")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "SCO Software Technology Park Gilgit" in rows.first.inner_text()

    rows.first.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("SCO Software Technology Park Gilgit")

    page.get_by_role("link", name="Sign in").click()
    page.fill("#id_username", "owner.karakoram")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").first).to_be_visible()

    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(demo + "/dashboard/")
    expect(page.locator(".nav-user")).to_have_text("owner.karakoram")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have been signed out.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


@override_settings(DEBUG=False)
def test_directory_fits_a_phone_screen_without_sideways_scrolling(phone, demo, tmp_path):
    for path in ("/", "/parks/", "/parks/GLT/", "/accounts/sign-in/"):
        phone.goto(demo + path)
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    phone.goto(demo + "/parks/")
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(shots / "directory-phone.png"), full_page=False)
    # Table rows become labelled cards: the label is drawn before each value.
    label = phone.evaluate(
        "getComputedStyle(document.querySelector('tbody td'), '::before').content"
    )
    assert label == '"Park"'
