"""E-mails about a user's own account. Plain text, rendered from templates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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


def password_reset(user_id: int) -> int:
    """The reset link, made when the e-mail is sent (Django's token: it stops working once
    the password changes, and after PASSWORD_RESET_TIMEOUT)."""
    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not user.has_usable_password():
        return 0
    context = {
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("emails/password_reset_subject.txt", context).strip()
    body = render_to_string("emails/password_reset.txt", context)
    return EmailMessage(subject, body, to=[user.email]).send()
