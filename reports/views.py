"""The report pages (domain.md §7): the overview at /reports/ and one page per report, for
PSEB (every park) and park managers (their parks); anyone else gets 404. Each page, its CSV
and XLSX files (``?format=csv|xlsx``, ``&table=<name>`` for a table under the main one) and
the API render the one ``frame.Report`` its builder answers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from core.tables import Table

from . import overview as programme
from .downloads import report_download
from .forms import ReportFilterForm
from .frame import Report, ReportFilters, report_parks, report_scope
from .registry import REPORTS

ROWS_PER_PAGE = 100  # the main table's page; the files hold every row
ROWS_SHOWN = 50  # the tables under it show their first rows; the files hold every row


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """PSEB's programme overview (a manager's: their parks): a card per headline figure,
    each linking to its report."""
    report_parks(request.user)  # 404 for anyone who reads no report
    filters = ReportFilters.default()
    scope = report_scope(request.user, filters)
    return render(
        request,
        "reports/overview.html",
        {
            "cards": programme.cards(scope, filters),
            "scope": scope,
            "filters": filters,
            "reports": REPORTS.values(),
        },
    )


def _table_page(table: Table, number: str | None) -> Any:
    return Paginator(list(table.rows), ROWS_PER_PAGE).get_page(number)


@login_required
@require_GET
def report_page(request: AuthenticatedHttpRequest, name: str) -> HttpResponseBase:
    spec = REPORTS.get(name)
    if spec is None:
        raise Http404("No such report.")
    report_parks(request.user)  # 404 before reading anything
    form = ReportFilterForm(request.GET, user=request.user, spec=spec)
    if not form.is_valid():
        return render(
            request,
            "reports/report.html",
            {"spec": spec, "form": form, "report": None, "reports": REPORTS.values()},
            status=400,
        )
    filters = form.filters()
    report = spec.build(report_scope(request.user, filters), filters)
    fmt = request.GET.get("format", "")
    if fmt:
        return report_download(report, fmt=fmt, table_name=request.GET.get("table", ""))
    query = request.GET.copy()
    for key in ("page", "format", "table"):
        query.pop(key, None)
    return render(
        request,
        "reports/report.html",
        {
            "spec": spec,
            "form": form,
            "report": report,
            "page": _table_page(report.table, request.GET.get("page")),
            "tables": [
                (key, table, rows[:ROWS_SHOWN], len(rows))
                for key, table in report.tables.items()
                for rows in [list(table.rows)]
            ],
            "query": query.urlencode(),
            "reports": REPORTS.values(),
        },
    )


def report_for(request: HttpRequest, name: str) -> Report:
    """A report as the caller's scope and the default filters give it (dashboards)."""
    filters = ReportFilters.default()
    return REPORTS[name].build(report_scope(request.user, filters), filters)
