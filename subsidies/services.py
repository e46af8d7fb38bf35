"""Writes on subsidy schemes and billing (domain.md §5–6).

The money rules live in ``subsidies.calculation`` (pure Python); these services load what
they need from the ORM in a fixed number of queries, call the rules, and save the result.
"""

from __future__ import annotations

import copy
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.trail import log_created, log_updated, update_logged
from core.calendar import Period, long_date, overlap_days
from core.calendar import fiscal_year as fiscal_year_of
from core.money import amount_problem
from core.vocabulary import RunStatus
from parks.models import Park
from stp_portal.errors import Conflict
from tenants.models import Lease, LeaseUnit

from . import calculation as calc
from . import tasks
from .models import (
    BillingChunk,
    BillingRun,
    Charge,
    CreditNote,
    DocumentCounter,
    Payment,
    Statement,
    StatementLine,
    SubsidyScheme,
    SubsidyWindow,
    statement_pdf_path,
)
from .permissions import ensure as ensure_billing

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

SCHEME_FIELDS = (
    "name",
    "internet_pct",
    "rent_pct",
    "duration_months",
    "valid_from",
    "valid_to",
    "anchor",
)


def _ensure_pseb(user: User) -> None:
    ensure_billing("manage_schemes", user)


def _save(scheme: SubsidyScheme, parks: Iterable[Park] | None) -> SubsidyScheme:
    if scheme.valid_to and scheme.valid_from and scheme.valid_to < scheme.valid_from:
        raise ValidationError({"valid_to": "A scheme cannot end before it starts."})
    scheme.full_clean(exclude=["parks"])
    scheme.save()
    if parks is not None:
        scheme.parks.set(parks)
    return scheme


@transaction.atomic
def scheme_create(*, user: User, parks: Iterable[Park] = (), **fields: Any) -> SubsidyScheme:
    _ensure_pseb(user)
    scheme = SubsidyScheme(**{k: v for k, v in fields.items() if k in SCHEME_FIELDS})
    return _save(scheme, list(parks))


@transaction.atomic
def scheme_update(
    *, user: User, scheme: SubsidyScheme, parks: Iterable[Park] | None = None, **fields: Any
) -> SubsidyScheme:
    _ensure_pseb(user)
    scheme = SubsidyScheme.objects.select_for_update().get(pk=scheme.pk)
    changes = {
        name: value
        for name, value in fields.items()
        if name in SCHEME_FIELDS and getattr(scheme, name) != value
    }
    if parks is not None:
        parks = list(parks)
        if {p.pk for p in parks} != set(scheme.parks.values_list("pk", flat=True)):
            changes["parks"] = parks
    _guard_applied_scheme(scheme, changes)
    for name, value in changes.items():
        if name != "parks":
            setattr(scheme, name, value)
    return _save(scheme, changes.get("parks"))


def _guard_applied_scheme(scheme: SubsidyScheme, changes: dict[str, Any]) -> None:
    """A scheme that opened a subsidy window keeps everything that decided its amounts.

    Only its name (for display) and its end of validity may change, and the end not before
    the latest window it opened: anything else would change statements already issued (or
    the months still to come of windows already open). Make a new scheme instead.
    """
    from .selectors import scheme_applied_since

    used = scheme_applied_since(scheme)
    if used is None:
        return
    frozen = sorted(set(changes) - SubsidyScheme.EDITABLE_ONCE_APPLIED)
    if frozen:
        raise Conflict(
            dict.fromkeys(
                frozen,
                "This scheme is applied to issued statements: it cannot change. "
                "Create a new scheme instead.",
            )
        )
    valid_to = changes.get("valid_to", scheme.valid_to)
    if "valid_to" in changes and (valid_to is None or valid_to >= used):
        return
    if "valid_to" in changes:
        raise Conflict(
            {
                "valid_to": f"Statements use a window of this scheme opened on {used:%Y-%m-%d}; "
                "it must stay valid until then."
            }
        )


# --- Billing (domain.md §6) ----------------------------------------------------------------------
# Work is planned per park and cut into chunks of companies; each chunk is billed in one
# transaction with a constant number of queries, whatever the number of leases in it.
CHUNK_SIZE: int = settings.BILLING_CHUNK_SIZE


def _period(value: Period | str | date) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, date):
        return Period.of(value)
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc


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
        ensure_billing("run_billing", user)
    period = _period(period)
    today = today or timezone.localdate()
    if not period.has_ended(today):
        raise ValidationError(
            {
                "period": f"{period} has not ended yet: it can be billed from "
                f"{long_date(period.next().first)}."
            }
        )
    with transaction.atomic():
        run = BillingRun.objects.create(period=period.first, park=park, requested_by=user)
        if queue:
            transaction.on_commit(lambda: _queue_plan(run))
    return run


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


def _schemes() -> list[calc.Scheme]:
    return [
        calc.Scheme(
            id=s.pk,
            name=s.name,
            internet_pct=s.internet_pct,
            rent_pct=s.rent_pct,
            duration_months=s.duration_months,
            valid_from=s.valid_from,
            valid_to=s.valid_to,
            park_ids=frozenset(p.pk for p in s.parks.all()),
            anchor=s.anchor,
        )
        for s in SubsidyScheme.objects.prefetch_related("parks")
    ]


def _scheme_of(scheme: SubsidyScheme) -> calc.Scheme:
    return calc.Scheme(
        id=scheme.pk,
        name=scheme.name,
        internet_pct=scheme.internet_pct,
        rent_pct=scheme.rent_pct,
        duration_months=scheme.duration_months,
        valid_from=scheme.valid_from,
        valid_to=scheme.valid_to,
        anchor=scheme.anchor,
    )


def subsidy_windows_fix(
    park: Park, company_ids: Sequence[int], first_starts: dict[int, date]
) -> dict[int, calc.Window]:
    """The subsidy windows of these companies in the park, fixing those not yet fixed.

    A window is decided once, by the rules of subsidies.calculation, when first needed, and
    stored: later schemes (even backdated ones) or a new opening date never move it (§5
    rule 2, grandfathering). Without any applicable scheme nothing is stored, so a scheme
    created later may still open a window. A fixed number of queries.
    """
    windows = {
        w.company_id: calc.Window(start=w.start, end=w.end, scheme=_scheme_of(w.scheme))
        for w in SubsidyWindow.objects.filter(park=park, company_id__in=company_ids).select_related(
            "scheme"
        )
    }
    missing = [c for c in company_ids if c not in windows and c in first_starts]
    if not missing:
        return windows
    schemes = _schemes()
    new = []
    for company_id in missing:
        window = calc.subsidy_window(
            schemes,
            park_id=park.pk,
            first_lease_start=first_starts[company_id],
            park_opening=park.opening_date,
        )
        if window is not None:
            windows[company_id] = window
            new.append(
                SubsidyWindow(
                    company_id=company_id,
                    park=park,
                    scheme_id=window.scheme.id,
                    start=window.start,
                    end=window.end,
                )
            )
    SubsidyWindow.objects.bulk_create(new)
    log_created(new)  # bulk_create sends no signal
    return windows


def compute_statements(
    park: Park, period: Period, company_ids: Sequence[int]
) -> dict[int, calc.Statement]:
    """What each company owes for the park and month: a fixed number of queries, then the
    pure rules of subsidies.calculation. Must run in the billing transaction (it fixes the
    subsidy windows not fixed yet)."""
    first_starts = dict(
        Lease.objects.filter(park=park, company_id__in=company_ids)
        .order_by()
        .values("company_id")
        .annotate(first=Min("start_date"))
        .values_list("company_id", "first")
    )
    windows = subsidy_windows_fix(park, company_ids, first_starts)
    lets: dict[int, list[calc.Let]] = defaultdict(list)
    for row in (
        LeaseUnit.objects.filter(lease__park=park, lease__company_id__in=company_ids)
        .filter(start_date__lte=period.last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.first))
        .values_list(
            "lease__company_id",
            "pk",
            "unit__code",
            "monthly_rent",
            "internet_fee",
            "start_date",
            "end_date",
        )
    ):
        lets[row[0]].append(calc.Let(*row[1:]))
    charges: dict[int, list[calc.OtherCharge]] = defaultdict(list)
    for company_id, pk, description, amount in Charge.objects.filter(
        period=period.first, lease__park=park, lease__company_id__in=company_ids
    ).values_list("lease__company_id", "pk", "description", "amount"):
        charges[company_id].append(calc.OtherCharge(pk, description, amount))
    statements = {}
    for company_id in company_ids:
        if company_id not in first_starts:
            continue
        statement = calc.compute_statement(
            period, lets.get(company_id, []), windows.get(company_id), charges.get(company_id, [])
        )
        if statement is not None:
            statements[company_id] = statement
    return statements


def leases_lock(*, park_id: int, company_ids: Sequence[int]) -> None:
    """Lock the companies' leases in the park, in one order (by pk) for every transaction
    that bills or corrects them: billing chunks, charges, terminations. Locking in one
    order, and nothing else first, is what keeps them from deadlocking one another."""
    list(
        Lease.objects.select_for_update(of=("self",))
        .filter(park_id=park_id, company_id__in=company_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _next_numbers(park: Park, fiscal_year: str, series: str, count: int) -> range:
    """Reserve ``count`` consecutive numbers; the counter row stays locked until commit."""
    counter, _ = DocumentCounter.objects.get_or_create(
        park=park, fiscal_year=fiscal_year, series=series
    )
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return range(first, first + count)


def statements_issue(
    *,
    park: Park,
    period: Period,
    company_ids: Sequence[int],
    issue_date: date,
    billing_run: BillingRun | None = None,
) -> list[Statement]:
    """Issue the missing statements of these companies for the park and month (§6).

    Must run inside a transaction. The leases are locked first (a charge recorded at the
    same time waits, and is billed or refused, never lost). A company not billed yet gets
    its statement; one already billed gets a supplementary statement for whatever the month
    now charges that no issued statement has billed (a unit of a lease entered late), else
    nothing. Numbers come from the locked counter, so they are gapless and unique however
    many runs overlap. The unique constraint on company, park and period is the last guard:
    a duplicate rolls the whole transaction back.
    """
    leases_lock(park_id=park.pk, company_ids=company_ids)
    originals = dict(
        Statement.objects.filter(
            park=park, period=period.first, company_id__in=company_ids, supplements=None
        ).values_list("company_id", "pk")
    )
    computed = compute_statements(park, period, company_ids)
    billed_lines: dict[int, set] = defaultdict(set)
    if originals:
        for company_id, kind, lease_unit_id, charge_id in StatementLine.objects.filter(
            statement__park=park,
            statement__period=period.first,
            statement__company_id__in=list(originals),
        ).values_list("statement__company_id", "kind", "lease_unit_id", "charge_id"):
            billed_lines[company_id].add((kind, lease_unit_id, charge_id))
    drafts: list[tuple[int, calc.Statement, int | None]] = []
    for company_id, draft in sorted(computed.items()):
        if company_id not in originals:
            drafts.append((company_id, draft, None))
        elif (extra := calc.supplement(draft, billed_lines[company_id])) is not None:
            drafts.append((company_id, extra, originals[company_id]))
    return _statements_create(
        park=park, period=period, drafts=drafts, issue_date=issue_date, billing_run=billing_run
    )


def _statements_create(
    *,
    park: Park,
    period: Period,
    drafts: Sequence[tuple[int, calc.Statement, int | None]],
    issue_date: date,
    billing_run: BillingRun | None = None,
) -> list[Statement]:
    """Number and store computed statements: ``(company id, draft, original's id or None)``.
    Must run inside a transaction that holds the companies' leases."""
    if not drafts:
        return []
    fiscal_year = fiscal_year_of(issue_date)
    numbers = _next_numbers(park, fiscal_year, DocumentCounter.Series.STATEMENT, len(drafts))
    statements = []
    for sequence, (company_id, draft, original) in zip(numbers, drafts, strict=True):
        window = draft.window
        statements.append(
            Statement(
                number=calc.document_number(park.code, fiscal_year, sequence),
                company_id=company_id,
                park=park,
                period=period.first,
                issue_date=issue_date,
                due_date=calc.due_date(issue_date),
                scheme_id=window.scheme.id if window else None,
                window_start=window.start if window else None,
                window_end=window.end if window else None,
                gross=draft.gross,
                subsidy_total=draft.subsidy_total,
                net_payable=draft.net_payable,
                supplements_id=original,
                billing_run=billing_run,
                verification_token=secrets.token_urlsafe(24),
            )
        )
    Statement.objects.bulk_create(statements)
    # One audit row per statement, in bulk (its lines are not logged: written with it, never
    # changed). bench/billing.py measures what this adds to a run (docs/security.md).
    log_created(statements)
    StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=position,
            kind=line.kind,
            unit_code=line.unit_code,
            lease_unit_id=line.lease_unit_id,
            charge_id=line.charge_id,
            description=line.description[:300],
            amount=line.amount,
        )
        for statement, (_, draft, _) in zip(statements, drafts, strict=True)
        for position, line in enumerate(draft.lines, start=1)
    )
    return statements


def _finish_if_complete(run: BillingRun) -> None:
    if run.finished_at is None and run.done >= run.total:
        run.status = RunStatus.FAILED if run.errors else RunStatus.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])


def billing_chunk_bill(
    chunk_id: int, *, today: date | None = None, render: bool = True
) -> list[int]:
    """Bill one chunk in one transaction; answer the ids of the statements it issued.

    Idempotent: a finished chunk does nothing. Database errors (a lost connection, a
    duplicate from a racing run) propagate so the task is retried; any other error is
    recorded on the chunk and the run, which ends "done with errors" (a re-run of the month
    then bills what is missing). ``render`` False leaves the PDFs and e-mails to the caller.
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
                    transaction.on_commit(lambda: tasks.render_statements.delay(left))
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
                transaction.on_commit(lambda: tasks.render_statements.delay(ids))
            return ids
    except tasks.TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # recorded for the run's page, not retried: a re-run fixes it
        logger.exception("Billing chunk %s failed", chunk_id)
        billing_chunk_give_up(chunk_id, exc)
        return []


def billing_chunk_give_up(chunk_id: int, exc: BaseException) -> None:
    """Record why a chunk could not be billed and count it done, so its run finishes ("done
    with errors") instead of waiting for ever; a re-run of the month bills what is missing.
    Also called when a task has used up its retries."""
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


RESEND_FOR = timedelta(days=7)


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
    for start in range(0, len(ids), tasks.RENDER_BATCH):
        tasks.render_statements.delay(ids[start : start + tasks.RENDER_BATCH])
    return ids


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


# --- Statement PDFs and e-mail -------------------------------------------------------------------
def statements_render(statement_ids: Sequence[int]) -> list[int]:
    """Render and store the PDF of each statement that has none yet; answer those rendered.

    The PDF is stored once: a statement that has one keeps it.
    """
    from .pdf import renderer

    rendered = []
    for statement in (
        Statement.objects.filter(pk__in=statement_ids, pdf="")
        .select_related("company", "park", "scheme", "supplements")
        .prefetch_related("lines", "company__subsidy_windows")  # for no_subsidy_reason
        .order_by("pk")
    ):
        try:
            content = renderer().render(statement)
        except Exception:  # one bad statement must not hold back the others' PDFs
            logger.exception("The PDF of statement %s could not be rendered", statement.number)
            continue
        name = statement.pdf.storage.save(statement_pdf_path(statement, ""), ContentFile(content))
        if Statement.objects.filter(pk=statement.pk, pdf="").update(pdf=name):
            rendered.append(statement.pk)
        else:  # another worker stored it first
            statement.pdf.storage.delete(name)
    return rendered


def statement_email(statement_id: int) -> int:
    """E-mail the statement's PDF to the company's owner(s), once."""
    from .notifications import statement_issued

    claimed = (
        Statement.objects.filter(pk=statement_id, emailed_at__isnull=True)
        .exclude(pdf="")
        .update(emailed_at=timezone.now())
    )
    if not claimed:
        return 0
    try:
        return statement_issued(statement_id)
    except Exception:
        Statement.objects.filter(pk=statement_id).update(emailed_at=None)
        raise


# --- Charges, payments, credit notes -------------------------------------------------------------
@transaction.atomic
def charge_record(
    *,
    user: User,
    lease: Lease,
    period: Period | str,
    description: str,
    amount: Decimal,
    today: date | None = None,
) -> Charge:
    """A park manager's other charge for a lease and month (§6: never subsidised).

    Billed with the month's statement; a month already billed for the company gets it at
    once on a supplementary statement (own number, referring to the month's statement),
    since an issued statement never changes. The charge answered carries that
    ``supplementary_statement`` (None when the month is not billed yet).
    """
    ensure_billing("record_charge", user, lease)
    period = _period(period)
    leases_lock(park_id=lease.park_id, company_ids=[lease.company_id])
    lease = Lease.objects.select_related("park").get(pk=lease.pk)
    errors = {}
    if not description.strip():
        errors["description"] = "Say what the charge is for."
    if problem := amount_problem(amount, maximum=settings.CHARGE_MAX_AMOUNT):
        errors["amount"] = problem
    if overlap_days(lease.start_date, lease.end_date, period.first, period.last) == 0:
        errors["period"] = f"Lease #{lease.pk} has no day in {period}."
    if errors:
        raise ValidationError(errors)
    charge = Charge.objects.create(
        lease=lease,
        period=period.first,
        description=description.strip(),
        amount=amount,
        created_by=user,
    )
    charge.supplementary_statement = None
    original = Statement.objects.filter(
        company_id=lease.company_id, park_id=lease.park_id, period=period.first, supplements=None
    ).first()
    if original is not None:
        # The charge alone: whatever else the month may now miss is a re-run's business.
        draft = calc.compute_statement(
            period, [], None, [calc.OtherCharge(charge.pk, charge.description, charge.amount)]
        )
        (extra,) = _statements_create(
            park=lease.park,
            period=period,
            drafts=[(lease.company_id, draft, original.pk)],
            issue_date=today or timezone.localdate(),
        )
        charge.supplementary_statement = extra
        transaction.on_commit(lambda: tasks.render_statements.delay([extra.pk]))
    return charge


def _locked_statement(statement: Statement) -> Statement:
    from .selectors import with_balance

    list(Statement.objects.select_for_update().filter(pk=statement.pk).values_list("pk"))
    return with_balance(Statement.objects.select_related("park")).get(pk=statement.pk)


@transaction.atomic
def payment_record(
    *,
    user: User,
    statement: Statement,
    amount: Decimal,
    paid_on: date,
    reference: str,
    today: date | None = None,
) -> Payment:
    """Money received against a statement; never more than is still owed."""
    ensure_billing("record_payment", user, statement)
    statement = _locked_statement(statement)
    if statement.balance <= 0:
        raise Conflict(f"Statement {statement.number} owes nothing: it is {statement.status}.")
    errors = {}
    if problem := amount_problem(amount):
        errors["amount"] = problem
    elif amount > statement.balance:
        errors["amount"] = f"Only {statement.balance:,.2f} is still owed on {statement.number}."
    if paid_on > (today or timezone.localdate()):
        errors["paid_on"] = "A payment cannot be dated in the future."
    elif paid_on < statement.period:
        errors["paid_on"] = (
            f"A payment cannot be dated before the month it pays for ({statement.period:%B %Y})."
        )
    if not reference.strip():
        errors["reference"] = "Give the bank or receipt reference."
    if errors:
        raise ValidationError(errors)
    return Payment.objects.create(
        statement=statement,
        amount=amount,
        paid_on=paid_on,
        reference=reference.strip(),
        recorded_by=user,
    )


@transaction.atomic
def credit_notes_for_ended_lease(
    *, user: User, lease: Lease, today: date | None = None
) -> list[CreditNote]:
    """Credit what the months already billed charged for the days after a lease's new end
    date (a termination dated back into a billed month, §4 and §6).

    Must run in the termination's transaction, after the lease's units got their end date.
    Each month billed on or after the end date is computed again; what each issued statement
    billed for this lease's units beyond that, less what earlier notes for this lease
    credited on it, is credited on that statement with a note of its own number, never more
    than the statement still has to credit. Credit notes issued by hand for other reasons
    are left to stand. Answers the credit notes issued.
    """
    if lease.end_date is None:
        return []
    from .selectors import with_balance

    ids = list(
        Statement.objects.select_for_update(of=("self",))
        .filter(company_id=lease.company_id, park_id=lease.park_id)
        .filter(period__gte=Period.of(lease.end_date).first)
        .order_by("period", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    statements = list(with_balance(Statement.objects.filter(pk__in=ids)).order_by("period", "pk"))
    billed: dict[int, list] = defaultdict(list)
    for statement_id, kind, lease_unit_id, charge_id, amount in StatementLine.objects.filter(
        statement_id__in=ids, lease_unit__lease=lease
    ).values_list("statement_id", "kind", "lease_unit_id", "charge_id", "amount"):
        billed[statement_id].append(((kind, lease_unit_id, charge_id), amount))
    already: dict[int, Decimal] = defaultdict(Decimal)
    for statement_id, amount in CreditNote.objects.filter(
        statement_id__in=ids, lease=lease
    ).values_list("statement_id", "amount"):
        already[statement_id] += amount
    months = {
        period: compute_statements(lease.park, Period.of(period), [lease.company_id]).get(
            lease.company_id
        )
        for period in sorted({s.period for s in statements if billed[s.pk]})
    }
    credits = []
    for statement in statements:
        if not billed[statement.pk]:
            continue
        due = calc.overbilled(billed[statement.pk], months[statement.period], already[statement.pk])
        amount = min(due, statement.net_payable - statement.credited)
        if amount > 0:
            credits.append((statement, amount))
    if not credits:
        return []
    issue_date = today or timezone.localdate()
    fiscal_year = fiscal_year_of(issue_date)
    numbers = _next_numbers(
        lease.park, fiscal_year, DocumentCounter.Series.CREDIT_NOTE, len(credits)
    )
    reason = (
        f"Lease #{lease.pk} ended on {long_date(lease.end_date)}: what this "
        "statement billed for the days after that is credited."
    )
    notes = CreditNote.objects.bulk_create(
        CreditNote(
            number=calc.document_number(lease.park.code, fiscal_year, sequence, prefix="CN"),
            statement=statement,
            issue_date=issue_date,
            amount=amount,
            reason=reason,
            lease=lease,
            created_by=user,
        )
        for sequence, (statement, amount) in zip(numbers, credits, strict=True)
    )
    log_created(notes)  # bulk_create sends no signal
    return notes


@transaction.atomic
def credit_note_issue(
    *,
    user: User,
    statement: Statement,
    reason: str,
    amount: Decimal | None = None,
    today: date | None = None,
) -> CreditNote:
    """Correct an issued statement with a credit note of its own number (§6).

    Without an amount, it credits everything not yet credited (the statement becomes void).
    It may not credit more than the statement's net less earlier credit notes.
    """
    ensure_billing("issue_credit_note", user, statement)
    statement = _locked_statement(statement)
    creditable = statement.net_payable - statement.credited
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the statement is corrected."
    if creditable <= 0:
        raise Conflict(f"Statement {statement.number} is already fully credited.")
    amount = creditable if amount is None else amount
    if problem := amount_problem(amount):
        errors["amount"] = problem
    elif amount > creditable:
        errors["amount"] = f"At most {creditable:,.2f} can still be credited on {statement.number}."
    if errors:
        raise ValidationError(errors)
    issue_date = today or timezone.localdate()
    fiscal_year = fiscal_year_of(issue_date)
    (sequence,) = _next_numbers(statement.park, fiscal_year, DocumentCounter.Series.CREDIT_NOTE, 1)
    return CreditNote.objects.create(
        number=calc.document_number(statement.park.code, fiscal_year, sequence, prefix="CN"),
        statement=statement,
        issue_date=issue_date,
        amount=amount,
        reason=reason.strip(),
        created_by=user,
    )
