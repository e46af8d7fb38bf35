"""PSEB staff and park managers confirm a second factor before anything else (TOTP)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from .models import User
from .two_factor import requires_second_factor

# Reachable before the second factor: the factor itself, signing out, and what pages need.
_OPEN_BEFORE_SECOND_FACTOR = ("/accounts/two-factor/", "/accounts/sign-out/", "/static/")


def needs_second_factor(user: User) -> bool:
    """Staff roles carry public money and every company's data: their session counts only
    once a TOTP code is confirmed in it."""
    return bool(user.is_authenticated and requires_second_factor(user) and not user.is_verified())


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


class SessionIdleMiddleware:
    """A session ends after ``SESSION_IDLE_MINUTES`` without a request, or the shorter
    ``STAFF_SESSION_IDLE_MINUTES`` for PSEB staff and park managers. Every request moves the
    deadline on (SESSION_SAVE_EVERY_REQUEST)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            idle = idle_timeout_seconds(user)
            if request.session.get_expiry_age() != idle:
                request.session.set_expiry(idle)
        return self.get_response(request)


def idle_timeout_seconds(user: User) -> int:
    staff = user.is_pseb_staff or user.is_park_manager
    minutes = settings.STAFF_SESSION_IDLE_MINUTES if staff else settings.SESSION_IDLE_MINUTES
    return minutes * 60
