"""Filters of the returns list (page and API, api.md): park, company, quarter, status."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field

from core.vocabulary import ReturnStatus
from parks.filters import filter_park_reference
from parks.models import Park
from tenants.filters import IdFilter
from tenants.selectors import leases_visible_to

from .forms import QuarterField
from .inputs import QUARTER_SCHEMA
from .models import OwedReturn, ProgressReturn
from .selectors import quarter_rows


@extend_schema_field(QUARTER_SCHEMA)
class QuarterFilter(django_filters.Filter):
    """Returns of one fiscal quarter, written ``2026-27 Q2``; ``exact`` (the API): only so."""

    field_class = QuarterField

    def __init__(self, *args: Any, exact: bool = False, **kwargs: Any) -> None:
        kwargs["exact"] = exact
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in (None, ""):
            return qs
        # By the quarter's id: on the owed-returns view only its own columns reach the join
        # inside it (returns.selectors.owed_returns).
        row = quarter_rows([value]).get(value)
        return qs.filter(quarter_id=row.pk) if row is not None else qs.none()


class StatusFilter(django_filters.ChoiceFilter):
    """§4a's status (due, filed, overdue), as ``returns.selectors.owed_returns`` annotates it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", ReturnStatus.choices)
        kwargs.setdefault("field_name", "status")
        super().__init__(*args, **kwargs)


class OwedReturnFilter(django_filters.FilterSet):
    """The returns page's filters, on returns already scoped to the user. The parks offered
    are those of the user's own returns; a company user gets no company filter (they see
    their own company's returns only)."""

    park = django_filters.ModelChoiceFilter(
        queryset=Park.objects.none(), to_field_name="code", empty_label="Any park", label="Park"
    )
    company = django_filters.CharFilter(
        field_name="company__name", lookup_expr="icontains", label="Company"
    )
    quarter = QuarterFilter(label="Quarter")
    status = StatusFilter(empty_label="Any status", label="Status")

    queryset: QuerySet[OwedReturn]

    class Meta:
        model = OwedReturn
        fields = ["park", "company", "quarter", "status"]

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The parks of the user's returns are those of the leases they may see (returns are
        # owed for leases): read from the leases, not from the owed-returns view.
        parks = leases_visible_to(user).values("park") if user is not None else Park.objects.none()
        cast(django_filters.ModelChoiceFilter, self.filters["park"]).queryset = Park.objects.filter(
            pk__in=parks
        ).order_by("name")
        if user is not None and user.is_company_user:
            del self.filters["company"]


class ProgressReturnApiFilter(django_filters.FilterSet):
    """api.md: ``park`` (id or code), ``company`` (id), ``quarter`` ("2026-27 Q2"),
    ``status`` (due, filed, overdue)."""

    park = django_filters.CharFilter(method=filter_park_reference, help_text="Park id or code.")
    company = IdFilter(field_name="company_id")
    quarter = QuarterFilter(exact=True)
    status = StatusFilter()

    class Meta:
        model = OwedReturn
        fields = ["park", "company", "quarter", "status"]


class ProgressReturnVersionApiFilter(ProgressReturnApiFilter):
    """The same filters on every filed version (``?versions=all``): each is ``filed``."""

    class Meta:
        model = ProgressReturn
        fields = ProgressReturnApiFilter.Meta.fields
