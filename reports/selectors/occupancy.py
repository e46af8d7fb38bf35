"""Occupancy (domain.md §7.1, the rule of §2): per park on the as-of date D, and the scope's
occupancy at the end of each of the last N months.

The rule has one owner: ``parks.selectors`` sums each park's leased and leasable area, units
and seats in one query (``park_figures`` / ``park_figures_computed``), and ``core.figures``
makes the ratios. This module only adds the parks' parts up and words them as a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.calendar import month_ends
from core.charts import Chart, ChartKind, Series
from core.figures import percent
from core.tables import Kind, Row, Table, columns
from core.vocabulary import ParkStatus
from parks.occupancy import OccupancyPoint
from parks.selectors import ParkFigures, park_figures, park_figures_on_days
from tenants.models import Lease

from ..frame import Report, ReportFilters, Scope

DEFAULT_MONTHS = 12

# The parts of occupancy, in the order a table shows them; each is summed for a total.
AREA_PARTS = ("leasable_area", "leased_area")
UNIT_PARTS = ("leasable_units", "leased_units", "units_vacant")
SEAT_PARTS = ("leasable_seats", "leased_seats")
PARTS = AREA_PARTS + UNIT_PARTS + SEAT_PARTS

PARK_COLUMNS = columns(
    ("park", "Park code"),
    ("park_name", "Park"),
    ("city", "City"),
    ("status", "Park status"),
)
FIGURE_COLUMNS = columns(
    ("leasable_area", "Leasable area (sq ft)", Kind.DECIMAL),
    ("leased_area", "Leased area (sq ft)", Kind.DECIMAL),
    ("occupancy_percent", "Occupancy by area %", Kind.PERCENT),
    ("leasable_units", "Leasable units", Kind.COUNT),
    ("leased_units", "Leased units", Kind.COUNT),
    ("units_vacant", "Vacant units", Kind.COUNT),
    ("units_percent", "Occupancy by units %", Kind.PERCENT),
    ("leasable_seats", "Leasable seats", Kind.COUNT),
    ("leased_seats", "Leased seats", Kind.COUNT),
    ("seats_percent", "Occupancy by seats %", Kind.PERCENT),
)
SERIES_COLUMNS = columns(("day", "Day", Kind.DATE)) + tuple(
    c for c in FIGURE_COLUMNS if c.key != "units_vacant"
)


def point_parts(point: OccupancyPoint) -> dict[str, Any]:
    """The parts of occupancy on a day, by column key."""
    return {
        "leasable_area": point.leasable_area,
        "leased_area": point.leased_area,
        "leasable_units": point.leasable_units,
        "leased_units": point.leased_units,
        "leasable_seats": point.leasable_seats,
        "leased_seats": point.leased_seats,
    }


def figure_parts(figures: ParkFigures) -> dict[str, Any]:
    """A park's parts of occupancy on a day and its vacant units, by column key."""
    return point_parts(figures.occupancy) | {"units_vacant": figures.units_vacant}


def with_ratios(parts: Mapping[str, Any]) -> dict[str, Any]:
    """The three ratios of §2 from (possibly summed) parts: never an average of ratios."""
    return {
        **parts,
        "occupancy_percent": percent(parts["leased_area"], parts["leasable_area"]),
        "units_percent": percent(parts["leased_units"], parts["leasable_units"]),
        "seats_percent": percent(parts["leased_seats"], parts["leasable_seats"]),
    }


def summed_parts(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Each part summed over ``rows`` (areas stay ``Decimal``, counts ``int``)."""
    rows = list(rows)
    return {
        key: sum((row[key] for row in rows), Decimal(0) if key in AREA_PARTS else 0)
        for key in PARTS
    }


def leases_covering(park_ids: list[int], day: date) -> QuerySet[Lease]:
    """The leases of these parks that cover ``day`` (started on or before it, not ended
    before it): a park's tenants on that day are their companies."""
    covering = Q(end_date__isnull=True) | Q(end_date__gte=day)
    return Lease.objects.filter(covering, park_id__in=park_ids, start_date__lte=day).order_by()


def tenants_on(park_ids: list[int], day: date) -> int:
    """Companies with a lease covering ``day`` in these parks, each counted once (one query)."""
    if not park_ids:
        return 0
    return leases_covering(park_ids, day).values("company_id").distinct().count()


def figures_on(
    park_ids: list[int], days: list[date], day: date
) -> dict[date, dict[int, ParkFigures]]:
    """Each park's figures on ``day`` and on each of ``days``, by day: today's as the
    directory reads them (``park_figures``: stored, one query by key), any other day's all
    in one query (``park_figures_on_days``)."""
    today = timezone.localdate()
    wanted = {*days, day}
    by_day = park_figures_on_days(park_ids, wanted - {today})
    if today in wanted:
        by_day[today] = park_figures(park_ids, on=today)
    return by_day


def series_rows(by_day: dict[date, dict[int, ParkFigures]], days: list[date]) -> list[Row]:
    """The parks' occupancy summed on each of ``days``, oldest first."""
    return [
        {"day": day, **with_ratios(summed_parts(figure_parts(f) for f in by_day[day].values()))}
        for day in days
    ]


def occupancy_report(scope: Scope, filters: ReportFilters) -> Report:
    """domain.md §7.1: occupancy per park on D and, with ``months``, at the end of each of
    the last ``months`` months (and on D for the current month).

    Queries: the parks' figures (``figures_on``: the series' days and a past D in one; today
    from the stored figures, one or two) and the tenants (one); none grows with the number
    of parks, units, leases or months.
    """
    day = filters.as_of
    months = filters.months or 0
    earlier = month_ends(day, months + 1)[:-1] if months > 0 else []  # month ends before D's
    by_day = figures_on(scope.ids, earlier, day)
    figures = by_day[day]
    rows = [
        {
            "park": park.code,
            "park_name": park.name,
            "city": park.city,
            "status": park.status_label,
            **with_ratios(figure_parts(figures[park.id])),
        }
        for park in scope.parks
    ]
    totals = {"park_name": scope.label, **with_ratios(summed_parts(rows))}
    table = Table(
        columns=PARK_COLUMNS + FIGURE_COLUMNS,
        rows=rows,
        totals=totals,
        title=f"Occupancy on {day:%Y-%m-%d}",
        empty="No parks for these filters.",
    )

    tables: dict[str, Table] = {}
    chart = None
    if months > 0:
        series = [*series_rows(by_day, earlier), {"day": day, **with_ratios(summed_parts(rows))}]
        tables["series"] = Table(
            columns=SERIES_COLUMNS,
            rows=series,
            title=f"{scope.label}: occupancy at each month end, and on {day:%Y-%m-%d}",
        )
        chart = Chart(
            kind=ChartKind.LINE,
            title="Occupancy by month",
            description=(
                f"{scope.label}: leased share of the leasable area, units and seats at the end "
                f"of each of the last {months} months and on {day:%d %B %Y}."
            ),
            labels=tuple(f"{row['day']:%b %Y}" for row in series),
            series=(
                Series("By area", tuple(row["occupancy_percent"] for row in series)),
                Series("By units", tuple(row["units_percent"] for row in series)),
                Series("By seats", tuple(row["seats_percent"] for row in series)),
            ),
            unit=Kind.PERCENT,
        )

    return Report(
        name="occupancy",
        title="Occupancy",
        filters=filters,
        scope=scope,
        table=table,
        tables=tables,
        figures={
            "parks_open": sum(1 for p in scope.parks if p.status == ParkStatus.EXISTING),
            "occupancy_percent": totals["occupancy_percent"],
            "units_vacant": totals["units_vacant"],
            "tenants": tenants_on(scope.ids, day),
        },
        chart=chart,
        notes=(
            "Occupancy is the leased share of the leasable area (units not under maintenance); "
            "by units and by seats likewise. A total is the ratio of the summed parts.",
            "Earlier months are measured against today's units and maintenance flags: only "
            "leases keep a history.",
        ),
    )
