from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tests.factories import SubsidySchemeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "fields",
    [
        {"internet_pct": Decimal("100.01")},
        {"rent_pct": Decimal("-1")},
        {"duration_months": 0},
        {"duration_months": 121},
        {"valid_from": date(2026, 7, 1), "valid_to": date(2026, 6, 30)},
        {"anchor": "whenever"},
    ],
)
def test_the_database_refuses_an_impossible_scheme(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidySchemeFactory(**fields)


def test_the_default_programme_scheme_is_storable_and_open_ended():
    scheme = SubsidySchemeFactory(
        internet_pct=Decimal("100"), rent_pct=Decimal("25"), duration_months=12, valid_to=None
    )
    scheme.refresh_from_db()
    assert (scheme.internet_pct, scheme.rent_pct, scheme.valid_to) == (
        Decimal("100.00"),
        Decimal("25.00"),
        None,
    )
    assert scheme.anchor == "lease_start"
