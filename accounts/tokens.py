"""Signed links for e-mail verification: stateless, tied to the address, and they expire."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

_SALT = "stp.accounts.email-verification"


def email_verification_token(user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email.lower()}, salt=_SALT, compress=True)


def email_verification_claim(token: str) -> tuple[int, str] | None:
    """The (user id, address) a link was made for, or None when it is forged or expired."""
    try:
        data = signing.loads(
            token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_DAYS * 24 * 3600
        )
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return data["u"], str(data.get("e", ""))
