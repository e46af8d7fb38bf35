"""Rates and percentages, with one rounding (half up) wherever they are computed.

Occupancy (domain.md §2, §7.1) and every share in the reports are a part over a whole: the
database sums the parts, and these functions make the figure, so a page, the API and a
report all show the same digits. No Django import.
"""

from __future__ import annotations

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
