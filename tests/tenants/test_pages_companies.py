"""Sign-up, the company profile and invitations:
the tenant pages end to end, with the Django test client (issue 3).

Every bad input answers the page again with a message and changes nothing; objects outside
a user's scope answer 404 (domain.md §1); a role that may see but not act gets 403.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.vocabulary import MemberRole, Role
from tenants import services
from tenants.models import (
    Company,
    Invitation,
    Membership,
)
from tenants.selectors import company_of
from tests.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
)
from tests.tenants.pages import field_errors, text

pytestmark = pytest.mark.django_db


# --- Sign-up -----------------------------------------------------------------------------------
SIGN_UP = {
    "username": "ayesha.dev",
    "email": "ayesha@indus.example.pk",
    "password": "Gujranwala-Software-2026",
    "password_again": "Gujranwala-Software-2026",
}


def test_sign_up_signs_in_a_company_user_and_asks_for_the_company_next(client):
    response = client.post(reverse("accounts:signup"), SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == reverse("tenants:company_create")
    user = User.objects.get(username="ayesha.dev")
    assert user.role == Role.COMPANY
    assert not user.is_staff
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Welcome, ayesha.dev" in text(page)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Sh0rt!", "too short"),
        ("password123", "too common"),
        ("83920174659", "entirely numeric"),
        ("ayesha.dev1", "too similar"),
    ],
)
def test_sign_up_applies_djangos_password_validators(client, password, why):
    response = client.post(
        reverse("accounts:signup"), {**SIGN_UP, "password": password, "password_again": password}
    )
    assert response.status_code == 200
    assert why in " ".join(field_errors(response, "password"))
    assert why in text(response)
    assert not User.objects.filter(username="ayesha.dev").exists()
    assert "_auth_user_id" not in client.session


def test_sign_up_with_two_different_passwords_is_refused(client):
    response = client.post(
        reverse("accounts:signup"), {**SIGN_UP, "password_again": "Something-else-2026"}
    )
    assert field_errors(response, "password_again")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "taken"),
    [("username", "AYESHA.dev"), ("email", "Ayesha@Indus.Example.PK")],
)
def test_sign_up_with_a_taken_username_or_email_shows_the_field_error(client, field, taken):
    UserFactory(username="ayesha.dev", email="ayesha@indus.example.pk")
    response = client.post(reverse("accounts:signup"), {**SIGN_UP, field: taken})
    assert response.status_code == 200
    assert field_errors(response, field)
    assert field_errors(response, field)[0] in text(response)
    assert User.objects.count() == 1


def test_sign_up_follows_a_local_next_such_as_an_invitation(client, company_user):
    _, token = services.invitation_create(
        user=company_user, company=company_of(company_user), email=SIGN_UP["email"]
    )
    join = reverse("tenants:invitation_accept", args=[token])
    response = client.post(reverse("accounts:signup"), {**SIGN_UP, "next": join})
    assert response["Location"] == join
    response = client.post(reverse("accounts:signup"), {**SIGN_UP, "next": "https://evil.example/"})
    assert response.status_code == 302  # already signed in: goes home, not outside
    assert not response["Location"].startswith("https://evil")


# --- Company profile ---------------------------------------------------------------------------
COMPANY = {
    "name": "Indus Code (Pvt) Ltd",
    "kind": "company",
    "city": "Gujranwala",
    "pseb_registration": "PSEB/2026/0042",
    "secp_number": "0123456",
    "ntn": "1234567-8",
    "website": "indus.example.pk",
    "headcount": "12",
    "women_headcount": "5",
    "export_earnings_usd": "150000.00",
    "services": "Logistics software",
}


def test_a_new_company_user_is_sent_to_create_the_company(client, newcomer):
    response = client.get(reverse("tenants:company"))
    assert response["Location"] == reverse("tenants:company_create")
    response = client.get(reverse("tenants:application_create"))
    assert response["Location"].startswith(reverse("tenants:company_create") + "?next=")


def test_creating_the_company_makes_the_user_its_owner(client, newcomer):
    response = client.post(reverse("tenants:company_create"), COMPANY, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenants:company")
    company = Company.objects.get()
    assert (company.name, company.website) == (COMPANY["name"], "https://indus.example.pk")
    assert Membership.objects.get(user=newcomer).role == MemberRole.OWNER
    assert "Your profile is created" in text(response)


def test_a_freelancer_with_an_secp_number_is_refused_with_a_field_message(client, newcomer):
    response = client.post(reverse("tenants:company_create"), {**COMPANY, "kind": "freelancer"})
    assert response.status_code == 200
    assert "Freelancers have no SECP" in " ".join(field_errors(response, "secp_number"))
    assert "Freelancers have no SECP" in text(response)
    assert not Company.objects.exists()
    assert not Membership.objects.exists()


def test_a_freelancer_without_an_secp_number_is_accepted(client, newcomer):
    client.post(
        reverse("tenants:company_create"), {**COMPANY, "kind": "freelancer", "secp_number": ""}
    )
    assert Company.objects.get().kind == "freelancer"


def test_more_women_than_the_headcount_is_refused_with_a_field_message(client, newcomer):
    response = client.post(reverse("tenants:company_create"), {**COMPANY, "women_headcount": "13"})
    assert response.status_code == 200
    assert "cannot exceed" in " ".join(field_errors(response, "women_headcount"))
    assert "cannot exceed" in text(response)
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("headcount", "-1"), ("export_earnings_usd", "-5"), ("kind", "ngo"), ("name", "")],
)
def test_bad_company_input_shows_the_field_error_and_creates_nothing(
    client, newcomer, field, value
):
    response = client.post(reverse("tenants:company_create"), {**COMPANY, field: value})
    assert response.status_code == 200
    assert field_errors(response, field)
    assert not Company.objects.exists()


def test_a_duplicate_pseb_registration_is_refused_with_a_message(client, newcomer):
    CompanyFactory(pseb_registration=COMPANY["pseb_registration"])
    response = client.post(reverse("tenants:company_create"), COMPANY)
    assert response.status_code == 200
    assert "already registered" in text(response)
    assert Company.objects.count() == 1


def test_a_user_with_a_company_is_not_offered_a_second_one(client, company_user, company):
    client.force_login(company_user)
    response = client.post(reverse("tenants:company_create"), COMPANY, follow=True)
    assert response.redirect_chain[-1][0] == reverse("tenants:company")
    assert "already belong" in text(response)
    assert Company.objects.filter(name=COMPANY["name"]).count() == 0


def test_the_company_edits_its_profile(client, company_user, company):
    client.force_login(company_user)
    page = client.get(reverse("tenants:company_edit"))
    assert page.status_code == 200
    assert company.name in text(page)
    response = client.post(reverse("tenants:company_edit"), {**COMPANY, "headcount": "40"})
    assert response["Location"] == reverse("tenants:company")
    company.refresh_from_db()
    assert (company.name, company.headcount) == (COMPANY["name"], 40)


def test_a_bad_profile_edit_shows_a_message_and_changes_nothing(client, company_user, company):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:company_edit"), {**COMPANY, "headcount": "3", "women_headcount": "4"}
    )
    assert response.status_code == 200
    assert "cannot exceed" in text(response)
    company.refresh_from_db()
    assert (company.name, company.headcount) == ("First Company (Pvt) Ltd", 20)


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_have_no_company_pages_of_their_own(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("tenants:company")).status_code == 404
    assert client.get(reverse("tenants:company_edit")).status_code == 404
    assert client.get(reverse("tenants:application_create")).status_code == 404


def test_a_company_page_shows_its_members_applications_and_leases(
    client, company_user, company, draft, lease
):
    client.force_login(company_user)
    page = text(client.get(reverse("tenants:company")))
    assert "owner.one" in page
    assert f"#{draft.pk}" in page
    assert f"#{lease.pk}" in page


def test_the_companys_page_for_pseb_and_its_parks_manager(
    client, pseb_staff, park_manager, company, draft
):
    url = reverse("tenants:company_detail", args=[company.pk])
    client.force_login(park_manager)
    # A draft never submitted is the company's own: its park's manager does not see it yet.
    assert client.get(url).status_code == 404
    draft.submitted_at = timezone.now()  # submitted once, then returned for changes
    draft.save()
    for user in (pseb_staff, park_manager):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert company.name in text(response)
        assert "Invite member" not in text(response)


# --- Invitations -------------------------------------------------------------------------------
def test_the_owner_invites_and_the_invitee_joins_through_the_link(
    client, company_user, company, run_on_commit, mailoutbox
):
    # given the owner invites a colleague from the company page
    client.force_login(company_user)
    response = run_on_commit(
        client.post, reverse("tenants:company_invite"), {"email": "sana@example.pk"}, follow=True
    )
    assert "Invitation sent to sana@example.pk" in text(response)
    assert "sana@example.pk" in text(response)  # listed as invited, not yet joined
    link = re.search(r"/company/join/\S+/", mailoutbox[0].body).group(0)

    # when she signs up from the link, comes back to it and joins
    client.logout()
    invite_page = client.get(link)
    assert invite_page.status_code == 200
    assert f"Join {company.name}" in text(invite_page)
    assert "Create an account" in text(invite_page)
    signed_up = client.post(
        reverse("accounts:signup"),
        {**SIGN_UP, "username": "sana", "email": "sana@example.pk", "next": link},
    )
    assert signed_up["Location"] == link
    joined = client.post(link, follow=True)

    # then she is a member and sees the company's page
    sana = User.objects.get(username="sana")
    assert Membership.objects.get(user=sana).company == company
    assert Membership.objects.get(user=sana).role == MemberRole.MEMBER
    assert joined.redirect_chain[-1][0] == reverse("tenants:company")
    assert f"You are now a member of {company.name}" in text(joined)
    # and the link is spent
    assert client.get(link).status_code == 404


def test_an_anonymous_visitor_posting_the_join_form_joins_nothing(client, company_user):
    _, token = services.invitation_create(
        user=company_user, company=company_of(company_user), email="x@example.pk"
    )
    link = reverse("tenants:invitation_accept", args=[token])
    response = client.post(link)
    assert response.status_code == 200
    assert Membership.objects.count() == 1
    assert Invitation.objects.get().accepted_at is None


def test_an_unknown_or_expired_invitation_link_is_404(client, company_user):
    invitation, token = services.invitation_create(
        user=company_user, company=company_of(company_user), email="x@example.pk"
    )
    assert client.get(reverse("tenants:invitation_accept", args=["nope"])).status_code == 404
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert client.get(reverse("tenants:invitation_accept", args=[token])).status_code == 404


def test_a_user_already_in_a_company_is_told_and_stays_where_they_are(
    client, company_user, other_company_user
):
    _, token = services.invitation_create(
        user=company_user, company=company_of(company_user), email="x@example.pk"
    )
    other_company_user.email = "x@example.pk"
    other_company_user.save()
    client.force_login(other_company_user)
    response = client.post(reverse("tenants:invitation_accept", args=[token]))
    assert response.status_code == 200
    assert "already belong" in text(response)
    assert company_of(other_company_user).name == "Second Company (Pvt) Ltd"
    assert Invitation.objects.get().accepted_at is None


def test_inviting_a_bad_address_shows_a_message_and_invites_nobody(client, company_user):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:company_invite"), {"email": "not-an-address"}, follow=True
    )
    assert "valid e-mail" in text(response)
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_shows_a_message_and_invites_nobody(client, company_user):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:company_invite"), {"email": company_user.email}, follow=True
    )
    assert "already a member" in text(response)
    assert not Invitation.objects.exists()


def test_a_member_who_is_not_the_owner_may_not_invite(client, company):
    member = MembershipFactory(company=company, role=MemberRole.MEMBER).user
    client.force_login(member)
    assert "Invite member" not in text(client.get(reverse("tenants:company")))
    response = client.post(reverse("tenants:company_invite"), {"email": "x@example.pk"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
