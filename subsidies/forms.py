"""Forms of the billing pages. They check the shape of the input; the services check the rules
(a month not ended, more paid than owed, a scheme already applied) and report onto them."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.calendar import Period, long_date
from parks.models import Park
from stp_portal.forms import DateInput, ModelChoiceField, ModelMultipleChoiceField
from tenants.models import Company

from .amounts import amount_validators
from .models import PaymentInstruction, SubsidyScheme
from .services.payments import INSTRUCTION_FIELDS
from .services.schemes import SCHEME_FIELDS


class MonthInput(forms.TextInput):
    """``<input type="month">``: a month picker on phones, a YYYY-MM box elsewhere."""

    input_type = "month"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(
            attrs={"placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}", **(attrs or {})}
        )


INVALID_PERIOD = "Write the period as YYYY-MM, e.g. 2026-03."


def period_from_text(value: object, *, exact: bool = False) -> Period | None:
    """A billing period someone wrote, read by the calendar's one rule (``Period.parse``:
    a real month of the years the programme knows), or None when blank. ``exact``: exactly
    ``YYYY-MM``, as the API's schema states it; pages forgive spaces around it. Raises
    ValueError with the message to show."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(INVALID_PERIOD)
    text = value.strip()
    if not text:
        return None
    if len(text) > 7 or (exact and text != value):
        raise ValueError(INVALID_PERIOD)
    return Period.parse(text)


class PeriodField(forms.Field):
    """A billing period written ``YYYY-MM``; cleans to a ``Period``."""

    widget = MonthInput

    def __init__(self, *, exact: bool = False, **kwargs: Any) -> None:
        """``exact``: exactly YYYY-MM, as the API's schema states it (pages forgive spaces
        around it)."""
        self.exact = exact
        kwargs.setdefault("help_text", "Month, as YYYY-MM.")
        super().__init__(**kwargs)

    def to_python(self, value: str | None) -> Period | None:
        try:
            return period_from_text(value, exact=self.exact)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, Period) else value


def _money(*, charge: bool = False, **kwargs: Any) -> forms.DecimalField:
    """An amount someone enters, checked by billing's amount rule (``subsidies.amounts``) as
    the API and the services check it, so each says the same; ``charge``: at most
    ``CHARGE_MAX_AMOUNT``."""
    return forms.DecimalField(
        max_digits=None,
        decimal_places=None,
        localize=False,
        validators=amount_validators(charge=charge),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


# --- Statements ----------------------------------------------------------------------------------
class PaymentForm(forms.Form):
    amount = _money(label="Amount (PKR)")
    paid_on = forms.DateField(widget=DateInput(), initial=timezone.localdate, label="Paid on")
    reference = forms.CharField(
        max_length=100, help_text="Bank transfer, cheque or receipt reference."
    )


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The company sees it on the credit note.",
    )
    amount = _money(
        label="Amount (PKR)",
        required=False,
        help_text="Leave blank to credit all that is left (the statement becomes void).",
    )


# --- Billing runs --------------------------------------------------------------------------------
class BillingRunForm(forms.Form):
    period = PeriodField(help_text="The month to bill, as YYYY-MM; it must have ended.")
    park = ModelChoiceField(
        queryset=Park.objects.order_by("name"),
        required=False,
        empty_label="All parks",
        help_text="Leave as all parks to bill every park.",
    )


class BillingRunConfirmForm(BillingRunForm):
    """The confirmation of a previewed run: the period and park previewed, and the
    fingerprint of what the preview showed (``services.billing_run_confirm``)."""

    fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


# --- Subsidy schemes -----------------------------------------------------------------------------
class SchemeForm(forms.ModelForm):
    parks = ModelMultipleChoiceField(
        queryset=Park.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Parks this scheme covers; none ticked means all parks.",
    )

    class Meta:
        model = SubsidyScheme
        fields = SCHEME_FIELDS
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        help_texts = {
            "internet_pct": "0 to 100.",
            "rent_pct": "0 to 100.",
            "duration_months": "Length of the subsidy window, 1 to 120 months.",
            "valid_from": "Windows opening from this day use this scheme.",
        }

    def __init__(self, *args: Any, locked_since: date | None = None, **kwargs: Any) -> None:
        """``locked_since``: the start of the latest subsidy window the scheme opened, for a
        scheme already applied. Such a scheme keeps its rules (services.scheme_update): only
        its name and end of validity stay editable, the other fields are disabled, so what is
        posted for them is ignored, and its validity may not end before that window."""
        super().__init__(*args, **kwargs)
        self.locked = locked_since is not None
        if locked_since is None:
            return
        for name in self._locked_fields():
            self.fields[name].disabled = True
            self.fields[name].widget.attrs["aria-describedby"] = "scheme-locked"
        self.fields["valid_to"].help_text = (
            f"Leave blank for open-ended. Not before {long_date(locked_since)}, when the "
            "latest subsidy window under this scheme opened."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.locked and (changed := self._locked_fields_posted_changed()):
            # A page opened before the scheme was applied still offers these fields; the
            # change would be dropped without a word, so say so and save nothing.
            labels = ", ".join(str(self.fields[name].label).lower() for name in changed)
            raise ValidationError(
                f"Nothing was saved: this scheme is now applied to issued statements, so its "
                f"{labels} can no longer change. The form shows the rules it keeps; to change "
                "them, create a new scheme instead.",
                code="locked",
            )
        return cleaned

    def _locked_fields(self) -> list[str]:
        """What decided the amounts of statements already issued (services.scheme_update)."""
        return [n for n in self.fields if n not in SubsidyScheme.EDITABLE_ONCE_APPLIED]

    def _locked_fields_posted_changed(self) -> list[str]:
        """Locked fields for which the request carries a value other than the scheme's own."""
        changed = []
        for name in self._locked_fields():
            key = self.add_prefix(name)
            if key not in self.data:  # browsers send no value for a disabled field
                continue
            field = self.fields[name]
            probe = copy.copy(field)
            probe.disabled = False  # a disabled field never reports a change
            posted = field.widget.value_from_datadict(self.data, self.files, key)
            if probe.has_changed(self.get_initial_for_field(field, name), posted):
                changed.append(name)
        return changed

    def _post_clean(self) -> None:
        # Model validation is the service's job; it reports onto this form.
        pass


# --- Other charges -------------------------------------------------------------------------------
class ChargeForm(forms.Form):
    period = PeriodField(
        help_text="The month it belongs to, as YYYY-MM. A month already billed gets it at "
        "once on a supplementary statement."
    )
    description = forms.CharField(
        max_length=200, help_text="What it is for: power backup, parking, damages…"
    )
    amount = _money(label="Amount (PKR)", charge=True)


class PaymentInstructionForm(forms.ModelForm):
    """A park's payment instructions (PSEB), its fields those of the service's input."""

    class Meta:
        model = PaymentInstruction
        fields = INSTRUCTION_FIELDS
        help_texts = {
            "iban": "24 characters: PK, 2 check digits, a 4-letter bank code, 16 digits. "
            "Spaces are fine.",
            "reference": "What a company writes on its transfer, so the park can match it.",
        }


class PaymentReceiveForm(forms.Form):
    """One payment received from a company at a park (issue 12 §6); ``expected`` carries the
    preview's fingerprint back with the confirmation."""

    company = ModelChoiceField(queryset=Company.objects.none(), empty_label="Choose a company")
    park = ModelChoiceField(queryset=Park.objects.none(), empty_label="Choose a park")
    amount = _money(label="Amount received (PKR)")
    paid_on = forms.DateField(widget=DateInput(), initial=timezone.localdate, label="Paid on")
    reference = forms.CharField(
        max_length=100, help_text="Bank transfer, cheque or deposit slip reference."
    )
    expected = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, companies: Any, parks: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies  # type: ignore[attr-defined]
        self.fields["park"].queryset = parks  # type: ignore[attr-defined]
