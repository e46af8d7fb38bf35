"""Who may do what to billing data they can already see (``can_<action>(user, obj)``).

Role questions only (a refusal is 403); whether the user may see the object at all is the
selectors' question (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from accounts.models import User
    from tenants.models import Lease

    from .models import Statement

Verdict = tuple[bool, str]
OK: Verdict = (True, "")


def _manages(user: User, park_id: int) -> bool:
    return user.is_park_manager and user.park_assignments.filter(park_id=park_id).exists()


def can_manage_schemes(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return False, "Only PSEB staff create or change subsidy schemes."
    return OK


def can_run_billing(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return False, "Only PSEB staff run billing."
    return OK


def can_record_charge(user: User, lease: Lease) -> Verdict:
    if user.is_authenticated and (user.is_pseb_staff or _manages(user, lease.park_id)):
        return OK
    return False, "Only PSEB staff and the park's managers record charges."


def can_record_payment(user: User, statement: Statement) -> Verdict:
    if user.is_authenticated and (user.is_pseb_staff or _manages(user, statement.park_id)):
        return OK
    return False, "Only PSEB staff and the park's managers record payments."


def can_issue_credit_note(user: User, statement: Statement) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return False, "Only PSEB staff issue credit notes."
    return OK


RULES: dict[str, Callable[..., Verdict]] = {
    "manage_schemes": can_manage_schemes,
    "run_billing": can_run_billing,
    "record_charge": can_record_charge,
    "record_payment": can_record_payment,
    "issue_credit_note": can_issue_credit_note,
}


def has_permission(action: str, user: User, obj: Any = None) -> Verdict:
    return RULES[action](user, obj)


def ensure(action: str, user: User, obj: Any = None) -> None:
    allowed, reason = has_permission(action, user, obj)
    if not allowed:
        raise PermissionDenied(reason)
