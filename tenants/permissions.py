"""Who may do what to tenant data they can already see (conventions.md, after Hypha).

Every rule is ``can_<action>(user, obj) -> (allowed, reason)``; ``has_permission`` is the one
entry point. These answer *role* questions only (a refusal is 403); whether the object's
state allows the action is the workflow's question (tenants.domain, a refusal is 409), and
whether the user may see the object at all is the selectors' (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.permissions import OK, Verdict, ensure, has_permission, refuse, rule
from core.vocabulary import CompanyKind, MemberRole

from .domain import COMPANY, TRANSITIONS
from .models import Application, Company, Invitation, Lease, Membership

if TYPE_CHECKING:
    from accounts.models import User


def _membership(user: User, company: Company) -> Membership | None:
    if not user.is_authenticated or not user.is_company_user:
        return None
    return next((m for m in user.memberships.all() if m.company_id == company.pk), None)


def _members_only(user: User, company: Company, refusal: str) -> Verdict:
    """The company's own users may; anyone else is refused with ``refusal``."""
    return OK if _membership(user, company) is not None else refuse(refusal)


@rule("create_company")
def can_create_company(user: User, obj: Any = None) -> Verdict:
    if not user.is_authenticated or not user.is_company_user:
        return refuse("Only company accounts create a company profile.")
    if user.memberships.exists():
        return refuse("You already belong to a company; a user belongs to one company.")
    return OK


@rule("edit_company")
def can_edit_company(user: User, company: Company) -> Verdict:
    return _members_only(user, company, "Only the company's own users edit its profile.")


@rule("invite_member")
def can_invite_member(user: User, company: Company) -> Verdict:
    membership = _membership(user, company)
    if membership is None or membership.role != MemberRole.OWNER:
        return refuse("Only the company's owner invites members.")
    if company.kind == CompanyKind.FREELANCER:
        return refuse("A freelancer profile is one person's: it has no members to invite.")
    return OK


@rule("revoke_invitation")
def can_revoke_invitation(user: User, invitation: Invitation) -> Verdict:
    """PSEB staff may (say, one sent to a wrong address), and whoever may invite."""
    if user.is_pseb_staff:
        return OK
    return can_invite_member(user, invitation.company)


@rule("apply")
def can_apply(user: User, company: Company) -> Verdict:
    return _members_only(user, company, "Only the company's own users apply for space.")


@rule("edit_application")
def can_edit_application(user: User, application: Application) -> Verdict:
    return _members_only(
        user, application.company, "Only the applying company edits its application."
    )


@rule("transition")
def can_transition(user: User, application: Application, action: str) -> Verdict:
    transition = TRANSITIONS.get(action)
    if transition is None:
        return refuse(f"Unknown action {action!r}.")
    if transition.actor == COMPANY:
        return _members_only(user, application.company, "Only the applying company can do this.")
    if not user.is_pseb_staff:
        return refuse("Only PSEB staff review, approve, reject or return applications.")
    return OK


@rule("terminate_lease")
def can_terminate_lease(user: User, lease: Lease) -> Verdict:
    if not user.is_pseb_staff:
        return refuse("Only PSEB staff terminate leases.")
    return OK


__all__ = ["ensure", "has_permission"]
