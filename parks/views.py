from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedHttpRequest
from core.charts import Chart, ChartKind, Series
from core.permissions import has_permission
from core.tables import Kind
from core.vocabulary import UnitKind, UnitStatus
from stp_portal.exports import Format, download_links, list_download

from . import pricing, services
from .domain import ListedUnit, QuoteError, unit_quote
from .filters import ParkFilter, UnitFilter
from .forms import EstimateForm, ManagerAssignForm, ParkForm, UnitForm, UnitImportForm
from .models import Park, ParkManagerAssignment, Unit
from .occupancy import OccupancyPoint
from .selectors import (
    directory_row,
    directory_rows,
    managed_parks_with_occupancy,
    manager_candidates,
    park_application_pipeline,
    park_directory,
    park_draft_applications_count,
    park_map_points,
    park_occupancy,
    park_units,
    parks_editable_by,
    parks_managed_by,
    with_current_lets,
    with_current_tenant,
    with_unit_status,
)
from .tables import unit_table
from .unit_import import units_csv_template


@require_GET
def park_list(request: HttpRequest) -> HttpResponse:
    """The public directory: every park with status, city, tier and vacancies, and the map
    of the parks the filters keep (all of them, not only this page's)."""
    directory = park_directory(request.user)
    park_filter = ParkFilter(request.GET, queryset=directory)
    # One query for the filtered parks, paged here: the map needs them all, the table a page.
    parks = list(park_filter.qs) if park_filter.is_valid() else []
    page = Paginator(parks, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "parks/park_list.html",
        {
            "filter": park_filter,
            "page": page,
            "parks": parks,
            "rows": directory_rows(page),
            "query": _without_page(request),
            "may_create": has_permission("edit_park", request.user),
        },
    )


@require_GET
def park_detail(request: HttpRequest, code: str) -> HttpResponse:
    park = get_object_or_404(park_directory(request.user), code=code.upper())
    units = list(with_unit_status(park.units.all()))
    summary = [_kind_summary(kind, [u for u in units if u.kind == kind]) for kind in UnitKind]
    return render(
        request,
        "parks/park_detail.html",
        {
            "park": park,
            "park_row": directory_row(park),
            "summary": summary,
            "apply": _apply_link(request, park),
            "map_parks": park_map_points(request.user),
            "estimator": _estimator(request, park, units),
            "may_edit": has_permission("edit_park", request.user),
        },
    )


def _estimator(request: HttpRequest, park: Park, units: list[Unit]) -> dict | None:
    """The price estimator (issue 12 §5): a GET form, priced on the server by billing's own
    rules (``parks.pricing``). Without a choice yet, a typical space of the park is priced:
    an office of 1,000 sq ft, or one desk where the park lists desks only."""
    estimator = pricing.estimator()
    if estimator is None or not park.accepts_applications:
        return None
    listed = [
        ListedUnit(u.kind, u.area_sqft, u.seats, u.monthly_rent, u.internet_fee) for u in units
    ]
    asked = "kind" in request.GET or "size" in request.GET
    only_desks = bool(listed) and all(u.kind == UnitKind.DESK for u in listed)
    example = (
        {"kind": UnitKind.DESK, "size": 1}
        if only_desks
        else {"kind": UnitKind.OFFICE, "size": 1000}
    )
    form = EstimateForm(request.GET if asked else example)
    estimate = None
    if form.is_valid():
        try:
            quote = unit_quote(
                form.cleaned_data["kind"],
                form.cleaned_data["size"],
                rent_per_sqft=park.rent_per_sqft,
                listed=listed,
            )
        except QuoteError as exc:
            form.add_error(exc.field, exc.message)
        else:
            start = pricing.estimate_start(timezone.localdate(), park.opening_date)
            estimate = estimator.months(park=park, quote=quote, start=start)
    return {"form": form, "estimate": estimate, "asked": asked}


def _kind_summary(kind: UnitKind, units: list) -> dict:
    """What a park offers of one kind of unit: counts, vacancies and the range of sizes,
    rents and internet fees. Aggregates of the units only, nothing about who leases them."""
    vacant = [u for u in units if u.status == UnitStatus.VACANT]
    return {
        "kind": kind.label,
        "total": len(units),
        "vacant": len(vacant),
        "seats_vacant": sum(u.seats for u in vacant),
        "seats_total": sum(u.seats for u in units if not u.under_maintenance),
        "area": _span(u.area_sqft for u in units),
        "seats": _span(u.seats for u in units),
        "rent": _span(u.monthly_rent for u in units),
        "internet": _span(u.internet_fee for u in units),
    }


def _span(values) -> tuple | None:
    """(lowest, highest) of the values, or None when there are none."""
    values = list(values)
    return (min(values), max(values)) if values else None


def _apply_link(request: HttpRequest, park: Park) -> dict | None:
    """Where "Apply for space" leads from a park's page (domain.md §2: open and upcoming
    parks take applications, planned ones do not): the application form with the park
    chosen for company users; sign-up (or sign-in from there) first for visitors; staff do
    not apply."""
    if not park.accepts_applications:
        return None
    form = f"{reverse('tenants:application_create')}?{urlencode({'park': park.code})}"
    if not request.user.is_authenticated:
        # The sign-up page offers sign-in too, both leading on to the form.
        return {
            "url": f"{reverse('accounts:signup')}?{urlencode({'next': form})}",
            "needs_account": True,
        }
    if request.user.is_company_user:
        return {"url": form}
    return None


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- PSEB keeps the parks (issue 12 §5) -------------------------------------------------------
def _editable_park(request: HttpRequest, code: str) -> Park:
    """The park, if this user may edit parks (PSEB staff); otherwise 404, never 403."""
    return get_object_or_404(parks_editable_by(request.user), code=code.upper())


def _may_edit_parks(request: HttpRequest) -> None:
    verdict = has_permission("edit_park", request.user)
    if not verdict:
        raise Http404(verdict.reason)


@login_required
@require_http_methods(["GET", "POST"])
def park_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_edit_parks(request)
    return _park_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def park_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _park_form(request, _editable_park(request, code))


def _park_form(request: AuthenticatedHttpRequest, park: Park | None) -> HttpResponse:
    """Add a park (``park`` None) or edit one, through the service; the form only reads."""
    name_before = park.name if park else None
    form = ParkForm(request.POST or None, instance=park)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            if park is None:
                saved = services.park_create(user=request.user, **fields)
                done = f"{saved.name} ({saved.code}) added. Assign its managers next."
                after = reverse("parks:managers", args=[saved.code])
            else:
                saved = services.park_update(user=request.user, park=park, **fields)
                done = f"{saved.name} saved."
                after = reverse("parks:detail", args=[saved.code])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(after)
    return render(
        request, "parks/park_form.html", {"form": form, "park": park, "park_name": name_before}
    )


def _form_errors(form: Any, exc: ValidationError) -> None:
    """The service's messages on the form's fields (those it has), the rest above it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@require_http_methods(["GET", "POST"])
def park_managers(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A park's managers: who runs it, and assigning another (a park-manager account, picked
    from a list narrowed by a search) or taking one off, through the services."""
    park = _editable_park(request, code)
    search = (request.GET.get("q") or "").strip()[:100]
    form = ManagerAssignForm(
        request.POST or None, managers=manager_candidates(request.user, park, search=search)
    )
    if request.method == "POST" and form.is_valid():
        manager = form.cleaned_data["manager"]
        try:
            services.park_manager_assign(user=request.user, park=park, manager=manager)
        except ValidationError as exc:
            form.add_error("manager", exc.messages)
        else:
            messages.success(
                request, f"{manager.get_full_name() or manager.username} now manages {park.name}."
            )
            return redirect("parks:managers", code=park.code)
    assignments = (
        ParkManagerAssignment.objects.filter(park=park)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    return render(
        request,
        "parks/park_managers.html",
        {"park": park, "form": form, "assignments": assignments, "search": search},
    )


@login_required
@require_http_methods(["POST"])
def park_manager_remove(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    park = _editable_park(request, code)
    assignment = get_object_or_404(park.manager_assignments.select_related("user"), pk=pk)
    services.park_manager_unassign(user=request.user, assignment=assignment)
    who = assignment.user.get_full_name() or assignment.user.username
    messages.success(request, f"{who} no longer manages {park.name}.")
    return redirect("parks:managers", code=park.code)


# --- Park manager pages (issue 3) -------------------------------------------------------------
UNITS_PER_PAGE = 50


def _managed_park(request: HttpRequest, code: str) -> Park:
    """The park, if this user manages it; otherwise 404, never 403 (domain.md §1)."""
    return get_object_or_404(parks_managed_by(request.user), code=code.upper())


@login_required
@require_GET
def managed_parks(request: HttpRequest) -> HttpResponse:
    """My parks: each park the user manages (PSEB staff: all) with its occupancy now."""
    verdict = has_permission("manage_parks", request.user)
    if not verdict:
        raise Http404(verdict.reason)
    rows = managed_parks_with_occupancy(request.user)
    return render(
        request, "parks/managed_parks.html", {"rows": rows, "today": timezone.localdate()}
    )


@login_required
@require_GET
def unit_list(request: HttpRequest, code: str) -> HttpResponse:
    """A park's units with their derived status today, filtered by kind and status."""
    park = _managed_park(request, code)
    unit_filter = UnitFilter(request.GET, queryset=park_units(park))
    units = unit_filter.qs if unit_filter.is_valid() else park_units(park).none()
    # Who is in each unit and when its lease ends: the page's lets in one more query.
    page = Paginator(with_current_lets(units), UNITS_PER_PAGE).get_page(request.GET.get("page"))
    query = _without_page(request)
    downloads = download_links("parks:unit_export", query, code=park.code)
    return render(
        request,
        "parks/unit_list.html",
        {
            "park": park,
            "filter": unit_filter,
            "page": page,
            "query": query,
            "downloads": downloads,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def unit_export(request: HttpRequest, code: str, fmt: Format) -> HttpResponseBase:
    """A park's units as CSV or XLSX, with the page's filters and status as of today."""
    park = _managed_park(request, code)
    unit_filter = UnitFilter(request.GET, queryset=park_units(park))
    if not unit_filter.is_valid():
        return redirect(f"{reverse('parks:units', args=[park.code])}?{_without_page(request)}")
    return list_download(
        unit_table(with_current_tenant(unit_filter.qs)),
        unit_filter,
        name=f"units_{park.code}",
        report=f"Units of {park.name}",
        fmt=fmt,
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _unit_form(request, _managed_park(request, code), None)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    park = _managed_park(request, code)
    return _unit_form(request, park, get_object_or_404(park.units.all(), pk=pk))


def _unit_form(request: AuthenticatedHttpRequest, park: Park, unit: Unit | None) -> HttpResponse:
    """Add a unit (``unit`` None) or edit one, through the service."""
    code_before = unit.code if unit else None  # the form writes its input onto the unit
    form = UnitForm(request.POST or None, instance=unit, park=park)
    if request.method == "POST" and form.is_valid():
        try:
            if unit is None:
                saved = services.unit_create(user=request.user, park=park, **form.cleaned_data)
                done = f"Unit {saved.code} added to {park.name}."
            else:
                saved = services.unit_update(user=request.user, unit=unit, **form.cleaned_data)
                done = f"Unit {saved.code} saved."
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("parks:units", code=park.code)
    return render(
        request,
        "parks/unit_form.html",
        {"park": park, "form": form, "unit": unit, "unit_code": code_before},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Bulk import of units from CSV: all rows or none, with a per-row error report."""
    park = _managed_park(request, code)
    form = UnitImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = services.units_import_csv(
            user=request.user, park=park, file=form.cleaned_data["file"]
        )
        if report.ok:
            count = len(report.created)
            messages.success(request, f"Imported {count} unit{'s' if count != 1 else ''}.")
            return redirect("parks:units", code=park.code)
        # A file that cannot be read at all is explained once, in the report below the form.
        if not report.problem:
            rows = report.rows_with_errors
            messages.error(
                request,
                f"Nothing was imported: {rows} row{'s' if rows != 1 else ''} of the file "
                f"{'have' if rows != 1 else 'has'} problems. Correct them and upload the file "
                "again.",
            )
    return render(request, "parks/unit_import.html", {"park": park, "form": form, "report": report})


@login_required
@require_GET
def unit_import_template(request: HttpRequest, code: str) -> HttpResponse:
    park = _managed_park(request, code)
    response = HttpResponse(units_csv_template(), content_type="text/csv; charset=utf-8")
    filename = f"units-{park.code}-template.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def occupancy(request: HttpRequest, code: str) -> HttpResponse:
    """Occupancy now and over 12 months, vacant units and the pipeline (domain.md §7)."""
    park = _managed_park(request, code)
    data = park_occupancy(park)
    return render(
        request,
        "parks/occupancy.html",
        {
            "park": park,
            "occupancy": data,
            "chart": _trend_chart(data.trend),
            "pipeline": list(park_application_pipeline(request.user, park)),
            "drafts": park_draft_applications_count(request.user, park),
        },
    )


def _trend_chart(trend: list[OccupancyPoint]) -> Chart:
    """The occupancy trend as a chart: one bar per month, percent of leasable area leased on
    the month's last day (today for this month). Drawn by ``{% chart %}`` like every chart."""
    return Chart(
        kind=ChartKind.BARS,
        title="Occupancy by area, last 12 months",
        description="Occupancy by area on the last day of each month, and today for this month.",
        labels=tuple(point.day.strftime("%b %Y") for point in trend),
        series=(Series("Leased area", tuple(point.percent for point in trend)),),
        unit=Kind.PERCENT,
    )
