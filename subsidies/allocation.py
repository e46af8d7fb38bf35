"""Allocating one payment across a company's statements (issue 12 §6): the oldest first.

No Django import. A company pays one amount for a park; it settles its outstanding
statements there in order of due date (then period, then number: the oldest debt first),
each up to what it still owes (``Statement.outstanding``, domain.md §7.4), to the paisa.
An amount beyond what is outstanding in all is refused: the portal never records money it
cannot put against a statement. The plan's ``fingerprint`` names what it rests on (each
statement and what it owed), so a preview shown to a person and the plan recomputed under
lock when they confirm can be compared: a payment or credit note recorded in between makes
the preview stale, and the save is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import ZERO, amount_problem


class AllocationRefused(ValueError):
    """The amount cannot be allocated (nothing owed, more than owed, not an amount)."""


@dataclass(frozen=True)
class Owed:
    """A statement that still owes money (``outstanding`` more than 0.00)."""

    statement_id: int
    number: str
    period: date
    due_date: date
    outstanding: Decimal


@dataclass(frozen=True)
class Share:
    """What the payment puts against one statement, and what that statement owes after."""

    owed: Owed
    amount: Decimal

    @property
    def left(self) -> Decimal:
        return self.owed.outstanding - self.amount

    @property
    def settles(self) -> bool:
        return self.left == ZERO


@dataclass(frozen=True)
class Allocation:
    """A payment's plan: its shares (oldest statement first), the total outstanding before
    it and what the company still owes at the park after it."""

    amount: Decimal
    shares: tuple[Share, ...]
    outstanding_before: Decimal
    fingerprint: str

    @property
    def left(self) -> Decimal:
        return self.outstanding_before - self.amount


# The order debts are settled in, as the statements' fields: due date, then period, then
# number (the account page lists the arrears in this order, for its running totals).
OLDEST_FIRST = ("due_date", "period", "number", "pk")


def oldest_first(owed: Sequence[Owed]) -> list[Owed]:
    """The order debts are settled in (``OLDEST_FIRST``)."""
    return sorted(owed, key=lambda o: (o.due_date, o.period, o.number, o.statement_id))


def fingerprint(owed: Sequence[Owed], amount: Decimal) -> str:
    """What an allocation rests on, as a short digest: the amount paid, and each statement
    (the company's, at the park) and what it owed. A confirmation of another amount than the
    one previewed is a different allocation, never saved unseen."""
    text = f"{amount}|" + "|".join(f"{o.statement_id}:{o.outstanding}" for o in oldest_first(owed))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def allocate(amount: Decimal, owed: Sequence[Owed]) -> Allocation:
    """Put ``amount`` against the statements ``owed``, the oldest first, each up to what it
    owes; the last one reached may be paid in part. Refused (``AllocationRefused``) when the
    amount is not an amount (``core.money.amount_problem``), when nothing is owed, or when
    it is more than all that is owed."""
    if problem := amount_problem(amount):
        raise AllocationRefused(problem)
    ordered = [o for o in oldest_first(owed) if o.outstanding > ZERO]
    total = sum((o.outstanding for o in ordered), ZERO)
    if total <= ZERO:
        raise AllocationRefused("Nothing is outstanding: there is no statement to pay.")
    if amount > total:
        raise AllocationRefused(f"Only {total:,.2f} is outstanding; the payment is {amount:,.2f}.")
    shares: list[Share] = []
    remaining = amount
    for debt in ordered:
        if remaining <= ZERO:
            break
        part = min(remaining, debt.outstanding)
        shares.append(Share(debt, part))
        remaining -= part
    return Allocation(amount, tuple(shares), total, fingerprint(ordered, amount))
