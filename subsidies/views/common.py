"""What the billing pages share: the page size, the query string of a paginated list, and a
service's refusal as one message."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest

PER_PAGE = 25


def query_without_page(request: HttpRequest) -> str:
    """The list's query string (its filters) without the page number, for the pager."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def one_message(error: ValidationError) -> str:
    """A service error as one sentence, each distinct message once."""
    return " ".join(dict.fromkeys(error.messages))
