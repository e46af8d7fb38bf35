"""Writes on parks and their units: typed, atomic, validated (conventions.md).

Each service checks the role first (PermissionDenied → 403), then the input
(ValidationError → 400, with field messages), and only then writes. The park's row is locked
while units are added or recoded, so two managers cannot both pass the "code is free" check;
the unique constraint on (park, code) makes it true whatever happens.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.services import staff_user_create
from audit.trail import log_created
from core.vocabulary import APPLICATION_WAITING, ParkStatus, Role

from .domain import (
    MAX_IMPORT_BYTES,
    RowError,
    amenities_in_order,
    amenities_problem,
    coordinates_problem,
    default_monthly_rent,
    opening_date_problem,
)
from .models import (
    PARK_FIELDS,
    UNIT_FIELDS,
    Park,
    ParkCounters,
    ParkFields,
    ParkManagerAssignment,
    Unit,
    UnitFields,
)
from .permissions import ensure
from .selectors import FIGURES, ParkFigures, park_figures_computed
from .unit_import import ImportReport, UnitRow, parse_units_csv

if TYPE_CHECKING:
    from accounts.models import User


def _editable(fields: Mapping[str, Any], names: Collection[str]) -> Mapping[str, Any]:
    """The fields as given, once they are all ``names`` (the model's editable fields):
    anything else is a programming error, never silently dropped or written."""
    unknown = sorted(set(fields) - set(names))
    if unknown:
        raise TypeError(f"Not editable here: {', '.join(unknown)}.")
    return fields


# --- Parks ------------------------------------------------------------------------------------
# Codes that are addresses of pages under /parks/ (parks.urls): /parks/new/ adds a park.
RESERVED_CODES = frozenset({"NEW"})


def _tenancy_problems(park: Park) -> dict[str, list[str]]:
    """A park's status and opening date must stay true to its tenants (domain.md §2): it
    cannot open after a lease in it starts, nor go back to planned (no applications) while
    it has leases or applications waiting."""
    if park.pk is None:
        return {}
    errors: dict[str, list[str]] = {}
    first = park.leases.order_by("start_date").values_list("start_date", flat=True).first()
    if first is not None and park.opening_date is not None and park.opening_date > first:
        errors["opening_date"] = [
            f"Its first lease starts on {first:%d %B %Y}: the park opens on that day or before."
        ]
    waiting = park.applications.filter(status__in=APPLICATION_WAITING)
    if park.status == ParkStatus.PLANNED and (first is not None or waiting.exists()):
        errors["status"] = [
            "It has leases or applications waiting: a planned park takes neither, so it "
            "stays open or upcoming."
        ]
    return errors


def _validate_park(park: Park, errors: dict[str, list[str]] | None = None) -> None:
    """domain.md §2 and issue 12 §5: the code in capitals (unique: the model), an opening
    date unless planned, coordinates both or neither and inside Pakistan, contact details
    trimmed, amenities known and kept in the vocabulary's order. Every problem at once."""
    park.code = (park.code or "").strip().upper()
    errors = dict(errors or {})
    if park.code in RESERVED_CODES:
        errors["code"] = [f"{park.code} is reserved for a page of the portal; choose another."]
    for name in ("name", "city", "contact_name", "contact_phone", "contact_email"):
        setattr(park, name, (getattr(park, name) or "").strip())
    if not amenities_problem(park.amenities):
        park.amenities = amenities_in_order(park.amenities)
    for name, message in (coordinates_problem(park.latitude, park.longitude) or {}).items():
        errors.setdefault(name, []).append(message)
    if problem := opening_date_problem(park.status, park.opening_date):
        errors.setdefault("opening_date", []).append(problem)
    try:
        park.full_clean(exclude=["managers", *errors])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def park_create(*, user: User, **fields: Unpack[ParkFields]) -> Park:
    """Add a park (domain.md §2). PSEB staff only."""
    ensure("edit_park", user)
    park = Park(**_editable(fields, PARK_FIELDS))
    _validate_park(park)
    try:
        with transaction.atomic():
            park.save()
    except IntegrityError as exc:
        # Another request took the code or name after our check; anything else is a bug to
        # see, not a message about the code.
        if not Park.objects.filter(Q(code=park.code) | Q(name=park.name)).exists():
            raise
        raise ValidationError(
            {"code": "A park with this code or name was just added; choose another."}
        ) from exc
    occupancy_refresh([park.pk])
    return park


@transaction.atomic
def park_update(*, user: User, park: Park, **changes: Unpack[ParkFields]) -> Park:
    """Change a park's facts (only the fields given). Its rate only sets the default rent of
    units added later: existing units and leases keep their prices (domain.md §4)."""
    ensure("edit_park", user, park)
    park = _locked(park)
    for name, value in _editable(changes, PARK_FIELDS).items():
        setattr(park, name, value)
    _validate_park(park, _tenancy_problems(park))
    park.save()
    return park


# --- Managers ---------------------------------------------------------------------------------
@transaction.atomic
def park_manager_assign(*, user: User, park: Park, manager: User) -> ParkManagerAssignment:
    """Let a park manager run one more park (domain.md §1: a manager sees only the parks
    assigned to them). PSEB staff only; only park-manager accounts can be assigned."""
    ensure("edit_park", user, park)
    if not manager.is_park_manager:
        raise ValidationError({"user": "Only an active park-manager account can run a park."})
    assignment, created = ParkManagerAssignment.objects.get_or_create(user=manager, park=park)
    if not created:
        raise ValidationError({"user": f"{manager} already manages {park.code}."})
    return assignment


@transaction.atomic
def park_manager_unassign(*, user: User, assignment: ParkManagerAssignment) -> None:
    """Take a park away from a manager: from now on they no longer see it."""
    ensure("edit_park", user, assignment.park)
    assignment.delete()


@transaction.atomic
def staff_user_create_with_parks(
    *,
    username: str,
    password: str,
    role: str,
    park_codes: Sequence[str] = (),
    email: str = "",
) -> User:
    """Create a PSEB staff account, or a park manager of the given parks (domain.md §1), as
    ``add_staff_user`` and the admin do: the account through ``accounts.services``, then its
    parks, all or nothing."""
    if role == Role.PARK_MANAGER and not park_codes:
        raise ValidationError({"park": "A park manager needs at least one --park CODE."})
    if role == Role.PSEB and park_codes:
        raise ValidationError({"park": "PSEB staff see every park; --park is for managers."})
    codes = sorted({c.upper() for c in park_codes})
    parks = list(Park.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {p.code for p in parks})
    if unknown:
        raise ValidationError({"park": f"No park with code {', '.join(unknown)}."})
    user = staff_user_create(username=username, password=password, role=role, email=email)
    assignments = ParkManagerAssignment.objects.bulk_create(
        ParkManagerAssignment(user=user, park=park) for park in parks
    )
    log_created(assignments)  # bulk_create sends no signal
    return user


# --- Units ------------------------------------------------------------------------------------
def _code_taken_message(code: str) -> str:
    return f"This park already has a unit {code}; unit codes are unique in a park."


def _locked(park: Park) -> Park:
    return Park.objects.select_for_update().get(pk=park.pk)


def _apply_default_rent(unit: Unit, park: Park) -> None:
    """domain.md §2: a monthly rent left blank is the unit's area × the park's rate."""
    if unit.monthly_rent in (None, "") and isinstance(unit.area_sqft, Decimal):
        unit.monthly_rent = default_monthly_rent(unit.area_sqft, park.rent_per_sqft)


def _validate_unit(unit: Unit, park: Park) -> None:
    unit.code = (unit.code or "").strip()
    unit.floor = (unit.floor or "").strip()
    # Codes are compared without regard to case: "a-101" and "A-101" are one door.
    others = park.units.filter(code__iexact=unit.code)
    if unit.pk:
        others = others.exclude(pk=unit.pk)
    if unit.code and others.exists():
        raise ValidationError({"code": _code_taken_message(unit.code)})
    _apply_default_rent(unit, park)
    unit.full_clean(exclude=["park"], validate_unique=False, validate_constraints=False)


def _save(unit: Unit) -> Unit:
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:  # a concurrent write took the code after our check
        raise ValidationError({"code": _code_taken_message(unit.code)}) from exc
    return unit


@transaction.atomic
def unit_create(*, user: User, park: Park, **fields: Unpack[UnitFields]) -> Unit:
    """Add an office unit or a coworking desk to a park (domain.md §2)."""
    ensure("manage_units", user, park)
    park = _locked(park)
    unit = Unit(park=park, **_editable(fields, UNIT_FIELDS))
    _validate_unit(unit, park)
    _save(unit)
    occupancy_refresh([park.pk])
    return unit


@transaction.atomic
def unit_update(*, user: User, unit: Unit, **changes: Unpack[UnitFields]) -> Unit:
    """Change a unit (only the fields given), including its maintenance flag. Leases keep
    the prices agreed at approval (domain.md §4), so a new rent here only applies to future
    leases."""
    park = unit.park
    ensure("manage_units", user, park)
    park = _locked(park)
    for name, value in _editable(changes, UNIT_FIELDS).items():
        setattr(unit, name, value)
    _validate_unit(unit, park)
    _save(unit)
    occupancy_refresh([park.pk])
    return unit


def _unit_from_row(row: UnitRow, park: Park) -> Unit:
    unit = Unit(park=park, **row.fields)
    _apply_default_rent(unit, park)
    return unit


def _field_errors(row: int, unit: Unit) -> list[RowError]:
    """The model's field checks once the default rent is set (a large area times the rate
    may not fit the rent's column); the form checked the rest of the row. No queries."""
    try:
        unit.full_clean(exclude=["park"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            RowError(row, field if field != "__all__" else "", message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


@transaction.atomic
def units_import_csv(*, user: User, park: Park, file: IO[bytes]) -> ImportReport:
    """Bulk-add units to a park from a CSV file: all rows or none (issue 3).

    Every row is validated by the unit form (``parks.unit_import``), codes against each
    other and against the park's units; if any row is bad nothing is imported and the
    report lists every problem by row and column.
    """
    ensure("manage_units", user, park)
    park = _locked(park)
    data = file.read(MAX_IMPORT_BYTES + 1)
    existing = park.units.values_list("code", flat=True)
    parsed = parse_units_csv(data, existing_codes=list(existing))
    if not parsed.ok:
        return ImportReport(errors=parsed.errors, problem=parsed.problem)

    units = [_unit_from_row(row, park) for row in parsed.rows]
    errors = [
        e
        for row, unit in zip(parsed.rows, units, strict=True)
        for e in _field_errors(row.row, unit)
    ]
    if errors:
        return ImportReport(errors=tuple(errors))
    try:
        with transaction.atomic():
            Unit.objects.bulk_create(units)
            log_created(units)  # bulk_create sends no signal: the audit rows, in one INSERT
    except IntegrityError:
        return ImportReport(
            problem="Some of these unit codes were added by someone else meanwhile. "
            "Nothing was imported; please upload the file again."
        )
    occupancy_refresh([park.pk])
    return ImportReport(created=tuple(u.code for u in units))


# --- Stored occupancy (issue 9) ---------------------------------------------------------------
def occupancy_refresh(park_ids: Collection[int], *, today: date | None = None) -> None:
    """Store the parks' figures for today (``ParkCounters``), from their units and lets.

    Every service that changes a park's units, lets or maintenance calls this last, in its
    own transaction (tenants' lease services too). The parks' rows are locked first, in park
    order, and only then counted: a second writer to the same park waits for the first to
    commit, and counts what it committed, so neither overwrites the other with older figures.
    """
    ids = sorted(set(park_ids))
    if not ids:
        return
    day = today or timezone.localdate()
    with transaction.atomic():
        ParkCounters.objects.bulk_create(
            [_counters(pk, ParkFigures.empty(day)) for pk in ids], ignore_conflicts=True
        )
        list(
            ParkCounters.objects.select_for_update()
            .filter(park_id__in=ids)
            .order_by("park_id")
            .values_list("pk", flat=True)
        )
        figures = park_figures_computed(ids, day)
        ParkCounters.objects.bulk_update(
            [_counters(pk, figures.get(pk) or ParkFigures.empty(day)) for pk in ids],
            ["on", *FIGURES, "refreshed_at"],
        )


def occupancy_refresh_all(*, today: date | None = None, parks_per_transaction: int = 50) -> int:
    """Store every park's figures for today: the night's refresh (``parks.tasks``), and after
    bulk loads (the demo, the benchmarks). A few parks per transaction, so no lease approval
    waits long for the lock. Answers the number of parks refreshed."""
    ids = list(Park.objects.order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(ids), parks_per_transaction):
        occupancy_refresh(ids[first : first + parks_per_transaction], today=today)
    return len(ids)


def _counters(park_id: int, figures: ParkFigures) -> ParkCounters:
    return ParkCounters(
        park_id=park_id,
        on=figures.occupancy.day,
        refreshed_at=timezone.now(),
        **figures.as_row(),
    )
