from django import forms
from django.utils import timezone

from parks.models import Park, ParkStatus
from stp_portal.forms import DateInput

from .domain import MAX_DOCUMENT_BYTES
from .models import Application, Company


class CompanyForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Company
        fields = (
            "name",
            "kind",
            "city",
            "pseb_registration",
            "secp_number",
            "ntn",
            "website",
            "headcount",
            "women_headcount",
            "export_earnings_usd",
            "services",
        )
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        # Model validation is the service's job; it reports onto this form.
        pass


class ApplicationForm(forms.ModelForm):
    park = forms.ModelChoiceField(
        queryset=Park.objects.exclude(status=ParkStatus.PLANNED).order_by("name"),
        to_field_name="code",
        help_text="Open and upcoming parks take applications; planned ones do not yet.",
    )

    class Meta:
        model = Application
        fields = (
            "park",
            "unit_kind",
            "seats",
            "area_sqft",
            "desired_start",
            "duration_months",
            "business_plan",
        )
        widgets = {
            "desired_start": DateInput(),
            "business_plan": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        }
        help_texts = {
            "seats": "Seats wanted (a desk is one seat).",
            "area_sqft": "Office area wanted, if you know it.",
            "duration_months": "1 to 120 months.",
        }

    def _post_clean(self) -> None:
        pass


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="Supporting document (PDF)",
        help_text=f"PDF only, at most {MAX_DOCUMENT_BYTES // 1_048_576} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        label="Reason / comment",
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail of the person to invite")


class ApprovalDatesForm(forms.Form):
    start_date = forms.DateField(
        widget=DateInput(),
        help_text="Commencement (may be in the past to onboard an existing tenant).",
    )
    end_date = forms.DateField(
        widget=DateInput(),
        required=False,
        help_text="Last day, inclusive; blank for an open lease.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date cannot be before the start date.")
        return cleaned


class ApprovalForm(ApprovalDatesForm):
    units = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one unit."},
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, unit_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = unit_choices


class TerminationForm(forms.Form):
    end_date = forms.DateField(
        widget=DateInput(), initial=timezone.localdate, help_text="The lease's last day, inclusive."
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
