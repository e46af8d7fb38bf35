"""The security trail (issue 7 §8): sign-ins, failures, lock-outs, tokens, passwords and
refusals. Changes to data are recorded by django-auditlog's ``LogEntry``; both are
append-only (the admin offers no change, and on PostgreSQL a trigger refuses UPDATE and
DELETE: migrations/0002_append_only.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor failed"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    REFUSED_403 = "refused_403", "Refused (403)"
    REFUSED_404 = "refused_404", "Refused (404)"


class SecurityEvent(models.Model):
    """One security-relevant moment, written in one INSERT and never changed."""

    kind = models.CharField(max_length=32, choices=SecurityEventKind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Kept (SET_NULL) when the account is deleted: the username below still says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(
        max_length=150, blank=True, help_text="The account's username, or the one tried."
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "at"], name="security_event_kind_at")]

    def __str__(self) -> str:
        who = self.username or "anonymous"
        return f"{self.get_kind_display()}: {who} at {self.at:%Y-%m-%d %H:%M:%S}"
