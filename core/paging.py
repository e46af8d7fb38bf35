"""Pages of a long list by number, reading only the ids the offset passes over (issue 9).

Django's paginator slices the whole query: for page 960 of 48,000 statements the database
builds every joined, annotated row before the offset and throws 47,950 away. Here the
page's ids come first, from the ordering's own index, and only those rows are read whole.
The API's cursor links need no offset at all (``stp_portal.api_requests.Pagination``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:  # Django's classes are generic to the type checker only
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class IdsFirstPaginator(_Paginator):
    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if not isinstance(rows, QuerySet) or bottom == 0:
            return Page(rows[bottom:top], number, self)
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        by_id = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
        return Page([by_id[pk] for pk in ids if pk in by_id], number, self)
