"""How the API reads requests: its JSON parser and its pagination (api.md conventions).

Kept apart from ``stp_portal.api`` because DRF loads these classes from its settings while
``rest_framework.views`` is being imported: this module must not import that.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import parsers, serializers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.paging import IdsFirstPaginator

from .security import client_ip

if TYPE_CHECKING:  # only for annotations: importing it here would be circular (see above)
    from django.core.paginator import Page
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


# A cursor holds a position, plain JSON: the ordering fields' values in the row it follows. One
# the API did not give points nowhere in the list (404, like a page after the last).
CURSOR_PROBLEM = "There is no such position in this list. Start again from the first page."


def _keyset(order: list[tuple[str, bool]], values: list[Any], *, before: bool) -> Q:
    """Rows after (or before) the row with these ``values`` in ``order`` ((field,
    descending) pairs): the first field past it, or equal and the next past it, and so on.
    An index on the ordering serves it, however deep the position."""
    condition = Q(pk__in=[])
    equal = Q()
    for (field, descending), value in zip(order, values, strict=True):
        lookup = "lt" if descending != before else "gt"
        condition |= equal & Q(**{f"{field}__{lookup}": value})
        equal &= Q(**{field: value})
    # The first field's bound, said once more on its own: the index scan starts there
    # instead of at the top of the list (the OR above is not a range the planner can seek).
    (first, descending), value = order[0], values[0]
    return Q(**{f"{first}__{'lte' if descending != before else 'gte'}": value}) & condition


class Pagination(PageNumberPagination):
    """Lists come in pages of ``PAGE_SIZE`` (``page_size`` asks for 1 to ``max_page_size``),
    with ``count``, the total, exact.

    ``next`` and ``previous`` are cursor links: the position of the last (or first) row,
    read through an index however deep the list, so walking a national list page by page
    costs the same on its last page as on its first (api.md). ``?page=N`` is still served,
    counted from the start. A page that is not a whole number from 1 is bad input on the
    ``page`` field (400), as for any other query parameter; a page after the last is not
    there (404, saying which page is the last): which pages exist depends on the data, not
    on the request's shape."""

    last_page_strings = ()  # ?page=last is not part of the contract: pages are numbers
    django_paginator_class = IdsFirstPaginator  # a deep ?page=N reads ids to its offset only
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self.request = self.asked = request
        self._check_page_size(request)
        cursor = request.query_params.get(self.cursor_query_param)
        text = request.query_params.get(self.page_query_param)
        self.order = self._order_of(queryset)
        if self.order is not None:
            queryset = queryset.order_by(*(("-" if d else "") + f for f, d in self.order))
        self.cursor_rows: list[Any] | None = None
        if cursor is not None:
            return self._rows_at_cursor(queryset, cursor)
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

    def _check_page_size(self, request: Request) -> None:
        size = request.query_params.get(self.page_size_query_param)
        if size is not None and not (
            size.isascii()
            and size.isdigit()
            and len(size) < 5
            and 1 <= int(size) <= self.max_page_size
        ):
            raise serializers.ValidationError(
                {self.page_size_query_param: [f"Ask for 1 to {self.max_page_size} rows a page."]}
            )

    @staticmethod
    def _order_of(queryset: QuerySet[Any]) -> list[tuple[str, bool]] | None:
        """The list's order as (field, descending) pairs, ending with the primary key so that
        no two rows share a position; None if the order is not plain fields."""
        names = list(queryset.query.order_by or queryset.model._meta.ordering)
        if not all(
            isinstance(n, str) and n.lstrip("-").replace("__", "").isidentifier() for n in names
        ):
            return None
        order = [(n.lstrip("-"), n.startswith("-")) for n in names]
        if not any(field in ("pk", "id") for field, _ in order):
            order.append(("pk", order[-1][1] if order else False))
        return order

    def _position(self, row: Any, *, before: bool) -> str | None:
        """The cursor of the rows after (or before) a row: its values of the ordering fields
        (full precision: a datetime keeps its microseconds), or None if one is null."""
        values = []
        for field, _ in self.order or []:
            value: Any = row
            for part in field.split("__"):
                value = getattr(value, part)
            if value is None:
                return None
            values.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
        payload = json.dumps({"before" if before else "after": values})
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    def _rows_at_cursor(self, queryset: QuerySet[Any], cursor: str) -> list[Any]:
        if self.order is None:
            raise NotFound(CURSOR_PROBLEM)
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            position = json.loads(text)
            if not (isinstance(position, dict) and len(position) == 1):
                raise ValueError(cursor)
            ((side, values),) = position.items()
            before = side == "before"
            if side not in ("before", "after") or not isinstance(values, list):
                raise ValueError(cursor)
            if len(values) != len(self.order) or not all(isinstance(v, str) for v in values):
                raise ValueError(cursor)
            size = self.get_page_size(self.asked) or 1
            self.count = queryset.count()
            rows = queryset.filter(_keyset(self.order, values, before=before))
            if before:
                rows = rows.reverse()
            page = list(rows[: size + 1])
        except (
            ValueError,
            TypeError,
            UnicodeDecodeError,
            DjangoValidationError,
            binascii.Error,
        ) as exc:
            raise NotFound(CURSOR_PROBLEM) from exc
        more = len(page) > size
        page = page[:size]
        if before:
            page.reverse()
        self.cursor_rows = page
        self.more_before = more if before else True
        self.more_after = True if before else more
        return page

    def _cursor_link(self, row: Any, *, before: bool) -> str | None:
        position = self._position(row, before=before)
        if position is None:
            return None
        url = remove_query_param(self.asked.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, position)

    def get_next_link(self) -> str | None:
        if self.cursor_rows is not None:
            rows, more = self.cursor_rows, self.more_after
        else:
            page = cast("Page[Any]", self.page)  # paginate_queryset ran
            rows, more = list(page), page.has_next()
        if not (more and rows):
            return None
        link = self._cursor_link(rows[-1], before=False)
        return link if link is not None else super().get_next_link()

    def get_previous_link(self) -> str | None:
        if self.cursor_rows is None:
            return super().get_previous_link()
        if not (self.more_before and self.cursor_rows):
            return None
        return self._cursor_link(self.cursor_rows[0], before=True)

    def get_paginated_response(self, data: Any) -> Response:
        if self.cursor_rows is not None:
            count = self.count
        else:
            count = cast("Page[Any]", self.page).paginator.count  # paginate_queryset ran
        return Response(
            {
                "count": count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        page, size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1}
        page["description"] = (
            "A page number, from 1 (400 otherwise). A page after the last answers 404."
        )
        size["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        size["description"] = f"Rows a page, 1 to {self.max_page_size} (default {self.page_size})."
        cursor = {
            "name": self.cursor_query_param,
            "required": False,
            "in": "query",
            "description": "The position a `next` or `previous` link gives (opaque; it "
            "wins over `page`). A cursor the API did not give answers 404.",
            "schema": {"type": "string"},
        }
        return [page, size, cursor]


class AddressThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting by the portal's one client-address rule
    (``stp_portal.security.client_ip``) rather than DRF's own reading of X-Forwarded-For."""

    def get_ident(self, request: Request) -> str:
        return client_ip(request)
