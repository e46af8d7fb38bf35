"""Billing on the worker. Thin: ids in, a service call, idempotent, retried.

Delivery choices (see README, "Billing on the worker"):
- ``acks_late``: a task is acknowledged only after it ran, so one lost with its worker
  (SIGKILL, OOM, a machine gone) is delivered again instead of silently dropped;
- ``reject_on_worker_lost``: when the child process running it dies, the task goes back to
  the queue at once rather than being marked failed;
- every task may therefore run twice, and each is idempotent: a finished chunk does nothing,
  a statement is issued once (unique company, park and month; a locked counter), a PDF is
  stored once, an e-mail claimed once.
Transient database errors (a dropped connection, a deadlock, a unique-constraint race with an
overlapping run) are retried with backoff; the service records anything else on the run, and
a chunk whose retries run out is recorded there too.
"""

from typing import Any

from celery import Task, shared_task
from django.db import IntegrityError, InterfaceError, OperationalError
from django.utils import timezone

from core.calendar import Period

from . import services

# Worth retrying: the connection dropped, a deadlock, or a racing run stored the same
# statement first (a retry then skips it). Anything else would happen again: the service
# records it on the run instead.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, IntegrityError)
BILLING: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 8,
}


@shared_task(**BILLING)
def plan_billing_run(run_id: int) -> int:
    # Chunks go to bill_chunk; statements a dead worker left without PDF or e-mail, too.
    return services.billing_run_dispatch(run_id)


class ChunkTask(Task):
    """A chunk whose task fails for good (retries used up) is recorded on its run, which
    then finishes failed instead of waiting for ever."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.billing_chunk_give_up(args[0] if args else kwargs["chunk_id"], exc)


@shared_task(base=ChunkTask, **BILLING)
def bill_chunk(chunk_id: int) -> int:
    # Rendering is queued by the service once the chunk's transaction has committed.
    return len(services.billing_chunk_bill(chunk_id))


@shared_task(**BILLING)
def render_statements(statement_ids: list[int]) -> int:
    services.statements_render(statement_ids)
    for statement_id in statement_ids:
        send_statement_email.delay(statement_id)
    return len(statement_ids)


@shared_task(**{**BILLING, "autoretry_for": (*TRANSIENT_ERRORS, OSError)})
def send_statement_email(statement_id: int) -> int:
    return services.statement_email(statement_id)


@shared_task(**BILLING)
def bill_previous_month() -> int:
    """Celery beat, on the 1st at 02:00 Asia/Karachi: bill the month just ended."""
    period = Period.of(timezone.localdate()).previous()
    return services.billing_run_start(user=None, period=period).pk


@shared_task(**BILLING)
def resume_stalled_billing_runs() -> int:
    """Celery beat, every 15 minutes: send again the runs that stopped moving, and the PDFs
    and e-mails of statements left without them."""
    runs = services.billing_runs_resume_stalled()
    return len(runs) + len(services.statements_undelivered_resend())


@shared_task(**{**BILLING, "autoretry_for": (*TRANSIENT_ERRORS, OSError)})
def send_receipt_email(receipt_id: int) -> int:
    """A receipt's PDF to the company's owners, once it is committed (issue 12 §6)."""
    return services.receipt_email(receipt_id)
