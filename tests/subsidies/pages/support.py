"""What the billing page tests share: the month, a PDF, signing in and reading pages."""

import html
from datetime import date

from django.core.files.base import ContentFile
from django.urls import reverse

from subsidies.models import Statement

MARCH = "2026-03"
ISSUED = date(2026, 4, 1)  # due 16 April 2026: unpaid, it is overdue from then on
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def text(response) -> str:
    return html.unescape(response.content.decode())


def signed_in(client, user):
    client.force_login(user)
    return client


def assert_sign_in_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def with_pdf(statement: Statement, content: bytes = PDF) -> Statement:
    statement.pdf.save("statement.pdf", ContentFile(content))
    return statement


def detail_url(statement) -> str:
    return reverse("subsidies:statement_detail", args=[statement.pk])


def charges_url(lease) -> str:
    return reverse("subsidies:lease_charges", args=[lease.pk])


def verify_url(statement) -> str:
    return reverse("subsidies:statement_verify", args=[statement.verification_token])
