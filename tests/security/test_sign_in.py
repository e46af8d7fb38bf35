"""Sign-in protection (issue 7 §1): lock-out per username and address on the sign-in page,
the admin and the token API, counted by the connecting address, never by a header."""

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LIMIT = 5


def _page_sign_in(client, username, password, **headers):
    return client.post(
        "/accounts/sign-in/", {"username": username, "password": password}, **headers
    )


def _rotating(n):
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_sign_in_page_locks_out_after_repeated_failures_even_with_a_rotating_forwarded_for():
    user = UserFactory(username="amina")
    client = Client()
    for n in range(LIMIT - 1):
        assert _page_sign_in(client, "amina", "wrong", **_rotating(n)).status_code == 200
    locked = _page_sign_in(client, "amina", "wrong", **_rotating(99))
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert int(locked["Retry-After"]) > 0
    # Even the right password is refused during the cool-off, whatever the header says.
    right = _page_sign_in(client, "amina", PASSWORD, **_rotating(7))
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert user.pk  # the account itself is untouched


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_lock_out_is_per_username_and_address_so_others_still_sign_in():
    UserFactory(username="amina")
    UserFactory(username="bilal")
    for _ in range(LIMIT):
        _page_sign_in(Client(), "amina", "wrong")
    # Bilal, from the same address, is not locked out by Amina's failures.
    assert _page_sign_in(Client(), "bilal", PASSWORD).status_code == 302
    # Amina from another address is not locked out either.
    other = _page_sign_in(Client(REMOTE_ADDR="198.51.100.9"), "amina", PASSWORD)
    assert other.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_admin_sign_in_is_locked_out_too(pseb_staff):
    client = Client()
    for n in range(LIMIT):
        client.post(
            "/admin/login/",
            {"username": pseb_staff.username, "password": "wrong", "next": "/admin/"},
            **_rotating(n),
        )
    response = client.post(
        "/admin/login/",
        {"username": pseb_staff.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_token_api_is_locked_out_with_a_json_answer(api):
    UserFactory(username="amina")
    for n in range(LIMIT):
        response = api.post(
            "/api/v1/auth/token/",
            {"username": "amina", "password": "wrong"},
            format="json",
            **_rotating(n),
        )
        assert response.status_code in (400, 429)
    response = api.post(
        "/api/v1/auth/token/", {"username": "amina", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]


@override_settings(AXES_FAILURE_LIMIT=LIMIT)
def test_a_successful_sign_in_clears_the_failures():
    UserFactory(username="amina")
    client = Client()
    for _ in range(LIMIT - 1):
        _page_sign_in(client, "amina", "wrong")
    assert _page_sign_in(client, "amina", PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert _page_sign_in(client, "amina", "wrong").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=LIMIT, TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_address_is_the_one_the_proxy_appended():
    UserFactory(username="amina")
    client = Client()
    # The client forges the first entry; our proxy appends the address it really saw.
    for n in range(LIMIT):
        _page_sign_in(client, "amina", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 192.0.2.50")
    response = _page_sign_in(client, "amina", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.50")
    assert response.status_code == 429
    if AccessAttempt.objects.exists():  # the database handler keeps a row; Redis does not
        assert AccessAttempt.objects.get().ip_address == "192.0.2.50"
    # Another real client behind the same proxy is not locked out.
    other = _page_sign_in(client, "amina", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.51")
    assert other.status_code == 302


def test_one_address_trying_passwords_on_many_accounts_is_slowed(settings):
    settings.SIGN_IN_RATE = "6/h"
    for n in range(6):
        UserFactory(username=f"staff{n}")
        response = _page_sign_in(Client(), f"staff{n}", "wrong", **_rotating(n))
        assert response.status_code == 200
    assert _page_sign_in(Client(), "staff0", PASSWORD).status_code == 429
    admin = Client().post("/admin/login/", {"username": "staff1", "password": "wrong"})
    assert admin.status_code == 429


def test_the_api_throttle_counts_the_connecting_address_not_forwarded_for(api, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    codes = [
        api.post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, format="json", **_rotating(n)
        ).status_code
        for n in range(4)
    ]
    assert codes == [400, 400, 400, 429]
