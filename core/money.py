"""Money: one rounding helper and the rule for an amount someone enters (domain.md §6).

No Django import. Amounts are ``Decimal`` PKR with 2 decimals (paisa), rounded half up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final, TypedDict


class MoneyColumn(TypedDict):
    """The keyword arguments of a money column (``DecimalField(**MONEY_FIELD)``)."""

    max_digits: int
    decimal_places: int


CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# Money columns hold 14 digits, 2 of them paisa (``MONEY_FIELD``).
MONEY_WHOLE_DIGITS = 12
MONEY_FIELD: Final[MoneyColumn] = {"max_digits": MONEY_WHOLE_DIGITS + 2, "decimal_places": 2}
LARGEST_AMOUNT = Decimal(10) ** MONEY_WHOLE_DIGITS - CENT


def quantize_money(amount: Decimal) -> Decimal:
    """Round to the paisa, half up (domain.md §6: each line from its unrounded base)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def amount_problem(amount: Decimal | None, *, maximum: Decimal | None = None) -> str | None:
    """Why ``amount`` cannot be an amount someone enters (a charge, a payment, a credit note),
    or None: more than 0.00, in rupees and paisa (at most 2 decimals), and at most
    ``maximum`` when there is one (a charge's upper bound, ``CHARGE_MAX_AMOUNT``). Pages, API
    and services all state the amount rule through this function, so they say the same."""
    if amount is None or not amount.is_finite() or amount <= 0:
        return "The amount must be more than 0.00."
    if amount.adjusted() >= MONEY_WHOLE_DIGITS:
        # Beyond any money column (and beyond what rounding to the paisa can hold).
        return f"The amount can be at most {LARGEST_AMOUNT:,.2f}."
    if amount != quantize_money(amount):
        return "Amounts are in rupees and paisa: at most 2 decimals."
    if maximum is not None and amount > maximum:
        return f"The amount can be at most {maximum:,.2f}."
    return None


def format_pkr(amount: Decimal) -> str:
    """An amount as people read it on a page or statement: "PKR 97,750.00"."""
    return f"PKR {amount:,.2f}"
