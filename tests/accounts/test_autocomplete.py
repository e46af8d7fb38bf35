"""Autocomplete hints on the forms where people type who they are (issue 12 §8, WCAG 1.3.5):
the browser and password managers fill them, and save a new password as one."""

import re

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def autocomplete(page: str) -> dict[str, str]:
    """Each input's name → its autocomplete hint, read from the page."""
    hints = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        hint = re.search(r'autocomplete="([^"]+)"', tag)
        if name and name.group(1) not in ("csrfmiddlewaretoken", "next") and "hidden" not in tag:
            hints[name.group(1)] = hint.group(1) if hint else ""
    return hints


def test_sign_up_asks_for_a_new_account(client):
    hints = autocomplete(client.get("/accounts/sign-up/").content.decode())
    assert hints == {
        "username": "username",
        "email": "email",
        "password": "new-password",
        "password_again": "new-password",
    }


def test_sign_in_asks_for_the_current_password(client):
    hints = autocomplete(client.get("/accounts/sign-in/").content.decode())
    assert hints["username"] == "username"
    assert hints["password"] == "current-password"


def test_changing_the_password(client, company_user):
    client.force_login(company_user)
    hints = autocomplete(client.get("/accounts/password/").content.decode())
    assert hints == {
        "old_password": "current-password",
        "new_password1": "new-password",
        "new_password2": "new-password",
    }


def test_a_reset_asks_for_the_email(client):
    assert autocomplete(client.get("/accounts/password/reset/").content.decode()) == {
        "email": "email"
    }


def test_the_second_factor_is_a_one_time_code(settings, pseb_staff):
    settings.STAFF_TWO_FACTOR = True
    client = Client()
    client.post("/accounts/sign-in/", {"username": pseb_staff.username, "password": PASSWORD})
    hints = autocomplete(client.get("/accounts/two-factor/").content.decode())
    assert hints["code"] == "one-time-code"


def test_the_company_profile_names_the_organisation(client, company_user):
    client.force_login(company_user)
    hints = autocomplete(client.get("/company/edit/").content.decode())
    assert hints["name"] == "organization"
    assert hints["city"] == "address-level2"
    assert hints["website"] == "url"
