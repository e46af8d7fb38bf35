"""Pages of applications: the list (PSEB's review queue), a new draft, an application's page
with its history and workflow actions, and the approval that allocates units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from parks.models import Unit
from stp_portal.errors import Conflict
from stp_portal.exports import Format, download_links, list_download
from stp_portal.forms import add_service_errors

from .. import services
from ..domain import (
    TRANSITIONS,
    Fit,
    SpaceRequest,
    UnitSize,
    actions_from,
    approval_steps,
    lease_end_for,
    rank_by_fit,
    transition_problem,
)
from ..filters import ApplicationQueueFilter
from ..forms import ApplicationForm, ApprovalDatesForm, ApprovalForm, ReasonForm
from ..inputs import ApplicationInput
from ..models import Application
from ..permissions import ensure, has_permission
from ..selectors import application_detail, applications_list, company_of, free_units_for
from ..tables import APPLICATION_COLUMNS, APPLICATION_SORTS, application_order, application_table
from ._common import filtered_page, query_without_page, told


@login_required
@require_GET
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The review queue (issue 12 §8): days waiting, a sort by any column, drafts hidden
    from PSEB and managers unless asked for."""
    sort = request.GET.get("sort", "")
    page = filtered_page(
        request, ApplicationQueueFilter, applications_list(request.user), *application_order(sort)
    )
    can_apply = company_of(request.user) is not None
    downloads = download_links("tenants:application_export", page["query"])
    return render(
        request,
        "tenants/application_list.html",
        {
            **page,
            "can_apply": can_apply,
            "downloads": downloads,
            "sort_headers": _sort_links(request, sort),
            "today": timezone.localdate(),
        },
    )


def _sort_links(request: AuthenticatedHttpRequest, current: str) -> list[dict[str, Any]]:
    """The queue's column headers: each one's link (ascending first, then the reverse),
    keeping the page's filters, and its ``aria-sort`` state."""
    headers = []
    for column in APPLICATION_COLUMNS:
        key = column.key
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        headers.append(
            {
                "label": column.label,
                "url": f"?{query.urlencode()}" if key in APPLICATION_SORTS else "",
                "state": {key: "ascending", f"-{key}": "descending"}.get(current, ""),
                "numeric": column.numeric,
            }
        )
    return headers


@login_required
@require_GET
def application_export(request: AuthenticatedHttpRequest, fmt: Format) -> HttpResponseBase:
    """The applications list as CSV or XLSX: the page's filters and order, every page of
    it, through the same scoped selector."""
    row_filter = ApplicationQueueFilter(
        request.GET, queryset=applications_list(request.user), request=request
    )
    if not row_filter.is_valid():
        return redirect(f"{reverse('tenants:application_list')}?{query_without_page(request)}")
    return list_download(
        application_table(row_filter.qs, order=application_order(request.GET.get("sort"))),
        row_filter,
        name="applications",
        report="Applications",
        fmt=fmt,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    company = company_of(request.user)
    if company is None:
        if has_permission("create_company", request.user):
            messages.info(request, "Create your company or freelancer profile first.")
            # ...and come back here, to the park chosen, once it exists.
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('tenants:company_create')}?{query}")
        raise Http404("Only company accounts apply for space.")
    initial = {"park": request.GET.get("park", "").upper() or None, "duration_months": 12}
    form = ApplicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                user=request.user, company=company, data=ApplicationInput(**form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Add supporting documents, then submit it.")
            return redirect("tenants:application_edit", pk=application.pk)
    return render(request, "tenants/application_form.html", {"form": form})


@login_required
@require_GET
def application_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(application_detail(request.user), pk=pk)
    actions = [
        TRANSITIONS[action]
        for action in actions_from(application.status)
        if action != "approve" and has_permission("transition", request.user, application, action)
    ]
    # Approving a submitted application starts its review on the way (issue 12 §7).
    can_approve = bool(approval_steps(application.status)) and has_permission(
        "transition", request.user, application, "approve"
    )
    return render(
        request,
        "tenants/application_detail.html",
        {
            "application": application,
            "actions": actions,
            "can_approve": can_approve,
            "reason_form": ReasonForm(),
            "history": _history(application),
        },
    )


def _history(application: Application) -> list[dict[str, Any]]:
    """The application's history in words (the workflow's, tenants.domain): what happened,
    by whom, when, and why."""
    entries: list[dict[str, Any]] = [
        {"event": "Draft created", "actor": application.created_by, "at": application.created_at}
    ]
    for step in application.transitions.all():
        transition = TRANSITIONS.get(step.action)
        entries.append(
            {
                "event": transition.history_event if transition else step.get_to_status_display(),
                "actor": step.actor,
                "at": step.created_at,
                "comment": step.comment,
                "comment_label": transition.comment_label if transition else "Comment",
            }
        )
    return entries


@login_required
@require_POST
def application_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    application = get_object_or_404(applications_list(request.user), pk=pk)
    if action not in TRANSITIONS or action == "approve":
        raise Http404("No such action.")
    ensure("transition", request.user, application, action)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        # A reason too long must say so, not be dropped and then reported as missing.
        # An ErrorList yields its messages as str.
        messages.error(request, " ".join(cast("list[str]", form.errors["reason"])))
        return redirect("tenants:application_detail", pk=pk)
    transition = TRANSITIONS[action]
    if transition.confirm and request.POST.get("confirm") != "1":
        # Asked once more, on a page of its own (works without JS), unless the workflow
        # refuses it anyway: then that is said at once, on the application's page.
        reason = form.cleaned_data["reason"]
        if problem := transition_problem(action, application.status, reason):
            messages.error(request, problem)
            return redirect("tenants:application_detail", pk=pk)
        return render(
            request,
            "tenants/application_transition_confirm.html",
            {"application": application, "transition": transition, "reason": reason},
        )
    told(
        request,
        lambda: services.application_transition(
            user=request.user,
            application=application,
            action=action,
            reason=form.cleaned_data["reason"],
        ),
        lambda _: f"Application #{application.pk} is {TRANSITIONS[action].outcome}.",
    )
    return redirect("tenants:application_detail", pk=pk)


@dataclass(frozen=True)
class Offered:
    """A free unit on the approval page, with how it fits the request."""

    unit: Unit
    fit: Fit


@dataclass(frozen=True)
class Totals:
    """What the ticked units add up to, beside what the application asks."""

    units: int = 0
    seats: int = 0
    area_sqft: Decimal = Decimal("0.00")
    monthly_rent: Decimal = Decimal("0.00")
    internet_fee: Decimal = Decimal("0.00")


@login_required
@require_http_methods(["GET", "POST"])
def application_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The free units for the dates, best fits first, already listed; tick them and approve
    (issue 12 §7). The dates start as the application asks and can be changed above."""
    application = get_object_or_404(application_detail(request.user), pk=pk)
    ensure("transition", request.user, application, "approve")
    steps = approval_steps(application.status)
    if not steps:
        messages.error(request, transition_problem("approve", application.status) or "")
        return redirect("tenants:application_detail", pk=pk)
    posted = request.method == "POST"
    initial = _approval_dates(application)
    data: QueryDict = request.POST if posted else request.GET
    if not posted and "start_date" not in data:
        data = QueryDict(mutable=True)
        data.update({k: v.isoformat() for k, v in initial.items()})
    dates = ApprovalDatesForm(data, initial=initial)
    offered: list[Offered] = []
    form = None
    if dates.is_valid():
        start, end = dates.cleaned_data["start_date"], dates.cleaned_data["end_date"]
        offered = _free_units(application, start, end)
        choices = [(str(o.unit.pk), o.unit.code) for o in offered]
        form = ApprovalForm(
            request.POST if posted else None, unit_choices=choices, initial=dates.cleaned_data
        )
        if posted and form.is_valid():
            try:
                lease = services.application_approve(
                    user=request.user,
                    application=application,
                    unit_ids=[int(u) for u in form.cleaned_data["units"]],
                    start_date=start,
                    end_date=end,
                    comment=form.cleaned_data["comment"],
                )
            except Conflict as exc:
                messages.error(request, " ".join(exc.messages))
                application.refresh_from_db(fields=["status"])
                if not approval_steps(application.status):
                    return redirect("tenants:application_detail", pk=pk)
                offered = _free_units(application, start, end)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Approved: lease #{lease.pk} created.")
                return redirect("tenants:lease_detail", pk=lease.pk)
    ticked = set(form["units"].value() or []) if form is not None else set()
    context = {
        "application": application,
        "dates": dates,
        "form": form,
        "offered": offered,
        "units": [o.unit for o in offered],
        "ticked": ticked,
        "totals": _totals([o.unit for o in offered if str(o.unit.pk) in ticked]),
        "starts_review": steps[0] == "review",
    }
    return render(request, "tenants/application_approve.html", context)


def _approval_dates(application: Application) -> dict[str, date]:
    """The lease's dates as the application asks: from the desired start, or the park's
    opening if later, for the months asked."""
    park_opens = application.park.opening_date or application.desired_start
    start = max(application.desired_start, park_opens)
    return {"start_date": start, "end_date": lease_end_for(start, application.duration_months)}


def _free_units(application: Application, start: date, end: date | None) -> list[Offered]:
    """Units free for the dates, best fits for the request first (``rank_by_fit``)."""
    request = SpaceRequest(
        kind=application.unit_kind,
        seats=application.seats or 0,
        area_sqft=application.area_sqft or Decimal(0),
    )
    sizes = [
        (unit, UnitSize(code=unit.code, kind=unit.kind, seats=unit.seats, area_sqft=unit.area_sqft))
        for unit in free_units_for(application.park_id, start, end)
    ]
    return [Offered(unit, fit) for unit, fit in rank_by_fit(sizes, request)]


def _totals(units: list[Unit]) -> Totals:
    return Totals(
        units=len(units),
        seats=sum(u.seats for u in units),
        area_sqft=sum((u.area_sqft for u in units), Decimal("0.00")),
        monthly_rent=sum((u.monthly_rent for u in units), Decimal("0.00")),
        internet_fee=sum((u.internet_fee for u in units), Decimal("0.00")),
    )
