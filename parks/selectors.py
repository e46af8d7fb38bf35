"""Reads of parks and units, scoped to the user asking (conventions.md: one place)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from core.calendar import month_ends
from core.money import quantize_money
from core.permissions import has_permission
from core.vocabulary import ApplicationStatus, ParkStatus, UnitStatus

from .domain import unit_status_on
from .models import Park, ParkCounters, Unit
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
# under maintenance that day. Lets are tenants' LeaseUnit rows, the model behind the reverse
# relation ``Unit.lease_units`` (parks imports nothing of tenants: the layers).
LEASED = Q(status=UnitStatus.LEASED)
LEASABLE = ~Q(status=UnitStatus.MAINTENANCE)
VACANT = Q(status=UnitStatus.VACANT)
AREA: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _lets() -> QuerySet[Any]:
    lets = cast("type[Model]", Unit._meta.get_field("lease_units").related_model)
    return lets._default_manager.all()


def _a_let(day: date, *, starting_later: bool = False) -> Subquery:
    """A let of the outer query's unit covering ``day`` (or starting after it), or NULL:
    one index probe on that unit's lets (tenants' index on unit and dates). A scalar
    subquery, not EXISTS: PostgreSQL would hash every let in the country for EXISTS."""
    lets = _lets().filter(unit_id=OuterRef("pk"))
    if starting_later:
        lets = lets.filter(start_date__gt=day)
    else:
        lets = lets.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )
    return Subquery(lets.order_by().values("pk")[:1])


def with_unit_status(units: QuerySet[Unit], on: date | None = None) -> QuerySet[Unit]:
    """Annotate ``status`` on a day, in SQL, by the rule of ``parks.domain.unit_status_on``."""
    day = on or timezone.localdate()
    return units.alias(let_now=_a_let(day), let_later=_a_let(day, starting_later=True)).annotate(
        status=Case(
            When(let_now__isnull=False, then=Value(UnitStatus.LEASED.value)),
            When(under_maintenance=True, then=Value(UnitStatus.MAINTENANCE.value)),
            When(let_later__isnull=False, then=Value(UnitStatus.RESERVED.value)),
            default=Value(UnitStatus.VACANT.value),
        )
    )


def park_directory(user: User | AnonymousUser) -> QuerySet[Park]:
    """The public park directory, in its order: open parks first, then upcoming, then
    planned, each by name. ``directory_rows`` gives each park its unit counts and occupancy."""
    return (
        parks_visible_to(user)
        .annotate(
            status_rank=Case(
                When(status=ParkStatus.EXISTING, then=Value(0)),
                When(status=ParkStatus.UPCOMING, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("status_rank", "name")
    )


# The unit counts a park has besides its occupancy (``OccupancyPoint``'s leased and leasable
# area, units and seats): together, what ``ParkCounters`` stores, one column each.
UNIT_COUNTS = ("units_total", "units_vacant")
OCCUPANCY_PARTS = tuple(f.name for f in fields(OccupancyPoint) if f.name != "day")
FIGURES = UNIT_COUNTS + OCCUPANCY_PARTS
AREAS = tuple(name for name in FIGURES if name.endswith("_area"))  # sq ft, 2 decimals


@dataclass(frozen=True)
class ParkFigures:
    """A park's units on a day: how many, how many vacant, and its occupancy (domain.md §2)."""

    units_total: int
    units_vacant: int
    occupancy: OccupancyPoint

    @classmethod
    def empty(cls, day: date) -> ParkFigures:
        return cls.from_row({n: Decimal(0) if n in AREAS else 0 for n in FIGURES}, day)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], day: date) -> ParkFigures:
        """From a row holding each of ``FIGURES`` (stored, or summed by the database)."""
        return cls(
            **{name: row[name] for name in UNIT_COUNTS},
            occupancy=OccupancyPoint(day=day, **{name: row[name] for name in OCCUPANCY_PARTS}),
        )

    def as_row(self) -> dict[str, Any]:
        """Each of ``FIGURES``, by name (the columns of ``ParkCounters``)."""
        counts = {name: getattr(self, name) for name in UNIT_COUNTS}
        return counts | {name: getattr(self.occupancy, name) for name in OCCUPANCY_PARTS}


def park_figures_computed(park_ids: Collection[int], day: date) -> dict[int, ParkFigures]:
    """Each park's figures on ``day``, computed from its units and lets in one query: each
    unit's status once (``with_unit_status``), summed per park around it. A park without
    units is left out.

    The sums are written as SQL around the ORM's query of the units, because Django's
    aggregates would repeat the status expression, and its two let lookups, in each of the
    eight sums."""
    if not park_ids:
        return {}
    units: Any = with_unit_status(Unit.objects.filter(park_id__in=sorted(park_ids)), day)
    inner, inner_params = (
        units.order_by().values("park_id", "area_sqft", "seats", "status").query.sql_with_params()
    )
    leased, maintenance, vacant = UnitStatus.LEASED, UnitStatus.MAINTENANCE, UnitStatus.VACANT
    # (figure, the units it counts, their status, what each adds): constants, no user input.
    sums: list[tuple[str, str, str, str]] = [
        ("units_vacant", "=", vacant, "1"),
        ("leased_units", "=", leased, "1"),
        ("leasable_units", "<>", maintenance, "1"),
        ("leased_area", "=", leased, "area_sqft"),
        ("leasable_area", "<>", maintenance, "area_sqft"),
        ("leased_seats", "=", leased, "seats"),
        ("leasable_seats", "<>", maintenance, "seats"),
    ]
    columns = ", ".join(
        f"SUM(CASE WHEN status {op} %s THEN {adds} ELSE 0 END)" for _, op, _, adds in sums
    )
    # MATERIALIZED: each unit's status computed once, not again in each sum (PostgreSQL would
    # otherwise fold the units query into the sums).
    sql = (
        f"WITH units AS MATERIALIZED ({inner}) "  # noqa: S608
        f"SELECT park_id, COUNT(*), {columns} FROM units GROUP BY park_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *(status for _, _, status, _ in sums)])
        rows = cursor.fetchall()
    figures = {}
    for park_id, total, *values in rows:
        row = dict(zip([name for name, *_ in sums], values, strict=True), units_total=total)
        for name in AREAS:  # SQLite sums decimals as floats
            row[name] = quantize_money(Decimal(str(row[name])))
        figures[park_id] = ParkFigures.from_row(row, day)
    return figures


def park_figures_stored(
    day: date, *, park_ids: Collection[int] | None = None
) -> dict[int, ParkFigures]:
    """The figures ``ParkCounters`` holds for ``day`` (of these parks, or of all)."""
    rows = ParkCounters.objects.filter(on=day)
    if park_ids is not None:
        rows = rows.filter(park_id__in=park_ids)
    return {
        row["park_id"]: ParkFigures.from_row(row, day) for row in rows.values("park_id", *FIGURES)
    }


def park_figures(park_ids: Collection[int], *, on: date | None = None) -> dict[int, ParkFigures]:
    """Each park's figures on a day, every park given included (no units: zeros).

    Today's are read from ``ParkCounters``, kept by ``services.occupancy_refresh``: one
    query by primary key whatever the size of the parks. Any park whose stored row is not for
    that day (another day asked, the night's refresh not run yet) is computed from its units
    and lets, in one more query (``park_figures_computed``).
    """
    day = on or timezone.localdate()
    ids = set(park_ids)
    figures: dict[int, ParkFigures] = {}
    if ids and day == timezone.localdate():
        figures = park_figures_stored(day, park_ids=ids)
    figures |= park_figures_computed(ids - figures.keys(), day)
    return {pk: figures.get(pk) or ParkFigures.empty(day) for pk in ids}


@dataclass(frozen=True)
class ParkRow:
    """A park as the directory lists it on a day: its units, vacancies and occupancy."""

    park: Park
    figures: ParkFigures

    @property
    def units_total(self) -> int:
        return self.figures.units_total

    @property
    def units_vacant(self) -> int:
        return self.figures.units_vacant

    @property
    def leased_area(self) -> Decimal:
        return self.figures.occupancy.leased_area

    @property
    def leasable_area(self) -> Decimal:
        return self.figures.occupancy.leasable_area

    @property
    def occupancy(self) -> Decimal | None:
        """Leased ÷ leasable area, 4 decimals half up (``OccupancyPoint.by_area``); None
        when nothing is leasable."""
        return self.figures.occupancy.by_area


def directory_rows(parks: Iterable[Park], *, on: date | None = None) -> list[ParkRow]:
    """Parks (from ``park_directory``) with their figures on a day: two queries at most,
    whatever the number of parks (``park_figures``)."""
    parks = list(parks)
    figures = park_figures([p.pk for p in parks], on=on)
    return [ParkRow(park, figures[park.pk]) for park in parks]


def directory_row(park: Park, *, on: date | None = None) -> ParkRow:
    (row,) = directory_rows([park], on=on)
    return row


# --- Park manager pages (issue 3) -------------------------------------------------------------
class ManagedPark(NamedTuple):
    """A park someone manages, with its occupancy on a day by area, units and seats."""

    park: Park
    occupancy: OccupancyPoint


def managed_parks_with_occupancy(
    user: User | AnonymousUser, *, on: date | None = None
) -> list[ManagedPark]:
    """The parks this user manages, each with its occupancy on a day by area, units and seats:
    the parks, then their figures (``park_figures``), whatever the number of parks and units."""
    parks = list(parks_managed_by(user).order_by("name"))
    figures = park_figures([p.pk for p in parks], on=on)
    return [ManagedPark(park, figures[park.pk].occupancy) for park in parks]


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
