from decimal import Decimal
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone

from core.vocabulary import ParkStatus
from parks.models import Park
from stp_portal.forms import DateInput, ModelChoiceField

from .domain import application_problems
from .inputs import APPLICATION_FIELDS, COMPANY_FIELDS
from .models import Application, ApplicationDocument, Company
from .validators import validate_pdf_document


class DocumentField(forms.FileField):
    """A supporting document: a PDF up to ``UPLOAD_MAX_BYTES`` (the one limit the body check,
    the validator and this help text all read)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", "Supporting document (PDF)")
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})
        )
        super().__init__(**kwargs)
        self.help_text = f"PDF only, at most {settings.UPLOAD_MAX_BYTES // 1_048_576} MB."


class CompanyForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Company
        fields = COMPANY_FIELDS
        widgets = {
            "services": forms.Textarea(attrs={"rows": 3}),
            # autocomplete: the browser fills what it knows of the organisation (WCAG 1.3.5).
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs["autocomplete"] = "url"

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
        fields = APPLICATION_FIELDS
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
        # The service's rule (one pure function, the service stays the authority), asked
        # here as well so that its problems show together with any other of the form. A
        # field that did not parse is None: its rule waits until it does.
        cleaned = super().clean() or {}
        park = cleaned.get("park")
        problems = application_problems(
            seats=cleaned.get("seats"),
            area_sqft=cleaned.get("area_sqft"),
            desired_start=cleaned.get("desired_start"),
            today=timezone.localdate(),
            park_status=park.status if park else None,
            park_name=park.name if park else "",
        )
        for field, problem in problems.items():
            self.add_error(field, problem)
        return cleaned

    def _post_clean(self) -> None:
        # Model validation is the service's job; it reports onto this form.
        pass


class DraftActionsForm(forms.Form):
    """What a post of a draft's edit page asks for besides saving the fields: the button
    pressed (``then``), a document to remove (one of this application's own), and a file
    chosen to upload. Any file chosen is uploaded whichever button was pressed."""

    then = forms.ChoiceField(
        choices=(("save", "Save draft"), ("upload", "Upload"), ("submit", "Submit")),
        required=False,
        label="Button",
        error_messages={"invalid_choice": "Use one of the page's buttons."},
    )
    remove_document = ModelChoiceField(
        queryset=ApplicationDocument.objects.none(),
        required=False,
        label="Document to remove",
        error_messages={
            "invalid_choice": "That document is not on this application (already removed?)."
        },
    )
    file = DocumentField(required=False)

    def __init__(self, *args, application: Application, form_id: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(
            ModelChoiceField, self.fields["remove_document"]
        ).queryset = application.documents.all()
        if form_id:  # the input belongs to that form wherever it stands on the page
            self.fields["file"].widget.attrs["form"] = form_id

    def clean_then(self) -> str:
        return self.cleaned_data.get("then") or "save"

    def clean_file(self):
        # The service judges it again; here its problem shows with the form's others.
        upload = self.cleaned_data.get("file")
        if upload:
            validate_pdf_document(upload)
        return upload

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("then") == "upload" and not cleaned.get("file") and "file" in cleaned:
            self.add_error("file", "Choose a PDF file to upload.")
        return cleaned


class DocumentForm(forms.Form):
    file = DocumentField()


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
        cleaned = super().clean() or {}
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
        cast(forms.MultipleChoiceField, self.fields["units"]).choices = unit_choices


class TerminationForm(forms.Form):
    end_date = forms.DateField(
        widget=DateInput(), initial=timezone.localdate, help_text="The lease's last day, inclusive."
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
