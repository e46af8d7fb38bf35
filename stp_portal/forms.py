"""Helpers shared by the portal's forms and views."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its fields where they exist."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def _fits_an_id(value: object) -> bool:
    """Whether ``value`` could be a database id: past the 64-bit range it cannot, and SQLite
    raises OverflowError (a 500) when asked for it, where PostgreSQL just finds nothing."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return True  # not a number: Django's own check says it is no choice
    return -(2**63) <= number < 2**63


class ModelChoiceField(forms.ModelChoiceField):
    """Django's field, where an id beyond any database's range is an invalid choice."""

    def to_python(self, value: Any) -> Any:
        fits = value in self.empty_values or self.to_field_name or _fits_an_id(value)
        if not fits:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, where an id beyond any database's range is an invalid choice."""

    def _check_values(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            if self.to_field_name is None and not _fits_an_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        # A private method of Django's field the stubs leave out (this override is what keeps
        # the id check on every way a multiple choice is cleaned).
        return super()._check_values(value)  # type: ignore[misc]
