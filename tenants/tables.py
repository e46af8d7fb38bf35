"""The application and lease lists as tables: their columns stated once, for the page's
header, the CSV and XLSX files (``stp_portal.exports``), and the rows read for a file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import Case, DateTimeField, F, OrderBy, QuerySet, Value, When
from django.utils import timezone

from core.calendar import local_date
from core.tables import Kind, Row, Table, columns
from core.vocabulary import ApplicationStatus, UnitKind

from .domain import WAITING, days_waiting, lease_status_on
from .models import Application, Lease, LeaseUnit

# The review queue's order: latest submitted first, never-submitted drafts last on every
# database (PostgreSQL would otherwise put their NULL submitted_at first).
APPLICATION_ORDER = (F("submitted_at").desc(nulls_last=True), "-created_at", "-pk")

APPLICATION_COLUMNS = columns(
    ("number", "#"),
    ("company", "Company"),
    ("park", "Park"),
    ("wants", "Wants"),
    ("desired_start", "Desired start", Kind.DATE),
    ("status", "Status"),
    ("submitted", "Submitted", Kind.DATE),
    ("waiting", "Days waiting", Kind.COUNT),
)

# The review queue sorts by any of its columns (issue 12 §8): ``?sort=company`` or
# ``?sort=-company``; each column's keys, and whether its order runs against the key's (more
# days waiting is an earlier submission). Only these are accepted (the filter's choices).
_WAITING_SINCE = Case(
    When(status__in=sorted(WAITING), then=F("submitted_at")),
    default=Value(None),
    output_field=DateTimeField(),
)
APPLICATION_SORTS: dict[str, tuple[tuple[Any, bool], ...]] = {
    "number": ((F("pk"), False),),
    "company": ((F("company__name"), False),),
    "park": ((F("park__name"), False),),
    "wants": ((F("unit_kind"), False), (F("seats"), False)),
    "desired_start": ((F("desired_start"), False),),
    "status": ((F("status"), False),),
    "submitted": ((F("submitted_at"), False),),
    "waiting": ((_WAITING_SINCE, True),),
}


def application_order(sort: str | None) -> tuple[Any, ...]:
    """The order of ``sort`` (a column of ``APPLICATION_SORTS``, ``-`` first for the reverse),
    blanks last either way; the queue's own order for none or one not known."""
    key = (sort or "").removeprefix("-")
    if key not in APPLICATION_SORTS:
        return APPLICATION_ORDER
    descending = (sort or "").startswith("-")
    order: list[OrderBy] = [
        expr.desc(nulls_last=True) if descending != against else expr.asc(nulls_last=True)
        for expr, against in APPLICATION_SORTS[key]
    ]
    return (*order, "-pk")


def sort_choices() -> list[tuple[str, str]]:
    """The ``sort`` values accepted, with their words."""
    labels = {c.key: c.label for c in APPLICATION_COLUMNS}
    labels["number"] = "Number"
    choices = []
    for key in APPLICATION_SORTS:
        choices += [(key, f"{labels[key]}, ascending"), (f"-{key}", f"{labels[key]}, descending")]
    return choices


LEASE_COLUMNS = columns(
    ("lease", "Lease"),
    ("company", "Company"),
    ("park", "Park"),
    ("units", "Units"),
    ("start_date", "From", Kind.DATE),
    ("end_date", "To", Kind.DATE),
    ("status", "Status"),
)

CHUNK = 2000


def wants(unit_kind: str, seats: int) -> str:
    """What an application asks for, as its list says it: ``Coworking desk, 3 seats``."""
    kind = UnitKind(unit_kind).label
    return f"{kind}, {seats} seat{'s' if seats != 1 else ''}" if seats else kind


def application_table(
    applications: QuerySet[Application], *, order: tuple[Any, ...] = APPLICATION_ORDER
) -> Table:
    """The applications list's rows (already scoped and filtered) in the page's ``order``,
    read as plain values in chunks: one query per 2,000 rows, no model instances."""
    today = timezone.localdate()

    def rows() -> Iterator[Row]:
        values = applications.order_by(*order).values_list(
            "pk", "company__name", "park__name", "unit_kind", "seats", "desired_start",
            "status", "submitted_at",
        )  # fmt: skip
        for pk, company, park, kind, seats, start, status, submitted in values.iterator(
            chunk_size=CHUNK
        ):
            submitted_on = local_date(submitted) if submitted else None
            yield {
                "number": f"#{pk}",
                "company": company,
                "park": park,
                "wants": wants(kind, seats),
                "desired_start": start,
                "status": ApplicationStatus(status).label,
                "submitted": submitted_on,
                "waiting": days_waiting(status, submitted_on, today),
            }

    return Table(APPLICATION_COLUMNS, rows(), title="Applications")


def lease_table(leases: QuerySet[Lease], *, today: date) -> Table:
    """The leases list's rows (already scoped and filtered), with each lease's units and its
    status on ``today`` (domain.md §4). Per chunk of 2,000 leases: one query for the leases
    and one for their units' codes."""

    def rows() -> Iterator[Row]:
        values = leases.values_list(
            "pk", "company__name", "park__name", "start_date", "end_date", "terminated_at"
        )
        chunk: list[tuple[Any, ...]] = []
        for lease in values.iterator(chunk_size=CHUNK):
            chunk.append(lease)
            if len(chunk) == CHUNK:
                yield from _lease_rows(chunk, today)
                chunk = []
        yield from _lease_rows(chunk, today)

    return Table(LEASE_COLUMNS, rows(), title="Leases")


def _lease_rows(chunk: list[tuple[Any, ...]], today: date) -> Iterator[Row]:
    if not chunk:
        return
    codes: dict[int, list[str]] = {}
    for lease_id, code in (
        LeaseUnit.objects.filter(lease_id__in=[lease[0] for lease in chunk])
        .order_by("lease_id", "unit__code")
        .values_list("lease_id", "unit__code")
    ):
        codes.setdefault(lease_id, []).append(code)
    for pk, company, park, start, end, terminated_at in chunk:
        status = lease_status_on(today, start=start, end=end, terminated=terminated_at is not None)
        yield {
            "lease": f"#{pk}",
            "company": company,
            "park": park,
            "units": ", ".join(codes.get(pk, [])),
            "start_date": start,
            "end_date": end,
            "status": status.label,
        }
