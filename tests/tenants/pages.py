"""Helpers of the tenant page tests (tests/tenants/test_pages_*.py)."""

import html
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

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
