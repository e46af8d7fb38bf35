"""Totals rows of money (domain.md §7: totals are sums): in rupees, 0.00 when there are no
rows (``core.tables.total_of`` starts from the integer 0). No Django import."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from core.money import ZERO
from core.tables import Row


def money_totals(rows: Sequence[Row], *keys: str) -> dict[str, Decimal]:
    """The sums of the money ``keys`` over ``rows``."""
    return {key: sum((row[key] for row in rows), ZERO) for key in keys}
