"""Fixtures shared by the tenant tests: the company user's company and a draft of it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tenants import services
from tenants.selectors import company_of


@pytest.fixture
def company(company_user):
    return company_of(company_user)


@pytest.fixture
def draft(company_user, company, park):
    """A draft application of the company user's company, asking to start in 30 days."""
    return services.application_create(
        user=company_user,
        company=company,
        park=park,
        seats=10,
        area_sqft=Decimal("0"),
        unit_kind="office",
        desired_start=timezone.localdate() + timedelta(days=30),
        duration_months=12,
        business_plan="Logistics software for exporters in Gujranwala.",
    )
