"""The public impact summary on the home page (issue 11): national totals only, read by the
impact report's own selectors, and no figure resting on fewer than 3 companies."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.calendar import KARACHI, FiscalQuarter
from reports.frame import ReportFilters, report_scope
from reports.public import HIDDEN, MIN_COMPANIES, publishable
from reports.quarters import published_quarter
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
def _companies(n, *, exports="1000.00", in_park=4, quarter=None, on=None):
    """``n`` companies, each with a lease in its own park from the start of ``quarter`` (by
    default the quarter the home page publishes today) and its return for it filed (on the
    day ``on``, by default now): ``in_park`` in the park, half of them women."""
    today = on or timezone.localdate()
    quarter = quarter or published_quarter(today)
    companies = []
    for i in range(n):
        park = factories.ParkFactory(city=f"City {i}")
        user, company = tenant(park, start=quarter.first)
        progress_return_file(
            user=user,
            company=company,
            park=park,
            quarter=quarter,
            figures=figures(
                in_park=in_park,
                in_park_women=in_park // 2,
                export_earnings_usd=Decimal(exports),
            ),
            today=today,
            filed_at=datetime.combine(on, time(11), tzinfo=KARACHI) if on else None,
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
    today = timezone.localdate()
    filters = ReportFilters(as_of=today, quarter=published_quarter(today))
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
    quarter = published_quarter(timezone.localdate())
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


Q4, Q1 = FiscalQuarter(2025, 4), FiscalQuarter(2026, 1)  # 2026-27 Q1 is due on 10 October


@pytest.mark.django_db
def test_until_the_latest_quarters_due_date_has_passed_the_quarter_before_is_published():
    """Three companies filed 2025-26 Q4 in July. From 1 to 10 October the home page still
    shows Q4, so each filing for 2026-27 Q1 on those days changes nothing it shows (the
    difference between two days would be one company's figures); from 11 October, Q1, with
    exports over the four quarters up to it."""
    _companies(3, quarter=Q4, in_park=4, exports="1000.00", on=date(2026, 7, 3))
    first = _companies(3, quarter=Q1, in_park=10, exports="500.00", on=date(2026, 10, 3))
    before = public_impact(date(2026, 10, 5))
    assert (before.quarter, before.year) == ("2025-26 Q4", "2025-26 Q1 to 2025-26 Q4")
    assert (before.tenants, before.jobs, before.exports_usd) == (3, 12, Decimal("3000.00"))
    _companies(1, quarter=Q1, in_park=6, exports="700.00", on=date(2026, 10, 8))
    assert public_impact(date(2026, 10, 10)) == before
    after = public_impact(date(2026, 10, 11))
    assert after.quarter == "2026-27 Q1"
    # the tenants of Q1: the Q4 companies still lease (their Q1 returns not filed), and 4 more
    assert (after.tenants, after.jobs) == (3 + len(first) + 1, 3 * 10 + 6)
    assert after.exports_usd == Decimal("3000.00") + 3 * Decimal("500.00") + Decimal("700.00")


@pytest.mark.django_db
def test_each_figure_rests_on_the_companies_that_contribute_to_it(client):
    """12 tenants: 2 export, 10 earn nothing abroad; 2 have employees in the park. The
    exports, jobs and women's share would tell the 2 companies' own figures: withheld; the
    tenants are 12."""
    _companies(2, exports="2500.00", in_park=4)
    _companies(10, exports="0.00", in_park=0)
    shown = public_impact(timezone.localdate())
    assert shown.tenants == 12
    assert (shown.jobs, shown.women_percent, shown.exports_usd) == (None, None, None)
    section = _impact_section(client.get(reverse("home")).content.decode())
    assert section.count(f"<strong>{HIDDEN}</strong>") == 3
    assert "<strong>12</strong><span>tenants" in section
    assert "export earnings" in section.split("</p>")[0]
    # a third exporter with a team in the park: both figures rest on 3 companies
    _companies(1, exports="100.00", in_park=2)
    shown = public_impact(timezone.localdate())
    assert (shown.jobs, shown.exports_usd) == (10, Decimal("5100.00"))
