"""Request and response guards that apply to every page and API call (docs/security.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateResponseMiddleware:
    """Signed-in pages and every API answer may hold a company's data: no shared or browser
    cache keeps them (``Cache-Control: private, no-store``). Every response also carries the
    Permissions-Policy: the portal uses no camera, microphone, location or payment API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path_info.startswith("/api/"):
            patch_cache_control(response, private=True, no_store=True)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
