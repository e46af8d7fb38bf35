"""What the portal writes on companies, applications and leases: the one statement of each
model's editable fields (conventions.md, typed service inputs).

The services take these frozen inputs; the form, the serializer and the admin list their
fields from the tuples below, so a field added here is added everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from parks.models import Park


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


class _Input:
    """Reading an input from a saved row, changing some of it, and writing it back."""

    @classmethod
    def of(cls, row: Any) -> Self:
        """The row's current values: with ``dataclasses.replace``, a partial change."""
        return cls(**{name: getattr(row, name) for name in _names(cls)})

    def apply_to(self, row: Any) -> None:
        for name in _names(type(self)):
            setattr(row, name, getattr(self, name))


@dataclass(frozen=True, kw_only=True)
class CompanyInput(_Input):
    """A company's or freelancer's profile, as its own users write it (domain.md §3)."""

    name: str
    kind: str
    city: str
    pseb_registration: str = ""
    secp_number: str = ""
    ntn: str = ""
    website: str = ""
    headcount: int = 0
    women_headcount: int = 0
    export_earnings_usd: Decimal = Decimal("0.00")
    services: str = ""


@dataclass(frozen=True, kw_only=True)
class ApplicationInput(_Input):
    """A draft application's request for space (domain.md §3). No seats or no area wanted
    is 0; the service asks for one of them."""

    park: Park
    unit_kind: str
    seats: int = 0
    area_sqft: Decimal = Decimal("0.00")
    desired_start: date
    duration_months: int
    business_plan: str


# The editable fields, in the order the forms show them.
COMPANY_FIELDS = _names(CompanyInput)
APPLICATION_FIELDS = _names(ApplicationInput)
# A lease recorded by hand (the admin's onboarding form), besides its units: lease_create's.
LEASE_FIELDS = ("company", "park", "start_date", "end_date")
