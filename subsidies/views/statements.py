"""Statement pages: the list and its CSV, a statement with its payments and credit notes,
its PDF, and the public check of a printed statement (domain.md §6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from accounts.http import AuthenticatedHttpRequest
from core.money import format_pkr
from core.paging import IdsFirstPaginator
from core.vocabulary import StatementStatus
from stp_portal.downloads import pdf_download
from stp_portal.errors import Conflict
from stp_portal.exports import Format, download_links, list_download
from stp_portal.forms import add_service_errors

from .. import services
from ..filters import StatementFilter
from ..forms import CreditNoteForm, PaymentForm
from ..models import Statement
from ..permissions import ensure, has_permission
from ..selectors import (
    no_subsidy_reason,
    statement_by_verification_token,
    statement_detail,
    statements_list,
    statements_visible_to,
)
from ..tables import statement_table
from .common import PER_PAGE, one_message, query_without_page

if TYPE_CHECKING:
    from ..selectors import StatementWithBalance


# --- The list and its files----------------------------------------------------------------------
def _statement_filter(request: HttpRequest) -> StatementFilter:
    return StatementFilter(request.GET, queryset=statements_list(request.user), user=request.user)


@login_required
@require_GET
def statement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    statement_filter = _statement_filter(request)
    rows = statement_filter.qs if statement_filter.is_valid() else statement_filter.queryset.none()
    page = IdsFirstPaginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = query_without_page(request)
    downloads = download_links("subsidies:statement_export", query)
    return render(
        request,
        "subsidies/statement_list.html",
        {"filter": statement_filter, "page": page, "query": query, "downloads": downloads},
    )


@login_required
@require_GET
def statement_export(request: AuthenticatedHttpRequest, fmt: Format) -> HttpResponseBase:
    """The statements list as CSV or XLSX: the page's filters and columns, every page of it,
    through the same scoped selector (``statements/export.csv`` is the older address)."""
    statement_filter = _statement_filter(request)
    if not statement_filter.is_valid():
        # The list shows what is wrong with the filters.
        return redirect(f"{reverse('subsidies:statement_list')}?{query_without_page(request)}")
    # The stored balance and the status expression need no subquery, and the rows read only
    # the company's and the park's names (joined, not fetched per row).
    table = statement_table(statement_filter.qs, company_user=request.user.is_company_user)
    return list_download(table, statement_filter, name="statements", report="Statements", fmt=fmt)


# --- A statement, its payments and credit notes --------------------------------------------------
def _statement_page(
    request: HttpRequest,
    statement: StatementWithBalance,
    *,
    payment_form: PaymentForm | None = None,
    credit_note_form: CreditNoteForm | None = None,
) -> HttpResponse:
    creditable = statement.net_payable - statement.credited
    # Each form only while it can still do something: money owed, an amount left to credit.
    if not (has_permission("record_payment", request.user, statement) and statement.balance > 0):
        payment_form = None
    elif payment_form is None:
        payment_form = PaymentForm()
    if not (has_permission("issue_credit_note", request.user, statement) and creditable > 0):
        credit_note_form = None
    elif credit_note_form is None:
        credit_note_form = CreditNoteForm()
    return render(
        request,
        "subsidies/statement_detail.html",
        {
            "statement": statement,
            "lines": list(statement.lines.all()),
            "payments": statement.payments.all(),
            "credit_notes": statement.credit_notes.all(),
            "payment_form": payment_form,
            "credit_note_form": credit_note_form,
            "creditable": creditable,
            "no_subsidy_reason": no_subsidy_reason(statement) if not statement.scheme_id else "",
        },
    )


@login_required
@require_GET
def statement_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_object_or_404(statement_detail(request.user), pk=pk)
    return _statement_page(request, statement)


@dataclass(frozen=True)
class _Action:
    """A form of the statement page: the permission it needs, its form (and its name in the
    page's context), the service it calls, and what the page says when it is done."""

    permission: str
    form_class: type[forms.Form]
    form_name: str
    act: Callable[..., Any]
    done: Callable[[Any, Statement], str]


PAYMENT = _Action(
    "record_payment",
    PaymentForm,
    "payment_form",
    services.payment_record,
    lambda payment, statement: (
        f"Payment of {format_pkr(payment.amount)} recorded against {statement.number}."
    ),
)
CREDIT_NOTE = _Action(
    "issue_credit_note",
    CreditNoteForm,
    "credit_note_form",
    services.credit_note_issue,
    lambda note, statement: (
        f"Credit note {note.number} of {format_pkr(note.amount)} issued against {statement.number}."
    ),
)


def _statement_action(request: AuthenticatedHttpRequest, pk: int, action: _Action) -> HttpResponse:
    """Payment and credit-note forms of the statement page: scope (404), role (403), the
    form's errors back on the page, a conflict as a message, success as a message."""
    statement = get_object_or_404(statement_detail(request.user), pk=pk)
    ensure(action.permission, request.user, statement)
    form = action.form_class(request.POST)
    if form.is_valid():
        try:
            made = action.act(user=request.user, statement=statement, **form.cleaned_data)
        except Conflict as exc:
            messages.error(request, one_message(exc))
            return redirect("subsidies:statement_detail", pk=pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, action.done(made, statement))
            return redirect("subsidies:statement_detail", pk=pk)
    forms_back: dict[str, Any] = {action.form_name: form}
    return _statement_page(request, statement, **forms_back)


@login_required
@require_POST
def statement_payment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _statement_action(request, pk, PAYMENT)


@login_required
@require_POST
def statement_credit_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _statement_action(request, pk, CREDIT_NOTE)


# --- The PDF, and the public check of a printed statement ----------------------------------------
@login_required
@require_GET
def statement_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
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
