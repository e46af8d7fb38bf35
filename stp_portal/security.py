"""Who is asking: the one rule for a request's client address (docs/security.md).

Sign-in lock-outs (django-axes), rate limits (django-ratelimit, DRF throttles) and the audit
trail all count by this address, so one setting decides it for all of them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str:
    """The connecting peer's address, or, behind ``TRUSTED_PROXY_COUNT`` proxies of ours, the
    address the outermost of them saw: that many entries from the right of X-Forwarded-For.

    A client can put anything in X-Forwarded-For; only the entries our own proxies appended
    can be trusted, so with no trusted proxy (the default) the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < trusted:
        # Fewer hops than proxies we run: the request did not come through them all.
        return remote
    return forwarded[-trusted]


def safe_next(request: HttpRequest) -> str:
    """The ``next`` address of a request (form field or query) when it is a path on this
    site, checked by Django's safe-URL rule; otherwise ''. Never a URL name to reverse."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""
