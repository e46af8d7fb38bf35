"""Demand by city (domain.md §7.7): the IT/ITeS companies PSEB has registered in each city,
beside the city's parks by status, seats total and vacant, tenants, applications waiting, and
seats per 100 registered companies: where the next parks are needed.

Cities are matched however they are capitalised or spaced ("gilgit" is Gilgit).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.db.models.functions import Lower, Trim

from core.charts import Chart, ChartKind, Series
from core.tables import Kind, Table, columns
from core.vocabulary import APPLICATION_WAITING, ParkStatus, Province
from tenants.models import Application

from ..frame import Report, ReportFilters, Scope
from ..models import CityDemand
from .occupancy import figures_on, leases_covering, tenants_on

WAITING = APPLICATION_WAITING
PER_100_PLACES = Decimal("0.1")
PARK_COUNT_KEYS = tuple(f"parks_{status}" for status in ParkStatus.values)
SUMMED = (
    "registered_companies",
    *PARK_COUNT_KEYS,
    "seats_total",
    "seats_vacant",
    "applications_waiting",
)

DEMAND_COLUMNS = columns(
    ("city", "City"),
    ("province", "Province"),
    ("registered_companies", "Registered IT/ITeS companies", Kind.COUNT),
    *((f"parks_{s.value}", f"{s.label} parks", Kind.COUNT) for s in ParkStatus),
    ("seats_total", "Seats", Kind.COUNT),
    ("seats_vacant", "Seats vacant", Kind.COUNT),
    ("tenants", "Tenants", Kind.COUNT),
    ("applications_waiting", "Applications waiting", Kind.COUNT),
    ("seats_per_100", "Seats per 100 registered companies", Kind.DECIMAL),
)


def city_key(city: str) -> str:
    """A city's name as cities are matched: spaces squeezed, case folded."""
    return " ".join(city.split()).casefold()


def seats_per_100(seats: int, registered: int | None) -> Decimal | None:
    """Seats per 100 registered companies, 1 decimal half up; None without a figure (or a
    figure of 0: nothing to measure against)."""
    if not registered:
        return None
    return (Decimal(seats) * 100 / registered).quantize(PER_100_PLACES, rounding=ROUND_HALF_UP)


def _city_of(field: str) -> Any:
    return Lower(Trim(field))


def tenants_by_city(park_ids: list[int], day: date) -> tuple[dict[str, int], int]:
    """Companies with a lease covering ``day`` in these parks: per city (each counted once in
    a city) and in all (each counted once): two queries."""
    if not park_ids:
        return {}, 0
    leases = leases_covering(park_ids, day)
    per_city = (
        leases.annotate(city=_city_of("park__city"))
        .values_list("city")
        .annotate(n=Count("company_id", distinct=True))
    )
    total = tenants_on(park_ids, day)
    return {city_key(city): n for city, n in per_city}, total


def waiting_by_park(park_ids: list[int]) -> dict[int, int]:
    """Applications waiting for a decision per park (one GROUP BY)."""
    rows = (
        Application.objects.filter(park_id__in=park_ids, status__in=WAITING)
        .order_by()
        .values_list("park_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def _registered_cities(scope: Scope) -> Iterable[CityDemand]:
    """The recorded figures of the scope's cities, and, for the whole programme, of every
    city PSEB recorded (a city with no park yet is what the report is for). A park manager
    sees only their parks' cities."""
    recorded = CityDemand.objects.order_by("city")
    if scope.whole_programme:
        return recorded
    keys = {city_key(park.city) for park in scope.parks}
    return [demand for demand in recorded if city_key(demand.city) in keys]


def demand_report(scope: Scope, filters: ReportFilters) -> Report:
    """domain.md §7.7, per city on D. Seats are the leasable seats of the city's parks (units
    not under maintenance); vacant ones are those not leased on D (``occupancy.figures_on``).
    Five or six queries, whatever the number of parks, units, leases and applications."""
    day = filters.as_of
    cities: dict[str, dict[str, Any]] = {}

    def city_row(name: str, province: str) -> dict[str, Any]:
        return cities.setdefault(
            city_key(name),
            {
                "city": " ".join(name.split()),
                "province": Province(province).label,
                "registered_companies": None,
                **dict.fromkeys(PARK_COUNT_KEYS, 0),
                "seats_total": 0,
                "seats_vacant": 0,
                "tenants": 0,
                "applications_waiting": 0,
            },
        )

    for demand in _registered_cities(scope):
        city_row(demand.city, demand.province)["registered_companies"] = demand.registered_companies

    figures = figures_on(scope.ids, [], day)[day]
    waiting = waiting_by_park(scope.ids)
    for park in scope.parks:
        row = city_row(park.city, park.province)
        point = figures[park.id].occupancy
        row[f"parks_{park.status}"] += 1
        row["seats_total"] += point.leasable_seats
        row["seats_vacant"] += point.leasable_seats - point.leased_seats
        row["applications_waiting"] += waiting.get(park.id, 0)

    tenants, all_tenants = tenants_by_city(scope.ids, day)
    for key, row in cities.items():
        row["tenants"] = tenants.get(key, 0)
        row["seats_per_100"] = seats_per_100(row["seats_total"], row["registered_companies"])
    rows = sorted(cities.values(), key=lambda row: city_key(row["city"]))

    totals: dict[str, Any] = {"city": scope.label}
    totals |= {key: sum(row[key] or 0 for row in rows) for key in SUMMED}
    totals["tenants"] = all_tenants  # a company leasing in two cities is one tenant
    # The ratio of sums over the cities that have a figure (seats elsewhere have no demand
    # figure to set them against).
    totals["seats_per_100"] = seats_per_100(
        sum(row["seats_total"] for row in rows if row["registered_companies"]),
        totals["registered_companies"],
    )

    with_figure = [row for row in rows if row["seats_per_100"] is not None]
    chart = Chart(
        kind=ChartKind.BARS,
        title="Seats per 100 registered companies",
        description=(
            "For each city with a registered-companies figure: the seats of its parks per 100 "
            "IT/ITeS companies registered with PSEB there. Few seats for many companies is "
            "where a park is needed."
        ),
        labels=tuple(row["city"] for row in with_figure),
        series=(Series("Seats per 100 companies", tuple(r["seats_per_100"] for r in with_figure)),),
        unit=Kind.DECIMAL,
    )
    return Report(
        name="demand",
        title="Demand by city",
        filters=filters,
        scope=scope,
        table=Table(
            columns=DEMAND_COLUMNS,
            rows=rows,
            totals=totals,
            title=f"Demand by city on {day:%Y-%m-%d}",
            empty="No cities for these filters.",
        ),
        figures={
            "cities": len(rows),
            "registered_companies": totals["registered_companies"],
        },
        chart=chart,
        notes=(
            "Registered companies are the IT/ITeS companies registered with PSEB in the city, "
            "as PSEB records them. Seats are those of units not under maintenance; vacant "
            "seats are those not leased on the as-of date.",
            "The total seats per 100 companies counts only the cities with a figure.",
        ),
    )
