"""Forms of the park manager's pages: input only; the services decide and write."""

from __future__ import annotations

from django import forms

from core.vocabulary import UnitKind, UnitStatus

from .domain import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS
from .models import Park, Unit


class UnitForm(forms.ModelForm):
    """Create or edit a unit. A blank monthly rent means the park's default."""

    class Meta:
        model = Unit
        fields = [
            "code",
            "floor",
            "kind",
            "area_sqft",
            "seats",
            "monthly_rent",
            "internet_fee",
            "under_maintenance",
        ]
        labels = {"under_maintenance": "Under maintenance (not leasable)"}
        widgets = {
            "area_sqft": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "monthly_rent": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "internet_fee": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
            "seats": forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
        }

    def __init__(self, *args, park: Park | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["monthly_rent"].required = False
        if park is not None:
            self.fields[
                "monthly_rent"
            ].help_text = f"Leave blank for the default: area × PKR {park.rent_per_sqft} per sq ft."


class UnitFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Any kind"), *UnitKind.choices], required=False, label="Kind"
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *UnitStatus.choices], required=False, label="Status"
    )


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"UTF-8 CSV with the template's header, at most {MAX_IMPORT_ROWS:,} units "
            f"and {MAX_IMPORT_BYTES // 1_048_576} MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_IMPORT_BYTES // 1_048_576} MB; "
                f"import at most {MAX_IMPORT_ROWS:,} units at a time."
            )
        return file
