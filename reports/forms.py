"""The §7 filters of a report, read from a query string by its page and its API alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from core.calendar import Period, date_problem
from core.vocabulary import ParkStatus, Province, Tier
from stp_portal.forms import DateInput

from .frame import ReportFilters, ReportSpec, park_choices

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

ANY = [("", "Any")]


class PeriodField(forms.CharField):
    """A billing period written ``YYYY-MM``."""

    def to_python(self, value: Any) -> Period | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None


class ReportFilterForm(forms.Form):
    """as_of, park, province, tier, status (every report), and ``from``/``to`` periods or
    ``months`` where the report takes them. Unknown keys (``format``, ``page``) are ignored."""

    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=DateInput(),
        help_text="Figures as on this date (default: today).",
    )
    park = forms.ChoiceField(required=False)
    province = forms.ChoiceField(choices=[*ANY, *Province.choices], required=False)
    tier = forms.ChoiceField(choices=[*ANY, *Tier.choices], required=False)
    status = forms.ChoiceField(
        label="Park status", choices=[*ANY, *ParkStatus.choices], required=False
    )

    def __init__(self, data: Any, *, user: User | AnonymousUser, spec: ReportSpec) -> None:
        super().__init__(data)
        self.spec = spec
        park = cast("forms.ChoiceField", self.fields["park"])
        park.choices = [("", "All"), *park_choices(user)]
        if spec.periods:
            self.fields["from"] = PeriodField(label="From (YYYY-MM)", required=False)
            self.fields["to"] = PeriodField(label="To (YYYY-MM)", required=False)
        if spec.months:
            self.fields["months"] = forms.IntegerField(
                label="Months of history", required=False, min_value=0, max_value=24
            )

    def clean_as_of(self) -> Any:
        day = self.cleaned_data.get("as_of")
        if day is not None and (problem := date_problem(day)):
            raise forms.ValidationError(problem)
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", "The last month must not be before the first.")
        return data

    def filters(self) -> ReportFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return ReportFilters(
            as_of=data.get("as_of") or timezone.localdate(),
            park=data.get("park") or "",
            province=data.get("province") or "",
            tier=data.get("tier") or "",
            status=data.get("status") or "",
            period_from=data.get("from"),
            period_to=data.get("to"),
            months=data.get("months") or (12 if self.spec.months else 0),
        )
