"""Writes on parks and their units: typed, atomic, validated (conventions.md).

Each service checks the role first (PermissionDenied → 403), then the input
(ValidationError → 400, with field messages), and only then writes. The park's row is locked
while units are added or recoded, so two managers cannot both pass the "code is free" check;
the unique constraint on (park, code) makes it true whatever happens.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.trail import log_created
from core.vocabulary import ParkStatus

from .domain import (
    MAX_IMPORT_BYTES,
    ImportReport,
    RowError,
    UnitRow,
    default_monthly_rent,
    parse_units_csv,
)
from .models import Park, ParkManagerAssignment, Unit
from .permissions import ensure

if TYPE_CHECKING:
    from accounts.models import User

PARK_FIELDS = (
    "name",
    "code",
    "city",
    "province",
    "tier",
    "status",
    "opening_date",
    "operator",
    "address",
    "latitude",
    "longitude",
    "rent_per_sqft",
    "description",
)
UNIT_FIELDS = (
    "code",
    "floor",
    "kind",
    "area_sqft",
    "seats",
    "monthly_rent",
    "internet_fee",
    "under_maintenance",
)


# --- Parks ------------------------------------------------------------------------------------
def _validate_park(park: Park) -> None:
    park.code = (park.code or "").strip().upper()
    if park.status != ParkStatus.PLANNED and park.opening_date is None:
        raise ValidationError(
            {
                "opening_date": "An existing or upcoming park needs its opening date (or the "
                "expected one)."
            }
        )
    park.full_clean(exclude=["managers"])


@transaction.atomic
def park_create(*, user: User, **fields: Any) -> Park:
    """Add a park (domain.md §2). PSEB staff only."""
    ensure("edit_park", user)
    park = Park(**{k: v for k, v in fields.items() if k in PARK_FIELDS})
    _validate_park(park)
    park.save()
    return park


@transaction.atomic
def park_update(*, user: User, park: Park, **fields: Any) -> Park:
    """Change a park's facts. Its rate only sets the default rent of units added later:
    existing units and leases keep their prices (domain.md §4)."""
    ensure("edit_park", user, park)
    park = _locked(park)
    for name, value in fields.items():
        if name in PARK_FIELDS:
            setattr(park, name, value)
    _validate_park(park)
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
def unit_create(*, user: User, park: Park, **fields: Any) -> Unit:
    """Add an office unit or a coworking desk to a park (domain.md §2)."""
    ensure("manage_units", user, park)
    park = _locked(park)
    unit = Unit(park=park, **{k: v for k, v in fields.items() if k in UNIT_FIELDS})
    _validate_unit(unit, park)
    return _save(unit)


@transaction.atomic
def unit_update(*, user: User, unit: Unit, **fields: Any) -> Unit:
    """Change a unit, including its maintenance flag. Leases keep the prices agreed at
    approval (domain.md §4), so a new rent here only applies to future leases."""
    park = unit.park
    ensure("manage_units", user, park)
    park = _locked(park)
    for name, value in fields.items():
        if name in UNIT_FIELDS:
            setattr(unit, name, value)
    _validate_unit(unit, park)
    return _save(unit)


def _unit_from_row(row: UnitRow, park: Park) -> Unit:
    return Unit(
        park=park,
        code=row.code,
        floor=row.floor,
        kind=row.kind,
        area_sqft=row.area_sqft,
        seats=row.seats,
        monthly_rent=(
            row.monthly_rent
            if row.monthly_rent is not None
            else default_monthly_rent(row.area_sqft, park.rent_per_sqft)
        ),
        internet_fee=row.internet_fee,
        under_maintenance=row.under_maintenance,
    )


def _field_errors(row: int, unit: Unit) -> list[RowError]:
    """The model's own field checks, as a safety net behind the parser's (no queries)."""
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

    Every row is validated, codes against each other and against the park's units; if any
    row is bad nothing is imported and the report lists every problem by row and column.
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
    return ImportReport(created=tuple(u.code for u in units))
