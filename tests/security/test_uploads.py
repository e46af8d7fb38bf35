"""Supporting documents are plain PDFs (issue 7, uploads): each is parsed with pypdf and
refused, saying why, if it does not parse or carries JavaScript, a launch action or an
embedded file, or has content before its header or after its end (a polyglot) — through the
page and through the API alike. Stored PDFs are served with a sandboxing CSP."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period
from subsidies import services as billing
from subsidies.models import Statement
from tenants import services
from tenants.models import ApplicationDocument
from tenants.selectors import company_of
from tests import pdfs
from tests.factories import LeaseFactory, SubsidySchemeFactory, UnitFactory, application_input

pytestmark = pytest.mark.django_db

REFUSED = {
    "javascript": (pdfs.pdf_with_javascript, "contains JavaScript"),
    "hidden-javascript": (
        pdfs.pdf_with_javascript_hidden_in_object_stream,
        "contains JavaScript",
    ),
    "launch": (pdfs.pdf_with_launch_action, "starts another program"),
    "attachment": (pdfs.pdf_with_attachment, "an embedded file or attachment"),
    "zip-appended": (pdfs.pdf_zip_polyglot, "other content after the end of the PDF"),
    "html-before": (pdfs.pdf_html_polyglot, "other content before its PDF header"),
    "zip-ending-like-a-pdf": (
        pdfs.pdf_zip_polyglot_ending_like_a_pdf,
        "other content after the end of the PDF",
    ),
    "xfa": (pdfs.pdf_with_xfa_form, "an XFA form"),
    "unparsable": (
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "cannot be read as a PDF",
    ),
    "no-end": (lambda: pdfs.PDF.replace(b"%%EOF", b""), "does not end with the PDF end marker"),
}


@pytest.fixture
def draft(company_user, park):
    return services.application_create(
        user=company_user,
        company=company_of(company_user),
        data=application_input(park),
    )


def _file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.pdf", content, content_type="application/pdf")


def _page_upload(client, draft, content: bytes) -> str:
    response = client.post(
        reverse("tenants:document_upload", args=[draft.pk]), {"file": _file(content)}, follow=True
    )
    return response.content.decode()


def _edit_page_upload(client, draft, content: bytes) -> str:
    response = client.post(
        reverse("tenants:application_edit", args=[draft.pk]),
        {
            "park": draft.park.code,
            "seats": "10",
            "area_sqft": "0",
            "unit_kind": "office",
            "desired_start": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "duration_months": "12",
            "business_plan": "Logistics software for exporters in Gujranwala.",
            "then": "upload",
            "file": _file(content),
        },
        follow=True,
    )
    return response.content.decode()


@pytest.mark.parametrize("kind", list(REFUSED))
def test_each_unsafe_pdf_is_refused_by_the_upload_page_saying_why(
    client, company_user, draft, kind
):
    make, reason = REFUSED[kind]
    client.force_login(company_user)
    assert reason in _page_upload(client, draft, make())
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("kind", ["javascript", "attachment", "zip-appended", "html-before"])
def test_each_unsafe_pdf_is_refused_by_the_application_edit_page_saying_why(
    client, company_user, draft, kind
):
    make, reason = REFUSED[kind]
    client.force_login(company_user)
    assert reason in _edit_page_upload(client, draft, make())
    assert not ApplicationDocument.objects.exists()


@pytest.mark.parametrize("kind", list(REFUSED))
def test_each_unsafe_pdf_is_refused_by_the_api_saying_why(as_user, company_user, draft, kind):
    make, reason = REFUSED[kind]
    response = as_user(company_user).post(
        reverse("api:application-documents", args=[draft.pk]),
        {"file": _file(make())},
        format="multipart",
    )
    assert response.status_code == 400
    assert reason in json.dumps(response.json())
    assert not ApplicationDocument.objects.exists()


def test_the_hidden_javascript_spells_no_name_a_byte_search_would_find():
    content = pdfs.pdf_with_javascript_hidden_in_object_stream()
    assert b"/JS" not in content
    assert b"JavaScript" not in content


def test_a_plain_pdf_is_accepted_by_the_page_the_edit_page_and_the_api(
    client, as_user, company_user, draft
):
    client.force_login(company_user)
    assert "Uploaded plan.pdf" in _page_upload(client, draft, pdfs.PDF)
    _edit_page_upload(client, draft, pdfs.PDF)
    response = as_user(company_user).post(
        reverse("api:application-documents", args=[draft.pk]),
        {"file": _file(pdfs.PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert ApplicationDocument.objects.count() == 3


# --- Serving --------------------------------------------------------------------------------
def _assert_sandboxed_download(response) -> None:
    assert response.status_code == 200
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in directives
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"


def test_a_stored_document_is_served_sandboxed_by_the_page_and_the_api(
    client, as_user, company_user, draft
):
    document = services.document_add(user=company_user, application=draft, upload=_file(pdfs.PDF))
    client.force_login(company_user)
    _assert_sandboxed_download(
        client.get(reverse("tenants:document_download", args=[draft.pk, document.pk]))
    )
    _assert_sandboxed_download(
        as_user(company_user).get(f"/api/v1/applications/{draft.pk}/documents/{document.pk}/")
    )


def test_a_statement_pdf_is_served_sandboxed_by_the_page_and_the_api(
    client, as_user, company_user, park
):
    SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))
    unit = UnitFactory(park=park, monthly_rent=Decimal("60000.00"))
    LeaseFactory(
        park=park, company=company_of(company_user), units=[unit], start_date=date(2026, 3, 1)
    )
    run = billing.billing_run_start(
        user=None, period=Period(2026, 3), park=None, today=date(2026, 4, 1), queue=False
    )
    for chunk_id in billing.billing_run_plan(run.pk):
        billing.billing_chunk_bill(chunk_id, today=date(2026, 4, 1))
    statement = Statement.objects.get(company=company_of(company_user))
    statement.pdf.save("statement.pdf", ContentFile(pdfs.PDF))
    client.force_login(company_user)
    _assert_sandboxed_download(client.get(reverse("subsidies:statement_pdf", args=[statement.pk])))
    _assert_sandboxed_download(as_user(company_user).get(f"/api/v1/statements/{statement.pk}/pdf/"))
