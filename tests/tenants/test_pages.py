"""The company and PSEB pages end to end, with the Django test client (issue 3).

Every bad input answers the page again with a message and changes nothing; objects outside
a user's scope answer 404 (domain.md §1); a role that may see but not act gets 403.
"""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.vocabulary import ApplicationStatus, MemberRole, ParkStatus, Role
from stp_portal.errors import UnitAlreadyLeased
from tenants import services
from tenants.models import (
    Application,
    ApplicationDocument,
    Company,
    Invitation,
    Lease,
    LeaseUnit,
    Membership,
)
from tenants.selectors import company_of
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    UnitFactory,
    UserFactory,
)
from tests.pdfs import PDF, pdf_of_size

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
REASON = "Add the number of graduates you will hire."


def text(response) -> str:
    return html.unescape(response.content.decode())


def today() -> date:
    return timezone.localdate()


def later(days: int = 30) -> date:
    return today() + timedelta(days=days)


def field_errors(response, field: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(field, [])


def assert_sign_in_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def submitted(draft, company_user):
    return services.application_transition(user=company_user, application=draft, action="submit")


@pytest.fixture
def under_review(submitted, pseb_staff):
    return services.application_transition(user=pseb_staff, application=submitted, action="review")


@pytest.fixture
def document(draft, company_user):
    return services.document_add(
        user=company_user,
        application=draft,
        upload=SimpleUploadedFile("Business Plan.pdf", PDF, content_type="application/pdf"),
    )


@pytest.fixture
def units(park):
    return {
        "free": UnitFactory(park=park, code="A-101", monthly_rent=Decimal("60000.00")),
        "desk": UnitFactory(park=park, code="D-01", kind="desk", seats=1),
        "broken": UnitFactory(park=park, code="M-01", under_maintenance=True),
        "let": UnitFactory(park=park, code="L-01"),
    }


@pytest.fixture
def let_until(units, park):
    """L-01 is let to someone else until 60 days from now, inclusive."""
    end = later(60)
    LeaseFactory(park=park, units=[units["let"]], start_date=date(2025, 1, 1), end_date=end)
    return end


@pytest.fixture
def lease(company, park):
    return LeaseFactory(
        company=company,
        park=park,
        units=[UnitFactory(park=park, code="B-201")],
        start_date=date(2026, 3, 15),
        end_date=date(2027, 3, 14),
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Let the on-commit work of the request (e-mails, file removal) happen."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


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


@pytest.fixture
def newcomer(client):
    user = UserFactory(username="newcomer")
    client.force_login(user)
    return user


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


# --- Applications: the company side ------------------------------------------------------------
def application_data(park_, **overrides):
    return {
        "park": park_.code,
        "unit_kind": "office",
        "seats": "8",
        "area_sqft": "0",
        "desired_start": later().isoformat(),
        "duration_months": "12",
        "business_plan": "A team of eight building software for exporters.",
        **overrides,
    }


def test_a_company_user_saves_a_draft_application(client, company_user, company, park):
    client.force_login(company_user)
    assert client.get(reverse("tenants:application_create")).status_code == 200
    response = client.post(reverse("tenants:application_create"), application_data(park))
    application = Application.objects.get()
    assert response["Location"] == reverse("tenants:application_edit", args=[application.pk])
    assert (application.company, application.park, application.status) == (
        company,
        park,
        ApplicationStatus.DRAFT,
    )
    assert application.created_by == company_user


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"desired_start": "2020-01-01"}, "desired_start", "cannot be in the past"),
        ({"seats": "0", "area_sqft": "0"}, "seats", "seats, an area, or both"),
        ({"duration_months": "121"}, "duration_months", "120"),
        ({"park": "NOPE"}, "park", "Select a valid choice"),
        ({"desired_start": "next week"}, "desired_start", "Enter a valid date"),
        ({"business_plan": ""}, "business_plan", "required"),
    ],
)
def test_a_bad_application_shows_the_field_message_and_saves_nothing(
    client, company_user, company, park, overrides, field, message
):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_create"), application_data(park, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(field_errors(response, field))
    assert message in text(response)
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seats", "many"),
        ("seats", "-3"),
        ("area_sqft", "1e20"),
        ("area_sqft", "12345678901"),
        ("duration_months", "0"),
        ("unit_kind", "castle"),
        ("business_plan", "z" * 5001),
    ],
)
def test_nonsense_in_an_application_is_a_field_error_never_a_500(
    client, company_user, company, park, field, value
):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_create"), application_data(park, **{field: value})
    )
    assert response.status_code == 200
    assert field_errors(response, field)
    assert not Application.objects.exists()


def test_a_planned_park_is_not_offered_and_cannot_be_posted(client, company_user, company):
    planned = ParkFactory(
        code="PLN", name="Planned STP", status=ParkStatus.PLANNED, opening_date=None
    )
    client.force_login(company_user)
    assert "Planned STP" not in text(client.get(reverse("tenants:application_create")))
    response = client.post(reverse("tenants:application_create"), application_data(planned))
    assert field_errors(response, "park")
    assert not Application.objects.exists()


def test_a_draft_is_edited(client, company_user, draft, other_park):
    client.force_login(company_user)
    page = client.get(reverse("tenants:application_edit", args=[draft.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("tenants:application_edit", args=[draft.pk]),
        application_data(other_park, seats="3", unit_kind="desk"),
        follow=True,
    )
    assert "Draft saved." in text(response)
    draft.refresh_from_db()
    assert (draft.park, draft.seats, draft.unit_kind) == (other_park, 3, "desk")


def test_a_bad_edit_shows_a_message_and_changes_nothing(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_edit", args=[draft.pk]),
        application_data(park, seats="99", desired_start="2020-01-01"),
    )
    assert response.status_code == 200
    assert "cannot be in the past" in text(response)
    draft.refresh_from_db()
    assert (draft.seats, draft.desired_start) == (10, later())


def test_an_application_past_draft_cannot_be_edited(client, company_user, submitted, park):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_edit", args=[submitted.pk]),
        application_data(park, seats="99"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "tenants:application_detail", args=[submitted.pk]
    )
    assert "Only a draft can be edited" in text(response)
    submitted.refresh_from_db()
    assert submitted.seats == 10


def upload(client, application, name="Business Plan.pdf", content=PDF):
    return client.post(
        reverse("tenants:document_upload", args=[application.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/pdf")},
        follow=True,
    )


def test_a_pdf_is_uploaded_to_a_draft_and_downloaded_back(client, company_user, draft):
    client.force_login(company_user)
    response = upload(client, draft)
    assert "Uploaded Business Plan.pdf" in text(response)
    document = ApplicationDocument.objects.get()
    assert document.file.name.startswith(f"private/applications/{draft.pk}/")
    assert "Business" not in document.file.name

    download = client.get(reverse("tenants:document_download", args=[draft.pk, document.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert 'attachment; filename="Business Plan.pdf"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]


def test_the_document_is_not_under_any_public_url(client, company_user, document):
    client.force_login(company_user)
    for prefix in ("/", "/media/", "/static/"):
        assert client.get(f"{prefix}{document.file.name}").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.pdf", PNG, "not a PDF"),
        ("big.pdf", pdf_of_size(settings.UPLOAD_MAX_BYTES + 1), "the limit is 10 MB"),
        ("empty.pdf", b"", "Choose a PDF"),  # the form refuses an empty file before the service
    ],
)
def test_a_bad_upload_shows_a_message_and_stores_nothing(
    client, company_user, draft, name, content, message, settings
):
    client.force_login(company_user)
    response = upload(client, draft, name, content)
    assert message in text(response)
    assert not ApplicationDocument.objects.exists()
    stored = settings.MEDIA_ROOT / "private"
    assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))


def test_an_upload_without_a_file_shows_a_message(client, company_user, draft):
    client.force_login(company_user)
    response = client.post(reverse("tenants:document_upload", args=[draft.pk]), follow=True)
    assert "Choose a PDF file" in text(response)
    assert not ApplicationDocument.objects.exists()


def test_no_upload_once_submitted(client, company_user, submitted):
    client.force_login(company_user)
    response = upload(client, submitted)
    assert "while the application is a draft" in text(response)
    assert not ApplicationDocument.objects.exists()


def test_a_document_is_removed_from_a_draft(client, company_user, draft, document, run_on_commit):
    client.force_login(company_user)
    name = document.file.name
    response = run_on_commit(
        client.post,
        reverse("tenants:document_delete", args=[draft.pk, document.pk]),
        follow=True,
    )
    assert "Removed Business Plan.pdf" in text(response)
    assert not ApplicationDocument.objects.exists()
    assert not document.file.storage.exists(name)


def test_a_document_of_a_submitted_application_stays(client, company_user, document):
    services.application_transition(
        user=company_user, application=document.application, action="submit"
    )
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:document_delete", args=[document.application_id, document.pk]),
        follow=True,
    )
    assert "while the application is a draft" in text(response)
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


def test_a_document_is_reached_only_through_its_own_application(
    client, company_user, company, park, document
):
    sibling = ApplicationFactory(company=company, park=park, created_by=company_user)
    client.force_login(company_user)
    url = reverse("tenants:document_download", args=[sibling.pk, document.pk])
    assert client.get(url).status_code == 404
    delete = reverse("tenants:document_delete", args=[sibling.pk, document.pk])
    assert client.post(delete).status_code == 404
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


def test_a_document_missing_from_storage_is_404_not_500(client, company_user, document):
    document.file.storage.delete(document.file.name)
    client.force_login(company_user)
    url = reverse("tenants:document_download", args=[document.application_id, document.pk])
    assert client.get(url).status_code == 404


def returned_for_changes(application):
    """A draft that was submitted once: visible to its park's manager from then on."""
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    return application


def test_the_parks_manager_does_not_see_documents_of_a_draft_never_submitted(
    client, park_manager, document
):
    client.force_login(park_manager)
    url = reverse("tenants:document_download", args=[document.application_id, document.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_pseb_and_the_parks_manager_download_documents(client, request, document, role):
    returned_for_changes(document.application)
    client.force_login(request.getfixturevalue(role))
    url = reverse("tenants:document_download", args=[document.application_id, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_neither_upload_nor_remove_a_companys_documents(client, request, document, role):
    client.force_login(request.getfixturevalue(role))
    application = returned_for_changes(document.application)
    assert upload(client, application).status_code == 403
    delete = reverse("tenants:document_delete", args=[application.pk, document.pk])
    assert client.post(delete).status_code == 403
    assert client.get(reverse("tenants:application_edit", args=[application.pk])).status_code == 403
    assert list(ApplicationDocument.objects.all()) == [document]


def test_the_company_submits_its_draft(client, company_user, draft, document):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[draft.pk, "submit"]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("tenants:application_detail", args=[draft.pk])
    assert f"Application #{draft.pk} is submitted." in text(response)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    page = text(response)
    assert "Business Plan.pdf" in page
    words = re.sub(r"<[^>]+>", "", page)
    assert f"Submitted by {company_user.username} on" in words  # the history, in words


def test_submitting_twice_shows_a_message_and_changes_nothing(client, company_user, submitted):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[submitted.pk, "submit"]), follow=True
    )
    assert "cannot be submitted" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert submitted.transitions.count() == 1


@pytest.mark.parametrize("stage", ["draft", "submitted", "under_review"])
def test_the_company_withdraws_before_a_decision(client, request, company_user, stage):
    application = request.getfixturevalue(stage)
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[application.pk, "withdraw"]), follow=True
    )
    assert f"Application #{application.pk} is withdrawn." in text(response)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_the_detail_page_offers_the_company_only_its_own_actions(client, company_user, submitted):
    client.force_login(company_user)
    page = text(client.get(reverse("tenants:application_detail", args=[submitted.pk])))
    assert reverse("tenants:application_transition", args=[submitted.pk, "withdraw"]) in page
    assert reverse("tenants:application_transition", args=[submitted.pk, "review"]) not in page
    assert reverse("tenants:application_approve", args=[submitted.pk]) not in page


def test_an_unknown_action_is_404_and_a_get_on_an_action_is_refused(client, company_user, draft):
    client.force_login(company_user)
    assert (
        client.post(
            reverse("tenants:application_transition", args=[draft.pk, "delete"])
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("tenants:application_transition", args=[draft.pk, "submit"])).status_code
        == 405
    )
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


# --- Applications: the PSEB side ---------------------------------------------------------------
@pytest.fixture
def queue(park, other_park, company):
    """Applications across two parks and statuses, submitted on known days."""
    karachi = timezone.get_current_timezone()

    def make(company, park, status, submitted_on, plan="Software exports."):
        submitted_at = (
            timezone.make_aware(timezone.datetime(*submitted_on, 12, 0), karachi)
            if submitted_on
            else None
        )
        return ApplicationFactory(
            company=company, park=park, status=status, submitted_at=submitted_at, business_plan=plan
        )

    gilgit_co = CompanyFactory(name="Karakoram Apps")
    return {
        "guj_submitted": make(company, park, "submitted", (2026, 10, 1), "Drones for farms."),
        "guj_review": make(company, park, "under_review", (2026, 10, 15)),
        "guj_draft": make(company, park, "draft", None),
        "glt_submitted": make(gilgit_co, other_park, "submitted", (2026, 11, 1)),
    }


def listed(response) -> set[int]:
    return {a.pk for a in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"guj_submitted", "guj_review", "guj_draft", "glt_submitted"}),
        ({"park": "GUJ"}, {"guj_submitted", "guj_review", "guj_draft"}),
        ({"park": "GLT"}, {"glt_submitted"}),
        ({"status": "submitted"}, {"guj_submitted", "glt_submitted"}),
        ({"status": "under_review"}, {"guj_review"}),
        ({"city": "gilgit"}, {"glt_submitted"}),
        ({"submitted_after": "2026-10-15"}, {"guj_review", "glt_submitted"}),
        ({"submitted_before": "2026-10-15"}, {"guj_submitted", "guj_review"}),
        ({"submitted_after": "2026-10-02", "submitted_before": "2026-10-31"}, {"guj_review"}),
        ({"q": "karakoram"}, {"glt_submitted"}),
        ({"q": "drones"}, {"guj_submitted"}),
        ({"park": "GUJ", "status": "submitted"}, {"guj_submitted"}),
    ],
)
def test_the_review_queue_filters(client, pseb_staff, queue, query, expected):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"), query)
    assert response.status_code == 200
    assert listed(response) == {queue[name].pk for name in expected}


def test_the_review_queue_lists_the_latest_submitted_first_and_drafts_last(
    client, pseb_staff, queue
):
    client.force_login(pseb_staff)
    response = client.get(reverse("tenants:application_list"))
    assert [a.pk for a in response.context["page"].object_list] == [
        queue[name].pk for name in ("glt_submitted", "guj_review", "guj_submitted", "guj_draft")
    ]


def test_the_review_queue_pages_keep_the_filters(client, pseb_staff, park, other_park):
    ApplicationFactory.create_batch(27, park=park, status="submitted", submitted_at=timezone.now())
    ApplicationFactory(park=other_park, status="submitted", submitted_at=timezone.now())
    client.force_login(pseb_staff)
    first = client.get(reverse("tenants:application_list"), {"park": "GUJ"})
    assert len(first.context["page"].object_list) == 25
    assert "?park=GUJ&page=2" in text(first)
    second = client.get(reverse("tenants:application_list"), {"park": "GUJ", "page": "2"})
    assert len(second.context["page"].object_list) == 2
    assert all(a.park_id == park.pk for a in second.context["page"].object_list)


def test_the_review_queue_finds_an_application_by_its_number(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    wanted = queue["glt_submitted"]
    for q in (str(wanted.pk), f"#{wanted.pk}"):
        response = client.get(reverse("tenants:application_list"), {"q": q})
        assert wanted.pk in listed(response)


def test_a_bad_filter_shows_its_error_and_lists_nothing(client, pseb_staff, queue):
    client.force_login(pseb_staff)
    response = client.get(
        reverse("tenants:application_list"), {"status": "lost", "submitted_after": "someday"}
    )
    assert response.status_code == 200
    assert listed(response) == set()
    assert "Select a valid choice" in text(response)
    assert "Enter a valid date" in text(response)


def test_the_parks_manager_sees_only_their_parks_queue(client, park_manager, queue):
    client.force_login(park_manager)
    response = client.get(reverse("tenants:application_list"))
    # guj_draft was never submitted: it is still the company's own.
    assert listed(response) == {queue[n].pk for n in ("guj_submitted", "guj_review")}
    response = client.get(reverse("tenants:application_list"), {"park": "GLT"})
    assert listed(response) == set()


def test_a_company_user_lists_only_their_companys_applications(client, other_company_user, queue):
    mine = ApplicationFactory(company=company_of(other_company_user))
    client.force_login(other_company_user)
    assert listed(client.get(reverse("tenants:application_list"))) == {mine.pk}


def test_pseb_starts_the_review(client, pseb_staff, submitted):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:application_transition", args=[submitted.pk, "review"]), follow=True
    )
    assert "is under review" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.UNDER_REVIEW


@pytest.mark.parametrize(("action", "status"), [("reject", "rejected"), ("return", "draft")])
def test_pseb_rejects_or_returns_with_a_reason_the_company_then_sees(
    client, pseb_staff, company_user, under_review, action, status
):
    client.force_login(pseb_staff)
    client.post(
        reverse("tenants:application_transition", args=[under_review.pk, action]),
        {"reason": REASON},
    )
    under_review.refresh_from_db()
    assert under_review.status == status
    assert under_review.transitions.last().comment == REASON
    client.force_login(company_user)
    assert REASON in text(client.get(reverse("tenants:application_detail", args=[under_review.pk])))


@pytest.mark.parametrize("action", ["reject", "return"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejecting_or_returning_without_a_reason_shows_a_message_and_changes_nothing(
    client, pseb_staff, under_review, action, reason
):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:application_transition", args=[under_review.pk, action]),
        {"reason": reason},
        follow=True,
    )
    assert "Give a reason" in text(response)
    under_review.refresh_from_db()
    assert under_review.status == ApplicationStatus.UNDER_REVIEW
    assert under_review.transitions.count() == 2


def test_a_reason_too_long_is_refused_as_too_long_not_as_missing(client, pseb_staff, under_review):
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:application_transition", args=[under_review.pk, "reject"]),
        {"reason": "x" * 2001},
        follow=True,
    )
    assert "at most 2000 characters" in text(response)
    assert "Give a reason" not in text(response)
    under_review.refresh_from_db()
    assert under_review.status == ApplicationStatus.UNDER_REVIEW
    assert under_review.transitions.count() == 2


def test_a_comment_too_long_is_not_silently_dropped(client, company_user, submitted):
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[submitted.pk, "withdraw"]),
        {"reason": "y" * 2001},
        follow=True,
    )
    assert "at most 2000 characters" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_the_detail_page_offers_pseb_the_review_actions(client, pseb_staff, under_review):
    client.force_login(pseb_staff)
    page = text(client.get(reverse("tenants:application_detail", args=[under_review.pk])))
    assert reverse("tenants:application_approve", args=[under_review.pk]) in page
    assert reverse("tenants:application_transition", args=[under_review.pk, "reject"]) in page
    assert reverse("tenants:application_transition", args=[under_review.pk, "return"]) in page
    assert reverse("tenants:application_transition", args=[under_review.pk, "withdraw"]) not in page


# --- Approval ----------------------------------------------------------------------------------
def approve_url(application):
    return reverse("tenants:application_approve", args=[application.pk])


def offered(response) -> list[str]:
    return [u.code for u in response.context["units"]]


def test_the_approval_page_first_asks_for_dates(client, pseb_staff, under_review, units):
    client.force_login(pseb_staff)
    response = client.get(approve_url(under_review))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert offered(response) == []
    assert later().isoformat() in text(response)  # the desired start is the default


def test_the_approval_page_lists_only_units_free_for_the_chosen_dates(
    client, pseb_staff, under_review, units, let_until, other_park
):
    UnitFactory(park=other_park, code="G-1")
    client.force_login(pseb_staff)
    during = client.get(approve_url(under_review), {"start_date": later(30).isoformat()})
    assert offered(during) == ["A-101", "D-01"]  # the office asked for first
    assert "M-01" not in text(during)
    assert "G-1" not in text(during)
    on_last_day = client.get(
        approve_url(under_review),
        {"start_date": later(10).isoformat(), "end_date": let_until.isoformat()},
    )
    assert "L-01" not in offered(on_last_day)
    after = client.get(
        approve_url(under_review), {"start_date": (let_until + timedelta(days=1)).isoformat()}
    )
    assert offered(after) == ["A-101", "L-01", "D-01"]
    before = client.get(
        approve_url(under_review),
        {"start_date": "2024-06-01", "end_date": "2024-12-31"},
    )
    assert offered(before) == ["A-101", "L-01", "D-01"]


def test_approving_with_a_free_unit_creates_the_lease(
    client, pseb_staff, under_review, units, company
):
    client.force_login(pseb_staff)
    start, end = later(30), later(394)
    response = client.post(
        approve_url(under_review),
        {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "units": [str(units["free"].pk)],
            "comment": "Welcome.",
        },
        follow=True,
    )
    lease = Lease.objects.get(company=company)
    assert response.redirect_chain[-1][0] == reverse("tenants:lease_detail", args=[lease.pk])
    assert f"Approved: lease #{lease.pk} created." in text(response)
    assert "A-101" in text(response)
    assert "PKR 60,000.00" in text(response)
    assert (lease.start_date, lease.end_date, lease.park) == (start, end, under_review.park)
    under_review.refresh_from_db()
    assert (under_review.status, under_review.lease) == (ApplicationStatus.APPROVED, lease)


def test_an_approval_may_start_in_the_past_to_onboard_a_tenant(
    client, pseb_staff, under_review, units
):
    client.force_login(pseb_staff)
    client.post(
        approve_url(under_review),
        {"start_date": "2024-07-01", "units": [str(units["free"].pk)]},
    )
    under_review.refresh_from_db()
    assert under_review.lease.start_date == date(2024, 7, 1)


def _assert_not_approved(application):
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    assert application.lease is None
    assert not Lease.objects.filter(company=application.company).exists()


@pytest.mark.parametrize("unit", ["let", "broken"])
def test_approving_with_a_unit_not_free_shows_a_message_and_creates_nothing(
    client, pseb_staff, under_review, units, let_until, unit
):
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(under_review),
        {"start_date": later(30).isoformat(), "units": [str(units[unit].pk)]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    _assert_not_approved(under_review)


def test_approving_with_a_unit_of_another_park_creates_nothing(
    client, pseb_staff, under_review, units, other_park
):
    foreign = UnitFactory(park=other_park, code="G-1")
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(under_review), {"start_date": later(30).isoformat(), "units": [str(foreign.pk)]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["units"]
    _assert_not_approved(under_review)


def test_approving_without_a_unit_asks_for_one(client, pseb_staff, under_review, units):
    client.force_login(pseb_staff)
    response = client.post(approve_url(under_review), {"start_date": later(30).isoformat()})
    assert "Choose at least one unit." in text(response)
    _assert_not_approved(under_review)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"start_date": "2027-02-01", "end_date": "2027-01-31"}, "cannot be before the start"),
        ({"start_date": "soon"}, "Enter a valid date"),
        ({"start_date": ""}, "This field is required"),
    ],
)
def test_bad_approval_dates_show_a_message_and_create_nothing(
    client, pseb_staff, under_review, units, dates, message
):
    client.force_login(pseb_staff)
    response = client.post(approve_url(under_review), {**dates, "units": [str(units["free"].pk)]})
    assert response.status_code == 200
    assert message in text(response)
    _assert_not_approved(under_review)


def test_approving_from_before_the_park_opens_shows_why_and_creates_nothing(
    client, pseb_staff, company_user
):
    opening = later(200)
    upcoming = ParkFactory(code="UPC", name="Upcoming STP", status="upcoming", opening_date=opening)
    unit = UnitFactory(park=upcoming, code="U-1")
    application = ApplicationFactory(
        company=company_of(company_user), park=upcoming, status="under_review"
    )
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(application),
        {"start_date": (opening - timedelta(days=1)).isoformat(), "units": [str(unit.pk)]},
    )
    assert response.status_code == 200
    assert f"opens on {opening.isoformat()}" in text(response)
    _assert_not_approved(application)


def test_the_approval_page_starts_no_earlier_than_the_park_opens(client, pseb_staff, company_user):
    opening = later(200)
    upcoming = ParkFactory(code="UPC", status="upcoming", opening_date=opening)
    application = ApplicationFactory(
        company=company_of(company_user), park=upcoming, status="under_review"
    )
    client.force_login(pseb_staff)
    response = client.get(approve_url(application))
    assert response.context["dates"].initial["start_date"] == opening


def test_a_unit_taken_between_page_and_approval_shows_a_message_and_creates_nothing(
    client, pseb_staff, under_review, units, monkeypatch
):
    def taken(**kwargs):
        raise UnitAlreadyLeased({"units": "A unit was leased for these dates by someone else."})

    monkeypatch.setattr(services, "application_approve", taken)
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(under_review),
        {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]},
    )
    assert response.status_code == 200
    assert "by someone else" in text(response)
    _assert_not_approved(under_review)


def test_approving_an_application_not_under_review_shows_a_message_and_changes_nothing(
    client, pseb_staff, submitted, units
):
    client.force_login(pseb_staff)
    response = client.post(
        approve_url(submitted),
        {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "tenants:application_detail", args=[submitted.pk]
    )
    assert "cannot be approved" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.SUBMITTED
    assert not Lease.objects.exists()


# --- Leases ------------------------------------------------------------------------------------
def test_lease_list_and_detail_show_the_agreed_prices(client, company_user, lease):
    client.force_login(company_user)
    response = client.get(reverse("tenants:lease_list"))
    assert [row.pk for row in response.context["page"].object_list] == [lease.pk]
    assert "B-201" in text(response)
    detail = client.get(reverse("tenants:lease_detail", args=[lease.pk]))
    assert detail.status_code == 200
    assert "PKR 60,000.00" in text(detail)
    assert "Terminate lease" not in text(detail)


def test_the_lease_list_filters_by_park_and_company(client, pseb_staff, lease, other_park):
    other = LeaseFactory(park=other_park, company=CompanyFactory(name="Karakoram Apps"))
    client.force_login(pseb_staff)

    def pks(query):
        response = client.get(reverse("tenants:lease_list"), query)
        return {row.pk for row in response.context["page"].object_list}

    assert pks({}) == {lease.pk, other.pk}
    assert pks({"park": "GLT"}) == {other.pk}
    assert pks({"company": "first company"}) == {lease.pk}


def test_the_parks_manager_lists_only_their_parks_leases(client, park_manager, lease, other_park):
    LeaseFactory(park=other_park)
    client.force_login(park_manager)
    response = client.get(reverse("tenants:lease_list"))
    assert [row.pk for row in response.context["page"].object_list] == [lease.pk]


def test_pseb_terminates_a_lease_from_its_page(
    client, pseb_staff, lease, run_on_commit, mailoutbox
):
    client.force_login(pseb_staff)
    assert "Terminate lease" in text(client.get(reverse("tenants:lease_detail", args=[lease.pk])))
    assert client.get(reverse("tenants:lease_terminate", args=[lease.pk])).status_code == 200
    response = run_on_commit(
        client.post,
        reverse("tenants:lease_terminate", args=[lease.pk]),
        {"end_date": "2026-12-31", "reason": "Moved to Lahore."},
        follow=True,
    )
    assert f"Lease #{lease.pk} terminated." in text(response)
    assert "Moved to Lahore." in text(response)
    assert "Terminate lease" not in text(response)
    lease.refresh_from_db()
    assert lease.end_date == date(2026, 12, 31)
    assert lease.terminated_at is not None
    assert set(LeaseUnit.objects.values_list("end_date", flat=True)) == {date(2026, 12, 31)}
    assert mailoutbox


@pytest.mark.parametrize(
    ("end", "message"),
    [
        ("2026-03-14", "cannot end before that"),
        ("2027-03-14", "must bring the end forward"),
        ("2028-01-01", "must bring the end forward"),
        ("", "This field is required"),
        ("whenever", "Enter a valid date"),
    ],
)
def test_a_bad_termination_shows_a_message_and_changes_nothing(
    client, pseb_staff, lease, end, message
):
    client.force_login(pseb_staff)
    response = client.post(reverse("tenants:lease_terminate", args=[lease.pk]), {"end_date": end})
    assert response.status_code == 200
    assert message in text(response)
    lease.refresh_from_db()
    assert (lease.end_date, lease.terminated_at) == (date(2027, 3, 14), None)


def test_terminating_twice_shows_a_message_and_keeps_the_first_end(client, pseb_staff, lease):
    services.lease_terminate(user=pseb_staff, lease=lease, end_date=date(2026, 12, 31))
    client.force_login(pseb_staff)
    response = client.post(
        reverse("tenants:lease_terminate", args=[lease.pk]),
        {"end_date": "2026-10-31"},
        follow=True,
    )
    assert "already terminated" in text(response)
    lease.refresh_from_db()
    assert lease.end_date == date(2026, 12, 31)


@pytest.mark.parametrize("role", ["park_manager", "company_user"])
def test_only_pseb_terminates_a_lease(client, request, lease, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("tenants:lease_terminate", args=[lease.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"end_date": "2026-12-31"}).status_code == 403
    lease.refresh_from_db()
    assert lease.terminated_at is None


# --- Roles that see but may not act: 403 ------------------------------------------------------
def test_a_company_user_cannot_approve_their_own_application(
    client, company_user, under_review, units
):
    client.force_login(company_user)
    url = approve_url(under_review)
    assert client.get(url).status_code == 403
    response = client.post(
        url, {"start_date": later(30).isoformat(), "units": [str(units["free"].pk)]}
    )
    assert response.status_code == 403
    _assert_not_approved(under_review)


@pytest.mark.parametrize("action", ["review", "reject", "return"])
def test_a_company_user_cannot_review_their_own_application(client, request, company_user, action):
    application = request.getfixturevalue("submitted" if action == "review" else "under_review")
    status = application.status
    client.force_login(company_user)
    response = client.post(
        reverse("tenants:application_transition", args=[application.pk, action]),
        {"reason": REASON},
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == status


def test_pseb_cannot_submit_or_withdraw_for_the_company(client, pseb_staff, draft):
    client.force_login(pseb_staff)
    for action in ("submit", "withdraw"):
        url = reverse("tenants:application_transition", args=[draft.pk, action])
        assert client.post(url).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_the_parks_manager_sees_but_does_not_decide(client, park_manager, under_review, units):
    client.force_login(park_manager)
    assert (
        client.get(reverse("tenants:application_detail", args=[under_review.pk])).status_code == 200
    )
    assert client.get(approve_url(under_review)).status_code == 403
    url = reverse("tenants:application_transition", args=[under_review.pk, "reject"])
    assert client.post(url, {"reason": REASON}).status_code == 403
    _assert_not_approved(under_review)


# --- Out of scope: 404 --------------------------------------------------------------------------
@pytest.fixture
def targets(draft, document, lease, company):
    """Every page about company_user's company at GUJ, with its method."""
    a, d = draft.pk, document.pk
    return [
        ("get", reverse("tenants:application_detail", args=[a])),
        ("get", reverse("tenants:application_edit", args=[a])),
        ("post", reverse("tenants:application_edit", args=[a])),
        ("get", reverse("tenants:application_approve", args=[a])),
        ("post", reverse("tenants:application_approve", args=[a])),
        ("post", reverse("tenants:application_transition", args=[a, "submit"])),
        ("post", reverse("tenants:application_transition", args=[a, "withdraw"])),
        ("post", reverse("tenants:application_transition", args=[a, "review"])),
        ("post", reverse("tenants:document_upload", args=[a])),
        ("get", reverse("tenants:document_download", args=[a, d])),
        ("post", reverse("tenants:document_delete", args=[a, d])),
        ("get", reverse("tenants:lease_detail", args=[lease.pk])),
        ("get", reverse("tenants:lease_terminate", args=[lease.pk])),
        ("post", reverse("tenants:lease_terminate", args=[lease.pk])),
        ("get", reverse("tenants:company_detail", args=[company.pk])),
    ]


@pytest.mark.parametrize("role", ["other_company_user", "other_park_manager"])
def test_another_tenant_or_another_parks_manager_gets_404_everywhere(
    client, request, targets, draft, document, lease, role
):
    client.force_login(request.getfixturevalue(role))
    for method, url in targets:
        response = getattr(client, method)(url, {"reason": "x", "end_date": "2026-12-31"})
        assert response.status_code == 404, (method, url)
    draft.refresh_from_db()
    lease.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()
    assert lease.terminated_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, targets):
    extra = [
        ("get", reverse("tenants:application_list")),
        ("get", reverse("tenants:application_create")),
        ("get", reverse("tenants:lease_list")),
        ("get", reverse("tenants:company")),
        ("get", reverse("tenants:company_create")),
        ("get", reverse("tenants:company_edit")),
        ("post", reverse("tenants:company_invite")),
        ("get", reverse("dashboard")),
    ]
    for method, url in [*targets, *extra]:
        assert_sign_in_redirect(getattr(client, method)(url))


def test_ids_that_do_not_exist_are_404_too(client, pseb_staff):
    client.force_login(pseb_staff)
    assert client.get(reverse("tenants:application_detail", args=[999999])).status_code == 404
    assert client.get(reverse("tenants:lease_detail", args=[999999])).status_code == 404
    assert client.get(reverse("tenants:company_detail", args=[999999])).status_code == 404


# --- Dashboard ---------------------------------------------------------------------------------
def test_the_company_dashboard_lists_its_own_applications_only(
    client, company_user, draft, other_company_user
):
    theirs = ApplicationFactory(company=company_of(other_company_user))
    client.force_login(company_user)
    response = client.get(reverse("dashboard"))
    assert [a.pk for a in response.context["applications"]] == [draft.pk]
    assert theirs.pk not in [a.pk for a in response.context["applications"]]


def test_a_new_company_user_is_asked_for_a_profile_on_the_dashboard(client, newcomer):
    response = client.get(reverse("dashboard"))
    assert response.context["needs_company"] is True


def test_the_park_managers_dashboard_counts_only_their_park(client, park_manager, queue):
    client.force_login(park_manager)
    response = client.get(reverse("dashboard"))
    counts = {status.value: n for status, n in response.context["queue"]}
    assert counts["submitted"] == 1
    assert counts["under_review"] == 1
    assert counts["draft"] == 0  # never submitted: not the manager's to see
    assert {a.pk for a in response.context["waiting"]} == {
        queue["guj_submitted"].pk,
        queue["guj_review"].pk,
    }


# --- Queries per list do not grow with rows ------------------------------------------------------
def _rows(park, n):
    for _ in range(n):
        company = CompanyFactory()
        ApplicationFactory(company=company, park=park, status="under_review")
        LeaseFactory(company=company, park=park, units=[UnitFactory(park=park) for _ in range(2)])


@pytest.fixture
def company_rows(company, park):
    def add(n):
        for _ in range(n):
            ApplicationFactory(company=company, park=park)
            LeaseFactory(company=company, park=park, units=[UnitFactory(park=park)])

    return add


@pytest.mark.parametrize(
    "url_name", ["tenants:application_list", "tenants:lease_list", "dashboard"]
)
@pytest.mark.parametrize("role", ["pseb_staff", "park_manager"])
def test_staff_list_pages_take_the_same_number_of_queries_for_2_and_20_rows(
    client, request, park, django_assert_max_num_queries, url_name, role
):
    client.force_login(request.getfixturevalue(role))
    url = reverse(url_name)
    _rows(park, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _rows(park, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name",
    ["tenants:application_list", "tenants:lease_list", "dashboard", "tenants:company"],
)
def test_company_list_pages_take_the_same_number_of_queries_for_2_and_20_rows(
    client, company_user, company_rows, django_assert_max_num_queries, url_name
):
    client.force_login(company_user)
    url = reverse(url_name)
    company_rows(2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    company_rows(18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_application_page_takes_the_same_number_of_queries_for_1_and_10_documents(
    client, company_user, draft, django_assert_max_num_queries
):
    def add_documents(n):
        for i in range(n):
            services.document_add(
                user=company_user,
                application=draft,
                upload=SimpleUploadedFile(f"d{i}.pdf", PDF),
            )

    client.force_login(company_user)
    url = reverse("tenants:application_detail", args=[draft.pk])
    add_documents(1)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    add_documents(9)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_lease_page_takes_the_same_number_of_queries_for_1_and_10_units(
    client, pseb_staff, park, django_assert_max_num_queries
):
    small_lease = LeaseFactory(park=park, units=[UnitFactory(park=park)])
    big_lease = LeaseFactory(park=park, units=[UnitFactory(park=park) for _ in range(10)])
    client.force_login(pseb_staff)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("tenants:lease_detail", args=[small_lease.pk]))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("tenants:lease_detail", args=[big_lease.pk])).status_code == 200
