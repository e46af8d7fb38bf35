from typing import cast

import django_filters
from django import forms
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from core.vocabulary import StatementStatus
from parks.models import Park
from tenants.filters import IdFilter, filter_park_reference

from .forms import PeriodField
from .models import BillingRun, Charge, Payment, Statement
from .selectors import statements_of_status
from .serializers import PERIOD_SCHEMA


class StatusFilter(django_filters.ChoiceFilter):
    """A statement status, filtered on the stored balance and due date
    (``selectors.statements_of_status``) rather than on the annotated status, so an index
    serves it."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("choices", StatementStatus.choices)
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in (None, ""):
            return qs
        return statements_of_status(qs, value)


# --- Page filters (statements list and its CSV export) -------------------------------------------
@extend_schema_field(PERIOD_SCHEMA)
class PeriodFilter(django_filters.Filter):
    """A month written YYYY-MM, matched against a period stored as its first day (pages and
    API; a bad month is a form error, so a 400 in the API)."""

    field_class = PeriodField
    field_name: str  # narrower than Filter's: every period filter here is given its field

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in (None, ""):
            return qs
        return qs.filter(**{self.field_name: value.first})


class StatementFilter(django_filters.FilterSet):
    """Filters of the statements page, applied to a queryset already scoped to the user.

    ``status`` is the status ``selectors.with_balance`` shows (``StatusFilter``); the park and
    company choices offered come from the user's own statements, so they leak nothing.
    """

    period = PeriodFilter(field_name="period", label="Period (YYYY-MM)")
    park = django_filters.ModelChoiceFilter(
        queryset=Park.objects.none(), to_field_name="code", empty_label="Any park", label="Park"
    )
    company = django_filters.CharFilter(
        field_name="company__name", lookup_expr="icontains", label="Company"
    )
    # One company exactly, for links from a lease or a company (the name search above may
    # match several companies); kept as a hidden field of the filter form.
    company_id = IdFilter(field_name="company_id", widget=forms.HiddenInput)
    status = StatusFilter(empty_label="Any status", label="Status")

    # Narrower than FilterSet's: its __init__ defaults a missing queryset to all statements.
    queryset: QuerySet[Statement]

    class Meta:
        model = Statement
        fields = ["period", "park", "company", "company_id", "status"]

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        scoped = self.queryset
        cast(django_filters.ModelChoiceFilter, self.filters["park"]).queryset = Park.objects.filter(
            pk__in=scoped.order_by().values("park")
        ).order_by("name")
        if user is not None and user.is_company_user:
            # A company sees its own statements only: naming a company filters nothing.
            del self.filters["company"]
            del self.filters["company_id"]


class PaymentFilter(django_filters.FilterSet):
    """Filters of the payments page: the statement's park and period, the day paid."""

    park = django_filters.ModelChoiceFilter(
        field_name="statement__park",
        queryset=Park.objects.none(),
        to_field_name="code",
        empty_label="Any park",
        label="Park",
    )
    period = PeriodFilter(field_name="statement__period", label="Period (YYYY-MM)")
    paid_after = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="gte", label="Paid from"
    )
    paid_before = django_filters.DateFilter(
        field_name="paid_on", lookup_expr="lte", label="Paid until"
    )

    queryset: QuerySet[Payment]

    class Meta:
        model = Payment
        fields = ["park", "period", "paid_after", "paid_before"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The parks offered: those of the user's own payments, so they leak nothing.
        cast(django_filters.ModelChoiceFilter, self.filters["park"]).queryset = Park.objects.filter(
            pk__in=self.queryset.order_by().values("statement__park")
        ).order_by("name")


# --- API filters (api.md): parks by id or code, companies and leases by id -----------------------


class ChargeApiFilter(django_filters.FilterSet):
    lease = IdFilter(field_name="lease_id")
    period = PeriodFilter(field_name="period", exact=True)

    class Meta:
        model = Charge
        fields = ["lease", "period"]


class BillingRunApiFilter(django_filters.FilterSet):
    """A month's runs, or a park's: what statements are filtered by too."""

    period = PeriodFilter(field_name="period", exact=True)
    park = django_filters.CharFilter(method=filter_park_reference, help_text="Park id or code.")

    class Meta:
        model = BillingRun
        fields = ["period", "park"]


class StatementApiFilter(BillingRunApiFilter):
    """``status`` is the status ``selectors.with_balance`` shows (``StatusFilter``)."""

    company = IdFilter(field_name="company_id")
    status = StatusFilter()

    class Meta:
        model = Statement
        fields = ["period", "park", "company", "status"]
