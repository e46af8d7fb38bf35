"""Revoking an invitation not yet used (the admin's action): the company's owner may, and
PSEB staff; nobody else (tenants.permissions ``revoke_invitation``)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.vocabulary import MemberRole
from stp_portal.errors import Conflict
from tenants import services
from tenants.models import Invitation
from tenants.selectors import company_of
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(company_user):
    invitation, _ = services.invitation_create(
        user=company_user, company=company_of(company_user), email="colleague@example.pk"
    )
    return invitation


@pytest.mark.parametrize("role", ["company_user", "pseb_staff"])
def test_the_owner_and_pseb_staff_revoke_an_open_invitation(request, invitation, role):
    services.invitation_revoke(user=request.getfixturevalue(role), invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.expires_at <= timezone.now()
    assert Invitation.objects.filter(pk=invitation.pk).exists()  # kept, as a record


@pytest.mark.parametrize("role", ["park_manager", "other_company_user", "member"])
def test_nobody_else_revokes_an_invitation(request, company_user, invitation, role):
    if role == "member":
        who = MembershipFactory(company=company_of(company_user), role=MemberRole.MEMBER).user
    else:
        who = request.getfixturevalue(role)
    expires = invitation.expires_at
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(user=who, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.expires_at == expires


def test_a_used_invitation_cannot_be_revoked(company_user, pseb_staff, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        accepted_at=timezone.now(), accepted_by=UserFactory()
    )
    with pytest.raises(Conflict):
        services.invitation_revoke(user=pseb_staff, invitation=invitation)
