"""Response headers (issue 7 §7): a strict CSP without inline script or style, a
Permissions-Policy, and no cache keeps a signed-in page or an API answer."""

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/parks/", "/accounts/sign-in/", "/api/v1/parks/"])
def test_every_answer_carries_a_strict_csp_and_a_permissions_policy(path):
    response = Client().get(path)
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_has_inline_script_style_or_event_handlers():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son\w+="):
            if re.search(pattern, text, re.I):
                offenders.append(f"{template.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


@pytest.mark.parametrize("path", ["/dashboard/", "/applications/", "/parks/"])
def test_signed_in_pages_are_never_cached(company_user, path):
    client = Client()
    client.force_login(company_user)
    cache_control = client.get(path)["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


@pytest.mark.parametrize("path", ["/api/v1/parks/", "/api/v1/companies/"])
def test_api_answers_are_never_cached(as_user, company_user, path):
    cache_control = as_user(company_user).get(path)["Cache-Control"]
    assert "private" in cache_control
    assert "no-store" in cache_control


def test_public_pages_for_anonymous_visitors_may_be_cached():
    response = Client().get("/parks/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_api_docs_load_their_script_from_a_file_not_inline():
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode())
    assert not re.search(r"<style\b", page.content.decode())
    script = Client().get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")


def test_the_guards_refusals_carry_the_headers_too(pseb_staff, settings):
    settings.STAFF_TWO_FACTOR = True
    client = Client()
    client.force_login(pseb_staff)
    refused = client.get("/api/v1/statements/")  # staff before their second factor
    bad = Client().get("/parks/GLT%00/")  # an unusable character
    for response in (refused, bad):
        assert response.status_code in (400, 403)
        assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in refused["Cache-Control"]
