"""Thin tasks: ids in, call a notification, retried on transient mail errors."""

from smtplib import SMTPException
from typing import Any

from celery import shared_task

from . import notifications

RETRY: dict[str, Any] = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": True,
    "max_retries": 5,
    "acks_late": True,
}


@shared_task(**RETRY)
def send_application_transition_email(transition_id: int) -> int:
    return notifications.application_transition(transition_id)


@shared_task(**RETRY)
def send_lease_terminated_email(lease_id: int, credit_note_ids: list[int] | None = None) -> int:
    return notifications.lease_terminated(lease_id, credit_note_ids or [])


@shared_task(**RETRY)
def send_invitation_email(invitation_id: int, token: str) -> int:
    return notifications.invitation(invitation_id, token)
