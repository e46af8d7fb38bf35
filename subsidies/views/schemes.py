"""Subsidy scheme pages (PSEB staff edit; park managers read; anyone else: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from stp_portal.exports import Format, download_links, table_download
from stp_portal.forms import add_service_errors

from .. import services
from ..forms import SchemeForm
from ..permissions import ensure, has_permission
from ..selectors import scheme_applied_since, schemes_visible_to
from ..tables import scheme_table


def _scheme_reader(request: HttpRequest) -> None:
    if not has_permission("read_schemes", request.user):
        raise Http404("No such page.")


@login_required
@require_GET
def scheme_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _scheme_reader(request)
    schemes = (
        schemes_visible_to(request.user)
        .prefetch_related("parks")
        .annotate(statement_count=Count("statements"))
        .order_by("-valid_from", "name")
    )
    downloads = download_links("subsidies:scheme_export")
    return render(
        request, "subsidies/scheme_list.html", {"schemes": schemes, "downloads": downloads}
    )


@login_required
@require_GET
def scheme_export(request: AuthenticatedHttpRequest, fmt: Format) -> HttpResponseBase:
    """The subsidy schemes as CSV or XLSX, as the page lists them."""
    _scheme_reader(request)
    schemes = schemes_visible_to(request.user).order_by("-valid_from", "name")
    return table_download(
        scheme_table(schemes),
        name="schemes",
        fmt=fmt,
        heading=[("Report", "Subsidy schemes"), ("As of", f"{timezone.localdate():%Y-%m-%d}")],
        slug=f"asof-{timezone.localdate():%Y-%m-%d}",
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _scheme_reader(request)
    ensure("manage_schemes", request.user)
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(
                user=request.user, data=services.SchemeInput.build(form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Subsidy scheme “{scheme.name}” created.")
            return redirect("subsidies:scheme_list")
    return render(request, "subsidies/scheme_form.html", {"form": form, "scheme": None})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_visible_to(request.user), pk=pk)
    ensure("manage_schemes", request.user)
    applied = scheme.statements.count()
    # The service's own test of an applied scheme: it opened a subsidy window (a window's
    # statement carries no scheme once the window has ended, so statements alone undercount).
    locked_since = scheme_applied_since(scheme)
    form = SchemeForm(request.POST or None, instance=scheme, locked_since=locked_since)
    if request.method == "POST" and form.is_valid():
        data = services.SchemeInput.build(form.cleaned_data, scheme=scheme)
        try:
            services.scheme_update(user=request.user, scheme=scheme, data=data)
        except ValidationError as exc:  # a Conflict too: on the form only, said once
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Subsidy scheme “{data.name}” saved.")
            return redirect("subsidies:scheme_list")
    return render(
        request,
        "subsidies/scheme_form.html",
        {"form": form, "scheme": scheme, "applied": applied, "locked": form.locked},
    )
