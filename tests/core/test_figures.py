"""Rates and percentages (core.figures): a part over a whole with one rounding, half up, so
occupancy and every share show the same digits everywhere (domain.md §2, §7.1)."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.figures import median, percent, percentile, rate
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


# --- Percentiles by nearest rank (the pipeline's days to decision, domain.md §7.5) ------------
@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([7], 50, 7),
        ([7], 90, 7),
        ([10, 3, 8, 5], 50, 5),  # rank ceil(2.0) = 2 of [3, 5, 8, 10]: the lower middle
        ([10, 3, 8, 5], 90, 10),  # rank ceil(3.6) = 4
        ([1, 2, 3], 50, 2),  # rank ceil(1.5) = 2
        (list(range(1, 11)), 90, 9),  # rank 9.0 exactly: the 9th, not the 10th
        (list(range(1, 12)), 90, 10),  # rank ceil(9.9) = 10
        (list(range(1, 21)), 90, 18),
        ([4, 4, 4, 9], 50, 4),
        ([5, 1, 9], 0, 1),  # rank at least 1: the smallest
        ([5, 1, 9], 100, 9),
    ],
)
def test_percentile_is_the_value_at_the_nearest_rank_rounded_up(values, p, expected):
    assert percentile(values, p) == expected


def test_median_of_an_even_count_is_the_lower_middle_value_not_their_mean():
    assert median([3, 5, 8, 10]) == 5
    assert median([1, 2, 3, 4, 10, 20, 50]) == 4


def test_no_values_have_no_percentile():
    assert percentile([], 90) is None
    assert median([]) is None


@pytest.mark.parametrize("p", [-1, 101])
def test_a_percentile_outside_0_to_100_is_refused(p):
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1, 2], p)


@PROPERTY
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=60), st.integers(0, 100))
def test_percentile_is_a_value_with_at_least_p_percent_at_or_below_it(values, p):
    found = percentile(values, p)
    assert found in values
    at_or_below = sum(1 for v in values if v <= found)
    below = sum(1 for v in values if v < found)
    # At least p% are at or below it, and fewer than p% (or just the first rank) below it.
    assert at_or_below * 100 >= p * len(values)
    assert below * 100 < p * len(values) or below == 0
