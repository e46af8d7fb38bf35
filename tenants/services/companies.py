"""Writes on companies and their members: profiles, invitations (domain.md §1, §3)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.vocabulary import CompanyKind, MemberRole
from stp_portal.errors import Conflict

from .. import tasks
from ..inputs import CompanyInput
from ..models import Company, Invitation, Membership
from ..permissions import ensure

if TYPE_CHECKING:
    from accounts.models import User

INVITATION_DAYS = 14


def _validate_company(company: Company) -> None:
    # The friendly, field-level messages first; full_clean then checks everything else.
    errors: dict[str, str] = {}
    if company.kind == CompanyKind.FREELANCER and company.secp_number:
        errors["secp_number"] = "Freelancers have no SECP incorporation number; leave it blank."
    if company.women_headcount > company.headcount:
        errors["women_headcount"] = "Women headcount cannot exceed the total headcount."
    if errors:
        raise ValidationError(errors)
    company.full_clean(exclude=["members"])


@transaction.atomic
def company_create(*, user: User, data: CompanyInput) -> Company:
    """The first user of a company creates its profile and becomes its owner."""
    ensure("create_company", user)
    company = Company()
    data.apply_to(company)
    _validate_company(company)
    company.save()
    try:
        with transaction.atomic():
            Membership.objects.create(user=user, company=company, role=MemberRole.OWNER)
    except IntegrityError as exc:  # the same user raced to create a second company
        raise Conflict("You already belong to a company.") from exc
    return company


@transaction.atomic
def company_update(*, user: User, company: Company, data: CompanyInput) -> Company:
    ensure("edit_company", user, company)
    data.apply_to(company)
    _validate_company(company)
    company.save()
    return company


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, user: User, company: Company, email: str) -> tuple[Invitation, str]:
    """Invite ``email`` to join ``company``; returns the invitation and its secret token."""
    ensure("invite_member", user, company)
    email = email.strip().lower()
    if company.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": "This person is already a member of the company."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        company=company,
        email=email,
        token_hash=_token_hash(token),
        invited_by=user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    transaction.on_commit(lambda: tasks.send_invitation_email.delay(invitation.pk, token))
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation this token stands for, or None (unknown, used or expired)."""
    return (
        Invitation.objects.select_related("company")
        .filter(
            token_hash=_token_hash(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError("This invitation link is unknown, already used or expired.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used.")
    if not user.is_company_user:
        raise ValidationError("Staff accounts cannot join a company.")
    if user.email.strip().lower() != invitation.email:
        raise ValidationError(
            f"This invitation was sent to {invitation.email}; sign in with the account of "
            "that address, or create one with it."
        )
    if user.memberships.exists():
        raise Conflict("You already belong to a company; a user belongs to one company.")
    membership = Membership.objects.create(
        user=user, company=invitation.company, role=MemberRole.MEMBER
    )
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, user: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation not yet used: its link stops working now. The company's owner
    may, and PSEB staff (say, one sent to a wrong address). The row stays, as a record."""
    ensure("revoke_invitation", user, invitation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(f"The invitation to {invitation.email} has already been used.")
    now = timezone.now()
    if invitation.expires_at > now:
        invitation.expires_at = now
        invitation.save(update_fields=["expires_at"])
    return invitation
