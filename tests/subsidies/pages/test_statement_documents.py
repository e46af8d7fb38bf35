"""A statement's PDF, and the public page that confirms a printed statement is genuine."""

import pytest
from django.urls import reverse

from subsidies import services
from tests.subsidies.pages.support import (
    PDF,
    assert_sign_in_redirect,
    detail_url,
    signed_in,
    text,
    verify_url,
    with_pdf,
)

pytestmark = pytest.mark.django_db


def pdf_url(statement) -> str:
    return reverse("subsidies:statement_pdf", args=[statement.pk])


@pytest.mark.parametrize("role", ["company_user", "park_manager", "pseb_staff"])
def test_the_pdf_downloads_for_those_in_scope(client, request, role, statement):
    with_pdf(statement)
    response = signed_in(client, request.getfixturevalue(role)).get(pdf_url(statement))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{statement.number}.pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("role", ["other_company_user", "other_park_manager"])
def test_the_pdf_is_404_outside_the_users_scope(client, request, role, statement):
    with_pdf(statement)
    response = signed_in(client, request.getfixturevalue(role)).get(pdf_url(statement))
    assert response.status_code == 404


def test_the_pdf_asks_visitors_to_sign_in(client, statement):
    with_pdf(statement)
    assert_sign_in_redirect(client.get(pdf_url(statement)))


def test_a_pdf_not_rendered_yet_is_404_and_the_page_says_it_is_coming(
    client, company_user, statement
):
    signed_in(client, company_user)
    assert client.get(pdf_url(statement)).status_code == 404
    body = text(client.get(detail_url(statement)))
    assert "being prepared" in body
    assert pdf_url(statement) not in body


def test_a_pdf_missing_from_storage_is_404_not_500(client, company_user, statement):
    with_pdf(statement)
    statement.pdf.storage.delete(statement.pdf.name)
    response = signed_in(client, company_user).get(pdf_url(statement))
    assert response.status_code == 404


def test_the_statement_page_links_to_its_pdf(client, company_user, statement):
    with_pdf(statement)
    body = text(signed_in(client, company_user).get(detail_url(statement)))
    assert pdf_url(statement) in body
    assert "Download PDF" in body


def test_the_verification_page_shows_only_number_company_period_and_net(client, statement):
    response = client.get(verify_url(statement))
    assert response.status_code == 200
    body = text(response)
    assert statement.number in body
    assert "First Company (Pvt) Ltd" in body
    assert "March 2026" in body
    assert "PKR 24,677.42" in body
    assert '<meta name="robots" content="noindex' in body
    assert "noindex" in response["X-Robots-Tag"]
    # Nothing else of the statement: no park, unit, lines, totals, dates or payments.
    for hidden in (
        "Gujranwala",
        "A-101",
        "32,903.23",
        "35,645.17",
        "-10,967.75",
        "April 2026",
        "Default programme",
        "Overdue",
        "Balance",
    ):
        assert hidden not in body, hidden
    for fact in ("number", "company_name", "period", "net_payable"):
        assert fact in response.context
    assert "statement" not in response.context


def test_the_verification_page_says_when_a_statement_is_void(client, pseb_staff, statement):
    services.credit_note_issue(user=pseb_staff, statement=statement, reason="Billed in error")
    body = text(client.get(verify_url(statement)))
    assert "void" in body
    assert "genuine statement" not in body


@pytest.mark.parametrize("token", ["nope", "x" * 32, "x" * 300])
def test_an_unknown_verification_token_is_404_with_its_own_message(client, statement, token):
    response = client.get(reverse("subsidies:statement_verify", args=[token]))
    assert response.status_code == 404
    assert "subsidies/statement_verify_not_found.html" in [t.name for t in response.templates]
    body = text(response)
    assert (
        "No statement matches this verification code. Check the code on the statement, "
        "or contact PSEB." in body
    )
    assert "Page not found" not in body  # not the generic 404 page
    assert statement.number not in body
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Cache-Control"] == "private, no-store"
