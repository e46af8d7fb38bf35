"""Who may change what the reports read (``can_<action>(user, obj)``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.permissions import OK, Verdict, refuse, rule

if TYPE_CHECKING:
    from accounts.models import User


@rule("manage_city_demand")
def can_manage_city_demand(user: User, obj: Any = None) -> Verdict:
    """PSEB keeps the registered companies per city (domain.md §7.7)."""
    if not (user.is_authenticated and user.is_pseb_staff):
        return refuse("Only PSEB staff record the registered companies of a city.")
    return OK
