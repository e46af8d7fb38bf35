"""Forms of the park manager's pages: input only; the services decide and write.

``UnitForm`` is the one validation of a unit's input (the model's fields and validators, with
plain messages); the CSV import validates each row with it (``UnitRowForm``), reading the
values as a spreadsheet writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.vocabulary import UnitKind

from .domain import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from .models import UNIT_FIELDS, Park, Unit

AMOUNT_MESSAGES = {
    "invalid": "Enter a number such as 1200 or 1200.50.",
    "min_value": "Must not be negative.",
    "max_decimal_places": "Use at most %(max)s decimal places.",
    "max_digits": "This number is too large.",
    "max_whole_digits": "This number is too large.",
}


class UnitForm(forms.ModelForm):
    """Create or edit a unit. A blank monthly rent means the park's default."""

    class Meta:
        model = Unit
        fields = UNIT_FIELDS
        labels = {"under_maintenance": "Under maintenance (not leasable)"}
        widgets = {
            **dict.fromkeys(
                ("area_sqft", "monthly_rent", "internet_fee"),
                forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            ),
            "seats": forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
        }
        error_messages = {
            "code": {
                "required": "A unit code is required, e.g. A-101.",
                "max_length": "At most %(limit_value)d characters.",
            },
            "floor": {"max_length": "At most %(limit_value)d characters."},
            "kind": {"invalid_choice": f"Must be one of: {', '.join(UnitKind.values)}."},
            "area_sqft": {
                **AMOUNT_MESSAGES,
                "required": "The area is required.",
                "min_value": "Must be more than zero.",
            },
            "seats": {
                "required": "The number of seats is required.",
                "invalid": "Enter a whole number of seats.",
                "min_value": "A unit has at least one seat.",
            },
            "monthly_rent": AMOUNT_MESSAGES,
            "internet_fee": AMOUNT_MESSAGES,
        }

    def __init__(self, *args: Any, park: Park | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["monthly_rent"].required = False
        if park is not None:
            self.fields[
                "monthly_rent"
            ].help_text = f"Leave blank for the default: area × PKR {park.rent_per_sqft} per sq ft."


# --- A row of an import file ---------------------------------------------------------------
# A number as people type it in a spreadsheet: digits, at most one point, no sign or exponent.
PLAIN_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", ""})


def _spreadsheet_number(value: Any) -> str:
    """The text of a number without the thousands separators and spaces spreadsheets add,
    or ValidationError("invalid") for anything but plain digits ("1e3", "NaN", "lots")."""
    text = str(value or "").replace(",", "").replace(" ", "")
    if text and not (text.isascii() and PLAIN_NUMBER.fullmatch(text)):
        raise ValidationError("", code="invalid")
    return text


class SpreadsheetDecimalField(forms.DecimalField):
    # django-stubs derive DecimalField from IntegerField, whose to_python gives an int.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        try:
            return super().to_python(_spreadsheet_number(value))
        except ValidationError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class SpreadsheetIntegerField(forms.IntegerField):
    def to_python(self, value: Any) -> int | None:
        try:
            text = _spreadsheet_number(value)
            if "." in text:
                raise ValidationError("", code="invalid")
            return super().to_python(text)
        except ValidationError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class YesNoField(forms.BooleanField):
    """yes/no, y/n, true/false, 1/0, or blank for no (read as text, not as a checkbox)."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool:
        word = str(value or "").strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ValidationError(
                "Use yes or no (or true/false, 1/0), or leave it blank.", code="invalid"
            )
        return word in TRUE_WORDS


class UnitRowForm(UnitForm):
    """One row of a unit import file (issue 3), validated as ``UnitForm`` validates a unit.

    Only the reading of the text differs: spaces around values and thousands separators are
    dropped, the kind may be in any case, the maintenance flag reads yes/no, and a blank
    internet fee is none.
    """

    class Meta(UnitForm.Meta):
        field_classes = {
            **dict.fromkeys(("area_sqft", "monthly_rent", "internet_fee"), SpreadsheetDecimalField),
            "seats": SpreadsheetIntegerField,
            "under_maintenance": YesNoField,
        }

    def __init__(self, values: Mapping[str, str]) -> None:
        data = {name: value.strip() for name, value in values.items()}
        data["kind"] = data.get("kind", "").lower()
        data["internet_fee"] = data.get("internet_fee") or "0"
        super().__init__(data)


# --- The upload ----------------------------------------------------------------------------
class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8 CSV with the template's header, at most {MAX_IMPORT_ROWS:,} units "
            f"and {MAX_IMPORT_BYTES // 1_048_576} MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_IMPORT_BYTES // 1_048_576} MB; "
                f"import at most {MAX_IMPORT_ROWS:,} units at a time."
            )
        return file
