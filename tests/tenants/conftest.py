"""Fixtures shared by the tenant tests: the company user's company and a draft of it, and
the applications, documents, units and leases the page tests (test_pages_*.py) work on."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tenants import services
from tenants.selectors import company_of
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    UnitFactory,
    UserFactory,
    application_input,
)
from tests.pdfs import PDF
from tests.tenants.pages import later


@pytest.fixture
def company(company_user):
    return company_of(company_user)


@pytest.fixture
def draft(company_user, company, park):
    """A draft application of the company user's company, asking to start in 30 days."""
    return services.application_create(
        user=company_user,
        company=company,
        data=application_input(park),
    )


# --- The page tests' world ---------------------------------------------------------------------


@pytest.fixture
def submitted(draft, company_user):
    return services.application_transition(user=company_user, application=draft, action="submit")


@pytest.fixture
def under_review(submitted, pseb_staff):
    return services.application_transition(user=pseb_staff, application=submitted, action="review")


@pytest.fixture
def document(draft, company_user):
    return services.document_add(
        user=company_user,
        application=draft,
        upload=SimpleUploadedFile("Business Plan.pdf", PDF, content_type="application/pdf"),
    )


@pytest.fixture
def units(park):
    return {
        "free": UnitFactory(park=park, code="A-101", monthly_rent=Decimal("60000.00")),
        "desk": UnitFactory(park=park, code="D-01", kind="desk", seats=1),
        "broken": UnitFactory(park=park, code="M-01", under_maintenance=True),
        "let": UnitFactory(park=park, code="L-01"),
    }


@pytest.fixture
def let_until(units, park):
    """L-01 is let to someone else until 60 days from now, inclusive."""
    end = later(60)
    LeaseFactory(park=park, units=[units["let"]], start_date=date(2025, 1, 1), end_date=end)
    return end


@pytest.fixture
def lease(company, park):
    return LeaseFactory(
        company=company,
        park=park,
        units=[UnitFactory(park=park, code="B-201")],
        start_date=date(2026, 3, 15),
        end_date=date(2027, 3, 14),
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Let the on-commit work of the request (e-mails, file removal) happen."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def newcomer(client):
    user = UserFactory(username="newcomer")
    client.force_login(user)
    return user


@pytest.fixture
def queue(park, other_park, company):
    """Applications across two parks and statuses, submitted on known days."""
    karachi = timezone.get_current_timezone()

    def make(company, park, status, submitted_on, plan="Software exports."):
        submitted_at = (
            timezone.make_aware(timezone.datetime(*submitted_on, 12, 0), karachi)
            if submitted_on
            else None
        )
        return ApplicationFactory(
            company=company, park=park, status=status, submitted_at=submitted_at, business_plan=plan
        )

    gilgit_co = CompanyFactory(name="Karakoram Apps")
    return {
        "guj_submitted": make(company, park, "submitted", (2026, 10, 1), "Drones for farms."),
        "guj_review": make(company, park, "under_review", (2026, 10, 15)),
        "guj_draft": make(company, park, "draft", None),
        "glt_submitted": make(gilgit_co, other_park, "submitted", (2026, 11, 1)),
    }


@pytest.fixture
def targets(draft, document, lease, company):
    """Every page about company_user's company at GUJ, with its method."""
    a, d = draft.pk, document.pk
    return [
        ("get", reverse("tenants:application_detail", args=[a])),
        ("get", reverse("tenants:application_edit", args=[a])),
        ("post", reverse("tenants:application_edit", args=[a])),
        ("get", reverse("tenants:application_approve", args=[a])),
        ("post", reverse("tenants:application_approve", args=[a])),
        ("post", reverse("tenants:application_transition", args=[a, "submit"])),
        ("post", reverse("tenants:application_transition", args=[a, "withdraw"])),
        ("post", reverse("tenants:application_transition", args=[a, "review"])),
        ("post", reverse("tenants:document_upload", args=[a])),
        ("get", reverse("tenants:document_download", args=[a, d])),
        ("post", reverse("tenants:document_delete", args=[a, d])),
        ("get", reverse("tenants:lease_detail", args=[lease.pk])),
        ("get", reverse("tenants:lease_terminate", args=[lease.pk])),
        ("post", reverse("tenants:lease_terminate", args=[lease.pk])),
        ("get", reverse("tenants:company_detail", args=[company.pk])),
    ]


@pytest.fixture
def company_rows(company, park):
    def add(n):
        for _ in range(n):
            ApplicationFactory(company=company, park=park)
            LeaseFactory(company=company, park=park, units=[UnitFactory(park=park)])

    return add
