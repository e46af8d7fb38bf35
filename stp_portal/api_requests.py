"""How the API reads requests: its JSON parser and its pagination (api.md conventions).

Kept apart from ``stp_portal.api`` because DRF loads these classes from its settings while
``rest_framework.views`` is being imported: this module must not import that.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import parsers, serializers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from .security import client_ip

if TYPE_CHECKING:  # only for annotations: importing it here would be circular (see above)
    from rest_framework.views import APIView


class JSONParser(parsers.JSONParser):
    """DRF's parser, but JSON nested deeper than Python can decode is bad input (400), not a
    RecursionError (500)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, but a filter given with no value (``?period=``) is bad input
    (400) like any other value the filter does not take, not a filter left out: the schema
    says what each filter takes, and an empty value is none of them."""

    def filter_queryset(self, request: Any, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            empty = {
                name: ["Give a value, or leave this filter out."]
                for name in filterset_class.base_filters
                if any(not value.strip() for value in request.query_params.getlist(name))
            }
            if empty:
                raise serializers.ValidationError(empty)
        return super().filter_queryset(request, queryset, view)


class Pagination(PageNumberPagination):
    """Lists come in pages of ``PAGE_SIZE``. A page that is not a whole number from 1 is bad
    input on the ``page`` field (400), as for any other query parameter; a page after the
    last is not there (404, saying which page is the last): which pages exist depends on the
    data, not on the request's shape."""

    last_page_strings = ()  # ?page=last is not part of the contract: pages are numbers

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        text = request.query_params.get(self.page_query_param)
        # Digits with one that is not 0: no int() here, which refuses (500) over 4,300 digits.
        if text is not None and not (text.isascii() and text.isdigit() and text.strip("0")):
            raise serializers.ValidationError(
                {self.page_query_param: ["Write the page as a whole number, from 1."]}
            )
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            # DRF looks for a page (and misses it) only when there is a page size.
            pages = self.django_paginator_class(queryset, self.get_page_size(request) or 1)
            raise NotFound(f"There is no page {text}: the last page is {pages.num_pages}.") from exc

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        (page,) = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1}
        page["description"] = (
            "A page number, from 1 (400 otherwise). A page after the last answers 404."
        )
        return [page]


class AddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting by the portal's one client-address rule
    (``stp_portal.security.client_ip``) rather than DRF's own reading of X-Forwarded-For."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request)
