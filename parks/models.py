from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.vocabulary import Amenity, ParkStatus, Province, Tier, UnitKind
from stp_portal.validators import validate_programme_date

from .domain import amenities_in_order, amenities_problem, park_status_word, phone_problem

if TYPE_CHECKING:
    from accounts.models import User

PARK_CODE_PATTERN = r"^[A-Z]{2,5}$"


class ParkFields(TypedDict, total=False):
    """A park's editable fields (domain.md §2), stated once: ``park_create`` and ``park_update``
    take them as keyword arguments, and the serializer and the admin list ``PARK_FIELDS``."""

    name: str
    code: str
    city: str
    province: str
    tier: str
    status: str
    opening_date: date | None
    operator: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    rent_per_sqft: Decimal
    description: str
    contact_name: str
    contact_phone: str
    contact_email: str
    amenities: list[str]


class UnitFields(TypedDict, total=False):
    """A unit's editable fields (domain.md §2), stated once: ``unit_create`` and
    ``unit_update`` take them as keyword arguments; the form (and through it the CSV import),
    the serializer and the admin list ``UNIT_FIELDS``. ``monthly_rent`` None: the park's
    default (area × the park's rate)."""

    code: str
    floor: str
    kind: str
    area_sqft: Decimal
    seats: int
    monthly_rent: Decimal | None
    internet_fee: Decimal
    under_maintenance: bool


PARK_FIELDS: tuple[str, ...] = tuple(ParkFields.__annotations__)
UNIT_FIELDS: tuple[str, ...] = tuple(UnitFields.__annotations__)


def _coordinate(limit: int) -> models.DecimalField[Decimal | None, Decimal | None]:
    """A latitude or longitude in degrees, from -``limit`` to ``limit``, or none."""
    return models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-limit)), MaxValueValidator(Decimal(limit))],
    )


def validate_phone(value: str) -> None:
    problem = phone_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid")


def validate_amenities(value: object) -> None:
    problem = amenities_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid")


def _within(field: str, limit: int) -> models.CheckConstraint:
    inside = Q(**{f"{field}__gte": -limit, f"{field}__lte": limit})
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | inside, name=f"park_{field}_range"
    )


def _one_of(field: str, values: list[str]) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": values}), name=f"park_{field}_valid"
    )


class Park(models.Model):
    """A Software Technology Park (domain.md §2)."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(
        max_length=5,
        unique=True,
        validators=[RegexValidator(PARK_CODE_PATTERN, "2 to 5 capital letters, e.g. GUJ.")],
        help_text="2–5 capital letters; used in statement numbers (GUJ-2026-27-00001).",
    )
    city = models.CharField(max_length=100, db_index=True)
    province = models.CharField(max_length=20, choices=Province.choices)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    status = models.CharField(max_length=20, choices=ParkStatus.choices, db_index=True)
    opening_date = models.DateField(
        null=True,
        blank=True,
        help_text="Actual opening date, or the expected one.",
        validators=[validate_programme_date],
    )
    operator = models.CharField("operator / partner", max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    latitude = _coordinate(90)
    longitude = _coordinate(180)
    rent_per_sqft = models.DecimalField(
        "rent per sq ft per month (PKR)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    description = models.TextField(blank=True)
    # Who a visitor calls or writes to (issue 12 §5), kept by PSEB; the address is above.
    contact_name = models.CharField(
        "contact person", max_length=120, blank=True, help_text="e.g. Park manager, Ali Raza."
    )
    contact_phone = models.CharField(
        "phone", max_length=30, blank=True, validators=[validate_phone]
    )
    contact_email = models.EmailField("e-mail", blank=True)
    amenities = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_amenities],
        help_text="What the park offers besides its units: codes of core.vocabulary.Amenity.",
    )
    managers: models.ManyToManyField[User, ParkManagerAssignment] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ParkManagerAssignment",
        related_name="managed_parks",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=PARK_CODE_PATTERN), name="park_code_format"
            ),
            models.CheckConstraint(condition=Q(rent_per_sqft__gt=0), name="park_rent_positive"),
            models.CheckConstraint(
                condition=Q(status=ParkStatus.PLANNED) | Q(opening_date__isnull=False),
                name="park_opening_date_unless_planned",
            ),
            _within("latitude", 90),
            _within("longitude", 180),
            _one_of("status", ParkStatus.values),
            _one_of("tier", Tier.values),
            _one_of("province", Province.values),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def status_word(self) -> str:
        """The status as a visitor reads it ("Open", "Opening 2027", "Planned"):
        ``parks.domain.park_status_word``, today in Asia/Karachi."""
        return park_status_word(self.status, self.opening_date, timezone.localdate())

    @property
    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [labels[code] for code in amenities_in_order(self.amenities or []) if code in labels]

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)

    @property
    def accepts_applications(self) -> bool:
        """domain.md §2: planned parks take no applications; upcoming ones do and wait."""
        return self.status != ParkStatus.PLANNED


class ParkManagerAssignment(models.Model):
    """A park manager's assignment to one park; a manager may run several parks."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="park_assignments"
    )
    park = models.ForeignKey(Park, on_delete=models.CASCADE, related_name="manager_assignments")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "park"], name="unique_manager_per_park"),
        ]

    def __str__(self) -> str:
        return f"{self.user} manages {self.park.code}"


class Unit(models.Model):
    """An office unit or a coworking desk in one park (domain.md §2)."""

    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(max_length=20, help_text="Unique within the park, e.g. A-101.")
    floor = models.CharField(max_length=20, blank=True, help_text="e.g. Ground, 1, 2.")
    kind = models.CharField(max_length=10, choices=UnitKind.choices, default=UnitKind.OFFICE)
    area_sqft = models.DecimalField(
        "area (sq ft)",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    seats = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    monthly_rent = models.DecimalField(
        "monthly rent (PKR)",
        max_digits=12,
        decimal_places=2,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text="Defaults to area × the park's rate when left blank.",
    )
    internet_fee = models.DecimalField(
        "internet package fee per month (PKR)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    under_maintenance = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["park", "code"]
        constraints = [
            models.UniqueConstraint(fields=["park", "code"], name="unique_unit_code_per_park"),
            models.CheckConstraint(condition=Q(area_sqft__gt=0), name="unit_area_positive"),
            models.CheckConstraint(condition=Q(seats__gt=0), name="unit_seats_positive"),
            models.CheckConstraint(condition=Q(monthly_rent__gte=0), name="unit_rent_not_negative"),
            models.CheckConstraint(
                condition=Q(internet_fee__gte=0), name="unit_internet_fee_not_negative"
            ),
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.park.code} {self.code}"

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        """The check constraints restate the field validators' rules (area and seats above
        zero, rents not negative, a known kind) for the database, which holds them on save.
        The validators give each its message without a query, so forms and the CSV import
        (2,000 rows) do not also ask the database once per check; the unique code is still
        validated where the park is known."""
        super().validate_constraints(exclude={*(exclude or ()), *CHECKED_BY_VALIDATORS})


# The fields of Unit's check constraints, each also checked by its field's validators.
CHECKED_BY_VALIDATORS = ("kind", "area_sqft", "seats", "monthly_rent", "internet_fee")


class ParkCounters(models.Model):
    """A park's units and occupancy on one day, stored so the directory reads them instead
    of recomputing every unit's status (issue 9).

    Written only by ``parks.services.occupancy_refresh``: in the same transaction as each
    unit, lease and maintenance change (the row is locked first, so two writers queue), and
    each night for the new day (``parks.tasks``). A row whose ``on`` is not today is not
    used: readers compute that park's figures from the units and lets instead
    (``parks.selectors.directory_rows``), so the figures stay true if the night's refresh
    has not run. ``manage.py check_occupancy`` proves them against the lets.
    """

    park = models.OneToOneField(
        Park, on_delete=models.CASCADE, primary_key=True, related_name="counters"
    )
    on = models.DateField(help_text="The day these figures are true for (Asia/Karachi).")
    units_total = models.PositiveIntegerField()
    units_vacant = models.PositiveIntegerField()
    leased_units = models.PositiveIntegerField()
    leasable_units = models.PositiveIntegerField()
    leased_area = models.DecimalField(max_digits=14, decimal_places=2)
    leasable_area = models.DecimalField(max_digits=14, decimal_places=2)
    leased_seats = models.PositiveIntegerField()
    leasable_seats = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "park counters"

    def __str__(self) -> str:
        return f"{self.park_id} on {self.on}"
