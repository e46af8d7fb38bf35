import django_filters

from core.vocabulary import ParkStatus, Province, Tier, UnitKind, UnitStatus

from .models import Park, Unit


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
    park = django_filters.CharFilter(method="filter_park", help_text="Park id or code.")
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    status = django_filters.ChoiceFilter(choices=UnitStatus.choices)

    class Meta:
        model = Unit
        fields = ["park", "kind", "status"]

    def filter_park(self, queryset, name: str, value: str):
        from tenants.filters import filter_park_reference

        return filter_park_reference(queryset, name, value)
