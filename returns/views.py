"""Pages of progress returns (domain.md §4a): the returns a user can see (and their files), a
return with every version filed, and the company's forms to file and amend it.

Everything is read through ``returns.selectors`` (outside the user's scope: 404); filing is
``returns.services``' alone (PSEB and managers read, never file: 403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.paging import IdsFirstPaginator
from core.permissions import ensure, has_permission
from stp_portal.errors import Conflict
from stp_portal.exports import Format, download_links, list_download
from stp_portal.forms import add_service_errors

from . import services
from .filters import OwedReturnFilter
from .forms import AmendmentForm, FiguresForm, figure_label
from .inputs import FIGURE_GROUPS, figure_kind, version_seen
from .models import OwedReturn, ProgressReturn
from .selectors import owed_returns_visible_to, owed_with_key, versions_of
from .tables import owed_return_table, timing

if TYPE_CHECKING:
    from .tables import OwedWithStatus

PER_PAGE = 25
ORDER = ("-first_day", "company__name", "park__code", "pk")


# --- The list and its files ----------------------------------------------------------------------
def _return_filter(request: AuthenticatedHttpRequest) -> OwedReturnFilter:
    return OwedReturnFilter(
        request.GET, queryset=owed_returns_visible_to(request.user), user=request.user
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_GET
def return_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Due, overdue and filed returns, newest quarter first; filtered (a bad filter shows its
    message and no rows) and paged."""
    row_filter = _return_filter(request)
    rows = row_filter.qs if row_filter.is_valid() else row_filter.queryset.none()
    page = IdsFirstPaginator(rows.order_by(*ORDER), PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = _query_without_page(request)
    context = {
        "filter": row_filter,
        "page": page,
        "rows": [(row, timing(row.status, row.quarter.due_date, today)) for row in page],
        "query": query,
        "downloads": download_links("returns:export", query),
        "label": "Filter returns",
    }
    return render(request, "returns/return_list.html", context)


@login_required
@require_GET
def return_export(request: AuthenticatedHttpRequest, fmt: Format) -> HttpResponseBase:
    """The returns list as CSV or XLSX: the page's filters and columns, every page of it,
    through the same scoped selector."""
    row_filter = _return_filter(request)
    if not row_filter.is_valid():
        return redirect(f"{reverse('returns:list')}?{_query_without_page(request)}")
    table = owed_return_table(
        row_filter.qs.order_by(*ORDER),
        today=timezone.localdate(),
        company_user=request.user.is_company_user,
    )
    return list_download(table, row_filter, name="returns", report="Progress returns", fmt=fmt)


# --- A return ------------------------------------------------------------------------------------
def _owed(request: AuthenticatedHttpRequest, key: str) -> OwedWithStatus:
    # The selector annotates each owed return with its status (the type checker can't see it).
    return cast(
        "OwedWithStatus",
        get_object_or_404(owed_with_key(owed_returns_visible_to(request.user), key)),
    )


def _groups(version: ProgressReturn) -> list[tuple[str, list[tuple[str, Any, str]]]]:
    """A version's figures as the page shows them: by group, each with its label and kind."""

    return [
        (title, [(figure_label(name), getattr(version, name), figure_kind(name)) for name in names])
        for title, names in FIGURE_GROUPS
    ]


@login_required
@require_GET
def return_detail(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    owed = _owed(request, key)
    versions = list(versions_of(owed.current)) if owed.current else []
    context = {
        "owed": owed,
        "timing": timing(owed.status, owed.quarter.due_date, timezone.localdate()),
        "versions": [(version, _groups(version)) for version in versions],
        "may_file": has_permission("file_return", request.user, owed.company),
    }
    return render(request, "returns/return_detail.html", context)


def _form_page(
    request: AuthenticatedHttpRequest, owed: OwedReturn, form: FiguresForm, *, amending: bool
) -> HttpResponse:
    context = {"owed": owed, "form": form, "amending": amending}
    return render(request, "returns/return_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_file(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """The company files the first version (§4a); once filed, only an amendment changes it."""
    owed = _owed(request, key)
    ensure("file_return", request.user, owed.company)
    if owed.current_id is not None and request.method == "GET":
        return redirect("returns:amend", key=key)
    form = FiguresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_return_file(
                user=request.user,
                company=owed.company,
                park=owed.park,
                quarter=owed.quarter.fiscal_quarter,
                figures=form.figures(),
            )
        except Conflict as exc:
            messages.error(request, " ".join(dict.fromkeys(exc.messages)))
            return redirect("returns:detail", key=key)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Your return for {owed.quarter} at {owed.park} is filed.")
            return redirect("returns:detail", key=key)
    return _form_page(request, owed, form, amending=False)


@login_required
@require_http_methods(["GET", "POST"])
def return_amend(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """A new version with a reason (§4a), started from the current figures; the version the
    person read goes with the form, so an amendment filed meanwhile is not overwritten."""
    owed = _owed(request, key)
    ensure("file_return", request.user, owed.company)
    current = owed.current
    if current is None:
        return redirect("returns:file", key=key)
    initial = {**FiguresForm.initial_of(current), "version": current.version}
    form = AmendmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            amended = services.progress_return_amend(
                user=request.user,
                previous=version_seen(current, form.cleaned_data["version"]),
                reason=form.cleaned_data["reason"],
                figures=form.figures(),
            )
        except Conflict as exc:
            messages.error(request, " ".join(dict.fromkeys(exc.messages)))
            return redirect("returns:detail", key=key)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your return for {owed.quarter} at {owed.park} is amended: version "
                f"{amended.version} now counts.",
            )
            return redirect("returns:detail", key=key)
    return _form_page(request, owed, form, amending=True)
