"""How the API reads requests: its JSON parser and its pagination (api.md conventions).

Kept apart from ``stp_portal.api`` because DRF loads these classes from its settings while
``rest_framework.views`` is being imported: this module must not import that.
"""

from __future__ import annotations

from rest_framework import parsers, serializers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import PageNumberPagination


class JSONParser(parsers.JSONParser):
    """DRF's parser, but JSON nested deeper than Python can decode is bad input (400), not a
    RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc


class Pagination(PageNumberPagination):
    """Lists come in pages of ``PAGE_SIZE``; a page that is not there is bad input on the
    ``page`` field (400), as for any other query parameter, not a missing resource."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            text = request.query_params.get(self.page_query_param, "")
            if not (text.isascii() and text.isdigit()) or int(text) < 1:
                message = "Write the page as a whole number, from 1."
            else:
                pages = self.django_paginator_class(queryset, self.get_page_size(request))
                message = f"There is no page {text}: the last page is {pages.num_pages}."
            raise serializers.ValidationError({self.page_query_param: [message]}) from exc
