"""Forms of the park pages: input only; the services decide and write.

``UnitForm`` is the one validation of a unit's input (the model's fields and validators, with
plain messages); the CSV import validates each row with it (``UnitRowForm``), reading the
values as a spreadsheet writes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from core.vocabulary import Amenity, UnitKind

from .domain import DESKS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, OFFICE_AREA, opening_date_problem
from .models import PARK_FIELDS, UNIT_FIELDS, Park, Unit

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


# --- Parks, as PSEB keeps them (issue 12 §5) ------------------------------------------------
class ParkForm(forms.ModelForm):
    """Create or edit a park: its facts, where it is, who to contact and its amenities. Input
    only; ``parks.services.park_create``/``park_update`` validate it all and write."""

    amenities = forms.MultipleChoiceField(
        choices=Amenity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick what the park offers its tenants.",
    )

    class Meta:
        model = Park
        fields = PARK_FIELDS
        widgets = {
            "latitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "longitude": forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
            "rent_per_sqft": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
        help_texts = {
            "latitude": "Degrees north, e.g. 32.1612 (Gujranwala). Inside Pakistan.",
            "longitude": "Degrees east, e.g. 74.1883 (Gujranwala). Inside Pakistan.",
            "status": "Existing: open now. Upcoming: takes applications, opens on the date "
            "below. Planned: takes no applications yet.",
        }
        error_messages = {
            "code": {"required": "A code is required: 2 to 5 capital letters, e.g. GUJ."},
            "name": {"required": "The park's name is required."},
            "city": {"required": "The city is required."},
            "rent_per_sqft": {**AMOUNT_MESSAGES, "required": "The rent per sq ft is required."},
            "contact_email": {"invalid": "Enter an e-mail address such as info@pseb.org.pk."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The selects' "Choose a province" and the date picker come from the form renderer
        # (core/rendering.py), as on every form.
        if self.instance.pk:
            self.initial["amenities"] = list(self.instance.amenities or [])

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        # Said on the field, so the model's constraint on it is not also reported as a
        # sentence without a field (a field with an error is left out of that check).
        data = super().clean() or {}
        problem = "status" in data and opening_date_problem(
            data["status"], data.get("opening_date")
        )
        if problem and not self.has_error("opening_date"):
            self.add_error("opening_date", problem)
        return data

    # The page's two groups of fields (amenities are the third).
    PLACE_AND_CONTACT = (
        "address",
        "latitude",
        "longitude",
        "contact_name",
        "contact_phone",
        "contact_email",
    )

    def park_fields(self) -> list[Any]:
        skip = {*self.PLACE_AND_CONTACT, "amenities"}
        return [self[name] for name in self.fields if name not in skip]

    def place_and_contact_fields(self) -> list[Any]:
        return [self[name] for name in self.PLACE_AND_CONTACT]


def manager_label(user: Any) -> str:
    """A manager as PSEB picks one: the name, the username and the e-mail."""
    name = user.get_full_name() or user.username
    extra = ", ".join(x for x in (user.username if name != user.username else "", user.email) if x)
    return f"{name} ({extra})" if extra else name


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return manager_label(obj)


class ManagerAssignForm(forms.Form):
    """Choose a park-manager account to run the park (the queryset: active park managers not
    running it yet, narrowed by the search ``q`` when there are many)."""

    manager = ManagerChoiceField(
        queryset=None,
        empty_label="Choose a park manager",
        error_messages={
            "required": "Choose the park manager to assign.",
            "invalid_choice": "Choose one of the park managers listed.",
        },
    )

    def __init__(self, *args: Any, managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ManagerChoiceField, self.fields["manager"]).queryset = managers


# --- The price estimator (issue 12 §5) ------------------------------------------------------
class EstimateForm(forms.Form):
    """A unit kind and size to price on a park's page (a GET form: nothing is written)."""

    kind = forms.ChoiceField(
        label="Kind of space",
        choices=UnitKind.choices,
        error_messages={"invalid_choice": "Choose a private office or coworking desks."},
    )
    size = forms.IntegerField(
        label="Size",
        help_text=(
            f"Square feet for a private office ({OFFICE_AREA[0]:,}–{OFFICE_AREA[1]:,}); "
            f"number of desks for coworking ({DESKS[0]}–{DESKS[1]})."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
        error_messages={
            "required": "Enter a size: square feet, or a number of desks.",
            "invalid": "Enter a whole number, e.g. 1000 (sq ft) or 4 (desks).",
        },
    )
