"""A company owner finds a statement in a real browser, reads its net payable and downloads
its PDF, whose text shows the same figure; on a phone the pages fit the screen."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from subsidies import services
from subsidies.models import Statement
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ISSUED = date(2026, 4, 1)
NET = "24,677.42"  # domain.md §6's worked example, March 2026


@pytest.fixture
def owner_statement():
    """The worked example billed and rendered: A-101 (60,000.00 rent, 5,000.00 internet)."""
    park = factories.ParkFactory(code="GUJ", name="Gujranwala STP", city="Gujranwala")
    factories.SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))
    owner = factories.MembershipFactory(
        user__username="owner.one", company__name="First Company (Pvt) Ltd"
    ).user
    unit = factories.UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    factories.LeaseFactory(
        park=park,
        company=owner.memberships.get().company,
        units=[unit],
        start_date=date(2026, 3, 15),
    )
    run = services.billing_run_start(user=None, period="2026-03", today=ISSUED, queue=False)
    for chunk_id in services.billing_run_plan(run.pk):
        services.statements_render(services.billing_chunk_bill(chunk_id, today=ISSUED))
    statement = Statement.objects.get()
    assert statement.pdf, "the statement's PDF was not rendered"
    assert statement.net_payable == Decimal("24677.42")
    return owner, statement


def sign_in(page, base, username):
    page.goto(base + "/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def pdf_text(path) -> str:
    """The PDF's text, read back with pypdf."""
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_owner_opens_a_statement_and_downloads_its_pdf(
    page, live_server, owner_statement, tmp_path
):
    owner, statement = owner_statement
    base = live_server.url
    sign_in(page, base, owner.username)

    page.get_by_role("link", name="Statements").first.click()
    page.wait_for_url("**/statements/")
    page.get_by_role("link", name=statement.number).click()
    page.wait_for_url(f"**/statements/{statement.pk}/")
    expect(page.get_by_role("heading", name=f"Statement {statement.number}")).to_be_visible()
    expect(page.locator("#net-payable")).to_have_text(f"PKR {NET}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{statement.number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"%PDF-")
    assert len(content) > 2_000
    assert content.rstrip().endswith(b"%%EOF")

    text = pdf_text(saved)  # the PDF says what the page says
    assert statement.number in text
    assert f"PKR {NET}" in text
    assert "Net payable" in text


def test_the_statement_pages_fit_a_phone_screen(phone, live_server, owner_statement):
    owner, statement = owner_statement
    base = live_server.url
    sign_in(phone, base, owner.username)
    for path in ("/statements/", f"/statements/{statement.pk}/"):
        phone.goto(base + path)
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    assert NET in phone.locator("#net-payable").inner_text()
