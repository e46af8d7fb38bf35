"""Occupancy of a park (domain.md §2, §7) as a pure rule: no Django import.

A unit is leased on a day a let covers; it is leasable unless its status that day is "under
maintenance" (``parks.domain.unit_status_on``, so a flagged unit a tenant still occupies
counts as leased). Occupancy is leased ÷ leasable, by area (the figure pages and the API
show), by units and by seats, with the one rounding of ``core.figures``. The database sums
the same parts (``parks.selectors``); a property test says the two agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.figures import percent, rate
from core.vocabulary import UnitStatus

from .domain import Occupation, unit_status_on


@dataclass(frozen=True)
class UnitSpace:
    """What a unit contributes to occupancy: its area, its seats, and today's flag."""

    id: int
    area_sqft: Decimal
    seats: int
    under_maintenance: bool = False


@dataclass(frozen=True)
class UnitLet:
    """One let of one unit: start and inclusive end (None = open)."""

    unit_id: int
    start: date
    end: date | None = None


@dataclass(frozen=True)
class OccupancyPoint:
    """Occupancy of a park on one day, by area, units and seats."""

    day: date
    leased_area: Decimal
    leasable_area: Decimal
    leased_units: int
    leasable_units: int
    leased_seats: int
    leasable_seats: int

    @property
    def by_area(self) -> Decimal | None:
        """Leased ÷ leasable area, a fraction with 4 decimals; None when nothing is leasable."""
        return rate(self.leased_area, self.leasable_area)

    @property
    def by_units(self) -> Decimal | None:
        return rate(self.leased_units, self.leasable_units)

    @property
    def by_seats(self) -> Decimal | None:
        return rate(self.leased_seats, self.leasable_seats)

    @property
    def percent(self) -> Decimal | None:
        """By area, in percent with one decimal (the figure the chart shows)."""
        return percent(self.leased_area, self.leasable_area)

    @property
    def units_percent(self) -> Decimal | None:
        return percent(self.leased_units, self.leasable_units)

    @property
    def seats_percent(self) -> Decimal | None:
        return percent(self.leased_seats, self.leasable_seats)


def occupancy_on(
    day: date, units: Iterable[UnitSpace], occupations: dict[int, list[Occupation]]
) -> OccupancyPoint:
    """domain.md §2: occupancy of a park on ``day`` from its units and each unit's lets
    (``occupations`` by unit id)."""
    status = [
        (
            unit,
            unit_status_on(
                day,
                under_maintenance=unit.under_maintenance,
                occupations=occupations.get(unit.id, []),
            ),
        )
        for unit in units
    ]
    leased = [unit for unit, s in status if s == UnitStatus.LEASED]
    leasable = [unit for unit, s in status if s != UnitStatus.MAINTENANCE]
    return OccupancyPoint(
        day=day,
        leased_area=sum((u.area_sqft for u in leased), Decimal(0)),
        leasable_area=sum((u.area_sqft for u in leasable), Decimal(0)),
        leased_units=len(leased),
        leasable_units=len(leasable),
        leased_seats=sum(u.seats for u in leased),
        leasable_seats=sum(u.seats for u in leasable),
    )


def occupations_by_unit(lets: Iterable[UnitLet]) -> dict[int, list[Occupation]]:
    """Each unit's lets, by unit id."""
    by_unit: dict[int, list[Occupation]] = {}
    for let in lets:
        by_unit.setdefault(let.unit_id, []).append(Occupation(let.start, let.end))
    return by_unit


def occupancy_series(
    lets: Iterable[UnitLet], units: Iterable[UnitSpace], dates: Iterable[date]
) -> list[OccupancyPoint]:
    """domain.md §2: occupancy of a park on each date = leased area ÷ leasable area.

    Units are today's inventory with today's maintenance flag: no history of those is kept,
    only of leases.
    """
    spaces = list(units)
    occupations = occupations_by_unit(lets)
    return [occupancy_on(day, spaces, occupations) for day in dates]
