from decimal import Decimal

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
    """The company's application (domain.md §3): seats and/or area, kind, start, duration.

    Seats and area may each be left blank, standing for none (the model's 0); the service
    then asks for one of them. Bounds are checked here too, so every field's problem shows
    at once rather than one per round trip.
    """

    park = forms.ModelChoiceField(
        queryset=Park.objects.exclude(status=ParkStatus.PLANNED).order_by("name"),
        to_field_name="code",
        help_text="Open and upcoming parks take applications; planned ones do not yet.",
    )
    seats = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        label="Seats",
        help_text="Seats wanted (a desk is one seat).",
        error_messages={"min_value": "Seats cannot be negative; leave it blank for none."},
    )
    area_sqft = forms.DecimalField(
        required=False,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=2,
        label="Area wanted (sq ft)",
        help_text="Office area wanted, if you know it; leave blank otherwise.",
        error_messages={"min_value": "The area cannot be negative; leave it blank if unsure."},
    )
    duration_months = forms.IntegerField(
        min_value=1,
        max_value=120,
        label="Duration (months)",
        help_text="1 to 120 months.",
        error_messages={
            "min_value": "Ask for 1 to 120 months.",
            "max_value": "Ask for 1 to 120 months.",
        },
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # "None wanted" is stored as 0; the form shows it as a blank, never as 0 / 0.00.
        for name in ("seats", "area_sqft"):
            if not self.initial.get(name):
                self.initial[name] = None

    def clean_seats(self) -> int:
        return self.cleaned_data.get("seats") or 0

    def clean_area_sqft(self) -> Decimal:
        return self.cleaned_data.get("area_sqft") or Decimal("0.00")

    def clean(self) -> dict:
        # The service's cross-field rules, checked here as well so that they show together
        # with any other problem of the form; the service stays the authority.
        cleaned = super().clean()
        if (
            "seats" in cleaned
            and "area_sqft" in cleaned
            and not cleaned["seats"]
            and not cleaned["area_sqft"]
        ):
            self.add_error("seats", "Ask for seats, an area, or both.")
        start = cleaned.get("desired_start")
        if start and start < timezone.localdate():
            self.add_error("desired_start", "The desired start cannot be in the past.")
        return cleaned

    def _post_clean(self) -> None:
        # Model validation is the service's job; it reports onto this form.
        pass


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="Supporting document (PDF)",
        help_text=f"PDF only, at most {MAX_DOCUMENT_BYTES // 1_048_576} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, form_id: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if form_id:  # the input belongs to that form wherever it stands on the page
            self.fields["file"].widget.attrs["form"] = form_id


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
