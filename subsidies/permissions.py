"""Who may do what to billing data they can already see (``can_<action>(user, obj)``).

Role questions only (a refusal is 403); whether the user may see the object at all is the
selectors' question (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.permissions import OK, Verdict, ensure, has_permission, refuse, rule

if TYPE_CHECKING:
    from accounts.models import User
    from parks.models import Park
    from tenants.models import Lease

    from .models import Statement


def _manages(user: User, park_id: int) -> bool:
    return user.is_park_manager and user.park_assignments.filter(park_id=park_id).exists()


@rule("read_schemes")
def can_read_schemes(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and (user.is_pseb_staff or user.is_park_manager)):
        return refuse("Subsidy schemes are for PSEB staff and park managers.")
    return OK


@rule("manage_schemes")
def can_manage_schemes(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return refuse("Only PSEB staff create or change subsidy schemes.")
    return OK


@rule("run_billing")
def can_run_billing(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return refuse("Only PSEB staff run billing.")
    return OK


@rule("record_charge")
def can_record_charge(user: User, lease: Lease) -> Verdict:
    if user.is_authenticated and (user.is_pseb_staff or _manages(user, lease.park_id)):
        return OK
    return refuse("Only PSEB staff and the park's managers record charges.")


@rule("record_payment")
def can_record_payment(user: User, statement: Statement) -> Verdict:
    if user.is_authenticated and (user.is_pseb_staff or _manages(user, statement.park_id)):
        return OK
    return refuse("Only PSEB staff and the park's managers record payments.")


@rule("receive_payment")
def can_receive_payment(user: User, park: Park) -> Verdict:
    """Issue 12 §6: one payment from a company at a park, allocated across its statements."""
    if user.is_authenticated and (user.is_pseb_staff or _manages(user, park.pk)):
        return OK
    return refuse("Only PSEB staff and the park's managers record payments.")


@rule("read_payment_instructions")
def can_read_payment_instructions(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and (user.is_pseb_staff or user.is_park_manager)):
        return refuse("The parks' payment instructions are kept by PSEB staff.")
    return OK


@rule("manage_payment_instructions")
def can_manage_payment_instructions(user: User, obj: Any = None) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return refuse("Only PSEB staff change a park's payment instructions.")
    return OK


@rule("issue_credit_note")
def can_issue_credit_note(user: User, statement: Statement) -> Verdict:
    if not (user.is_authenticated and user.is_pseb_staff):
        return refuse("Only PSEB staff issue credit notes.")
    return OK


__all__ = ["ensure", "has_permission"]
