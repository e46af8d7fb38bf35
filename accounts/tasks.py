"""Thin tasks: ids in, call a notification, retried on transient mail errors."""

from smtplib import SMTPException

from celery import shared_task

from . import notifications


@shared_task(
    autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5, acks_late=True
)
def send_email_verification(user_id: int) -> int:
    return notifications.email_verification(user_id)


@shared_task(
    autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5, acks_late=True
)
def send_password_reset(user_id: int) -> int:
    return notifications.password_reset(user_id)
