"""The §7 filters of a report, read from a query string by its page and its API alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from core.calendar import FiscalQuarter, Period, date_problem
from core.vocabulary import ParkStatus, Province, Tier
from returns.forms import QuarterField
from stp_portal.forms import DateInput

from .frame import ReportFilters, ReportSpec, park_choices
from .quarters import latest_quarter, quarter_problem

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
    """as_of, park, province, tier, status (every report), and ``from``/``to`` periods,
    ``months`` or ``quarter`` where the report takes them. Unknown keys (``format``,
    ``page``) are ignored."""

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
        # Every report validates every filter (the API's schema states them once for every
        # report, and a value the schema refuses is a 400 whichever report is asked for); a
        # page shows only those its report reads, and a problem with another above the form.
        self.fields["from"] = PeriodField(label="From (YYYY-MM)", required=False)
        self.fields["to"] = PeriodField(label="To (YYYY-MM)", required=False)
        self.fields["months"] = forms.IntegerField(
            label="Months of history", required=False, min_value=0, max_value=24
        )
        self.fields["quarter"] = QuarterField(
            exact=True,  # as the API's schema writes it (``QUARTER_PATTERN``)
            label="Quarter",
            required=False,
            help_text="A fiscal quarter, e.g. 2026-27 Q2 (default: the latest one over).",
        )
        unused = ([] if spec.periods else ["from", "to"]) + ([] if spec.months else ["months"])
        unused += [] if spec.quarters else ["quarter"]
        for name in unused:
            self.fields[name].widget = forms.HiddenInput()
            self.fields[name].label = f"{self.fields[name].label} (not used by this report)"

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
        quarter = data.get("quarter")
        as_of = data.get("as_of") or timezone.localdate()
        if self.spec.quarters and quarter and (problem := quarter_problem(quarter, as_of)):
            self.add_error("quarter", problem)
        return data

    def filters(self) -> ReportFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        as_of = data.get("as_of") or timezone.localdate()
        return ReportFilters(
            as_of=as_of,
            park=data.get("park") or "",
            province=data.get("province") or "",
            tier=data.get("tier") or "",
            status=data.get("status") or "",
            period_from=data.get("from") if self.spec.periods else None,
            period_to=data.get("to") if self.spec.periods else None,
            months=self._months(data.get("months")),
            quarter=self._quarter(data.get("quarter"), as_of),
        )

    def _months(self, asked: int | None) -> int:
        """The month-end series: as asked (0 for none), 12 by default, where it is read."""
        if not self.spec.months:
            return 0
        return 12 if asked is None else asked

    def _quarter(self, asked: FiscalQuarter | None, as_of: Any) -> FiscalQuarter | None:
        """The quarter reported: as asked, by default the latest one over on the as-of date,
        where it is read."""
        if not self.spec.quarters:
            return None
        return asked or latest_quarter(as_of)
