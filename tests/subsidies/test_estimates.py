"""The park page's price estimator, as subsidies answers it (``subsidies.estimates``): the
window a first lease would get and each month billed by ``subsidies.calculation``."""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period
from core.vocabulary import UnitKind, WindowAnchor
from parks import pricing
from parks.domain import Quote
from subsidies.estimates import SubsidisedPrices
from tests.factories import ParkFactory, SubsidySchemeFactory

pytestmark = pytest.mark.django_db

# domain.md §6's worked example: unit A-101, rent 60,000.00 and internet 5,000.00.
A101 = Quote(UnitKind.OFFICE, 1000, ((Decimal("60000.00"), Decimal("5000.00")),), "")


def test_subsidies_is_the_parks_estimator():
    assert isinstance(pricing.estimator(), SubsidisedPrices)


def test_a_whole_month_in_the_window_and_the_first_after_it():
    park = ParkFactory()
    SubsidySchemeFactory(name="STP 2022")
    estimate = SubsidisedPrices().months(park=park, quote=A101, start=date(2026, 3, 1))
    months = estimate.months
    assert len(months) == 13
    assert (months[0].rent, months[0].internet) == (Decimal("60000.00"), Decimal("5000.00"))
    assert months[0].subsidy == Decimal("-20000.00")  # 25% of rent, all of internet
    assert months[11].period == Period(2027, 2)
    assert months[12].subsidy == Decimal("0.00")
    assert months[12].net == Decimal("65000.00")
    assert estimate.scheme == "STP 2022"
    assert estimate.window == (date(2026, 3, 1), date(2027, 2, 28))
    assert estimate.subsidy_total == Decimal("240000.00")


def test_with_the_park_opening_anchor_a_late_tenant_gets_what_is_left_of_the_window():
    park = ParkFactory(opening_date=date(2026, 1, 1))
    SubsidySchemeFactory(anchor=WindowAnchor.PARK_OPENING, duration_months=12)
    estimate = SubsidisedPrices().months(park=park, quote=A101, start=date(2026, 10, 1))
    stages = estimate.stages
    assert [(s.first, s.last) for s in stages] == [(1, 3), (4, None)]  # Oct–Dec subsidised
    assert estimate.window == (date(2026, 10, 1), date(2026, 12, 31))


def test_no_scheme_no_subsidy_one_price():
    estimate = SubsidisedPrices().months(park=ParkFactory(), quote=A101, start=date(2026, 3, 1))
    assert len(estimate.months) == 1
    assert estimate.scheme is None
    assert estimate.window is None
    assert estimate.months[0].net == Decimal("65000.00")
