"""Reads of parks and units, scoped to the user asking (conventions.md: one place)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Model,
    OuterRef,
    Prefetch,
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
from core.vocabulary import APPLICATION_WAITING, ApplicationStatus, ParkStatus, Role, UnitStatus

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


def parks_editable_by(user: User | AnonymousUser) -> QuerySet[Park]:
    """Parks this user may edit and assign managers to: every park for PSEB staff, none for
    anyone else (the ``edit_park`` rule; others get 404)."""
    if not has_permission("edit_park", user):
        return Park.objects.none()
    return Park.objects.all()


# What the map reads of a park (``parks.maps``): its place, its words, its link.
MAP_FIELDS = ("code", "name", "city", "status", "opening_date", "latitude", "longitude")


def park_map_points(user: User | AnonymousUser) -> QuerySet[Park]:
    """Every park the directory shows, with only what the map draws: one query."""
    return parks_visible_to(user).only(*MAP_FIELDS).order_by("name")


def manager_candidates(
    user: User | AnonymousUser, park: Park, *, search: str = ""
) -> QuerySet[Any]:
    """Park-manager accounts PSEB may assign to ``park`` (active, not running it yet),
    narrowed by ``search`` in the name, username or e-mail. None for anyone else."""
    if not has_permission("edit_park", user):
        return get_user_model().objects.none()
    managers = (
        get_user_model()
        .objects.filter(is_active=True, role=Role.PARK_MANAGER)
        .exclude(park_assignments__park=park)
    )
    for word in search.split()[:5]:
        managers = managers.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    return managers.order_by("first_name", "last_name", "username")


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


def park_figures_on_days(
    park_ids: Collection[int], days: Iterable[date]
) -> dict[date, dict[int, ParkFigures]]:
    """Each park's figures on each of ``days`` (a monthly series, or a report's as-of date),
    in one query, whatever the number of days, parks, units and lets. Every park given is
    included (no units: zeros).

    The rule of ``park_figures_computed`` (``parks.domain.unit_status_on``), stated for many
    days at once: a unit is leased on a day a let covers; else under maintenance if flagged;
    else reserved if a let starts later; else vacant. Leasable is all but under maintenance.
    So a park's leasable parts on a day are those of its unflagged units plus its flagged
    units leased that day; its vacant units are its unflagged units neither leased nor
    reserved, reserved being the unflagged units whose latest let starts after the day less
    those of them leased that day. A unit's lets never overlap (the database refuses it:
    tenants' exclusion constraint), so a unit is counted once a day.

    Nothing is read once per day: with the days sorted, the database places each let by
    the run of days it covers (``first`` = days before its start, ``stop`` = days up to its
    end) and each unit by the days before its latest let's start (``later``), and sums the
    lets and the units of each park by those positions; the sums are then spread over the
    days here. ``tests/reports/test_occupancy.py`` checks that this and
    ``park_figures_computed`` agree, part for part.
    """
    days = sorted(set(days))
    ids = sorted(park_ids)
    figures = {day: {pk: ParkFigures.empty(day) for pk in ids} for day in days}
    if not days or not ids:
        return figures
    units_table = Unit._meta.db_table
    lets_table = _lets().model._meta.db_table

    def days_before(column: str, *, inclusive: bool = False) -> str:
        """How many of the days come before ``column``'s date (or on it): SQL, one %s a day."""
        op = ">=" if inclusive else ">"
        return " + ".join(f"(CASE WHEN {column} {op} %s THEN 1 ELSE 0 END)" for _ in days)

    n = len(days)
    in_parks = ", ".join(["%s"] * len(ids))
    # Table names from the models, placeholders for every value: no user input in the text.
    sql = f"""
        WITH units AS (
            SELECT u.id, u.park_id, u.area_sqft, u.seats, u.under_maintenance,
                CASE WHEN latest.start_date IS NULL THEN 0
                    ELSE {days_before("latest.start_date")} END AS later
            FROM {units_table} u
            LEFT JOIN (
                SELECT unit_id, MAX(start_date) AS start_date FROM {lets_table} GROUP BY unit_id
            ) latest ON latest.unit_id = u.id
            WHERE u.park_id IN ({in_parks})
        )
        SELECT 'let', units.park_id, units.under_maintenance, units.later,
            {days_before("lets.start_date")} AS first_day,
            CASE WHEN lets.end_date IS NULL THEN {n}
                ELSE {days_before("lets.end_date", inclusive=True)} END AS stop_day,
            COUNT(*), SUM(units.area_sqft), SUM(units.seats)
        FROM {lets_table} lets JOIN units ON units.id = lets.unit_id
        GROUP BY units.park_id, units.under_maintenance, units.later, first_day, stop_day
        UNION ALL
        SELECT 'unit', park_id, under_maintenance, later, 0, 0, COUNT(*), SUM(area_sqft),
            SUM(seats)
        FROM units GROUP BY park_id, under_maintenance, later
    """  # noqa: S608
    unit_params: list[Any] = [*days, *ids]
    let_params = [*days, *days]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*unit_params, *let_params])
        rows = cursor.fetchall()

    # Each row adds its sums to a run of days: a difference array per park and part (add at
    # the run's first day, take away after its last), summed up day by day below.
    keys = (
        "units_total",
        "free_units",
        "free_area",
        "free_seats",
        "later",
        "leased_units",
        "leased_area",
        "leased_seats",
        "flagged_units",
        "flagged_area",
        "flagged_seats",
        "leased_later",
    )
    delta: dict[int, dict[str, list[Any]]] = {
        pk: {key: [Decimal(0) if key.endswith("area") else 0] * (n + 1) for key in keys}
        for pk in ids
    }

    def spread(steps: dict[str, list[Any]], key: str, value: Any, lo: int, hi: int) -> None:
        if lo < hi:
            steps[key][lo] += value
            steps[key][hi] -= value

    for kind, park_id, flagged, later, first, stop, count, area_sum, seats in rows:
        steps = delta[park_id]
        area = Decimal(str(area_sum))  # SQLite sums decimals as floats
        if kind == "unit":
            spread(steps, "units_total", count, 0, n)
            if not flagged:
                for key, value in (("free_units", count), ("free_area", area)):
                    spread(steps, key, value, 0, n)
                spread(steps, "free_seats", seats, 0, n)
                spread(steps, "later", count, 0, later)
            continue
        for key, value in (("units", count), ("area", area), ("seats", seats)):
            spread(steps, f"leased_{key}", value, first, stop)
            if flagged:
                spread(steps, f"flagged_{key}", value, first, stop)
        if not flagged:
            spread(steps, "leased_later", count, first, min(stop, later))

    for park_id, steps in delta.items():
        cell = {key: steps[key][0] for key in keys}
        for k, day in enumerate(days):
            if k:
                cell = {key: cell[key] + steps[key][k] for key in keys}
            reserved = cell["later"] - cell["leased_later"]
            figures[day][park_id] = ParkFigures(
                units_total=cell["units_total"],
                units_vacant=cell["free_units"]
                - (cell["leased_units"] - cell["flagged_units"])
                - reserved,
                occupancy=OccupancyPoint(
                    day=day,
                    leased_area=quantize_money(cell["leased_area"]),
                    leasable_area=quantize_money(cell["free_area"] + cell["flagged_area"]),
                    leased_units=cell["leased_units"],
                    leasable_units=cell["free_units"] + cell["flagged_units"],
                    leased_seats=cell["leased_seats"],
                    leasable_seats=cell["free_seats"] + cell["flagged_seats"],
                ),
            )
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
    def seats_total(self) -> int:
        """The seats of the units that can be let (not under maintenance): an upcoming
        park's planned capacity."""
        return self.figures.occupancy.leasable_seats

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


def with_current_lets(units: QuerySet[Unit], on: date | None = None) -> QuerySet[Unit]:
    """``units`` with ``current_lets``: each unit's let covering the day or starting after it,
    earliest first, with its lease and company (one more query for a whole page). The first
    is who is in the unit today (or, for a reserved unit, who comes next) and when it ends.

    Lets are tenants' ``LeaseUnit`` rows, reached through ``Unit.lease_units`` (the layers)."""
    day = on or timezone.localdate()
    lets = (
        _lets()
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("lease__company")
        .order_by("start_date", "pk")
    )
    return units.prefetch_related(Prefetch("lease_units", queryset=lets, to_attr="current_lets"))


def with_current_tenant(units: QuerySet[Unit], on: date | None = None) -> QuerySet[Unit]:
    """``units`` annotated, in SQL, as ``with_current_lets`` reads them for a page: ``tenant``
    (the company of the first let covering the day or starting after it) and ``lease_end``
    (that let's end, NULL when open-ended or when there is none). For files: every unit in
    one query, whatever their number."""
    day = on or timezone.localdate()
    first_let = (
        _lets()
        .filter(unit_id=OuterRef("pk"))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("start_date", "pk")
    )
    return units.annotate(
        tenant=Subquery(first_let.values("lease__company__name")[:1]),
        lease_end=Subquery(first_let.values("end_date")[:1]),
    )


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
WAITING = APPLICATION_WAITING


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
