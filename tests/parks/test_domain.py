"""Pure rules of parks and units: no database."""

from datetime import date
from decimal import Decimal

import pytest

from core.money import quantize_money
from parks.domain import Occupation, default_monthly_rent, unit_status_on

DAY = date(2026, 5, 10)


def test_default_monthly_rent_is_area_times_park_rate():
    assert default_monthly_rent(Decimal("1000"), Decimal("60.00")) == Decimal("60000.00")


def test_default_monthly_rent_rounds_half_up_to_the_paisa():
    # 333.33 sq ft × 55.555 = 18518.14815 → 18518.15
    assert default_monthly_rent(Decimal("333.33"), Decimal("55.555")) == Decimal("18518.15")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.0049", "0.00"), ("-8225.805", "-8225.81"), ("2741.935", "2741.94")],
)
def test_quantize_money_rounds_half_up_away_from_zero(amount, expected):
    assert quantize_money(Decimal(amount)) == Decimal(expected)


@pytest.mark.parametrize(
    ("maintenance", "occupations", "expected"),
    [
        (False, [], "vacant"),
        (True, [], "maintenance"),
        (False, [Occupation(date(2026, 1, 1), None)], "leased"),
        (False, [Occupation(date(2026, 5, 10), date(2026, 5, 10))], "leased"),
        (False, [Occupation(date(2026, 1, 1), date(2026, 5, 9))], "vacant"),
        (False, [Occupation(date(2026, 5, 11), None)], "reserved"),
        (True, [Occupation(date(2026, 5, 11), None)], "maintenance"),
        # A let unit stays leased even when flagged: the tenant is still in it.
        (True, [Occupation(date(2026, 1, 1), None)], "leased"),
        (
            False,
            [Occupation(date(2025, 1, 1), date(2025, 12, 31)), Occupation(date(2026, 6, 1), None)],
            "reserved",
        ),
    ],
)
def test_unit_status_is_derived_from_lets_and_the_maintenance_flag(
    maintenance, occupations, expected
):
    assert unit_status_on(DAY, under_maintenance=maintenance, occupations=occupations) == expected


def test_domain_module_imports_nothing_from_django():
    from pathlib import Path

    import parks.domain as module

    assert "django" not in Path(module.__file__).read_text()
