"""No page of the portal scrolls sideways at a tablet or small-laptop width, for any role:
wide tables scroll inside their own wrapper (domain pages with long park and company names
from the demo data are the ones that showed it)."""

import pytest
from django.test import override_settings

from stp_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    None: ["/", "/parks/", "/parks/GLT/", "/accounts/sign-in/", "/accounts/sign-up/"],
    "pseb": [
        "/dashboard/",
        "/applications/",
        "/leases/",
        "/statements/",
        "/billing/",
        "/returns/",
        "/returns/compliance/",
    ],
    "manager.gilgit": [
        "/parks/managed/",
        "/parks/GLT/units/",
        "/parks/GLT/occupancy/",
        "/returns/compliance/",
    ],
    "owner.karakoram": ["/company/", "/applications/", "/leases/", "/statements/", "/returns/"],
}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@override_settings(DEBUG=False)
@pytest.mark.parametrize("width", [768, 1024])
def test_no_page_scrolls_sideways_at_tablet_and_laptop_widths(browser, demo, width):
    wide = []
    for username, paths in PAGES.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        if username:
            page.goto(demo + "/accounts/sign-in/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/dashboard/")
        for path in paths:
            assert page.goto(demo + path).status == 200, (username, path)
            if (overflow := page.evaluate(OVERFLOW)) > 0:
                wide.append(f"{path} as {username or 'a visitor'}: {overflow}px")
        context.close()
    assert wide == [], f"pages that scroll sideways at {width}px: {wide}"
