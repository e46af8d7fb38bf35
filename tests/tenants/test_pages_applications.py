"""The company's applications: drafts, documents, submitting, withdrawing:
the tenant pages end to end, with the Django test client (issue 3).

Every bad input answers the page again with a message and changes nothing; objects outside
a user's scope answer 404 (domain.md §1); a role that may see but not act gets 403.
"""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ApplicationStatus, ParkStatus
from tenants import services
from tenants.models import (
    Application,
    ApplicationDocument,
)
from tests.factories import (
    ApplicationFactory,
    ParkFactory,
)
from tests.pdfs import PDF, pdf_of_size
from tests.tenants.pages import field_errors, later, text

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


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
