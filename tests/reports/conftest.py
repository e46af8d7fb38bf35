"""Fixtures of the report tests: the default scheme and domain.md §6's worked example."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import LeaseFactory, SubsidySchemeFactory, UnitFactory


@pytest.fixture
def scheme():
    return SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))


@pytest.fixture
def worked_example(park, scheme):
    """domain.md §6: unit A-101 (60,000.00 rent, 5,000.00 internet) from 2026-03-15."""
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    return LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 15))
