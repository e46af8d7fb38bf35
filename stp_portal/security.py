"""Who is asking: the one rule for a request's client address (docs/security.md).

Sign-in lock-outs (django-axes), rate limits (django-ratelimit, DRF throttles) and the audit
trail all count by this address, so one setting decides it for all of them.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


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
