"""Security events (issue 7 §8): each is one INSERT of a ``SecurityEvent``.

They come from the signals Django and the security libraries already send, so every way in
(the sign-in page, the admin, the token API) is covered without touching their views:
``user_logged_in`` / ``user_logged_out`` / ``user_login_failed`` (Django), ``user_locked_out``
(django-axes), knox ``AuthToken`` saves and deletes, a TOTP device counting a failure
(django-otp), a password set on a user. Refusals come from ``RefusalMiddleware``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest
from django.utils import timezone

from stp_portal.security import client_ip

from .models import SecurityEvent, SecurityEventKind
from .trail import current_request, valid_ip

logger = logging.getLogger(__name__)


def _text(value: Any, limit: int) -> str:
    """Printable text that fits its column: PostgreSQL refuses NUL in a string."""
    return str(value or "").replace("\x00", "\\x00")[:limit]


def security_event_record(
    *,
    kind: SecurityEventKind,
    request: HttpRequest | None = None,
    user: Any = None,
    username: str = "",
    status: int | None = None,
    detail: dict[str, Any] | None = None,
) -> SecurityEvent | None:
    """Record one security event; the request (given, or the one being served) gives the
    client address, path and method. A failure to record never breaks the request: it is
    logged instead (in a savepoint, so the caller's transaction stays usable)."""
    request = request if request is not None else current_request()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = SecurityEvent(
        kind=kind,
        at=timezone.now(),
        user=user,
        username=_text(username or (user.get_username() if user is not None else ""), 150),
        client_ip=valid_ip(client_ip(request)) if request is not None else None,
        path=_text(request.path, 500) if request is not None else "",
        method=_text(request.method, 10) if request is not None else "",
        status=status,
        detail=detail or {},
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except DatabaseError:
        logger.exception("Security event %s could not be recorded", kind)
        return None
    return event


# --- Receivers ---------------------------------------------------------------------------------
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEventKind.SIGN_IN, request=request, user=user)


def _signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    security_event_record(kind=SecurityEventKind.SIGN_OUT, request=request, user=user)


def _sign_in_failed(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already cleansed the credentials: the password is never seen here.
    security_event_record(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        request=request,
        username=credentials.get("username", ""),
    )


def _locked_out(
    sender: Any, request: HttpRequest | None = None, username: str = "", **kwargs: Any
) -> None:
    security_event_record(
        kind=SecurityEventKind.LOCKED_OUT, request=request, username=username, status=429
    )


def _token_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:
        security_event_record(
            kind=SecurityEventKind.TOKEN_CREATED,
            user=instance.user,
            detail={"token": instance.token_key, "expiry": _iso(instance.expiry)},
        )


def _token_deleted(sender: Any, instance: Any, origin: Any = None, **kwargs: Any) -> None:
    # knox deletes an expired token when it is next presented: that is housekeeping, not a
    # revocation by anyone.
    if instance.expiry is not None and instance.expiry <= timezone.now():
        return
    # Tokens deleted with their user's account go with it (the account's deletion is in the
    # trail); a row pointing at the user being deleted would break that deletion.
    if origin is not None and getattr(origin, "model", type(origin)) is not sender:
        return
    security_event_record(
        kind=SecurityEventKind.TOKEN_REVOKED,
        user=instance.user,
        detail={"token": instance.token_key},
    )


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def _password_set(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``set_password`` leaves the raw password in ``_password`` until the save: a change, or
    the end of a reset when the request is the reset link's."""
    if instance.pk is None or getattr(instance, "_password", None) is None:
        return
    request = current_request()
    match = getattr(request, "resolver_match", None)
    reset = match is not None and match.url_name == "password_reset_confirm"
    kind = SecurityEventKind.PASSWORD_RESET if reset else SecurityEventKind.PASSWORD_CHANGED
    by = getattr(request, "user", None)
    detail = {}
    if by is not None and by.is_authenticated and by.pk != instance.pk:
        detail["by"] = by.get_username()  # e.g. PSEB staff setting it in the admin
    security_event_record(kind=kind, request=request, user=instance, detail=detail)


def _second_factor_counted(sender: Any, instance: Any, **kwargs: Any) -> None:
    """django-otp counts a wrong code on the device (throttling) and saves it."""
    if instance.pk is None or not instance.throttling_failure_count:
        return
    before = (
        type(instance)
        .objects.filter(pk=instance.pk)
        .values_list("throttling_failure_count", flat=True)
        .first()
    )
    if before is not None and instance.throttling_failure_count > before:
        security_event_record(
            kind=SecurityEventKind.SECOND_FACTOR_FAILED,
            user=instance.user,
            detail={"failures": instance.throttling_failure_count},
        )


def connect() -> None:
    from axes.signals import user_locked_out
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from knox.models import AuthToken

    user_logged_in.connect(_signed_in, dispatch_uid="audit_signed_in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit_signed_out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit_sign_in_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="audit_locked_out")
    post_save.connect(_token_saved, sender=AuthToken, dispatch_uid="audit_token_saved")
    post_delete.connect(_token_deleted, sender=AuthToken, dispatch_uid="audit_token_deleted")
    pre_save.connect(_password_set, sender=get_user_model(), dispatch_uid="audit_password_set")
    pre_save.connect(_second_factor_counted, sender=TOTPDevice, dispatch_uid="audit_second_factor")
