"""Reads of parks and units, scoped to the user asking (conventions.md: one place)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    IntegerField,
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
from core.vocabulary import ParkStatus, UnitStatus

from .domain import (
    OccupancyPoint,
    Occupation,
    UnitLet,
    UnitSpace,
    occupancy_series,
    unit_status_on,
)
from .models import Park, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def parks_visible_to(user: User | AnonymousUser) -> QuerySet[Park]:
    """Every park is public: the directory lists them all (domain.md §1)."""
    return Park.objects.all()


def parks_managed_by(user: User | AnonymousUser) -> QuerySet[Park]:
    """Parks whose units, applications and leases this user may manage."""
    if not user.is_authenticated:
        return Park.objects.none()
    if user.is_pseb_staff:
        return Park.objects.all()
    if user.is_park_manager:
        return Park.objects.filter(manager_assignments__user=user)
    return Park.objects.none()


def _lets_of_unit() -> QuerySet:
    from tenants.models import LeaseUnit

    return LeaseUnit.objects.filter(unit=OuterRef("pk"))


def with_unit_status(units: QuerySet[Unit], on: date | None = None) -> QuerySet[Unit]:
    """Annotate ``status`` on a day, in SQL, by the rule of ``parks.domain.unit_status_on``."""
    day = on or timezone.localdate()
    covering = _lets_of_unit().filter(
        Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))
    )
    future = _lets_of_unit().filter(start_date__gt=day)
    return units.annotate(
        status=Case(
            When(Exists(covering), then=Value(UnitStatus.LEASED.value)),
            When(under_maintenance=True, then=Value(UnitStatus.MAINTENANCE.value)),
            When(Exists(future), then=Value(UnitStatus.RESERVED.value)),
            default=Value(UnitStatus.VACANT.value),
        )
    )


def _count_units(status: str | None, day: date) -> Subquery:
    units = with_unit_status(Unit.objects.filter(park=OuterRef("pk")), day)
    if status is not None:
        units = units.filter(status=status)
    return Coalesce(
        Subquery(units.order_by().values("park").annotate(n=Count("pk")).values("n")),
        Value(0),
        output_field=IntegerField(),
    )


def _sum_area(statuses: list[str], day: date) -> Subquery:
    units = with_unit_status(Unit.objects.filter(park=OuterRef("pk")), day).filter(
        status__in=statuses
    )
    return Coalesce(
        Subquery(units.order_by().values("park").annotate(a=Sum("area_sqft")).values("a")),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def park_directory(user: User | AnonymousUser, *, on: date | None = None) -> QuerySet[Park]:
    """The public park directory: each park with its unit counts and occupancy on a day.

    Occupancy (domain.md §2) = leased area ÷ leasable area, leasable being every unit not
    under maintenance. A constant number of queries whatever the number of parks.
    """
    day = on or timezone.localdate()
    leasable = [UnitStatus.LEASED, UnitStatus.RESERVED, UnitStatus.VACANT]
    return (
        parks_visible_to(user)
        .annotate(
            # Directory order: open parks first, then upcoming, then planned.
            status_rank=Case(
                When(status=ParkStatus.EXISTING, then=Value(0)),
                When(status=ParkStatus.UPCOMING, then=Value(1)),
                default=Value(2),
            ),
            units_total=_count_units(None, day),
            units_vacant=_count_units(UnitStatus.VACANT, day),
            leased_area=_sum_area([UnitStatus.LEASED], day),
            leasable_area=_sum_area(leasable, day),
        )
        .order_by("status_rank", "name")
    )


# --- Park manager pages (issue 3) -------------------------------------------------------------
def managed_parks_with_occupancy(
    user: User | AnonymousUser, *, on: date | None = None
) -> list[tuple[Park, OccupancyPoint]]:
    """The parks this user manages, each with its occupancy on a day by area, units and seats.

    Two queries whatever the number of parks and units: the parks, then one grouped count.
    """
    day = on or timezone.localdate()
    parks = list(parks_managed_by(user).order_by("name"))
    leased = Q(status=UnitStatus.LEASED)
    leasable = ~Q(status=UnitStatus.MAINTENANCE)
    zero_area = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))
    rows = (
        with_unit_status(Unit.objects.filter(park__in=[p.pk for p in parks]), day)
        .order_by()
        .values("park_id")
        .annotate(
            leased_area=Coalesce(Sum("area_sqft", filter=leased), zero_area),
            leasable_area=Coalesce(Sum("area_sqft", filter=leasable), zero_area),
            leased_units=Count("pk", filter=leased),
            leasable_units=Count("pk", filter=leasable),
            leased_seats=Coalesce(Sum("seats", filter=leased), 0),
            leasable_seats=Coalesce(Sum("seats", filter=leasable), 0),
        )
    )
    by_park = {row.pop("park_id"): row for row in rows} if parks else {}
    empty = {
        "leased_area": Decimal(0),
        "leasable_area": Decimal(0),
        "leased_units": 0,
        "leasable_units": 0,
        "leased_seats": 0,
        "leasable_seats": 0,
    }
    return [(park, OccupancyPoint(day=day, **by_park.get(park.pk, empty))) for park in parks]


def park_units(
    park: Park, *, kind: str = "", status: str = "", on: date | None = None
) -> QuerySet[Unit]:
    """A park's units with their derived status on a day, optionally of one kind or status.

    The park must come from ``parks_managed_by``: this only narrows an already scoped park.
    """
    units = with_unit_status(park.units.all(), on)
    if kind:
        units = units.filter(kind=kind)
    if status:
        units = units.filter(status=status)
    return units.order_by("code")


@dataclass(frozen=True)
class ParkOccupancy:
    """A park's occupancy now, its monthly trend (oldest first, now last) and vacant units."""

    now: OccupancyPoint
    trend: list[OccupancyPoint]
    vacant_units: list[Unit]


def park_occupancy(park: Park, *, today: date | None = None, months: int = 12) -> ParkOccupancy:
    """domain.md §2 and §7: occupancy now and by month, from the park's lease history.

    Two queries whatever the number of units and leases: the units, then every let of them;
    the series is computed in Python by ``parks.domain.occupancy_series``.
    """
    from tenants.models import LeaseUnit

    day = today or timezone.localdate()
    units = list(park.units.order_by("code"))
    lets = [
        UnitLet(unit_id, start, end)
        for unit_id, start, end in LeaseUnit.objects.filter(unit__park=park).values_list(
            "unit_id", "start_date", "end_date"
        )
    ]
    spaces = [UnitSpace(u.pk, u.area_sqft, u.seats, u.under_maintenance) for u in units]
    trend = occupancy_series(lets, spaces, month_ends(day, months))
    occupations: dict[int, list[Occupation]] = {}
    for let in lets:
        occupations.setdefault(let.unit_id, []).append(Occupation(let.start, let.end))
    vacant = [
        u
        for u in units
        if unit_status_on(
            day, under_maintenance=u.under_maintenance, occupations=occupations.get(u.pk, [])
        )
        == UnitStatus.VACANT
    ]
    return ParkOccupancy(now=trend[-1], trend=trend, vacant_units=vacant)


def park_application_pipeline(user: User | AnonymousUser, park: Park) -> QuerySet:
    """Applications for this park waiting for a decision (submitted or under review), oldest
    first, through the one scoping of applications (tenants.selectors)."""
    from core.vocabulary import ApplicationStatus
    from tenants.selectors import applications_visible_to

    waiting = [ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
    return (
        applications_visible_to(user)
        .filter(park=park, status__in=waiting)
        .select_related("company")
        .order_by("submitted_at", "pk")
    )


def park_draft_applications_count(user: User | AnonymousUser, park: Park) -> int:
    """Applications returned to their company for changes: back in draft, due to come back.

    A draft never submitted is the company's own work and not counted (tenants.selectors).
    """
    from core.vocabulary import ApplicationStatus
    from tenants.selectors import applications_visible_to

    return applications_visible_to(user).filter(park=park, status=ApplicationStatus.DRAFT).count()
