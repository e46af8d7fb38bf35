"""Rates and percentages (core.figures): a part over a whole with one rounding, half up, so
occupancy and every share show the same digits everywhere (domain.md §2, §7.1)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.figures import percent, rate
from tests.core.support import PROPERTY


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 20000, "0.0001"),  # 0.00005 rounds half up (half to even would give 0.0000)
        (3, 20000, "0.0002"),  # 0.00015: half up, where half to even also gives 0.0002
        (5, 20000, "0.0003"),  # 0.00025: half up (half to even would give 0.0002)
        (1, 3, "0.3333"),
        (2, 3, "0.6667"),
        (13, 16, "0.8125"),
        (0, 7, "0.0000"),
        (7, 7, "1.0000"),
        (Decimal("1.5"), Decimal("6"), "0.2500"),  # areas are decimals
    ],
)
def test_a_rate_has_four_decimals_rounded_half_up(part, whole, expected):
    assert rate(part, whole) == Decimal(expected)
    assert rate(part, whole).as_tuple().exponent == -4


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (13, 16, "81.3"),  # 81.25 half up (half to even would give 81.2)
        (1, 2000, "0.1"),  # 0.05
        (1, 3, "33.3"),
        (2, 3, "66.7"),
        (0, 5, "0.0"),
        (5, 5, "100.0"),
    ],
)
def test_a_percentage_has_one_decimal_rounded_half_up(part, whole, expected):
    assert percent(part, whole) == Decimal(expected)


@pytest.mark.parametrize("whole", [0, Decimal(0), Decimal("0.00")])
def test_nothing_to_measure_against_is_no_figure_not_zero(whole):
    assert rate(5, whole) is None
    assert percent(5, whole) is None
    assert rate(0, whole) is None


def _half_up(value: Fraction, places: int) -> Decimal:
    """The oracle: exact fraction, rounded half up by integer arithmetic."""
    scaled = value * 10**places
    whole, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder >= scaled.denominator:
        whole += 1
    return Decimal(whole).scaleb(-places).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


@PROPERTY
@given(
    part=st.integers(min_value=0, max_value=10**7),
    whole=st.integers(min_value=1, max_value=10**7),
)
def test_rate_and_percent_agree_with_exact_arithmetic(part, whole):
    assert rate(part, whole) == _half_up(Fraction(part, whole), 4)
    assert percent(part, whole) == _half_up(Fraction(100 * part, whole), 1)
