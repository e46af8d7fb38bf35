"""What the tenant pages share: a filtered list page, and a service call told on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest

from core.paging import IdsFirstPaginator

T = TypeVar("T")


def filtered_page(
    request: HttpRequest,
    filter_class: type[django_filters.FilterSet],
    queryset: QuerySet[Any],
    *order_by: Any,
) -> dict[str, Any]:
    """The list page's context: the filter, the page of rows it keeps (none while the
    filter is invalid: its errors show instead), and the query to keep across pages."""
    row_filter = filter_class(request.GET, queryset=queryset, request=request)
    rows = row_filter.qs if row_filter.is_valid() else queryset.none()
    if order_by:
        rows = rows.order_by(*order_by)
    page: Page = IdsFirstPaginator(rows, 25).get_page(request.GET.get("page"))
    return {"filter": row_filter, "page": page, "query": query_without_page(request)}


def query_without_page(request: HttpRequest) -> str:
    """The list's filters, to keep across its pages and in its downloads."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def told(request: HttpRequest, call: Callable[[], T], done: Callable[[T], str]) -> bool:
    """Call a service: its refusal (``Conflict`` included: nothing changed) or what it did
    is said on the page. Answers whether it was done."""
    try:
        result = call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, done(result))
    return True
