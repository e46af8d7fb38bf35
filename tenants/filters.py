import django_filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from core.vocabulary import ApplicationStatus
from parks.filters import MAX_ID, as_id, filter_park_reference
from parks.models import Park
from stp_portal.forms import DateInput

from .models import Application, Lease
from .tables import sort_choices


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


class CheckedField(forms.NullBooleanField):
    """A checkbox filter: True when ticked, None (no filter said) when not."""

    def to_python(self, value: object) -> bool | None:  # type: ignore[override]
        return True if super().to_python(value) else None


class CheckedFilter(django_filters.BooleanFilter):
    field_class = CheckedField


class ApplicationQueueFilter(ApplicationFilter):
    """The review queue page's filters (issue 12 §8): those of the list, with date pickers,
    drafts hidden from PSEB staff and park managers unless asked for ("Show drafts", or the
    draft status chosen; a company always sees its own), and a whitelisted sort by any
    column (``?sort=company`` / ``?sort=-company``; anything else is the form's error, as a
    bad filter is)."""

    submitted_after = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        label="Submitted from",
        widget=DateInput(),
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__lte",
        label="Submitted until",
        widget=DateInput(),
    )
    drafts = CheckedFilter(
        method="keep_all",
        label="Show drafts",
        widget=forms.CheckboxInput,
    )
    sort = django_filters.ChoiceFilter(
        method="keep_all", choices=sort_choices, empty_label="Latest submitted first"
    )

    class Meta(ApplicationFilter.Meta):
        fields = [*ApplicationFilter.Meta.fields, "drafts", "sort"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        self.hides_drafts = user is not None and not getattr(user, "is_company_user", False)
        if not self.hides_drafts:
            self.filters.pop("drafts")

    def keep_all(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        # Read by filter_queryset (drafts) and the page's order (sort), not a row condition.
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if self.hides_drafts and not data.get("drafts") and data.get("status") != "draft":
            queryset = queryset.exclude(status=ApplicationStatus.DRAFT)
        return queryset


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
