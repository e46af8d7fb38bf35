"""A company owner files a progress return on a phone (§4a): the list marks it overdue, the
form's errors all show at once, the filed return is read-only with an Amend button, and no
page scrolls sideways."""

import pytest
from playwright.sync_api import expect

from returns.models import ProgressReturn
from tests import factories
from tests.browser.test_statement import sign_in
from tests.returns.support import figures
from tests.returns.test_pages import last_quarter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def fits(page) -> None:
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px on a phone"


def test_an_owner_files_a_return_on_a_phone(phone, live_server):
    park = factories.ParkFactory(code="GLT", name="SCO STP Gilgit", city="Gilgit")
    owner = factories.MembershipFactory(
        user__username="owner.gilgit", company__name="Karakoram Freelance Collective"
    ).user
    factories.LeaseFactory(
        company=owner.memberships.get().company,
        park=park,
        start_date=last_quarter().previous().first,
    )
    base = live_server.url
    sign_in(phone, base, owner.username)

    phone.goto(base + "/returns/")
    fits(phone)
    expect(phone.locator(".badge-return-overdue").first).to_be_visible()
    phone.get_by_role("link", name=str(last_quarter())).click()
    phone.get_by_role("link", name="File this return").click()
    phone.wait_for_url("**/file/")
    expect(phone.get_by_role("heading", name="File the return")).to_be_visible()
    fits(phone)

    values = {name: str(value) for name, value in figures().as_dict().items()}
    for name, value in values.items():
        phone.fill(f"#id_{name}", value)
    phone.fill("#id_employees_women", "20")  # more than the 12 employees
    phone.fill("#id_interns", "two")
    phone.get_by_role("button", name="File the return").click()
    expect(phone.locator(".field-error")).to_have_count(2)
    # Said at the field, and linked to it from the error summary at the top (GOV.UK's pattern).
    expect(phone.locator("#id_employees_women_error")).to_contain_text(
        "Women employees cannot exceed all employees."
    )
    expect(
        phone.get_by_role("link", name="Women employees cannot exceed all employees.")
    ).to_have_attribute("href", "#id_employees_women")
    assert not ProgressReturn.objects.exists()
    fits(phone)

    phone.fill("#id_employees_women", "5")
    phone.fill("#id_interns", "1")
    phone.get_by_role("button", name="File the return").click()
    phone.wait_for_url("**/returns/*-*-*/")
    expect(phone.get_by_text("is filed.")).to_be_visible()
    expect(phone.get_by_role("link", name="Amend")).to_be_visible()
    fits(phone)
    assert ProgressReturn.objects.get().employees == 12
