"""Chasing returns on the worker (domain.md §4a). Thin: a day or an id in, a service call;
idempotent and retried. How each reminder goes once: ``returns.reminders``."""

from __future__ import annotations

from datetime import date
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import reminders

RETRY: dict[str, Any] = {
    # Acknowledged once run: a reminder lost with its worker is delivered again (and, its
    # send never committed, sent then); a child process that dies requeues it at once.
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (SMTPException, OSError, OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 6,
}


@shared_task(**RETRY)
def send_return_reminders(today: str | None = None) -> int:
    """Celery beat, daily at 09:00 Asia/Karachi: claim and queue the reminders due (``today``
    as ``YYYY-MM-DD`` for another day than today)."""
    day = date.fromisoformat(today) if today else None
    return len(reminders.return_reminders_queue(today=day))


@shared_task(**RETRY)
def send_return_reminder(reminder_id: int) -> bool:
    return reminders.return_reminder_send(reminder_id)
