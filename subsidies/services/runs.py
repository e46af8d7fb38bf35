"""Billing runs (domain.md §6): a month billed in arrears, by the worker or in-process.

Work is planned per park and cut into chunks of companies; each chunk is billed in one
transaction with a constant number of queries, whatever the number of leases in it. Every
step is idempotent, so a task delivered twice (a retry, a worker that died) does no harm.
"""

from __future__ import annotations

import copy
import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.trail import log_updated, update_logged
from core.calendar import Period, long_date
from core.vocabulary import RunStatus
from parks.models import Park
from tenants.models import LeaseUnit

from .. import tasks
from ..models import BillingChunk, BillingRun, Charge, Statement
from ..permissions import ensure
from .delivery import statement_email, statements_deliver, statements_render
from .statements import as_period, statements_issue

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

CHUNK_SIZE: int = settings.BILLING_CHUNK_SIZE
RESEND_FOR = timedelta(days=7)


# --- Starting and planning -----------------------------------------------------------------------
def billing_run_start(
    *,
    user: User | None,
    period: Period | str,
    park: Park | None = None,
    today: date | None = None,
    queue: bool = True,
) -> BillingRun:
    """Ask for a month to be billed (for every park, or one); the worker does the work.

    ``user`` None is the scheduler (Celery beat). A month that has not ended is refused
    (§6: billing is in arrears). ``queue`` False leaves the run for the caller to execute
    in-process (``billing_run_execute``).
    """
    if user is not None:
        ensure("run_billing", user)
    period = as_period(period)
    check_ended(period, today or timezone.localdate())
    with transaction.atomic():
        run = BillingRun.objects.create(period=period.first, park=park, requested_by=user)
        if queue:
            transaction.on_commit(lambda: _queue_plan(run))
    return run


def check_ended(period: Period, today: date) -> None:
    """§6: billing is in arrears; a month that has not ended is refused (the run and its
    preview alike)."""
    if not period.has_ended(today):
        raise ValidationError(
            {
                "period": f"{period} has not ended yet: it can be billed from "
                f"{long_date(period.next().first)}."
            }
        )


def _queue_plan(run: BillingRun) -> None:
    """Send the run to the worker; if the queue cannot be reached, say so on the run."""
    try:
        tasks.plan_billing_run.delay(run.pk)
    except Exception as exc:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise  # in-process: the error is the task's own, not the queue's
        logger.exception("Billing run %s could not be queued", run.pk)
        message = (
            f"The task queue could not be reached ({type(exc).__name__}); start the run again."
        )
        update_logged(
            BillingRun.objects.filter(pk=run.pk),
            status=RunStatus.FAILED,
            errors=[{"park": None, "error": message}],
            finished_at=timezone.now(),
        )
        run.refresh_from_db()


def _pairs_to_bill(period: Period, park_id: int | None) -> dict[int, list[int]]:
    """Companies to bill per park: any unit let on a day of the month, or any other charge."""
    lets = LeaseUnit.objects.filter(start_date__lte=period.last).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=period.first)
    )
    charges = Charge.objects.filter(period=period.first)
    if park_id is not None:
        lets = lets.filter(lease__park_id=park_id)
        charges = charges.filter(lease__park_id=park_id)
    pairs = set(lets.values_list("lease__park_id", "lease__company_id").distinct())
    pairs |= set(charges.values_list("lease__park_id", "lease__company_id").distinct())
    by_park: dict[int, list[int]] = {}
    for park, company in sorted(pairs):
        by_park.setdefault(park, []).append(company)
    return by_park


def billing_run_plan(run_id: int) -> list[int]:
    """Cut a run into chunks and answer the ids of those still to bill. Idempotent: a run
    already planned answers its unfinished chunks again (a redelivered task re-dispatches
    them; billing a chunk twice is harmless)."""
    with transaction.atomic():
        run = BillingRun.objects.select_for_update().get(pk=run_id)
        if run.started_at is None:
            chunks = [
                BillingChunk(run=run, park_id=park_id, company_ids=ids[i : i + CHUNK_SIZE])
                for park_id, ids in _pairs_to_bill(Period.of(run.period), run.park_id).items()
                for i in range(0, len(ids), CHUNK_SIZE)
            ]
            for chunk in chunks:
                chunk.size = len(chunk.company_ids)
            BillingChunk.objects.bulk_create(chunks)
            run.total = sum(c.size for c in chunks)
            run.started_at = run.progress_at = timezone.now()
            run.status = RunStatus.RUNNING
            run.save(update_fields=["total", "started_at", "progress_at", "status"])
            _finish_if_complete(run)
        return list(run.chunks.filter(finished_at__isnull=True).values_list("pk", flat=True))


def billing_run_dispatch(run_id: int) -> int:
    """Plan a run on the worker and send each chunk still to bill to a task of its own, with
    the statements of its month a dead worker left without PDF or e-mail; answer the number
    of chunks sent. Idempotent, as planning is."""
    chunk_ids = billing_run_plan(run_id)
    for chunk_id in chunk_ids:
        tasks.bill_chunk.delay(chunk_id)
    statements_deliver(statements_left_unfinished(run_id))
    return len(chunk_ids)


def statements_left_unfinished(run_id: int) -> list[int]:
    """Statements of the run's month (and park) issued earlier but left without their PDF
    or e-mail: a worker died between issuing and rendering. A run picks them up again."""
    run = BillingRun.objects.get(pk=run_id)
    statements = Statement.objects.filter(period=run.period).filter(
        Q(pdf="") | Q(emailed_at__isnull=True)
    )
    if run.park_id is not None:
        statements = statements.filter(park_id=run.park_id)
    return list(statements.order_by("pk").values_list("pk", flat=True))


def billing_run_execute(run: BillingRun) -> BillingRun:
    """Do a run in this process, without a worker (``run_billing --sync``)."""
    statements_render(statements_left_unfinished(run.pk))
    for chunk_id in billing_run_plan(run.pk):
        ids = billing_chunk_bill(chunk_id, render=False)
        statements_render(ids)
        for statement_id in ids:
            statement_email(statement_id)
    run.refresh_from_db()
    return run


# --- Chunks --------------------------------------------------------------------------------------
def billing_chunk_bill(
    chunk_id: int, *, today: date | None = None, render: bool = True
) -> list[int]:
    """Bill one chunk in one transaction; answer the ids of the statements it issued.

    Idempotent: a finished chunk does nothing. Database errors (a lost connection, a
    duplicate from a racing run) propagate so the task is retried; any other error is
    recorded on the chunk and the run, which ends failed (a re-run of the month then bills
    what is missing). ``render`` False leaves the PDFs and e-mails to the caller.
    """
    issue_date = today or timezone.localdate()
    try:
        with transaction.atomic():
            chunk = (
                BillingChunk.objects.select_for_update(of=("self",))  # not the run or park
                .select_related("run", "park")
                .get(pk=chunk_id)
            )
            if chunk.finished_at is not None:
                # Billed already (a retry, a redelivery): the worker that billed it may
                # have died before queuing the PDFs, so queue those still missing.
                left = _unfinished_of_chunk(chunk) if render else []
                if left:
                    transaction.on_commit(lambda: statements_deliver(left))
                return []
            statements = statements_issue(
                park=chunk.park,
                period=Period.of(chunk.run.period),
                company_ids=chunk.company_ids,
                issue_date=issue_date,
                billing_run=chunk.run,
            )
            _chunk_finished(chunk, issued=len(statements))
            ids = [s.pk for s in statements]
            if ids and render:
                transaction.on_commit(lambda: statements_deliver(ids))
            return ids
    except tasks.TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # recorded for the run's page, not retried: a re-run fixes it
        logger.exception("Billing chunk %s failed", chunk_id)
        billing_chunk_give_up(chunk_id, exc)
        return []


def billing_chunk_give_up(chunk_id: int, exc: BaseException) -> None:
    """Record why a chunk could not be billed and count it done, so its run finishes (failed)
    instead of waiting for ever; a re-run of the month bills what is missing. Also called
    when a task has used up its retries."""
    with transaction.atomic():
        chunk = (
            BillingChunk.objects.select_for_update(of=("self",))
            .select_related("run")
            .get(pk=chunk_id)
        )
        if chunk.finished_at is None:
            chunk.error = f"{type(exc).__name__}: {exc}"[:2000]
            _chunk_finished(chunk, issued=0)


def _unfinished_of_chunk(chunk: BillingChunk) -> list[int]:
    return list(
        Statement.objects.filter(
            park_id=chunk.park_id, period=chunk.run.period, company_id__in=chunk.company_ids
        )
        .filter(Q(pdf="") | Q(emailed_at__isnull=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _chunk_finished(chunk: BillingChunk, *, issued: int) -> None:
    chunk.issued = issued
    chunk.finished_at = timezone.now()
    chunk.save(update_fields=["issued", "finished_at", "error"])
    run = BillingRun.objects.select_for_update().get(pk=chunk.run_id)
    run.done += chunk.size
    run.issued += issued
    run.progress_at = chunk.finished_at
    if chunk.error:
        run.errors = [*run.errors, {"park": chunk.park_id, "error": chunk.error}]
    run.save(update_fields=["done", "issued", "progress_at", "errors"])
    _finish_if_complete(run)


def _finish_if_complete(run: BillingRun) -> None:
    if run.finished_at is None and run.done >= run.total:
        run.status = RunStatus.FAILED if run.errors else RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])


# --- What the beat finds stalled or undelivered --------------------------------------------------
def billing_runs_resume_stalled(*, now: datetime | None = None) -> list[int]:
    """Send again to the worker the runs that stopped moving; answer their ids.

    A run whose messages the broker lost (Redis restarted without persistence) would wait
    for ever: no chunk finishes, nothing redelivers it. A run unfinished and without progress
    for ``BILLING_RUN_STALLED_AFTER`` seconds (longer than the broker's visibility timeout,
    so Redis's own redelivery goes first) is planned again: planning is idempotent and
    dispatches only its unfinished chunks and the PDFs and e-mails still missing. Called by
    Celery beat; runs another beat call is resuming are skipped, not waited for.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.BILLING_RUN_STALLED_AFTER)
    with transaction.atomic():
        stalled = list(
            BillingRun.objects.select_for_update(skip_locked=True)
            .filter(finished_at__isnull=True)
            .alias(moved=Coalesce("progress_at", "created_at"))
            .filter(moved__lt=cutoff)
            .order_by("pk")
        )
        before = [copy.copy(run) for run in stalled]
        for run in stalled:
            run.progress_at = now
            run.resumed += 1
            logger.warning("Billing run %s made no progress since %s: resumed", run.pk, cutoff)
        BillingRun.objects.bulk_update(stalled, ["progress_at", "resumed"])
        log_updated(zip(before, stalled, strict=True), ["progress_at", "resumed"])
        ids = [run.pk for run in stalled]
        transaction.on_commit(lambda: [tasks.plan_billing_run.delay(pk) for pk in ids])
    return ids


def statements_undelivered_resend(*, now: datetime | None = None) -> list[int]:
    """Queue again the PDF and e-mail of statements issued over ``BILLING_RUN_STALLED_AFTER``
    ago and still without them: their messages were lost after their run had finished, or
    with a charge's supplementary statement. Rendering and e-mail are each done once, so a
    statement queued twice is harmless. Called by Celery beat; answers the ids queued.

    Statements of a run still going are its own business (``billing_runs_resume_stalled``);
    one still undelivered ``RESEND_FOR`` after it was issued fails for a reason retrying
    will not fix (each failure is logged), so it is left to a person instead of being
    rendered again every 15 minutes for ever."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.BILLING_RUN_STALLED_AFTER)
    ids = list(
        Statement.objects.filter(created_at__lt=cutoff, created_at__gte=now - RESEND_FOR)
        .filter(Q(billing_run__isnull=True) | Q(billing_run__finished_at__isnull=False))
        .filter(Q(pdf="") | Q(emailed_at__isnull=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    statements_deliver(ids)
    return ids
