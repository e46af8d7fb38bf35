"""A payment received, allocated across a company's statements (issue 12 §6); receipts and
their PDFs; the parks' payment instructions (PSEB edits, park managers read)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.money import format_pkr
from parks.selectors import parks_managed_by, parks_visible_to
from stp_portal.downloads import pdf_download
from stp_portal.errors import Conflict
from stp_portal.forms import add_service_errors
from tenants.selectors import companies_visible_to

from .. import services
from ..forms import PaymentInstructionForm, PaymentReceiveForm
from ..permissions import ensure, has_permission
from ..selectors import payment_instructions_visible_to, receipt_detail, statements_visible_to
from .common import one_message


# --- Receipts -------------------------------------------------------------------------------------
@login_required
@require_GET
def receipt_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(receipt_detail(request.user), pk=pk)
    return render(
        request,
        "subsidies/receipt_detail.html",
        {"receipt": receipt, "payments": list(receipt.payments.all())},
    )


@login_required
@require_GET
def receipt_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Rendered when asked (nothing stored): a receipt never changes."""
    from ..pdf import renderer  # WeasyPrint: loaded only when a PDF is asked for

    receipt = get_object_or_404(receipt_detail(request.user), pk=pk)
    return pdf_download(BytesIO(renderer().render_receipt(receipt)), f"{receipt.number}.pdf")


# --- One payment, allocated oldest first ----------------------------------------------------------
def _receiver(request: HttpRequest) -> None:
    """PSEB staff and park managers record payments; anyone else does not see the page."""
    user = request.user
    if not (user.is_authenticated and (user.is_pseb_staff or user.is_park_manager)):
        raise Http404("No such page.")


def _receive_form(request: AuthenticatedHttpRequest, data: Any = None) -> PaymentReceiveForm:
    """The form with the companies that owe something in the user's parks, and those parks."""
    owing = statements_visible_to(request.user).filter(outstanding__gt=0)
    companies = (
        companies_visible_to(request.user)
        .filter(pk__in=owing.values("company_id"))
        .order_by("name")
    )
    parks = parks_managed_by(request.user).order_by("name")
    initial = {k: request.GET[k] for k in ("company", "park") if request.GET.get(k)}
    return PaymentReceiveForm(data, initial=initial, companies=companies, parks=parks)


@login_required
@require_http_methods(["GET", "POST"])
def payment_receive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Record one payment from a company at a park: first a preview of its allocation (which
    statements, how much each, what is left), then the confirmation, which the service
    checks again under lock (a stale preview is refused and shown again)."""
    _receiver(request)
    if request.method == "GET":
        form = _receive_form(request)
        return render(request, "subsidies/payment_receive.html", {"form": form})
    form = _receive_form(request, request.POST)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        confirming = request.POST.get("action") == "confirm" and data["expected"]
        try:
            ensure("receive_payment", request.user, data["park"])
            if confirming:
                received = services.payment_receive(
                    user=request.user,
                    company=data["company"],
                    park=data["park"],
                    amount=data["amount"],
                    paid_on=data["paid_on"],
                    reference=data["reference"],
                    expected=data["expected"],
                )
                messages.success(
                    request,
                    f"Receipt {received.receipt.number} issued for {format_pkr(data['amount'])} "
                    f"from {data['company'].name}; it is e-mailed to the company's owners.",
                )
                return redirect("subsidies:receipt_detail", pk=received.receipt.pk)
            preview = services.payment_allocation_preview(
                user=request.user, company=data["company"], park=data["park"], amount=data["amount"]
            )
        except Conflict as exc:
            messages.error(request, one_message(exc))
            preview = _fresh_preview(request, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            preview = None
        if preview is not None:
            context["preview"] = preview
            # The confirmation carries the fingerprint of what the preview showed.
            posted = request.POST.copy()
            posted["expected"] = preview.fingerprint
            form.data = posted
    return render(request, "subsidies/payment_receive.html", context)


def _fresh_preview(request: AuthenticatedHttpRequest, form: PaymentReceiveForm) -> Any:
    """After a stale confirmation: the allocation as it stands now, if there still is one."""
    data = form.cleaned_data
    try:
        return services.payment_allocation_preview(
            user=request.user, company=data["company"], park=data["park"], amount=data["amount"]
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


# --- Payment instructions -------------------------------------------------------------------------
@login_required
@require_GET
def payment_instruction_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_permission("read_payment_instructions", request.user):
        raise Http404("No such page.")
    instructions = {i.park_id: i for i in payment_instructions_visible_to(request.user)}
    parks = parks_visible_to(request.user).order_by("name")
    rows = [(park, instructions.get(park.pk)) for park in parks]
    return render(
        request,
        "subsidies/payment_instruction_list.html",
        {"rows": rows, "can_edit": has_permission("manage_payment_instructions", request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def payment_instruction_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if not has_permission("read_payment_instructions", request.user):
        raise Http404("No such page.")
    park = get_object_or_404(parks_visible_to(request.user), code=code)
    ensure("manage_payment_instructions", request.user, park)
    instruction = payment_instructions_visible_to(request.user).filter(park=park).first()
    form = PaymentInstructionForm(request.POST or None, instance=instruction)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_instruction_save(
                user=request.user,
                park=park,
                data=services.InstructionInput(
                    **{name: form.cleaned_data[name] for name in services.INSTRUCTION_FIELDS}
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The payment instructions of {park.name} are saved.")
            return redirect("subsidies:payment_instruction_list")
    return render(
        request,
        "subsidies/payment_instruction_form.html",
        {"form": form, "park": park, "instruction": instruction},
    )
