"""Billing run pages: start a run, follow its progress (PSEB staff only; anyone else: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.calendar import Period
from core.paging import IdsFirstPaginator
from core.vocabulary import RunStatus
from parks.models import Park
from stp_portal.forms import add_service_errors

from .. import services
from ..forms import BillingRunForm
from ..permissions import has_permission
from ..selectors import billing_runs_visible_to, statements_list
from .common import PER_PAGE, query_without_page


def _billing_staff(request: HttpRequest) -> None:
    if not has_permission("run_billing", request.user):
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def billing_run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _billing_staff(request)
    last_month = Period.of(timezone.localdate()).previous()
    form = BillingRunForm(request.POST or None, initial={"period": str(last_month)})
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            run = services.billing_run_start(
                user=request.user, period=period, park=form.cleaned_data["park"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            where = run.park.name if run.park else "all parks"
            messages.success(request, f"Billing run #{run.pk} started: {period}, {where}.")
            return redirect("subsidies:billing_run_detail", pk=run.pk)
    runs = billing_runs_visible_to(request.user).select_related("park", "requested_by")
    page = IdsFirstPaginator(runs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/billing_run_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@login_required
@require_GET
def billing_run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _billing_staff(request)
    run = get_object_or_404(
        billing_runs_visible_to(request.user).select_related("park", "requested_by"), pk=pk
    )
    statements = statements_list(request.user).filter(billing_run=run)
    page = IdsFirstPaginator(statements, 50).get_page(request.GET.get("page"))
    park_names = dict(
        Park.objects.filter(pk__in={e.get("park") for e in run.errors}).values_list("pk", "name")
    )
    errors = [
        {"park": park_names.get(e.get("park"), "—"), "error": e.get("error", "")}
        for e in run.errors
    ]
    return render(
        request,
        "subsidies/billing_run_detail.html",
        {
            "run": run,
            "page": page,
            "query": query_without_page(request),
            "errors": errors,
            "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        },
    )
