"""Fixtures of the billing page tests: two companies, each with a lease in its own park,
billed for March (domain.md §6's worked example for the first)."""

from datetime import date
from decimal import Decimal

import pytest

from subsidies.models import Statement
from tenants.selectors import company_of
from tests.factories import (
    LeaseFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.support import bill


@pytest.fixture
def scheme():
    return SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))


@pytest.fixture
def company(company_user):
    return company_of(company_user)


@pytest.fixture
def other_company(other_company_user):
    return company_of(other_company_user)


@pytest.fixture
def lease(park, company, scheme):
    """domain.md §6's worked example: A-101 (60,000.00 rent, 5,000.00 internet) from 15 March."""
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    return LeaseFactory(park=park, company=company, units=[unit], start_date=date(2026, 3, 15))


@pytest.fixture
def other_lease(other_park, other_company, scheme):
    return LeaseFactory(park=other_park, company=other_company, start_date=date(2026, 3, 15))


@pytest.fixture
def run(lease, other_lease):
    return bill()


@pytest.fixture
def statement(run, company):
    return Statement.objects.get(company=company)


@pytest.fixture
def other_statement(run, other_company):
    return Statement.objects.get(company=other_company)
