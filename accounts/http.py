"""The request a signed-in page or API view handles: its user is a portal ``User``.

Views behind ``login_required`` (or an API view behind ``IsAuthenticated``) annotate their
request with this type, so the type checker knows the user is not anonymous (the pattern
django-stubs documents)."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # narrower than HttpRequest's: login_required makes it so
