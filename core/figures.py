"""Rates and percentages, with one rounding (half up) wherever they are computed.

Occupancy (domain.md §2, §7.1) and every share in the reports are a part over a whole: the
database sums the parts, and these functions make the figure, so a page, the API and a
report all show the same digits. No Django import.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")  # a fraction: 0.8125
PERCENT_PLACES = Decimal("0.1")  # a percentage: 81.3


def rate(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` ÷ ``whole`` as a fraction with 4 decimals, half up; None when ``whole`` is 0
    (nothing to measure against is not 0 %)."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` ÷ ``whole`` in percent with 1 decimal, half up; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def percentile(values: Iterable[int], p: int) -> int | None:
    """The ``p``-th percentile of ``values`` by **nearest rank**: sorted ascending, the value
    at rank ⌈p × n ÷ 100⌉ (at least 1). None when there are no values.

    Used for the pipeline's days to decision (domain.md §7.5): the answer is always one of
    the observed waits, a whole number of days, never a value between two. So the median
    (p = 50) of an even count is the lower of the two middle values: [3, 5, 8, 10] → 5, not
    6.5; the 90th percentile of ten waits is the ninth shortest.
    """
    if not 0 <= p <= 100:
        raise ValueError("A percentile is between 0 and 100.")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-p * len(ordered) // 100))  # ceil in whole numbers, no float
    return ordered[rank - 1]


def median(values: Iterable[int]) -> int | None:
    """The 50th percentile by nearest rank (``percentile``)."""
    return percentile(values, 50)
