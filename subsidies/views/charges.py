"""The other charges of a lease: listed for those who see the lease; PSEB staff and the
park's managers record new ones (domain.md §6)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.money import format_pkr
from stp_portal.errors import Conflict
from stp_portal.forms import add_service_errors
from tenants.selectors import leases_visible_to

from .. import services
from ..forms import ChargeForm
from ..permissions import has_permission
from ..selectors import charges_list
from .common import one_message


def _recorded(recorded: services.ChargeRecorded) -> str:
    charge = recorded.charge
    message = (
        f"Charge “{charge.description}” of {format_pkr(charge.amount)} recorded "
        f"for {charge.period:%Y-%m}."
    )
    if (extra := recorded.supplementary_statement) is not None:
        message += (
            f" That month was already billed: it is billed now on supplementary "
            f"statement {extra.number}."
        )
    return message


@login_required
@require_http_methods(["GET", "POST"])
def lease_charges(request: AuthenticatedHttpRequest, lease_pk: int) -> HttpResponse:
    """A lease's other charges; PSEB staff and the park's managers record new ones."""
    lease = get_object_or_404(
        leases_visible_to(request.user).select_related("company", "park"), pk=lease_pk
    )
    can_record, reason = has_permission("record_charge", request.user, lease)
    if request.method == "POST" and not can_record:
        raise PermissionDenied(reason)
    form = ChargeForm(request.POST or None) if can_record else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            recorded = services.charge_record(user=request.user, lease=lease, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, one_message(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _recorded(recorded))
            return redirect("subsidies:lease_charges", lease_pk=lease.pk)
    charges = (
        charges_list(request.user)
        .filter(lease=lease)
        .select_related("created_by")
        .order_by("-period", "pk")
    )
    return render(
        request,
        "subsidies/lease_charges.html",
        {"lease": lease, "charges": charges, "form": form},
    )
