"""The compliance page, ``/returns/compliance/`` (domain.md §4a: "PSEB and the park's
managers see overdue returns"): due, filed and overdue returns per park and quarter (the last
4 quarters, or the one chosen), and the overdue returns, as of today, with each table as CSV
or XLSX (``?format=csv|xlsx``, ``&table=overdue`` for the second). PSEB sees every park, a
park manager theirs; anyone else gets 404."""

from __future__ import annotations

from typing import Any, NamedTuple, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedHttpRequest
from core.permissions import has_permission
from core.tables import Kind, Table, columns, total_of
from parks.selectors import parks_managed_by
from stp_portal.exports import FORMATS, Format, table_download

from .compliance import (
    ComplianceRow,
    OverdueReturn,
    compliance,
    last_quarters,
    overdue_returns,
    overdue_rows,
)
from .forms import QuarterField

TITLE = "Progress returns: compliance"
ROWS_PER_PAGE = 100  # the compliance table's page; the files hold every row
OVERDUE_SHOWN = 50  # the overdue returns the page lists; the files hold them all

COMPLIANCE_COLUMNS = columns(
    ("quarter", "Quarter"),
    ("due_date", "Due date", Kind.DATE),
    ("park_code", "Park code"),
    ("park", "Park"),
    ("owed", "Owed", Kind.COUNT),
    ("filed", "Filed", Kind.COUNT),
    ("due", "Due", Kind.COUNT),
    ("overdue", "Overdue", Kind.COUNT),
)
OVERDUE_COLUMNS = columns(
    ("company", "Company"),
    ("park_code", "Park code"),
    ("park", "Park"),
    ("quarter", "Quarter"),
    ("due_date", "Due date", Kind.DATE),
    ("days_overdue", "Days overdue", Kind.COUNT),
)


class ParkRef(NamedTuple):
    id: int
    code: str
    name: str


class ComplianceFilterForm(forms.Form):
    """The park (by code, among the caller's) and the quarter; unknown keys are ignored."""

    park = forms.ChoiceField(required=False)
    quarter = QuarterField(
        required=False,
        help_text="e.g. 2026-27 Q2 (default: the last 4 quarters).",
        widget=forms.TextInput(attrs={"placeholder": "Last 4 quarters, or e.g. 2026-27 Q2"}),
    )

    def __init__(self, data: Any, *, parks: list[ParkRef]) -> None:
        super().__init__(data)
        park = cast("forms.ChoiceField", self.fields["park"])
        park.choices = [("", "All"), *((ref.code, ref.name) for ref in parks)]


def compliance_table(rows: list[ComplianceRow], parks: dict[int, ParkRef]) -> Table:
    shown = [
        {
            "quarter": str(row.quarter),
            "due_date": row.due_date,
            "park_code": parks[row.park_id].code,
            "park": parks[row.park_id].name,
            "owed": row.owed,
            "filed": row.filed,
            "due": row.due,
            "overdue": row.overdue,
        }
        for row in rows
    ]
    return Table(
        columns=COMPLIANCE_COLUMNS,
        rows=shown,
        totals=total_of(shown, "owed", "filed", "due", "overdue"),
        title="Due, filed and overdue",
        empty="No return is owed for these parks and quarters.",
    )


def overdue_table(rows: list[OverdueReturn]) -> Table:
    return Table(
        columns=OVERDUE_COLUMNS,
        rows=[
            {
                "company": row.company,
                "park_code": row.park_code,
                "park": row.park,
                "quarter": str(row.quarter),
                "due_date": row.due_date,
                "days_overdue": row.days_overdue,
            }
            for row in rows
        ],
        title="Overdue returns",
        empty="No return is overdue.",
    )


@login_required
@require_GET
def compliance_page(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    if not has_permission("manage_parks", request.user):
        raise Http404("No such page.")
    refs = [
        ParkRef(*values)
        for values in parks_managed_by(request.user)
        .order_by("name")
        .values_list("id", "code", "name")
    ]
    form = ComplianceFilterForm(request.GET, parks=refs)
    if not form.is_valid():
        return render(request, "returns/compliance.html", {"form": form}, status=400)
    today = timezone.localdate()
    code, quarter = form.cleaned_data["park"], form.cleaned_data["quarter"]
    quarters = [quarter] if quarter else last_quarters(today)
    chosen = [ref for ref in refs if ref.code == code] if code else refs
    # PSEB's whole programme needs no list of park ids (250 of them) in the query.
    whole = request.user.is_pseb_staff and not code
    park_ids = None if whole else [ref.id for ref in chosen]
    rows = compliance(park_ids, quarters, today)
    table = compliance_table(rows, {ref.id: ref for ref in refs})
    overdue = overdue_returns(park_ids, quarters, today)

    label = "All parks" if whole else ("Parks shown" if code else "Your parks")
    quarters_label = ", ".join(str(q) for q in quarters)
    fmt = request.GET.get("format", "")
    if fmt:
        wanted = request.GET.get("table", "") or "main"
        if wanted not in ("main", "overdue"):
            raise Http404("No such table on this page.")
        heading = [("Parks", label), ("As of", f"{today:%Y-%m-%d}")]
        heading += [("Park", code)] if code else []
        heading += [("Quarters", quarters_label)]
        slug = "_".join(
            [f"asof-{today:%Y-%m-%d}"]
            + ([f"park-{code}"] if code else [])
            + ([f"quarter-{quarter}"] if quarter else [])
        )
        if wanted == "main":
            return _download(table, "compliance", fmt, heading, slug)
        return _download(
            overdue_table(overdue_rows(overdue, today)), "compliance-overdue", fmt, heading, slug
        )

    query = request.GET.copy()
    for key in ("page", "format", "table"):
        query.pop(key, None)
    overdue_count = sum(row.overdue for row in rows)
    return render(
        request,
        "returns/compliance.html",
        {
            "form": form,
            "today": today,
            "scope_label": label,
            "parks_count": len(chosen),
            "quarters_label": quarters_label,
            "table": table,
            "page": Paginator(list(table.rows), ROWS_PER_PAGE).get_page(request.GET.get("page")),
            "overdue": overdue_table(overdue_rows(overdue[:OVERDUE_SHOWN], today)),
            "overdue_count": overdue_count,
            "overdue_shown": min(overdue_count, OVERDUE_SHOWN),
            "query": query.urlencode(),
        },
    )


def _download(
    table: Table, name: str, fmt: str, heading: list[tuple[str, str]], slug: str
) -> HttpResponseBase:
    """A table of the page as a file, headed by the page's title, the table's and the
    filters."""
    if fmt not in FORMATS:
        return HttpResponse(
            f"Unknown format {fmt!r}: ask for one of {', '.join(FORMATS)}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    titles = [("Report", TITLE)] + ([("Table", table.title)] if name != "compliance" else [])
    return table_download(
        table, name=name, fmt=cast("Format", fmt), heading=titles + heading, slug=slug
    )
