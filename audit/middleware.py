"""Request hooks of the audit trail (issue 7 §8)."""

from __future__ import annotations

from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware
from django.http import HttpRequest, HttpResponse

from stp_portal.security import client_ip

from .events import security_event_record
from .models import SecurityEventKind
from .trail import serving, valid_ip


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the portal's one rule for the client address
    (``client_ip``: X-Forwarded-For only from trusted proxies; auditlog's own reads the
    first, client-written entry) and the actor read when each row is written (``trail``),
    so token-authenticated API writes carry their user too."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        return valid_ip(client_ip(request))

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        return None  # a client-written header (X-Forwarded-Port): nothing to trust

    @staticmethod
    def _get_actor(request: HttpRequest) -> None:
        return None  # trail.current_actor, at write time

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with serving(request):
            return super().__call__(request)


REFUSALS = {403: SecurityEventKind.REFUSED_403, 404: SecurityEventKind.REFUSED_404}


class RefusalMiddleware:
    """A 403 or 404 answered to a signed-in user is a security event: someone with an account
    probing objects outside their scope. Anonymous 404s are not recorded: any scanner makes
    thousands, and writing a row for each would let anyone fill the database (a cheap request
    turned into a write); signed-in probing is bounded by having an account."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        kind = REFUSALS.get(response.status_code)
        if kind is not None:
            # Read after the view: an API view has set the token's user on the request.
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                security_event_record(
                    kind=kind, request=request, user=user, status=response.status_code
                )
        return response
