"""The second factor of staff accounts: TOTP devices from django-otp (docs/security.md)."""

from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def requires_second_factor(user: User) -> bool:
    """PSEB staff and park managers sign in with a TOTP code when ``STAFF_TWO_FACTOR`` is on."""
    return bool(settings.STAFF_TWO_FACTOR and (user.is_pseb_staff or user.is_park_manager))


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def second_factor_problem(user: User, code: str) -> str | None:
    """Why ``code`` does not complete this user's sign-in, or None when it does (or the user
    needs no second factor)."""
    if not requires_second_factor(user):
        return None
    device = confirmed_device(user)
    if device is None:
        return "Enrol an authenticator app first: sign in on the portal and follow its steps."
    return code_problem(device, code)


def code_problem(device: TOTPDevice, code: str) -> str | None:
    """Why ``code`` is not the device's current code, or None when it is (django-otp also
    slows guessing: after a wrong code the next try must wait)."""
    if not code.strip():
        return "Give the 6-digit code your authenticator app shows."
    if not device.verify_token(code.strip()):
        return "That code is wrong or has expired: give the one your app shows now."
    return None
