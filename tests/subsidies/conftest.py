"""Fixtures of the billing tests: the default scheme, domain.md's worked example and its
March statement (a test module may define its own of the same name)."""

from datetime import date
from decimal import Decimal

import pytest

from subsidies.models import Statement
from tests.factories import (
    LeaseFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.support import bill
from tests.subsidies.worker_support import (  # noqa: F401 (the worker tests' fixtures)
    broker,
    queue,
    start_worker,
    worker_env,
)


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


@pytest.fixture
def statement(worked_example):
    bill()
    return Statement.objects.get()
