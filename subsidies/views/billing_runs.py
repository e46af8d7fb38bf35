"""Billing run pages: preview a run, confirm it, follow its progress (PSEB staff only; anyone
else: 404). Issued statements never change, so a run is started only by confirming a
preview of what it would issue (issue 12 §7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.calendar import Period
from core.money import ZERO
from core.paging import IdsFirstPaginator
from core.vocabulary import RunStatus
from parks.models import Park
from stp_portal.forms import add_service_errors

from .. import services
from ..forms import BillingRunConfirmForm, BillingRunForm
from ..permissions import has_permission
from ..selectors import billing_run_totals, billing_runs_visible_to, statements_list
from .common import PER_PAGE, query_without_page


def _billing_staff(request: HttpRequest) -> None:
    if not has_permission("run_billing", request.user):
        raise Http404("No such page.")


def _last_month() -> dict[str, str]:
    return {"period": str(Period.of(timezone.localdate()).previous())}


@login_required
@require_http_methods(["GET", "POST"])
def billing_run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The runs, and the form that previews one; a POST here confirms a preview."""
    _billing_staff(request)
    if request.method == "POST":
        return _confirm(request)
    form = BillingRunForm(initial=_last_month())
    runs = billing_runs_visible_to(request.user).select_related("park", "requested_by")
    page = IdsFirstPaginator(runs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/billing_run_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@login_required
@require_GET
def billing_run_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What a run of the month (one park or all) would issue, per park: statements, gross,
    subsidy and net, computed without writing anything; and the button that confirms it."""
    _billing_staff(request)
    form = BillingRunForm(request.GET or None, initial=_last_month())
    return _preview_page(request, form)


def _preview_page(request: AuthenticatedHttpRequest, form: BillingRunForm) -> HttpResponse:
    preview = None
    if form.is_bound and form.is_valid():
        try:
            preview = services.billing_preview(
                user=request.user,
                period=form.cleaned_data["period"],
                park=form.cleaned_data["park"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    confirm = None
    if preview is not None:
        park = form.cleaned_data["park"]
        confirm = BillingRunConfirmForm(
            initial={
                "period": str(preview.period),
                "park": park.pk if park else "",
                "fingerprint": preview.fingerprint,
            }
        )
    return render(
        request,
        "subsidies/billing_run_preview.html",
        {"form": form, "preview": preview, "confirm": confirm},
    )


def _confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start the run previewed, if it would still issue exactly that; a post without a
    preview's fingerprint is sent to the preview first, and one whose run changed since
    sees the new preview."""
    form = BillingRunConfirmForm(request.POST)
    if not form.is_valid():
        return _preview_page(request, form)
    period, park = form.cleaned_data["period"], form.cleaned_data["park"]
    preview_url = (
        f"{reverse('subsidies:billing_run_preview')}?"
        f"{urlencode({'period': str(period), 'park': park.pk if park else ''})}"
    )
    if not form.cleaned_data["fingerprint"]:
        messages.info(request, "Check what the run would issue, then confirm it.")
        return redirect(preview_url)
    try:
        run = services.billing_run_confirm(
            user=request.user,
            period=period,
            park=park,
            fingerprint=form.cleaned_data["fingerprint"],
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "changed":
            messages.error(request, " ".join(exc.messages))
            return redirect(preview_url)
        add_service_errors(form, exc)
        return _preview_page(request, form)
    where = run.park.name if run.park else "all parks"
    messages.success(request, f"Billing run #{run.pk} started: {period}, {where}.")
    return redirect("subsidies:billing_run_detail", pk=run.pk)


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
    totals = billing_run_totals(run)
    overall = {
        "statements": sum(t.statements for t in totals),
        "gross": sum((t.gross for t in totals), ZERO),
        "subsidy": sum((t.subsidy for t in totals), ZERO),
        "net": sum((t.net for t in totals), ZERO),
    }
    return render(
        request,
        "subsidies/billing_run_detail.html",
        {
            "run": run,
            "page": page,
            "query": query_without_page(request),
            "errors": errors,
            "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "totals": totals,
            "overall": overall,
        },
    )
