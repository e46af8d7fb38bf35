"""Pages of a long list by number, reading only the ids the offset passes over (issue 9).

Django's paginator slices the whole query: for page 960 of 48,000 statements the database
builds every joined, annotated row before the offset and throws 47,950 away. Here the
page's ids come first, from the ordering's own index, and only those rows are read whole.
The API's cursor links need no offset at all (``stp_portal.api_requests.Pagination``).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class IdsFirstPaginator(Paginator):
    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if not isinstance(rows, QuerySet) or bottom == 0:
            return self._get_page(rows[bottom:top], number, self)
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        by_id = {row.pk: row for row in rows.filter(pk__in=ids).order_by()}
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)
