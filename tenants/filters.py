import django_filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from core.vocabulary import ApplicationStatus
from parks.filters import MAX_ID, as_id, filter_park_reference
from parks.models import Park

from .models import Application, Lease


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id filter: a whole number within the database's range, else a 400."""

    # The stubs type NumberFilter.field_class as DecimalField; an id is a whole number.
    field_class = forms.IntegerField  # type: ignore[assignment]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ApplicationFilter(django_filters.FilterSet):
    """The review queue's filters, shared by the page and the API."""

    q = django_filters.CharFilter(method="search", label="Search")
    park: django_filters.Filter = django_filters.ModelChoiceFilter(
        queryset=Park.objects.all(), to_field_name="code", empty_label="Any park"
    )
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices, empty_label="Any")
    city = django_filters.CharFilter(
        field_name="park__city", lookup_expr="iexact", label="Park city"
    )
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label="Submitted from"
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label="Submitted until"
    )

    class Meta:
        model = Application
        fields = ["q", "park", "status", "city", "submitted_after", "submitted_before"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        condition = Q(company__name__icontains=value) | Q(business_plan__icontains=value)
        if (pk := as_id(value)) is not None:
            condition |= Q(pk=pk)
        return queryset.filter(condition)


class LeaseFilter(django_filters.FilterSet):
    park = django_filters.ModelChoiceFilter(
        queryset=Park.objects.all(), to_field_name="code", empty_label="Any park"
    )
    company = django_filters.CharFilter(field_name="company__name", lookup_expr="icontains")

    class Meta:
        model = Lease
        fields = ["park", "company"]


class ApplicationApiFilter(ApplicationFilter):
    park = django_filters.CharFilter(method=filter_park_reference, help_text="Park id or code.")
    company = IdFilter(field_name="company_id")

    class Meta(ApplicationFilter.Meta):
        fields = [*ApplicationFilter.Meta.fields, "company"]


class LeaseApiFilter(django_filters.FilterSet):
    park = django_filters.CharFilter(method=filter_park_reference, help_text="Park id or code.")
    company = IdFilter(field_name="company_id")

    class Meta:
        model = Lease
        fields = ["park", "company"]
