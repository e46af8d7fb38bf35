"""Writes on subsidy schemes (domain.md §5): PSEB creates and changes them; a scheme that
opened a subsidy window keeps what decided its amounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.vocabulary import WindowAnchor
from parks.models import Park
from stp_portal.errors import Conflict

from ..liability_version import liability_changed
from ..models import SubsidyScheme
from ..permissions import ensure
from ..selectors import scheme_applied_since

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class SchemeInput:
    """A subsidy scheme's editable fields, stated once: the services take it, and the form,
    the serializer and the admin are built from ``SCHEME_FIELDS``. ``parks`` empty: every
    park."""

    name: str
    internet_pct: Decimal
    rent_pct: Decimal
    duration_months: int
    valid_from: date
    valid_to: date | None = None
    anchor: str = WindowAnchor.LEASE_START
    parks: tuple[Park, ...] = ()

    @classmethod
    def of(cls, scheme: SubsidyScheme) -> SchemeInput:
        """The scheme as it stands: where a change starts from."""
        values = {name: getattr(scheme, name) for name in SCHEME_COLUMNS}
        return cls(**values, parks=tuple(scheme.parks.all()))

    @classmethod
    def build(
        cls, values: Mapping[str, Any], *, scheme: SubsidyScheme | None = None
    ) -> SchemeInput:
        """From a form's cleaned data or a serializer's validated data (other keys are not
        the scheme's and are left out); for a change of ``scheme``, what ``values`` leaves
        out stays as the scheme has it (a partial update)."""
        given = {name: values[name] for name in SCHEME_FIELDS if name in values}
        if "parks" in given:
            given["parks"] = tuple(given["parks"] or ())
        if scheme is None:
            return cls(**given)
        return replace(cls.of(scheme), **given)

    def columns(self) -> dict[str, Any]:
        """The values of the scheme's own columns (all but its parks)."""
        return {name: getattr(self, name) for name in SCHEME_COLUMNS}


SCHEME_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(SchemeInput))
SCHEME_COLUMNS: tuple[str, ...] = tuple(name for name in SCHEME_FIELDS if name != "parks")


def _save(scheme: SubsidyScheme, parks: Sequence[Park] | None) -> SubsidyScheme:
    if scheme.valid_to and scheme.valid_from and scheme.valid_to < scheme.valid_from:
        raise ValidationError({"valid_to": "A scheme cannot end before it starts."})
    scheme.full_clean(exclude=["parks"])
    scheme.save()
    if parks is not None:
        scheme.parks.set(parks)
    liability_changed()  # §7.3: windows not fixed yet may open under it
    return scheme


@transaction.atomic
def scheme_create(*, user: User, data: SchemeInput) -> SubsidyScheme:
    ensure("manage_schemes", user)
    return _save(SubsidyScheme(**data.columns()), list(data.parks))


@transaction.atomic
def scheme_update(*, user: User, scheme: SubsidyScheme, data: SchemeInput) -> SubsidyScheme:
    """Make ``scheme`` as ``data`` says; what differs from the stored scheme is the change
    (``SchemeInput.build`` fills what a partial update leaves out)."""
    ensure("manage_schemes", user)
    scheme = SubsidyScheme.objects.select_for_update().get(pk=scheme.pk)
    changes: dict[str, Any] = {
        name: value for name, value in data.columns().items() if getattr(scheme, name) != value
    }
    if {p.pk for p in data.parks} != set(scheme.parks.values_list("pk", flat=True)):
        changes["parks"] = list(data.parks)
    _guard_applied_scheme(scheme, changes)
    for name, value in changes.items():
        if name != "parks":
            setattr(scheme, name, value)
    return _save(scheme, changes.get("parks"))


def _guard_applied_scheme(scheme: SubsidyScheme, changes: Mapping[str, Any]) -> None:
    """A scheme that opened a subsidy window keeps everything that decided its amounts.

    Only its name (for display) and its end of validity may change, and the end not before
    the latest window it opened: anything else would change statements already issued (or
    the months still to come of windows already open). Make a new scheme instead.
    """
    used = scheme_applied_since(scheme)
    if used is None:
        return
    frozen = sorted(set(changes) - SubsidyScheme.EDITABLE_ONCE_APPLIED)
    if frozen:
        raise Conflict(
            dict.fromkeys(
                frozen,
                "This scheme is applied to issued statements: it cannot change. "
                "Create a new scheme instead.",
            )
        )
    if "valid_to" not in changes:
        return
    valid_to = changes["valid_to"]
    if valid_to is not None and valid_to < used:
        raise Conflict(
            {
                "valid_to": f"Statements use a window of this scheme opened on {used:%Y-%m-%d}; "
                "it must stay valid until then."
            }
        )
