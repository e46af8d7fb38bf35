"""The payments list: money received against the statements a user may see (PSEB all, a
park manager their parks', a company its own), filtered, with its CSV and XLSX files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from core.paging import IdsFirstPaginator
from stp_portal.exports import Format, download_links, list_download

from ..filters import PaymentFilter
from ..permissions import has_permission
from ..selectors import payments_list
from ..tables import PAYMENT_COLUMNS, columns_for, payment_table
from .common import PER_PAGE, query_without_page


def _payment_filter(request: HttpRequest) -> PaymentFilter:
    return PaymentFilter(request.GET, queryset=payments_list(request.user))


@login_required
@require_GET
def payment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    payment_filter = _payment_filter(request)
    rows = payment_filter.qs if payment_filter.is_valid() else payment_filter.queryset.none()
    page = IdsFirstPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    context = {
        "filter": payment_filter,
        "page": page,
        "query": query,
        "columns": columns_for(PAYMENT_COLUMNS, company_user=request.user.is_company_user),
        "downloads": download_links("subsidies:payment_export", query),
        # Staff who receive money see the way to record it, and where tenants pay.
        "can_receive": request.user.is_pseb_staff or request.user.is_park_manager,
        "can_read_instructions": bool(has_permission("read_payment_instructions", request.user)),
    }
    return render(request, "subsidies/payment_list.html", context)


@login_required
@require_GET
def payment_export(request: AuthenticatedHttpRequest, fmt: Format) -> HttpResponseBase:
    """The payments list as CSV or XLSX: the page's filters, every page of it."""
    payment_filter = _payment_filter(request)
    if not payment_filter.is_valid():
        return redirect(f"{reverse('subsidies:payment_list')}?{query_without_page(request)}")
    table = payment_table(payment_filter.qs, company_user=request.user.is_company_user)
    return list_download(table, payment_filter, name="payments", report="Payments", fmt=fmt)
