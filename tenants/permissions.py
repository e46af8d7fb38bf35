"""Who may do what to tenant data they can already see (conventions.md, after Hypha).

Every rule is ``can_<action>(user, obj) -> (allowed, reason)``; ``has_permission`` is the one
entry point. These answer *role* questions only (a refusal is 403); whether the object's
state allows the action is the workflow's question (tenants.domain, a refusal is 409), and
whether the user may see the object at all is the selectors' (404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

from .domain import COMPANY, TRANSITIONS
from .models import Application, Company, CompanyKind, Lease, MemberRole, Membership

if TYPE_CHECKING:
    from accounts.models import User

Verdict = tuple[bool, str]
OK: Verdict = (True, "")


def _membership(user: User, company: Company) -> Membership | None:
    if not user.is_authenticated or not user.is_company_user:
        return None
    return next((m for m in user.memberships.all() if m.company_id == company.pk), None)


def can_create_company(user: User, obj: Any = None) -> Verdict:
    if not user.is_authenticated or not user.is_company_user:
        return False, "Only company accounts create a company profile."
    if user.memberships.exists():
        return False, "You already belong to a company; a user belongs to one company."
    return OK


def can_edit_company(user: User, company: Company) -> Verdict:
    if _membership(user, company) is None:
        return False, "Only the company's own users edit its profile."
    return OK


def can_invite_member(user: User, company: Company) -> Verdict:
    membership = _membership(user, company)
    if membership is None or membership.role != MemberRole.OWNER:
        return False, "Only the company's owner invites members."
    if company.kind == CompanyKind.FREELANCER:
        return False, "A freelancer profile is one person's: it has no members to invite."
    return OK


def can_apply(user: User, company: Company) -> Verdict:
    if _membership(user, company) is None:
        return False, "Only the company's own users apply for space."
    return OK


def can_edit_application(user: User, application: Application) -> Verdict:
    if _membership(user, application.company) is None:
        return False, "Only the applying company edits its application."
    return OK


def can_transition(user: User, application: Application, action: str) -> Verdict:
    transition = TRANSITIONS.get(action)
    if transition is None:
        return False, f"Unknown action {action!r}."
    if transition.actor == COMPANY:
        if _membership(user, application.company) is None:
            return False, "Only the applying company can do this."
        return OK
    if not user.is_pseb_staff:
        return False, "Only PSEB staff review, approve, reject or return applications."
    return OK


def can_terminate_lease(user: User, lease: Lease) -> Verdict:
    if not user.is_pseb_staff:
        return False, "Only PSEB staff terminate leases."
    return OK


RULES: dict[str, Callable[..., Verdict]] = {
    "create_company": can_create_company,
    "edit_company": can_edit_company,
    "invite_member": can_invite_member,
    "apply": can_apply,
    "edit_application": can_edit_application,
    "transition": can_transition,
    "terminate_lease": can_terminate_lease,
}


def has_permission(action: str, user: User, obj: Any = None, *args: Any) -> Verdict:
    return RULES[action](user, obj, *args)


def ensure(action: str, user: User, obj: Any = None, *args: Any) -> None:
    """Raise PermissionDenied with the rule's reason when it refuses."""
    allowed, reason = has_permission(action, user, obj, *args)
    if not allowed:
        raise PermissionDenied(reason)
