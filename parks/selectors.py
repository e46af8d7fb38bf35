"""Reads of parks and units, scoped to the user asking (conventions.md: one place)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.calendar import month_ends
from core.figures import rate
from core.permissions import has_permission
from core.vocabulary import ApplicationStatus, ParkStatus, UnitStatus

from .domain import unit_status_on
from .models import Park, Unit
from .occupancy import (
    OccupancyPoint,
    UnitLet,
    UnitSpace,
    occupancy_series,
    occupations_by_unit,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def parks_visible_to(user: User | AnonymousUser) -> QuerySet[Park]:
    """Every park is public: the directory lists them all (domain.md §1)."""
    return Park.objects.all()


def parks_managed_by(user: User | AnonymousUser) -> QuerySet[Park]:
    """Parks whose units, applications and leases this user may manage (domain.md §1): who
    manages parks at all is the ``manage_parks`` rule; PSEB staff manage every park, a park
    manager those assigned to them."""
    if not has_permission("manage_parks", user):
        return Park.objects.none()
    staff = cast("User", user)
    parks = Park.objects.all()
    return parks if staff.is_pseb_staff else parks.filter(manager_assignments__user=staff)


# The SQL statement of the status rule (``parks.domain.unit_status_on``) and of occupancy
# (``parks.occupancy``): a unit is leased on a day a let covers, and leasable unless it is
# under maintenance that day. Lets are tenants' LeaseUnit rows, reached through the reverse
# relation ``Unit.lease_units`` (parks imports nothing of tenants: the layers).
LEASED = Q(status=UnitStatus.LEASED)
LEASABLE = ~Q(status=UnitStatus.MAINTENANCE)
AREA: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _a_let(day: date, *, starting_later: bool = False) -> Exists:
    """Whether the unit of the outer query has a let covering ``day`` (or one starting after
    it). One ``filter`` call, so both conditions hold of the same let."""
    if starting_later:
        on_day = Q(lease_units__start_date__gt=day)
    else:
        on_day = Q(lease_units__start_date__lte=day) & (
            Q(lease_units__end_date__isnull=True) | Q(lease_units__end_date__gte=day)
        )
    return Exists(Unit.objects.filter(on_day, pk=OuterRef("pk")))


def with_unit_status(units: QuerySet[Unit], on: date | None = None) -> QuerySet[Unit]:
    """Annotate ``status`` on a day, in SQL, by the rule of ``parks.domain.unit_status_on``."""
    day = on or timezone.localdate()
    return units.annotate(
        status=Case(
            When(_a_let(day), then=Value(UnitStatus.LEASED.value)),
            When(under_maintenance=True, then=Value(UnitStatus.MAINTENANCE.value)),
            When(_a_let(day, starting_later=True), then=Value(UnitStatus.RESERVED.value)),
            default=Value(UnitStatus.VACANT.value),
        )
    )


def _per_park(day: date, aggregate: Any, filter: Q | None = None, *, zero: Value) -> Coalesce:
    """A figure of the outer park's units on ``day`` (a count or a sum), as a subquery."""
    units = with_unit_status(Unit.objects.filter(park=OuterRef("pk")), day)
    if filter is not None:
        units = units.filter(filter)
    figure = units.order_by().values("park").annotate(figure=aggregate).values("figure")
    return Coalesce(Subquery(figure), zero, output_field=zero.output_field)


def park_directory(user: User | AnonymousUser, *, on: date | None = None) -> QuerySet[Park]:
    """The public park directory: each park with its unit counts and occupancy on a day.

    Occupancy (domain.md §2) = leased area ÷ leasable area, leasable being every unit not
    under maintenance (``directory_row`` makes the figure). One query whatever the number
    of parks.
    """
    day = on or timezone.localdate()
    zero_area = Value(Decimal(0), output_field=AREA)
    return (
        parks_visible_to(user)
        .annotate(
            # Directory order: open parks first, then upcoming, then planned.
            status_rank=Case(
                When(status=ParkStatus.EXISTING, then=Value(0)),
                When(status=ParkStatus.UPCOMING, then=Value(1)),
                default=Value(2),
            ),
            units_total=_per_park(day, Count("pk"), zero=Value(0)),
            units_vacant=_per_park(day, Count("pk"), Q(status=UnitStatus.VACANT), zero=Value(0)),
            leased_area=_per_park(day, Sum("area_sqft"), LEASED, zero=zero_area),
            leasable_area=_per_park(day, Sum("area_sqft"), LEASABLE, zero=zero_area),
        )
        .order_by("status_rank", "name")
    )


@dataclass(frozen=True)
class ParkRow:
    """A park as the directory lists it on a day: its units, vacancies and occupancy."""

    park: Park
    units_total: int
    units_vacant: int
    leased_area: Decimal
    leasable_area: Decimal

    @property
    def occupancy(self) -> Decimal | None:
        """Leased ÷ leasable area, 4 decimals half up (``core.figures.rate``, as
        ``OccupancyPoint.by_area``); None when nothing is leasable."""
        return rate(self.leased_area, self.leasable_area)


def directory_row(park: Park) -> ParkRow:
    """A park read from ``park_directory`` (which annotated its figures), as a row."""
    figures: Any = park
    return ParkRow(
        park=park,
        units_total=figures.units_total,
        units_vacant=figures.units_vacant,
        leased_area=figures.leased_area,
        leasable_area=figures.leasable_area,
    )


def directory_rows(parks: Iterable[Park]) -> list[ParkRow]:
    return [directory_row(park) for park in parks]


# --- Park manager pages (issue 3) -------------------------------------------------------------
class ManagedPark(NamedTuple):
    """A park someone manages, with its occupancy on a day by area, units and seats."""

    park: Park
    occupancy: OccupancyPoint


def managed_parks_with_occupancy(
    user: User | AnonymousUser, *, on: date | None = None
) -> list[ManagedPark]:
    """The parks this user manages, each with its occupancy on a day by area, units and seats.

    Two queries whatever the number of parks and units: the parks, then one grouped count.
    """
    day = on or timezone.localdate()
    parks = list(parks_managed_by(user).order_by("name"))
    zero_area = Value(Decimal(0), output_field=AREA)
    rows = (
        with_unit_status(Unit.objects.filter(park__in=[p.pk for p in parks]), day)
        .order_by()
        .values("park_id")
        .annotate(
            leased_area=Coalesce(Sum("area_sqft", filter=LEASED), zero_area),
            leasable_area=Coalesce(Sum("area_sqft", filter=LEASABLE), zero_area),
            leased_units=Count("pk", filter=LEASED),
            leasable_units=Count("pk", filter=LEASABLE),
            leased_seats=Coalesce(Sum("seats", filter=LEASED), 0),
            leasable_seats=Coalesce(Sum("seats", filter=LEASABLE), 0),
        )
    )
    by_park = {row.pop("park_id"): row for row in rows} if parks else {}
    empty = OccupancyPoint(day, Decimal(0), Decimal(0), 0, 0, 0, 0)
    return [
        ManagedPark(
            park, OccupancyPoint(day=day, **by_park[park.pk]) if park.pk in by_park else empty
        )
        for park in parks
    ]


def park_units(park: Park, *, on: date | None = None) -> QuerySet[Unit]:
    """A park's units with their derived status on a day (``parks.filters.UnitFilter``
    narrows them by kind and status).

    The park must come from ``parks_managed_by``: this only narrows an already scoped park.
    """
    return with_unit_status(park.units.all(), on).order_by("code")


@dataclass(frozen=True)
class ParkOccupancy:
    """A park's occupancy now, its monthly trend (oldest first, now last) and vacant units."""

    now: OccupancyPoint
    trend: list[OccupancyPoint]
    vacant_units: list[Unit]


def park_occupancy(park: Park, *, today: date | None = None, months: int = 12) -> ParkOccupancy:
    """domain.md §2 and §7: occupancy now and by month, from the park's lease history.

    Two queries whatever the number of units and leases: the units, then every let of them
    (through ``Unit.lease_units``); the series is computed in Python by
    ``parks.occupancy.occupancy_series``.
    """
    day = today or timezone.localdate()
    units = list(park.units.order_by("code"))
    lets = [
        UnitLet(unit_id, start, end)
        for unit_id, start, end in park.units.order_by().values_list(
            "pk", "lease_units__start_date", "lease_units__end_date"
        )
        if start is not None  # a unit never let (an outer join's empty row)
    ]
    spaces = [UnitSpace(u.pk, u.area_sqft, u.seats, u.under_maintenance) for u in units]
    trend = occupancy_series(lets, spaces, month_ends(day, months))
    occupations = occupations_by_unit(lets)
    vacant = [
        u
        for u in units
        if unit_status_on(
            day, under_maintenance=u.under_maintenance, occupations=occupations.get(u.pk, [])
        )
        == UnitStatus.VACANT
    ]
    return ParkOccupancy(now=trend[-1], trend=trend, vacant_units=vacant)


# --- A park's applications (domain.md §7) -----------------------------------------------------
# Applications are tenants' rows, reached through the reverse relation ``Park.applications``;
# only those who manage the park see them (``parks_managed_by``: PSEB staff and its managers).
WAITING = [ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]


def _applications(user: User | AnonymousUser, park: Park) -> QuerySet[Any]:
    return park.applications.filter(park__in=parks_managed_by(user))


def park_application_pipeline(user: User | AnonymousUser, park: Park) -> QuerySet[Any]:
    """Applications for this park waiting for a decision (submitted or under review), oldest
    first."""
    return (
        _applications(user, park)
        .filter(status__in=WAITING)
        .select_related("company")
        .order_by("submitted_at", "pk")
    )


def park_draft_applications_count(user: User | AnonymousUser, park: Park) -> int:
    """Applications returned to their company for changes: back in draft, due to come back.

    A draft never submitted is the company's own work, not yet an application to the park
    (domain.md §1), and is not counted.
    """
    returned = Q(status=ApplicationStatus.DRAFT, submitted_at__isnull=False)
    return _applications(user, park).filter(returned).count()
