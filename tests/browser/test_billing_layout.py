"""The billing pages' layout in a real browser (Playwright driving the machine's Chromium), on
the demo data whose long park and company names showed the faults: wide tables scroll inside
their wrapper and never the page, a form's error summary sits above its row of fields, the
statement's totals line up under the amounts on a phone, and the menu stays one row there."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period
from stp_portal.demo import DEMO_PASSWORD
from subsidies.models import Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def open_as(browser, base, username, *, width, phone=False):
    """A page of ``width`` CSS pixels, signed in as ``username``."""
    options = {"viewport": {"width": width, "height": 900}}
    if phone:
        options.update(device_scale_factor=2, is_mobile=True, has_touch=True)
    page = browser.new_context(**options).new_page()
    page.set_default_timeout(15_000)
    page.goto(base + reverse("accounts:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")
    return page


def right_of(page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().right")


def text_right_of(page, selector: str) -> float:
    """Where the text of the element ends, not its box: an amount's own right edge."""
    return page.locator(selector).first.evaluate(
        """e => { const r = document.createRange(); r.selectNodeContents(e);
                  return r.getBoundingClientRect().right; }"""
    )


@pytest.mark.parametrize(
    ("username", "width", "whole_table"),
    [
        ("pseb", 1280, True),
        ("pseb", 1024, True),
        ("pseb", 768, False),
        ("owner.karakoram", 1280, True),
        ("owner.karakoram", 1024, True),
        ("owner.karakoram", 768, False),
    ],
)
def test_the_statements_table_never_scrolls_the_page_sideways(
    browser, demo, username, width, whole_table
):
    page = open_as(browser, demo, username, width=width)
    page.goto(demo + reverse("subsidies:statement_list"))

    assert page.evaluate(PAGE_OVERFLOW) <= 0, f"the page scrolls sideways at {width}px"
    wrapper = right_of(page, ".table-scroll")
    status = page.get_by_role("columnheader", name="Status")
    if whole_table:  # desktop widths: the whole table, Status included, in view
        assert right_of(page, ".statement-table") <= wrapper + 1
    else:  # tablets: what does not fit is reached by scrolling the wrapper, not the page
        page.locator(".table-scroll").evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    assert status.evaluate("e => e.getBoundingClientRect().right") <= wrapper + 1


@pytest.mark.parametrize("width", [1280, 390])
def test_the_billing_error_summary_sits_above_the_row_of_fields_full_width(browser, demo, width):
    page = open_as(browser, demo, "pseb", width=width, phone=width < 500)
    page.goto(demo + reverse("subsidies:billing_run_list"))
    page.fill("#id_period", str(Period.of(timezone.localdate())))  # this month: not ended

    page.get_by_role("button", name="Preview the run").click()

    summary = page.locator("form .error-summary")
    assert "There is a problem" in summary.inner_text()
    box = summary.bounding_box()
    form = page.locator("form.inline-fields").bounding_box()
    period = page.locator(".field:has(#id_period)").bounding_box()
    park = page.locator(".field:has(#id_park)").bounding_box()
    assert box["y"] + box["height"] <= period["y"] + 1  # above the fields
    assert box["width"] >= form["width"] - 1  # on a row of its own
    if width >= 1024:  # the fields still share one row
        assert abs(period["y"] - park["y"]) <= 1


def test_the_statement_totals_line_up_under_the_amounts_on_a_phone(browser, demo):
    statement = Statement.objects.filter(company__name__startswith="Karakoram").first()
    page = open_as(browser, demo, "owner.karakoram", width=390, phone=True)

    page.goto(demo + reverse("subsidies:statement_detail", args=[statement.pk]))

    amounts = text_right_of(page, ".statement-lines tbody td.num")
    for label in ("Gross", "Total subsidy", "Net payable"):
        total = text_right_of(page, f'.statement-lines tfoot td[data-label="{label}"]')
        assert abs(total - amounts) <= 2, f"{label} ends at {total}px, the amounts at {amounts}px"
    assert page.evaluate(PAGE_OVERFLOW) <= 0


@pytest.mark.parametrize(
    ("username", "sections"),
    [("pseb", 13), ("manager.gilgit", 10), ("owner.karakoram", 9)],
)
def test_on_a_phone_the_menu_button_opens_every_section(browser, demo, username, sections):
    page = open_as(browser, demo, username, width=390, phone=True)

    bar = page.locator(".site-topbar").bounding_box()
    assert bar["height"] <= 72, f"the top bar is {bar['height']}px tall"
    assert page.locator(".site-topbar .site-role").is_visible()  # the role, beside the name
    button = page.locator(".site-menu-button")
    assert button.get_attribute("aria-expanded") == "false"
    button.click()
    page.locator("#nav.show").wait_for()
    assert button.get_attribute("aria-expanded") == "true"
    links = page.locator("#nav .nav-link")
    assert links.count() == sections
    for i in range(sections):  # each one on screen, none cut off or scrolled away
        box = links.nth(i).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.evaluate(PAGE_OVERFLOW) <= 0
