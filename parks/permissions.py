"""Who may change parks and units they can see (see tenants.permissions for the pattern)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from .models import Park

if TYPE_CHECKING:
    from accounts.models import User

Verdict = tuple[bool, str]


def _manages(user: User, park: Park) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_pseb_staff:
        return True
    return user.is_park_manager and park.manager_assignments.filter(user=user).exists()


def can_manage_units(user: User, park: Park) -> Verdict:
    if not _manages(user, park):
        return False, "Only PSEB staff and this park's managers manage its units."
    return True, ""


def can_edit_park(user: User, park: Park | None = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return False, "Only PSEB staff create or edit parks."
    return True, ""


RULES = {"manage_units": can_manage_units, "edit_park": can_edit_park}


def has_permission(action: str, user: User, obj: Any = None) -> Verdict:
    return RULES[action](user, obj)


def ensure(action: str, user: User, obj: Any = None) -> None:
    allowed, reason = has_permission(action, user, obj)
    if not allowed:
        raise PermissionDenied(reason)
