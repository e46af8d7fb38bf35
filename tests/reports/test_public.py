"""The public impact summary on the home page (issue 11): national totals only, read by the
impact report's own selectors, and no figure resting on fewer than 3 companies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.frame import ReportFilters, report_scope
from reports.public import HIDDEN, MIN_COMPANIES, publishable
from reports.quarters import latest_quarter
from reports.selectors.impact import impact_report, public_impact
from returns.services import progress_return_file
from tests import factories
from tests.returns.support import figures, tenant


# --- The rule, without a database ----------------------------------------------------------------
def test_a_figure_resting_on_fewer_than_3_companies_is_withheld():
    assert MIN_COMPANIES == 3
    assert publishable(120, 2) is None
    assert publishable(Decimal("45.5"), 0) is None
    assert publishable(120, 3) == 120
    assert publishable(0, 40) == 0


# --- The home page -------------------------------------------------------------------------------
def _companies(n, *, exports="1000.00"):
    """``n`` companies, each with a lease in its own park from the start of the latest quarter
    over and its return for it filed: 4 in the park, 2 of them women."""
    today = timezone.localdate()
    quarter = latest_quarter(today)
    companies = []
    for i in range(n):
        park = factories.ParkFactory(city=f"City {i}")
        user, company = tenant(park, start=quarter.first)
        progress_return_file(
            user=user,
            company=company,
            park=park,
            quarter=quarter,
            figures=figures(in_park=4, in_park_women=2, export_earnings_usd=Decimal(exports)),
            today=today,
        )
        companies.append(company)
    return companies


def _impact_section(page: str) -> str:
    return page.split('id="impact-heading"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_with_2_companies_the_home_page_shows_dashes_and_no_name(client):
    companies = _companies(2)
    page = client.get(reverse("home")).content.decode()
    section = _impact_section(page)
    # tenants, jobs, women's share, exports: all withheld; parks open is not about companies
    assert section.count(f"<strong>{HIDDEN}</strong>") == 4
    assert "<strong>2</strong><span>parks open" in section
    for company in companies:
        assert company.name not in page


@pytest.mark.django_db
def test_with_3_companies_the_home_page_shows_the_impact_reports_national_figures(
    client, pseb_staff
):
    companies = _companies(3, exports="1500.25")
    with CaptureQueriesContext(connection) as queries:
        figures_shown = public_impact(timezone.localdate())
    assert len(queries) == 3
    filters = ReportFilters(as_of=timezone.localdate())
    report = impact_report(report_scope(pseb_staff, filters), filters)
    assert figures_shown.tenants == report.figures["tenants"] == 3
    assert figures_shown.jobs == report.figures["in_park"] == 12
    assert figures_shown.women_percent == report.figures["women_percent"] == Decimal("50.0")
    assert figures_shown.exports_usd == report.figures["exports_last_4_quarters"]
    assert figures_shown.exports_usd == Decimal("4500.75")
    section = _impact_section(client.get(reverse("home")).content.decode())
    assert HIDDEN not in section.split("</p>", 1)[1]
    for shown in ("<strong>3</strong><span>tenants", "<strong>12</strong>", "50.0%", "4,500.75"):
        assert shown in section
    page = client.get(reverse("home")).content.decode()
    for company in companies:
        assert company.name not in page


@pytest.mark.django_db
def test_a_company_in_two_parks_is_one_company_for_the_rule(client):
    """Two companies, one of them leasing in two parks: 3 returns but 2 companies."""
    (company,) = _companies(1)
    other = _companies(1)[0]
    user = other.memberships.get().user
    quarter = latest_quarter(timezone.localdate())
    park = factories.ParkFactory(city="Elsewhere")
    tenant(park, start=quarter.first, user=user)
    progress_return_file(
        user=user,
        company=other,
        park=park,
        quarter=quarter,
        figures=figures(),
        today=timezone.localdate(),
    )
    shown = public_impact(timezone.localdate())
    assert (shown.tenants, shown.jobs, shown.exports_usd) == (None, None, None)
    assert company.name not in client.get(reverse("home")).content.decode()
