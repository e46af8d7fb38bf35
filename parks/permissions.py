"""Who may manage parks and units (the pattern: core.permissions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.permissions import OK, Verdict, ensure, has_permission, refuse, rule

from .models import Park

if TYPE_CHECKING:
    from accounts.models import User


def _manages(user: User, park: Park) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_pseb_staff:
        return True
    return user.is_park_manager and park.manager_assignments.filter(user=user).exists()


@rule("manage_units")
def can_manage_units(user: User, park: Park) -> Verdict:
    if not _manages(user, park):
        return refuse("Only PSEB staff and this park's managers manage its units.")
    return OK


@rule("manage_parks")
def can_manage_parks(user: User, obj: None = None) -> Verdict:
    """domain.md §1: PSEB staff and park managers manage parks (which ones is the scope of
    ``parks.selectors.parks_managed_by``); company users do not."""
    if not (user.is_pseb_staff or user.is_park_manager):
        return refuse("Only park managers and PSEB staff manage parks.")
    return OK


@rule("edit_park")
def can_edit_park(user: User, park: Park | None = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return refuse("Only PSEB staff create or edit parks.")
    return OK


__all__ = ["ensure", "has_permission"]
