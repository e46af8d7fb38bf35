"""The application and lease lists as tables: their columns stated once, for the page's
header, the CSV and XLSX files (``stp_portal.exports``), and the rows read for a file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from core.tables import Kind, Row, Table, columns
from core.vocabulary import ApplicationStatus, UnitKind

from .domain import lease_status_on
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
)

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


def application_table(applications: QuerySet[Application]) -> Table:
    """The applications list's rows (already scoped and filtered), read as plain values in
    chunks: one query per 2,000 rows, no model instances."""

    def rows() -> Iterator[Row]:
        values = applications.order_by(*APPLICATION_ORDER).values_list(
            "pk", "company__name", "park__name", "unit_kind", "seats", "desired_start",
            "status", "submitted_at",
        )  # fmt: skip
        for pk, company, park, kind, seats, start, status, submitted in values.iterator(
            chunk_size=CHUNK
        ):
            yield {
                "number": f"#{pk}",
                "company": company,
                "park": park,
                "wants": wants(kind, seats),
                "desired_start": start,
                "status": ApplicationStatus(status).label,
                "submitted": timezone.localtime(submitted).date() if submitted else None,
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
