"""Field validators shared by the models (they run in every service's full_clean, and in
forms and the admin), and the amount rule as the pages' forms and the API's serializers check
it (the services check it again, through the same rule)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from core.calendar import date_problem
from core.money import amount_problem


def validate_programme_date(value: date) -> None:
    """A date the programme bills by: within the years a billing period can have."""
    if problem := date_problem(value):
        raise ValidationError(problem, code="date_out_of_range")


def validate_amount(value: Decimal | None) -> None:
    """An amount someone enters (a payment, a credit note): the one amount rule."""
    if problem := amount_problem(value):
        raise ValidationError(problem, code="amount")


def validate_charge_amount(value: Decimal | None) -> None:
    """A charge's amount: the amount rule, up to ``CHARGE_MAX_AMOUNT``."""
    if problem := amount_problem(value, maximum=settings.CHARGE_MAX_AMOUNT):
        raise ValidationError(problem, code="amount")
