"""The main journey in a real browser: a company signs up, creates its profile and applies
with a PDF; PSEB staff approve with a unit; the company sees its lease; the park manager sees
occupancy change."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from core.vocabulary import ApplicationStatus
from stp_portal.demo import DEMO_PASSWORD, seed_demo
from tenants.models import Application
from tests.pdfs import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password=DEMO_PASSWORD):
    page.goto(base + "/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def units_leased(page, base) -> int:
    page.goto(base + "/parks/GLT/occupancy/")
    text = page.get_by_label("Occupancy today").locator(".card", has_text="By units").inner_text()
    return int(re.search(r"(\d+) of [\d,]+ units", text).group(1))


def test_sign_up_apply_approve_lease_and_occupancy(browser, live_server, tmp_path):
    seed_demo()
    base = live_server.url
    company = browser.new_context().new_page()
    staff = browser.new_context().new_page()
    manager = browser.new_context().new_page()
    for page in (company, staff, manager):
        page.set_default_timeout(15_000)

    sign_in(manager, base, "manager.gilgit")
    leased_before = units_leased(manager, base)

    # A freelancer signs up and creates a profile.
    company.goto(base + "/accounts/sign-up/")
    company.fill("#id_username", "nadia.gilgit")
    company.fill("#id_email", "nadia@example.pk")
    company.fill("#id_password", "react-in-gilgit-2026")
    company.fill("#id_password_again", "react-in-gilgit-2026")
    company.get_by_role("button", name="Create account").click()
    company.wait_for_url("**/company/new/")
    company.fill("#id_name", "Nadia Web Studio")
    company.select_option("#id_kind", "freelancer")
    company.fill("#id_city", "Gilgit")
    company.fill("#id_headcount", "5")
    company.fill("#id_women_headcount", "3")
    company.get_by_role("button", name="Create profile").click()
    company.wait_for_url("**/company/")
    expect(company.get_by_role("heading", name="Nadia Web Studio")).to_be_visible()

    # She confirms her address with the link e-mailed at sign-up (needed to submit).
    bodies = "\n".join(m.body for m in mail.outbox if "nadia@example.pk" in m.to)
    link = re.search(r"/accounts/verify-email/\S+/", bodies).group(0)
    company.goto(base + link)
    expect(company.get_by_text("nadia@example.pk is confirmed")).to_be_visible()

    # It applies for an office in Gilgit with a PDF and submits.
    company.get_by_role("link", name="Apply for space").first.click()
    company.select_option("#id_park", "GLT")
    company.select_option("#id_unit_kind", "office")
    company.fill("#id_seats", "5")
    start = timezone.localdate() + timedelta(days=1)
    company.fill("#id_desired_start", start.isoformat())
    company.fill("#id_duration_months", "12")
    company.fill("#id_business_plan", "Front-end React work for clients abroad.")
    company.get_by_role("button", name="Save draft").click()
    company.wait_for_url(re.compile(r".*/applications/\d+/edit/$"))
    plan = tmp_path / "business-plan.pdf"
    plan.write_bytes(PDF)
    company.set_input_files("#id_file", str(plan))
    company.get_by_role("button", name="Upload").click()
    expect(company.get_by_text("Draft saved and business-plan.pdf uploaded.")).to_be_visible()
    expect(company.get_by_role("link", name="business-plan.pdf")).to_be_visible()
    company.get_by_role("button", name="Submit application").click()
    expect(company.get_by_text("Draft saved and the application submitted.")).to_be_visible()
    application = Application.objects.get(company__name="Nadia Web Studio")
    assert application.status == ApplicationStatus.SUBMITTED

    # PSEB staff review it and approve it with a free unit starting today.
    sign_in(staff, base, "pseb")
    staff.goto(f"{base}/applications/{application.pk}/")
    staff.get_by_role("button", name="Start review").click()
    staff.get_by_role("link", name="Approve and allocate units…").click()
    # The page opens with the units free for the requested dates; staff change the dates.
    staff.locator("summary", has_text="Lease dates").click()
    staff.fill("#id_start_date", timezone.localdate().isoformat())
    staff.get_by_role("button", name="List the units free for these dates").click()
    staff.locator("input[name=units]").first.check()
    staff.get_by_role("button", name="Approve and create the lease").click()
    staff.wait_for_url(re.compile(r".*/leases/\d+/$"))
    expect(staff.get_by_text("Approved: lease")).to_be_visible()

    # The company sees its lease.
    company.goto(base + "/leases/")
    company.get_by_role("link", name=re.compile(r"#\d+")).first.click()
    company.wait_for_url(re.compile(r".*/leases/\d+/$"))
    expect(company.get_by_text("Nadia Web Studio at SCO Software Technology Park")).to_be_visible()
    expect(company.locator(".badge-lease-active")).to_be_visible()

    # The manager sees one more unit leased.
    assert units_leased(manager, base) == leased_before + 1
