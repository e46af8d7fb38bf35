"""The strict CSP breaks nothing: the browser reports no violation on the pages each role
uses every day, the API docs and the admin included."""

import pytest

from stp_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    None: ["/", "/parks/", "/parks/GLT/", "/accounts/sign-in/", "/api/docs/"],
    "owner.karakoram": ["/dashboard/", "/applications/", "/statements/", "/leases/"],
    "manager.gilgit": ["/parks/managed/", "/parks/GLT/units/", "/parks/GLT/occupancy/"],
    "pseb": ["/dashboard/", "/billing/", "/schemes/", "/admin/", "/admin/parks/park/"],
}


def _violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return seen


@pytest.mark.parametrize("login", list(PAGES), ids=lambda u: u or "public")
def test_no_page_violates_the_content_security_policy(page, demo, login):
    violations = _violations(page)
    if login:
        page.goto(f"{demo}/accounts/sign-in/")
        page.fill("input[name=username]", login)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
    for path in PAGES[login]:
        response = page.goto(f"{demo}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
    assert violations == []
