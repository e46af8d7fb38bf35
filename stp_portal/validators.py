"""Field validators shared by the models (they run in every service's full_clean, and in
forms and the admin). The amount rule of billing is ``subsidies.amounts``."""

from datetime import date

from django.core.exceptions import ValidationError

from core.calendar import date_problem


def validate_programme_date(value: date) -> None:
    """A date the programme bills by: within the years a billing period can have."""
    if problem := date_problem(value):
        raise ValidationError(problem, code="date_out_of_range")
