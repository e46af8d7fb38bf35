"""A draft's edit page is one request and one service call: the edits, a document removed,
a file uploaded and the submission all happen, or none of them and the page says what was
not done and why (domain.md §3). And a visitor who applies from a park's page reaches that
park's application form after sign-up and the profile."""

import html
import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.vocabulary import ApplicationStatus
from stp_portal.errors import Conflict
from tenants import forms, services
from tenants.inputs import ApplicationInput
from tenants.models import ApplicationDocument, Company
from tenants.services import applications as application_services
from tests.factories import ApplicationFactory, ParkFactory
from tests.pdfs import PDF

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


def text(response) -> str:
    return html.unescape(response.content.decode())


def later(days: int = 30) -> date:
    return timezone.localdate() + timedelta(days=days)


def pdf(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "private"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def edit_url(application) -> str:
    return reverse("tenants:application_edit", args=[application.pk])


def application_data(park, **overrides) -> dict:
    return {
        "park": park.code,
        "unit_kind": "office",
        "seats": "14",
        "area_sqft": "",
        "desired_start": later().isoformat(),
        "duration_months": "12",
        "business_plan": "A team of fourteen building software for exporters.",
        **overrides,
    }


FIELDS = {
    "seats": 14,
    "area_sqft": Decimal("0"),
    "unit_kind": "office",
    "duration_months": 12,
    "business_plan": "A team of fourteen building software for exporters.",
}


@pytest.fixture
def old_document(company_user, draft):
    return services.document_add(user=company_user, application=draft, upload=pdf("Old.pdf"))


@pytest.fixture
def refused_submission(monkeypatch):
    def refuse(**kwargs):
        raise Conflict("The park stopped taking applications a moment ago.")

    monkeypatch.setattr(application_services, "application_transition", refuse)


# --- 1. All or nothing ---------------------------------------------------------------------------
def test_a_refused_submission_rolls_back_the_edits_and_the_upload_and_deletes_its_file(
    company_user, draft, park, refused_submission, settings
):
    # given a draft, and a submission that will be refused
    # when one edit saves new fields, uploads a PDF and submits
    with pytest.raises(Conflict):
        services.application_edit(
            user=company_user,
            application=draft,
            data=ApplicationInput(**FIELDS, park=park, desired_start=later()),
            upload=pdf("Plan.pdf"),
            submit=True,
        )
    # then nothing of it is left: not the fields, not the document, not its stored file
    draft.refresh_from_db()
    assert (draft.seats, draft.status) == (10, ApplicationStatus.DRAFT)
    assert not ApplicationDocument.objects.exists()
    assert stored_files(settings) == []


def test_a_removal_rolled_back_keeps_the_document_and_its_file(
    company_user, draft, park, old_document, refused_submission, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict):
        services.application_edit(
            user=company_user,
            application=draft,
            data=ApplicationInput(**FIELDS, park=park, desired_start=later()),
            remove_document_id=old_document.pk,
            submit=True,
        )
    assert ApplicationDocument.objects.filter(pk=old_document.pk).exists()
    assert old_document.file.storage.exists(old_document.file.name)


def test_a_bad_upload_is_refused_before_anything_is_written(company_user, draft, park, settings):
    with pytest.raises(ValidationError) as refused:
        services.application_edit(
            user=company_user,
            application=draft,
            data=ApplicationInput(**FIELDS, park=park, desired_start=later()),
            upload=pdf("photo.pdf", PNG),
        )
    assert "not a PDF" in " ".join(refused.value.message_dict["file"])
    draft.refresh_from_db()
    assert draft.seats == 10
    assert stored_files(settings) == []


def test_removing_a_document_of_another_application_through_the_service_changes_nothing(
    company_user, company, draft, park
):
    other = ApplicationFactory(company=company, park=park)
    stranger = services.document_add(user=company_user, application=other, upload=pdf("O.pdf"))
    with pytest.raises(ValidationError) as refused:
        services.application_edit(
            user=company_user,
            application=draft,
            data=ApplicationInput(**FIELDS, park=park, desired_start=later()),
            remove_document_id=stranger.pk,
        )
    assert "remove_document" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.seats == 10
    assert ApplicationDocument.objects.filter(pk=stranger.pk).exists()


def test_the_service_does_it_all_in_one_go(company_user, draft, park, old_document):
    result = services.application_edit(
        user=company_user,
        application=draft,
        data=ApplicationInput(**FIELDS, park=park, desired_start=later()),
        upload=pdf("Plan.pdf"),
        remove_document_id=old_document.pk,
        submit=True,
    )
    assert (result.removed, result.uploaded.original_name, result.submitted) == (
        "Old.pdf",
        "Plan.pdf",
        True,
    )
    draft.refresh_from_db()
    assert (draft.seats, draft.status) == (14, ApplicationStatus.SUBMITTED)
    assert [d.original_name for d in draft.documents.all()] == ["Plan.pdf"]


def test_a_refused_step_on_the_edit_page_leaves_the_draft_as_it_was(
    client, company_user, draft, park, refused_submission, settings
):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft), {**application_data(park, then="submit"), "file": pdf("Plan.pdf")}
    )
    draft.refresh_from_db()
    assert (draft.seats, draft.status) == (10, ApplicationStatus.DRAFT)
    assert not ApplicationDocument.objects.exists()
    assert stored_files(settings) == []
    assert response.status_code == 200
    assert "The park stopped taking applications a moment ago." in text(response)


# --- 2. A file chosen together with a removal --------------------------------------------------
def test_a_file_chosen_when_removing_another_document_is_uploaded_too(
    client, company_user, draft, park, old_document, django_capture_on_commit_callbacks
):
    client.force_login(company_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(draft),
            {
                **application_data(park, remove_document=str(old_document.pk)),
                "file": pdf("New.pdf"),
            },
            follow=True,
        )
    assert "Draft saved, Old.pdf removed and New.pdf uploaded." in text(response)
    assert [d.original_name for d in draft.documents.all()] == ["New.pdf"]
    assert not old_document.file.storage.exists(old_document.file.name)


# --- 3. The message says exactly what happened -------------------------------------------------
def test_a_bad_file_with_save_and_submit_says_the_application_was_not_submitted(
    client, company_user, draft, park, settings
):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft),
        {**application_data(park, then="submit"), "file": pdf("photo.pdf", PNG)},
    )
    assert response.status_code == 200
    page = text(response)
    assert (
        "Nothing was saved: the draft is unchanged, photo.pdf was not uploaded and the "
        "application was not submitted." in page
    )
    assert "not a PDF" in " ".join(response.context["document_form"].errors["file"])
    draft.refresh_from_db()
    assert (draft.seats, draft.status) == (10, ApplicationStatus.DRAFT)
    assert stored_files(settings) == []


def test_uploading_and_submitting_at_once_says_both_happened(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft),
        {**application_data(park, then="submit"), "file": pdf("business-plan.pdf")},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("tenants:application_detail", args=[draft.pk])
    assert "Draft saved, business-plan.pdf uploaded and the application submitted." in text(
        response
    )
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED
    assert [d.original_name for d in draft.documents.all()] == ["business-plan.pdf"]


def test_upload_pressed_without_a_file_asks_for_one_and_saves_nothing(
    client, company_user, draft, park
):
    client.force_login(company_user)
    response = client.post(edit_url(draft), application_data(park, then="upload"))
    assert response.status_code == 200
    assert response.context["document_form"].errors["file"] == ["Choose a PDF file to upload."]
    assert "Nothing was saved" in text(response)
    draft.refresh_from_db()
    assert draft.seats == 10


def test_bad_fields_and_a_bad_file_show_together(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(
        edit_url(draft),
        {**application_data(park, seats="", desired_start="2020-01-01"), "file": pdf("x", PNG)},
    )
    form, actions = response.context["form"], response.context["document_form"]
    assert form.errors["seats"] == ["Ask for seats, an area, or both."]
    assert form.errors["desired_start"] == ["The desired start cannot be in the past."]
    assert "not a PDF" in " ".join(actions.errors["file"])
    page = text(response)
    assert "Seats: Ask for seats, an area, or both." in page
    assert "Choose x.pdf again once the rest is right." in page


# --- 4. The document to remove is read through a form field ------------------------------------
@pytest.mark.parametrize("posted", ["²", "one", "-1", "99999999999999999999999", "4242"])
def test_a_document_to_remove_that_is_not_one_of_this_drafts_is_a_field_error_not_a_500(
    client, company_user, draft, park, old_document, posted
):
    client.force_login(company_user)
    response = client.post(edit_url(draft), application_data(park, remove_document=posted))
    assert response.status_code == 200
    assert response.context["document_form"].errors["remove_document"] == [
        "That document is not on this application (already removed?)."
    ]
    page = text(response)
    assert "Nothing was saved: the draft is unchanged and no document was removed." in page
    draft.refresh_from_db()
    assert draft.seats == 10
    assert ApplicationDocument.objects.filter(pk=old_document.pk).exists()


def test_a_button_the_page_does_not_have_is_refused(client, company_user, draft, park):
    client.force_login(company_user)
    response = client.post(edit_url(draft), application_data(park, then="approve"))
    assert response.status_code == 200
    assert "Button: Use one of the page's buttons." in text(response)
    draft.refresh_from_db()
    assert draft.seats == 10


# --- 5. One rule for the form and the service --------------------------------------------------
def test_the_form_and_the_service_ask_the_one_domain_rule(
    client, company_user, company, draft, park, monkeypatch
):
    # given a stricter rule, swapped in where the form and the service ask for it
    def at_most_twelve_seats(**facts) -> dict[str, str]:
        seats = facts["seats"]
        return {"seats": "At most 12 seats."} if seats is not None and seats > 12 else {}

    monkeypatch.setattr(forms, "application_problems", at_most_twelve_seats)
    monkeypatch.setattr(application_services, "application_problems", at_most_twelve_seats)
    # then the page says it…
    client.force_login(company_user)
    response = client.post(edit_url(draft), application_data(park, seats="14"))
    assert response.context["form"].errors["seats"] == ["At most 12 seats."]
    # …and so does the service, for the API and every other caller
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            user=company_user,
            application=draft,
            data=replace(ApplicationInput.of(draft), seats=14),
        )
    assert refused.value.message_dict == {"seats": ["At most 12 seats."]}


# --- 6. Applying from a park's page as a newcomer ----------------------------------------------
SIGN_UP = {
    "username": "nadia.gilgit",
    "email": "nadia@example.pk",
    "password": "react-in-gilgit-2026",
    "password_again": "react-in-gilgit-2026",
}
PROFILE = {
    "name": "Nadia Web Studio",
    "kind": "freelancer",
    "city": "Gilgit",
    "headcount": "1",
    "women_headcount": "1",
    "export_earnings_usd": "0",
}


def test_a_newcomer_applying_from_a_park_page_lands_on_that_parks_application_form(client):
    park = ParkFactory(code="GLT", name="SCO STP Gilgit", city="Gilgit")
    apply = reverse("tenants:application_create") + "?" + urlencode({"park": park.code})
    # given a visitor who clicked "Apply for space" on the park's page and signed up
    sign_up = reverse("accounts:signup") + "?" + urlencode({"next": apply})
    response = client.post(sign_up, SIGN_UP, follow=True)
    create_profile = response.redirect_chain[-1][0]
    assert create_profile.startswith(reverse("tenants:company_create") + "?next=")
    # when they create their profile (the page posts back to its own address)
    response = client.post(create_profile, PROFILE, follow=True)
    # then they are on the application form with the park chosen
    assert response.redirect_chain[-1][0] == apply
    assert response.context["form"]["park"].value() == "GLT"
    assert Company.objects.get().name == "Nadia Web Studio"


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/applications/new/", "javascript:x"]
)
def test_creating_a_profile_never_leads_to_another_site(client, elsewhere):
    client.post(reverse("accounts:signup"), SIGN_UP)
    url = reverse("tenants:company_create") + "?" + urlencode({"next": elsewhere})
    response = client.post(url, PROFILE)
    assert response["Location"] == reverse("tenants:company")


def test_a_user_who_has_a_profile_already_goes_on_to_where_they_were_going(
    client, company_user, company, park
):
    client.force_login(company_user)
    apply = reverse("tenants:application_create") + "?park=GUJ"
    url = reverse("tenants:company_create") + "?" + urlencode({"next": apply})
    assert client.get(url)["Location"] == apply


def test_the_edit_page_names_every_button_the_journey_uses(client, company_user, draft):
    client.force_login(company_user)
    page = text(client.get(edit_url(draft)))
    for label in ("Save draft", "Save and upload", "Save and submit application"):
        assert re.search(rf"<button[^>]*>{label}</button>", page)
