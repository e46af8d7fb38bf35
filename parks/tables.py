"""A park's unit list as a table: its columns stated once, for the page's header and the
CSV and XLSX files (``stp_portal.exports``), and the rows read for a file."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet

from core.tables import Kind, Row, Table, columns
from core.vocabulary import UnitKind, UnitStatus

from .models import Unit

UNIT_COLUMNS = columns(
    ("code", "Code"),
    ("status", "Status"),
    ("tenant", "Tenant"),
    ("lease_end", "Lease ends", Kind.DATE),
    ("kind", "Kind"),
    ("floor", "Floor"),
    ("area_sqft", "Area (sq ft)", Kind.DECIMAL),
    ("seats", "Seats", Kind.COUNT),
    ("monthly_rent", "Rent / month (PKR)", Kind.MONEY),
    ("internet_fee", "Internet / month (PKR)", Kind.MONEY),
)


def unit_table(units: QuerySet[Unit]) -> Table:
    """The units (from ``selectors.park_units``, filtered, and ``with_current_tenant``) with
    their status, tenant and lease end, as plain values: one query per 2,000 units."""

    def rows() -> Iterator[Row]:
        # ``status`` is annotated by ``selectors.with_unit_status``; the stubs see only fields.
        values = units.values_list(  # type: ignore[misc]
            "code",
            "floor",
            "kind",
            "area_sqft",
            "seats",
            "monthly_rent",
            "internet_fee",
            "status",
            "tenant",
            "lease_end",
        )
        for (
            code,
            floor,
            kind,
            area,
            seats,
            rent,
            internet,
            status,
            tenant,
            lease_end,
        ) in values.iterator(chunk_size=2000):
            yield {
                "code": code,
                "floor": floor,
                "kind": UnitKind(kind).label,
                "area_sqft": area,
                "seats": seats,
                "monthly_rent": rent,
                "internet_fee": internet,
                "status": UnitStatus(status).label,
                "tenant": tenant or "",
                "lease_end": lease_end,
            }

    return Table(UNIT_COLUMNS, rows(), title="Units")
