"""E-mails of the workflow (domain.md §3: "each transition notifies the people concerned").

The people concerned are the company's users and the managers of the application's park —
not another park's manager, not another company. E-mails are queued on commit, so each test
runs its service inside ``django_capture_on_commit_callbacks(execute=True)``.
"""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import MemberRole
from stp_portal.errors import TransitionNotAllowed
from tenants import notifications, services
from tenants.models import Membership
from tenants.selectors import company_of
from tests.factories import (
    ApplicationFactory,
    LeaseFactory,
    MembershipFactory,
    ParkManagerAssignmentFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REASON = "The business plan does not say how many graduates you will hire."


@pytest.fixture
def member(company_user):
    return MembershipFactory(
        company=company_of(company_user),
        role=MemberRole.MEMBER,
        user__username="member.one",
    ).user


@pytest.fixture
def concerned(company_user, member, park_manager):
    """Everyone who must hear about an application of company_user's company to GUJ."""
    return sorted([company_user.email, member.email, park_manager.email])


@pytest.fixture
def bystanders(pseb_staff, other_park_manager, other_company_user):
    """Accounts that must not be told: PSEB, the other park's manager, another company."""
    return {pseb_staff.email, other_park_manager.email, other_company_user.email}


def _application(company_user, park, status="draft"):
    return ApplicationFactory(
        company=company_of(company_user),
        park=park,
        created_by=company_user,
        status=status,
        desired_start=timezone.localdate() + timedelta(days=30),
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and let its on-commit e-mails go out."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


def _recipients(outbox):
    return sorted(address for message in outbox for address in message.to)


# (action, status before, who acts, reason)
STEPS = [
    ("submit", "draft", "company_user", ""),
    ("withdraw", "submitted", "company_user", ""),
    ("review", "submitted", "pseb_staff", ""),
    ("reject", "under_review", "pseb_staff", REASON),
    ("return", "under_review", "pseb_staff", REASON),
]


@pytest.mark.parametrize(("action", "status", "actor", "reason"), STEPS)
def test_each_transition_mails_every_concerned_person_once_and_nobody_else(
    request,
    run,
    mailoutbox,
    company_user,
    park,
    concerned,
    bystanders,
    action,
    status,
    actor,
    reason,
):
    application = _application(company_user, park, status)
    run(
        services.application_transition,
        user=request.getfixturevalue(actor),
        application=application,
        action=action,
        reason=reason,
    )
    assert _recipients(mailoutbox) == concerned
    assert all(len(message.to) == 1 for message in mailoutbox)  # nobody sees the others
    assert not bystanders & set(_recipients(mailoutbox))


def test_approval_mails_every_concerned_person_once_and_names_the_lease(
    run, mailoutbox, company_user, pseb_staff, park, concerned, bystanders
):
    application = _application(company_user, park, "under_review")
    unit = UnitFactory(park=park)
    lease = run(
        services.application_approve,
        user=pseb_staff,
        application=application,
        unit_ids=[unit.pk],
        start_date=date(2027, 1, 1),
    )
    assert _recipients(mailoutbox) == concerned
    assert not bystanders & set(_recipients(mailoutbox))
    message = mailoutbox[0]
    assert f"Application #{application.pk}" in message.subject
    assert "approved" in message.subject
    assert f"lease #{lease.pk}" in message.body
    assert "1 January 2027" in message.body


@pytest.mark.parametrize(("action", "status", "actor", "reason"), STEPS)
def test_the_subject_and_body_name_the_application_and_the_park(
    request, run, mailoutbox, company_user, park, concerned, action, status, actor, reason
):
    application = _application(company_user, park, status)
    run(
        services.application_transition,
        user=request.getfixturevalue(actor),
        application=application,
        action=action,
        reason=reason,
    )
    for message in mailoutbox:
        assert f"#{application.pk}" in message.subject
        assert park.name in message.subject
        assert f"#{application.pk}" in message.body
        assert park.name in message.body
        assert application.company.name in message.body
        assert f"{settings.SITE_URL}/applications/{application.pk}/" in message.body


@pytest.mark.parametrize(
    ("action", "in_subject"), [("reject", "rejected"), ("return", "returned for changes")]
)
def test_rejection_and_return_mails_carry_the_reason(
    run, mailoutbox, company_user, pseb_staff, park, concerned, action, in_subject
):
    application = _application(company_user, park, "under_review")
    run(
        services.application_transition,
        user=pseb_staff,
        application=application,
        action=action,
        reason=REASON,
    )
    assert len(mailoutbox) == len(concerned)
    for message in mailoutbox:
        assert in_subject in message.subject
        assert f"Reason: {REASON}" in message.body


def test_the_link_in_a_transition_mail_opens_the_application(
    run, mailoutbox, client, company_user, park, concerned
):
    application = _application(company_user, park)
    run(
        services.application_transition,
        user=company_user,
        application=application,
        action="submit",
    )
    link = re.search(r"https?://\S+/applications/\d+/", mailoutbox[0].body).group(0)
    client.force_login(company_user)
    response = client.get(urlsplit(link).path)
    assert response.status_code == 200
    assert f"Application #{application.pk}" in response.content.decode()


def test_a_refused_transition_mails_nobody(run, mailoutbox, company_user, park, concerned):
    application = _application(company_user, park, "submitted")
    with pytest.raises(TransitionNotAllowed):
        run(
            services.application_transition,
            user=company_user,
            application=application,
            action="submit",
        )
    assert mailoutbox == []


def test_no_mail_leaves_before_the_transaction_commits(mailoutbox, company_user, park, concerned):
    # Without the commit, the queued e-mail never goes: a rolled-back transition tells no one.
    application = _application(company_user, park)
    services.application_transition(user=company_user, application=application, action="submit")
    assert mailoutbox == []


def test_inactive_users_and_users_without_an_address_are_not_mailed(
    run, mailoutbox, company_user, park, park_manager
):
    company = company_of(company_user)
    MembershipFactory(company=company, role=MemberRole.MEMBER, user__is_active=False)
    MembershipFactory(company=company, role=MemberRole.MEMBER, user__email="")
    application = _application(company_user, park)
    run(
        services.application_transition,
        user=company_user,
        application=application,
        action="submit",
    )
    assert _recipients(mailoutbox) == sorted([company_user.email, park_manager.email])


def test_a_manager_of_several_parks_is_mailed_once(
    run, mailoutbox, company_user, park, other_park, park_manager
):
    ParkManagerAssignmentFactory(user=park_manager, park=other_park)
    application = _application(company_user, park)
    run(
        services.application_transition,
        user=company_user,
        application=application,
        action="submit",
    )
    assert _recipients(mailoutbox).count(park_manager.email) == 1


def test_a_person_both_member_and_manager_by_address_is_mailed_once(
    run, mailoutbox, company_user, park, park_manager
):
    park_manager.email = company_user.email
    park_manager.save()
    application = _application(company_user, park)
    run(
        services.application_transition,
        user=company_user,
        application=application,
        action="submit",
    )
    assert _recipients(mailoutbox) == [company_user.email]


def test_the_managers_of_an_application_to_the_other_park_are_the_other_ones(
    run, mailoutbox, company_user, other_park, park_manager, other_park_manager
):
    application = _application(company_user, other_park)
    run(
        services.application_transition,
        user=company_user,
        application=application,
        action="submit",
    )
    recipients = _recipients(mailoutbox)
    assert other_park_manager.email in recipients
    assert park_manager.email not in recipients


# --- Leases ------------------------------------------------------------------------------------
def test_termination_mails_the_company_and_the_parks_managers_with_date_and_reason(
    run, mailoutbox, company_user, pseb_staff, park, concerned, bystanders
):
    lease = LeaseFactory(company=company_of(company_user), park=park, start_date=date(2026, 3, 15))
    run(
        services.lease_terminate,
        user=pseb_staff,
        lease=lease,
        end_date=date(2026, 12, 31),
        reason="The company moved to Lahore.",
    )
    assert _recipients(mailoutbox) == concerned
    assert not bystanders & set(_recipients(mailoutbox))
    message = mailoutbox[0]
    assert f"Lease #{lease.pk}" in message.subject
    assert park.name in message.subject
    assert "31 December 2026" in message.subject
    assert "Reason: The company moved to Lahore." in message.body
    assert f"{settings.SITE_URL}/leases/{lease.pk}/" in message.body


def test_a_refused_termination_mails_nobody(run, mailoutbox, park, pseb_staff):
    lease = LeaseFactory(park=park, start_date=date(2026, 3, 15))
    with pytest.raises(ValidationError):
        run(services.lease_terminate, user=pseb_staff, lease=lease, end_date=date(2026, 1, 1))
    assert mailoutbox == []


# --- Invitations -------------------------------------------------------------------------------
def test_the_invitation_mail_goes_to_the_invitee_only_with_a_working_join_link(
    run, mailoutbox, client, company_user
):
    # given the owner invites a colleague
    _, token = run(
        services.invitation_create,
        user=company_user,
        company=company_of(company_user),
        email="colleague@example.pk",
    )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["colleague@example.pk"]
    assert company_of(company_user).name in message.subject
    link = re.search(r"https?://\S+/company/join/\S+/", message.body).group(0)
    assert link.startswith(settings.SITE_URL)
    path = urlsplit(link).path
    assert path == reverse("tenants:invitation_accept", args=[token])

    # when the colleague opens the link and accepts, signed in
    page = client.get(path)
    assert page.status_code == 200
    assert company_of(company_user).name in page.content.decode()
    colleague = UserFactory(email="colleague@example.pk")
    client.force_login(colleague)
    response = client.post(path)

    # then they are a member, and the link is spent
    assert response.status_code == 302
    assert Membership.objects.get(user=colleague).company == company_of(company_user)
    assert client.get(path).status_code == 404


def test_the_invitation_mail_names_who_invites_and_until_when(run, mailoutbox, company_user):
    invitation, _ = run(
        services.invitation_create,
        user=company_user,
        company=company_of(company_user),
        email="colleague@example.pk",
    )
    body = mailoutbox[0].body
    assert company_user.username in body
    assert f"{invitation.expires_at:%Y}" in body


def test_notifications_to_nobody_send_nothing(company_user, park, mailoutbox):
    # A company whose only user has no address and a park without managers: no error, no mail.
    user = UserFactory(email="")
    company = MembershipFactory(user=user).company
    application = ApplicationFactory(company=company, park=UnitFactory().park, created_by=user)
    transition = application.transitions.create(
        actor=user, action="submit", from_status="draft", to_status="submitted"
    )
    assert notifications.application_transition(transition.pk) == 0
    assert mailoutbox == []
