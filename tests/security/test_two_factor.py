"""Second factor for staff (issue 7 §2): PSEB staff and park managers confirm a TOTP code
before any page, admin or API answers them; company users never need one."""

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_two_factor_on")]


@pytest.fixture
def _two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True


def _code(device: TOTPDevice, drift: int = 0) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return f"{code:06d}"


def _signed_in(user) -> Client:
    client = Client()
    assert (
        client.post(
            "/accounts/sign-in/", {"username": user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def test_staff_are_sent_to_enrol_before_any_page(pseb_staff):
    client = _signed_in(pseb_staff)
    for path in ("/dashboard/", "/schemes/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/two-factor/")
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content  # the QR code to scan
    assert TOTPDevice.objects.get(user=pseb_staff).confirmed is False


def test_enrolling_with_the_right_code_opens_the_portal_and_keeps_the_device(park_manager):
    client = _signed_in(park_manager)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=park_manager)
    response = client.post(
        "/accounts/two-factor/", {"code": _code(device), "next": "/parks/managed/"}
    )
    assert response.status_code == 302
    assert response.url == "/parks/managed/"
    assert client.get("/parks/managed/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed is True


def test_a_wrong_code_is_refused_and_the_portal_stays_closed(pseb_staff):
    client = _signed_in(pseb_staff)
    client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=pseb_staff)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/two-factor/", {"code": wrong})
    assert response.status_code == 200
    assert b"wrong or has expired" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_staff_session_api_calls_are_refused_until_the_second_factor(pseb_staff):
    client = _signed_in(pseb_staff)
    response = client.get("/api/v1/statements/")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_company_users_need_no_second_factor(company_user):
    client = _signed_in(company_user)
    assert client.get("/dashboard/").status_code == 200


def test_staff_tokens_need_the_current_code(api, pseb_staff):
    device = TOTPDevice.objects.create(user=pseb_staff, name="phone", confirmed=True)
    body = {"username": pseb_staff.username, "password": PASSWORD}
    missing = api.post("/api/v1/auth/token/", body, format="json")
    assert missing.status_code == 400
    assert "otp_token" in missing.json()
    wrong = api.post("/api/v1/auth/token/", {**body, "otp_token": "000000"}, format="json")
    if _code(device) != "000000":
        assert wrong.status_code == 400
    # django-otp slows guessing after a failure; the owner's next code waits it out.
    device.refresh_from_db()
    device.throttle_reset()
    right = api.post("/api/v1/auth/token/", {**body, "otp_token": _code(device)}, format="json")
    assert right.status_code == 200
    assert right.json()["token"]


def test_staff_without_an_enrolled_device_get_no_token(api, pseb_staff):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": pseb_staff.username, "password": PASSWORD, "otp_token": "123456"},
        format="json",
    )
    assert response.status_code == 400
    assert "Enrol an authenticator" in response.json()["otp_token"][0]


@override_settings(STAFF_TWO_FACTOR=False)
def test_switched_off_the_demo_signs_staff_in_with_the_password_alone(pseb_staff):
    client = _signed_in(pseb_staff)
    assert client.get("/dashboard/").status_code == 200
