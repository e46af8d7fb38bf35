import django_filters
from django.db.models import QuerySet

from core.vocabulary import ParkStatus, Province, Tier, UnitKind, UnitStatus

from .models import Park, Unit

MAX_ID = 2**63 - 1  # the database's bigint: larger numbers are no id at all


def as_id(value: str) -> int | None:
    """A row id written in a filter or search box, or None when it cannot be one."""
    value = value.strip().lstrip("#")
    if value.isdigit() and len(value) <= 19 and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def filter_park_reference(queryset: QuerySet, name: str, value: str) -> QuerySet:
    """API filters name a park by its id or its code (units here; applications, leases and
    statements in the apps above)."""
    if (pk := as_id(value)) is not None:
        return queryset.filter(park_id=pk)
    return queryset.filter(park__code__iexact=value.strip())


class ParkFilter(django_filters.FilterSet):
    """Directory filters, shared by the page and the API (status, city, province, tier)."""

    status = django_filters.ChoiceFilter(choices=ParkStatus.choices, empty_label="Any status")
    city = django_filters.ChoiceFilter(choices=[], empty_label="Any city")
    province = django_filters.ChoiceFilter(choices=Province.choices, empty_label="Any province")
    tier = django_filters.ChoiceFilter(choices=Tier.choices, empty_label="Any tier")

    class Meta:
        model = Park
        fields = ["status", "city", "province", "tier"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cities = Park.objects.order_by("city").values_list("city", flat=True).distinct()
        self.filters["city"].extra["choices"] = [(c, c) for c in cities]


class UnitFilter(django_filters.FilterSet):
    """A park's units page: by kind and by status today (``parks.selectors.park_units``)."""

    kind = django_filters.ChoiceFilter(
        choices=UnitKind.choices, empty_label="Any kind", label="Kind"
    )
    status = django_filters.ChoiceFilter(
        choices=UnitStatus.choices, empty_label="Any status", label="Status"
    )

    class Meta:
        model = Unit
        fields: list[str] = []  # the declared filters; status is derived, not a column


class ParkApiFilter(django_filters.FilterSet):
    """API filters: free-text city (any city), the others as choices."""

    status = django_filters.ChoiceFilter(choices=ParkStatus.choices)
    city = django_filters.CharFilter(lookup_expr="iexact")
    province = django_filters.ChoiceFilter(choices=Province.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)

    class Meta:
        model = Park
        fields = ["status", "city", "province", "tier"]


class UnitApiFilter(django_filters.FilterSet):
    park = django_filters.CharFilter(method=filter_park_reference, help_text="Park id or code.")
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices)

    class Meta:
        model = Unit
        fields = ["park", "kind", "status"]
