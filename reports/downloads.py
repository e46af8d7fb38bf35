"""A report's table as a CSV or XLSX file: the same rows and columns as the page, with the
report, the scope and the filters in its first rows and its file name."""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse
from django.http.response import HttpResponseBase

from stp_portal.exports import FORMATS, Format, table_download

from .frame import Report


def report_download(report: Report, *, fmt: str, table_name: str = "") -> HttpResponseBase:
    """``report``'s main table (or the one named ``table_name``) as ``fmt`` (csv, xlsx)."""
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            f"Unknown format {fmt!r}: ask for one of {', '.join(FORMATS)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    table = report.table_named(table_name)
    heading = [("Report", report.title)]
    if table.title and table is not report.table:
        heading.append(("Table", table.title))
    heading += [("Parks", report.scope.label), *report.filters.described()]
    name = report.name if table is report.table else f"{report.name}-{table_name}"
    return table_download(
        table, name=name, fmt=cast("Format", fmt), heading=heading, slug=report.filters.slug()
    )
