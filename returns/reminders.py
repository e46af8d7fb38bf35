"""Chasing returns not filed (domain.md §4a): the company's owners are e-mailed 5 days
before the due date, and again the day after it, while the return is not filed.

Each reminder goes once per return and kind, even when beat runs twice or a worker dies
mid-send. Three steps:

1. **Claim** (``return_reminders_queue``, daily from beat, or ``manage.py
   send_return_reminders``). ``returns.domain.quarters_to_remind`` gives, for each kind, the
   quarters whose reminder window holds today; each return of those quarters owed and not
   filed gets a ``ReturnReminder`` row, inserted with "on conflict do nothing": the unique
   (company, park, quarter, kind) keeps one row however many runs race.
2. **Queue**. Every row of those quarters and kinds whose ``sent_at`` is still empty (claimed
   now, or earlier and left unsent by a dead worker or a lost message) is queued, one task
   per reminder (``returns.tasks.send_return_reminder``: the id in, ``acks_late``, retried),
   once the claim has committed.
3. **Send** (``return_reminder_send``). In one transaction the task locks the row (``SELECT
   ... FOR UPDATE SKIP LOCKED`` on PostgreSQL), returns at once if it is sent already or
   another worker holds it, e-mails the owners, sets ``sent_at`` and commits.

So a worker killed mid-send commits nothing: ``sent_at`` stays empty and its lock goes with
its connection, and the redelivered task (``acks_late``) or the next beat run sends the
reminder. A send that committed is never repeated. What no database can close: a worker
killed after the mail server took the e-mail and before the commit sends it again; the
owners may then get it twice, never not at all. A return filed before its reminder went
out gets none: the claim is dropped. A claim left unsent after its window (the worker down
for a week) is not sent any more: the news would be stale (``REMINDER_GRACE_DAYS``).
"""

from __future__ import annotations

import logging
from datetime import date
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.vocabulary import ReminderKind
from tenants.selectors import owner_emails

from . import notifications, tasks
from .domain import quarters_to_remind
from .models import OwedReturn, Quarter, ReturnReminder
from .selectors import owed_key, owed_returns, owed_with_key, quarter_rows

logger = logging.getLogger(__name__)


def _quarters_to_remind(today: date) -> dict[ReminderKind, list[Quarter]]:
    """The stored quarters whose reminder window of each kind holds ``today`` (kinds with
    none left out)."""
    asked = {kind: quarters_to_remind(kind, today) for kind in ReminderKind}
    rows = quarter_rows(q for quarters in asked.values() for q in quarters)
    return {kind: [rows[q] for q in quarters] for kind, quarters in asked.items() if quarters}


@transaction.atomic
def return_reminders_queue(*, today: date | None = None) -> list[int]:
    """Claims a reminder for each return owed and not filed whose reminder of some kind is
    due ``today`` (default: today in Pakistan), and queues every claimed reminder of the
    windows open today not sent yet (see the module); answers the ids queued."""
    today = today or timezone.localdate()
    windows = _quarters_to_remind(today)
    if not windows:
        return []
    unfiled = owed_returns(today).filter(current__isnull=True)
    claims = [
        ReturnReminder(company_id=company_id, park_id=park_id, quarter_id=quarter_id, kind=kind)
        for kind, quarters in windows.items()
        for company_id, park_id, quarter_id in unfiled.filter(quarter__in=quarters).values_list(
            "company_id", "park_id", "quarter_id"
        )
    ]
    ReturnReminder.objects.bulk_create(claims, ignore_conflicts=True, batch_size=1000)
    open_now = reduce(or_, (Q(kind=kind, quarter__in=rows) for kind, rows in windows.items()))
    ids = list(
        ReturnReminder.objects.filter(open_now, sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: [tasks.send_return_reminder.delay(pk) for pk in ids])
    return ids


@transaction.atomic
def return_reminder_send(reminder_id: int) -> bool:
    """E-mails one claimed reminder to the company's owners and marks it sent, once (see the
    module); answers whether this call sent it."""
    reminder = (
        ReturnReminder.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("company", "park", "quarter")
        .filter(pk=reminder_id, sent_at__isnull=True)
        .first()
    )
    if reminder is None:  # sent already, being sent by another worker, or dropped
        return False
    key = owed_key(reminder.company_id, reminder.park_id, reminder.quarter_id)
    if not owed_with_key(OwedReturn.objects.all(), key).filter(current__isnull=True).exists():
        reminder.delete()  # filed meanwhile (or no longer owed): nothing to remind of
        return False
    recipients = owner_emails(reminder.company_id)
    if not recipients:
        logger.warning("%s: no owner of the company has an e-mail address", reminder)
    notifications.return_reminder(reminder, key=key, to=recipients)
    reminder.sent_at = timezone.now()
    reminder.recipients = ", ".join(recipients)
    reminder.save(update_fields=["sent_at", "recipients"])
    return True
