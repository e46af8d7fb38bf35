"""Pages of leases: the list, a lease's page, and PSEB's termination."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from stp_portal.errors import Conflict
from stp_portal.exports import Format, download_links, list_download
from stp_portal.forms import add_service_errors

from .. import lifecycle, services
from ..filters import LeaseFilter
from ..forms import TerminationForm
from ..permissions import ensure
from ..selectors import applications_visible_to, leases_list, leases_visible_to
from ..tables import lease_table
from ._common import filtered_page, query_without_page


@login_required
@require_GET
def lease_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = filtered_page(request, LeaseFilter, leases_list(request.user))
    downloads = download_links("tenants:lease_export", page["query"])
    context = {**page, "today": timezone.localdate(), "downloads": downloads}
    return render(request, "tenants/lease_list.html", context)


@login_required
@require_GET
def lease_export(request: AuthenticatedHttpRequest, fmt: Format) -> HttpResponseBase:
    """The leases list as CSV or XLSX: the page's filters, every page of it, through the
    same scoped selector; each lease's status as of today."""
    row_filter = LeaseFilter(request.GET, queryset=leases_visible_to(request.user))
    if not row_filter.is_valid():
        return redirect(f"{reverse('tenants:lease_list')}?{query_without_page(request)}")
    table = lease_table(row_filter.qs, today=timezone.localdate())
    return list_download(table, row_filter, name="leases", report="Leases", fmt=fmt)


@login_required
@require_GET
def lease_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lease = get_object_or_404(leases_list(request.user).select_related("created_by"), pk=pk)
    # The application it came from, only if this user may see that too.
    application = applications_visible_to(request.user).filter(lease=lease).first()
    return render(
        request,
        "tenants/lease_detail.html",
        {"lease": lease, "today": timezone.localdate(), "application": application},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lease_terminate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lease = get_object_or_404(leases_list(request.user), pk=pk)
    ensure("terminate_lease", request.user, lease)
    form = TerminationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.lease_terminate(user=request.user, lease=lease, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("tenants:lease_detail", pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Lease #{lease.pk} terminated.")
            for note in ended.credit_notes_issued:
                messages.info(
                    request,
                    f"Credit note {note.number} issued on statement {note.statement.number}: "
                    f"PKR {note.amount:,.2f} billed for days after the new end date.",
                )
            return redirect("tenants:lease_detail", pk=pk)
    # Up to when billing has billed it: an end before that is credited at once.
    billed_through = lifecycle.billed_through(user=request.user, lease=lease)
    context = {"lease": lease, "form": form, "billed_through": billed_through}
    return render(request, "tenants/lease_terminate.html", context)
