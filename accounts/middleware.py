"""PSEB staff and park managers confirm a second factor before anything else (TOTP)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from .models import User
from .two_factor import requires_second_factor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# Reachable before the second factor: the factor itself, signing out, and what pages need.
_OPEN_BEFORE_SECOND_FACTOR = ("/accounts/two-factor/", "/accounts/sign-out/", "/static/")


def needs_second_factor(user: User | AnonymousUser) -> bool:
    """Staff roles carry public money and every company's data: their session counts only
    once a TOTP code is confirmed in it."""
    if not (user.is_authenticated and requires_second_factor(user)):
        return False
    # OTPMiddleware (django-otp) gives the request's user is_verified(); the stubs don't know.
    return not user.is_verified()  # type: ignore[attr-defined]


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if needs_second_factor(request.user) and not path.startswith(_OPEN_BEFORE_SECOND_FACTOR):
            if path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Confirm your second factor (TOTP) at /accounts/two-factor/."},
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:two_factor')}?{query}")
        return self.get_response(request)


# The idle deadline moves on at most this often: a session is not written on every request.
_TOUCH_EVERY_SECONDS = 60
_SEEN = "_stp_seen"


class SessionIdleMiddleware:
    """A session ends after ``SESSION_IDLE_MINUTES`` without a request, or the shorter
    ``STAFF_SESSION_IDLE_MINUTES`` for PSEB staff and park managers. The deadline is set at
    sign-in and moved on by requests, writing the session at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            session_touch(request, request.user)
        return self.get_response(request)


def idle_timeout_seconds(user: User) -> int:
    staff = user.is_pseb_staff or user.is_park_manager
    minutes = settings.STAFF_SESSION_IDLE_MINUTES if staff else settings.SESSION_IDLE_MINUTES
    return minutes * 60


def session_touch(request: HttpRequest, user: User, *, force: bool = False) -> None:
    """Move the session's idle deadline on (saving it) when it was last moved over a minute
    ago, or when ``force`` (at sign-in)."""
    session = request.session
    now = int(time.time())
    if force or now - session.get(_SEEN, 0) >= _TOUCH_EVERY_SECONDS:
        session.set_expiry(idle_timeout_seconds(user))
        session[_SEEN] = now


@receiver(user_logged_in)
def _session_starts_its_idle_clock(sender, request: HttpRequest | None, user: User, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_touch(request, user, force=True)
