"""Pages of statements, billing runs, subsidy schemes and other charges (domain.md §5–6).

Thin, like tenants/views.py: every object is looked up through a selector scoped to the user,
so anything outside their scope answers 404; a role that may see but not act gets 403; bad
input comes back on the form and changes nothing; a state conflict comes back as a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from core.calendar import Period
from core.vocabulary import RunStatus, StatementStatus
from parks.models import Park
from stp_portal.downloads import csv_download, csv_text, pdf_download
from stp_portal.errors import Conflict
from stp_portal.forms import add_service_errors
from tenants.selectors import leases_visible_to

from . import services
from .filters import StatementFilter
from .forms import BillingRunForm, ChargeForm, CreditNoteForm, PaymentForm, SchemeForm
from .models import Statement
from .permissions import has_permission
from .selectors import (
    billing_runs_visible_to,
    charges_list,
    no_subsidy_reason,
    scheme_applied_since,
    schemes_visible_to,
    statement_by_verification_token,
    statement_detail,
    statements_list,
    statements_visible_to,
)

PER_PAGE = 25


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _one_message(error: ValidationError) -> str:
    """A service error as one sentence, each distinct message once."""
    return " ".join(dict.fromkeys(error.messages))


# --- Statements ----------------------------------------------------------------------------------
def _statement_filter(request: HttpRequest) -> StatementFilter:
    return StatementFilter(request.GET, queryset=statements_list(request.user), user=request.user)


@login_required
@require_GET
def statement_list(request: HttpRequest) -> HttpResponse:
    statement_filter = _statement_filter(request)
    rows = statement_filter.qs if statement_filter.is_valid() else statement_filter.queryset.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = _query_without_page(request)
    return render(
        request,
        "subsidies/statement_list.html",
        {"filter": statement_filter, "page": page, "query": query},
    )


CSV_COLUMNS = (
    "number",
    "company",
    "park",
    "period",
    "issue_date",
    "due_date",
    "gross",
    "subsidy",
    "net_payable",
    "paid",
    "credited",
    "balance",
    "status",
)


def _csv_rows(statements: Iterable[Any]) -> Iterator[list[str]]:
    yield list(CSV_COLUMNS)
    for s in statements:
        yield [
            s.number,
            csv_text(s.company.name),
            csv_text(s.park.name),
            f"{s.period:%Y-%m}",
            s.issue_date.isoformat(),
            s.due_date.isoformat(),
            f"{s.gross:.2f}",
            f"{s.subsidy_total:.2f}",
            f"{s.net_payable:.2f}",
            f"{s.paid:.2f}",
            f"{s.credited:.2f}",
            f"{s.balance:.2f}",
            s.status,
        ]


@login_required
@require_GET
def statement_export(request: HttpRequest) -> HttpResponse:
    """The statements table as CSV, with the page's filters, through the same selector."""
    statement_filter = _statement_filter(request)
    if not statement_filter.is_valid():
        # The list shows what is wrong with the filters.
        return redirect(f"{reverse('subsidies:statement_list')}?{_query_without_page(request)}")
    return csv_download(_csv_rows(statement_filter.qs.iterator(chunk_size=2000)), "statements")


def _statement_page(
    request: HttpRequest,
    statement: Statement,
    *,
    payment_form: PaymentForm | None = None,
    credit_note_form: CreditNoteForm | None = None,
) -> HttpResponse:
    can_pay, _ = has_permission("record_payment", request.user, statement)
    can_credit, _ = has_permission("issue_credit_note", request.user, statement)
    creditable = statement.net_payable - statement.credited
    # Each form only while it can still do something: money owed, an amount left to credit.
    if not (can_pay and statement.balance > 0):
        payment_form = None
    elif payment_form is None:
        payment_form = PaymentForm()
    if not (can_credit and creditable > 0):
        credit_note_form = None
    elif credit_note_form is None:
        credit_note_form = CreditNoteForm()
    lines = list(statement.lines.all())
    return render(
        request,
        "subsidies/statement_detail.html",
        {
            "statement": statement,
            "lines": lines,
            "payments": statement.payments.all(),
            "credit_notes": statement.credit_notes.all(),
            "payment_form": payment_form,
            "credit_note_form": credit_note_form,
            "can_pay": can_pay,
            "creditable": creditable,
            "no_subsidy_reason": no_subsidy_reason(statement) if not statement.scheme_id else "",
        },
    )


@login_required
@require_GET
def statement_view(request: HttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(statement_detail(request.user), pk=pk)
    return _statement_page(request, statement)


def _statement_action(
    request: HttpRequest,
    pk: int,
    *,
    permission: str,
    form_class: type,
    form_name: str,
    act: Callable[..., Any],
    done: Callable[[Any, Statement], str],
) -> HttpResponse:
    """Payment and credit-note forms of the statement page: scope (404), role (403), the
    form's errors back on the page, a conflict as a message, success as a message."""
    statement = get_object_or_404(statement_detail(request.user), pk=pk)
    allowed, reason = has_permission(permission, request.user, statement)
    if not allowed:
        raise PermissionDenied(reason)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            made = act(user=request.user, statement=statement, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, _one_message(exc))
            return redirect("subsidies:statement_detail", pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done(made, statement))
            return redirect("subsidies:statement_detail", pk=pk)
    return _statement_page(request, statement, **{form_name: form})


@login_required
@require_POST
def statement_payment(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_action(
        request,
        pk,
        permission="record_payment",
        form_class=PaymentForm,
        form_name="payment_form",
        act=services.payment_record,
        done=lambda payment, statement: (
            f"Payment of PKR {payment.amount:,.2f} recorded against {statement.number}."
        ),
    )


@login_required
@require_POST
def statement_credit_note(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_action(
        request,
        pk,
        permission="issue_credit_note",
        form_class=CreditNoteForm,
        form_name="credit_note_form",
        act=services.credit_note_issue,
        done=lambda note, statement: (
            f"Credit note {note.number} of PKR {note.amount:,.2f} issued "
            f"against {statement.number}."
        ),
    )


@login_required
@require_GET
def statement_pdf(request: HttpRequest, pk: int) -> FileResponse:
    statement = get_object_or_404(statements_visible_to(request.user), pk=pk)
    if not statement.pdf:
        raise Http404("The PDF of this statement is not ready yet.")
    try:
        handle = statement.pdf.open("rb")
    except OSError as exc:  # FileNotFoundError and friends: storage lost it
        raise Http404("The PDF of this statement is missing from storage.") from exc
    return pdf_download(handle, f"{statement.number}.pdf")


# Per client address (stp_portal.security.client_ip): the tokens are unguessable, and the
# limit keeps anyone from trying many of them.
@ratelimit(key="ip", rate=lambda group, request: settings.VERIFY_PAGE_RATE)
@require_GET
def statement_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public check of a printed statement (its QR code): four facts and nothing more.

    The token is the statement's secret; anyone holding the paper may confirm it is genuine.
    """
    statement = statement_by_verification_token(token)
    if statement is None:
        # Still a 404, but one that tells whoever holds the paper what to do next.
        response = render(request, "subsidies/statement_verify_not_found.html", status=404)
    else:
        response = render(
            request,
            "subsidies/statement_verify.html",
            {
                "number": statement.number,
                "company_name": statement.company.name,
                "period": statement.period,
                "net_payable": statement.net_payable,
                "void": statement.status == StatementStatus.VOID,
            },
        )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Billing runs (PSEB staff only; anyone else: 404) --------------------------------------------
def _billing_staff(request: HttpRequest) -> None:
    allowed, _ = has_permission("run_billing", request.user)
    if not allowed:
        raise Http404("No such page.")


@login_required
@require_http_methods(["GET", "POST"])
def billing_run_list(request: HttpRequest) -> HttpResponse:
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
    page = Paginator(runs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "subsidies/billing_run_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@login_required
@require_GET
def billing_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _billing_staff(request)
    run = get_object_or_404(
        billing_runs_visible_to(request.user).select_related("park", "requested_by"), pk=pk
    )
    statements = statements_list(request.user).filter(billing_run=run)
    page = Paginator(statements, 50).get_page(request.GET.get("page"))
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
            "query": _query_without_page(request),
            "errors": errors,
            "in_progress": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        },
    )


# --- Subsidy schemes (PSEB staff edit; park managers read; anyone else: 404) ---------------------
def _scheme_reader(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_pseb_staff or user.is_park_manager):
        raise Http404("No such page.")


def _scheme_editor(request: HttpRequest) -> None:
    allowed, reason = has_permission("manage_schemes", request.user)
    if not allowed:
        raise PermissionDenied(reason)


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    _scheme_reader(request)
    schemes = (
        schemes_visible_to(request.user)
        .prefetch_related("parks")
        .annotate(statement_count=Count("statements"))
        .order_by("-valid_from", "name")
    )
    can_edit, _ = has_permission("manage_schemes", request.user)
    return render(request, "subsidies/scheme_list.html", {"schemes": schemes, "can_edit": can_edit})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    _scheme_reader(request)
    _scheme_editor(request)
    form = SchemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Subsidy scheme “{scheme.name}” created.")
            return redirect("subsidies:scheme_list")
    return render(request, "subsidies/scheme_form.html", {"form": form, "scheme": None})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_visible_to(request.user), pk=pk)
    _scheme_editor(request)
    applied = scheme.statements.count()
    # The service's own test of an applied scheme: it opened a subsidy window (a window's
    # statement carries no scheme once the window has ended, so statements alone undercount).
    locked_since = scheme_applied_since(scheme)
    form = SchemeForm(request.POST or None, instance=scheme, locked_since=locked_since)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(user=request.user, scheme=scheme, **form.cleaned_data)
        except ValidationError as exc:  # a Conflict too: on the form only, said once
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Subsidy scheme “{form.cleaned_data['name']}” saved.")
            return redirect("subsidies:scheme_list")
    return render(
        request,
        "subsidies/scheme_form.html",
        {"form": form, "scheme": scheme, "applied": applied, "locked": form.locked},
    )


# --- Other charges of a lease --------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def lease_charges(request: HttpRequest, lease_pk: int) -> HttpResponse:
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
            charge = services.charge_record(user=request.user, lease=lease, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, _one_message(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            recorded = (
                f"Charge “{charge.description}” of PKR {charge.amount:,.2f} recorded "
                f"for {charge.period:%Y-%m}."
            )
            if (extra := charge.supplementary_statement) is not None:
                recorded += (
                    f" That month was already billed: it is billed now on supplementary "
                    f"statement {extra.number}."
                )
            messages.success(request, recorded)
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
