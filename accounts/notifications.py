"""E-mails about a user's own account. Plain text, rendered from templates."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from .models import User
from .tokens import email_verification_token


def email_verification(user_id: int) -> int:
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or user.email_verified_at is not None:
        return 0
    body = render_to_string(
        "emails/email_verification.txt",
        {
            "user": user,
            "token": email_verification_token(user.pk, user.email),
            "days": settings.EMAIL_VERIFICATION_DAYS,
            "site_url": settings.SITE_URL,
        },
    )
    return EmailMessage(
        "Confirm your e-mail address for the STP Portal", body, to=[user.email]
    ).send()
