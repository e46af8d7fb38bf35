"""The amount rule of billing, stated once for the pages, the API and the services (§6).

``core.money.amount_problem`` is the rule: more than 0.00, in rupees and paisa, within any
money column. Billing adds one bound: a charge is at most ``CHARGE_MAX_AMOUNT`` (a setting,
read each time an amount is checked). The services call ``billing_amount_problem``; the
forms and serializers validate with ``amount_validators``, built from it, so all three say
the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from core.money import amount_problem

Validator = Callable[[Decimal | None], None]


def amount_maximum(*, charge: bool = False) -> Decimal | None:
    """The most an amount may be: a charge's ``CHARGE_MAX_AMOUNT``; no bound of billing's
    own for a payment or a credit note (what the statement owes bounds those)."""
    return settings.CHARGE_MAX_AMOUNT if charge else None


def billing_amount_problem(amount: Decimal | None, *, charge: bool = False) -> str | None:
    """Why ``amount`` cannot be the amount of a charge (``charge``), a payment or a credit
    note, or None."""
    return amount_problem(amount, maximum=amount_maximum(charge=charge))


def _validate_amount(value: Decimal | None) -> None:
    if problem := billing_amount_problem(value):
        raise ValidationError(problem, code="amount")


def _validate_charge_amount(value: Decimal | None) -> None:
    if problem := billing_amount_problem(value, charge=True):
        raise ValidationError(problem, code="amount")


def amount_validators(*, charge: bool = False) -> list[Validator]:
    """The validators of an amount field of a form or a serializer (DRF runs Django's
    validators too, and reports their ValidationError as a 400)."""
    return [_validate_charge_amount if charge else _validate_amount]
