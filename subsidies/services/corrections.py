"""Other charges, payments and credit notes (domain.md §6): what is recorded against a lease
or an issued statement. An issued statement never changes: a charge for a month already
billed goes on a supplementary statement, a correction downwards is a credit note."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Round
from django.utils import timezone

from audit.trail import log_created
from core.calendar import Period, long_date, overlap_days
from core.calendar import fiscal_year as fiscal_year_of
from core.money import ZERO
from core.vocabulary import LineKind
from parks.models import Park
from stp_portal.errors import Conflict
from tenants.models import Lease
from tenants.services import leases_lock

from .. import calculation as calc
from .. import loading
from ..amounts import billing_amount_problem
from ..models import (
    Charge,
    CreditNote,
    CreditNoteLine,
    DocumentCounter,
    Statement,
    StatementLine,
)
from ..permissions import ensure
from ..selectors import MONEY, with_balance
from . import statements as issuing
from .delivery import statements_deliver
from .statements import as_period, numbers_reserve, statements_create

if TYPE_CHECKING:
    from accounts.models import User

    from ..selectors import StatementWithBalance


# --- Other charges -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChargeRecorded:
    """A charge recorded, and the supplementary statement that billed it at once (None when
    its month is not billed yet: the month's statement will)."""

    charge: Charge
    supplementary_statement: Statement | None = None


@transaction.atomic
def charge_record(
    *,
    user: User,
    lease: Lease,
    period: Period | str,
    description: str,
    amount: Decimal,
    today: date | None = None,
) -> ChargeRecorded:
    """A park manager's other charge for a lease and month (§6: never subsidised).

    Billed with the month's statement; a month already billed for the company gets it at
    once on a supplementary statement (own number, referring to the month's statement),
    since an issued statement never changes.
    """
    ensure("record_charge", user, lease)
    period = as_period(period)
    leases_lock(park_id=lease.park_id, company_ids=[lease.company_id])
    lease = Lease.objects.select_related("park").get(pk=lease.pk)
    errors = {}
    if not description.strip():
        errors["description"] = "Say what the charge is for."
    if problem := billing_amount_problem(amount, charge=True):
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
    original = Statement.objects.filter(
        company_id=lease.company_id, park_id=lease.park_id, period=period.first, supplements=None
    ).first()
    # The charge alone: whatever else the month may now miss is a re-run's business.
    draft = calc.compute_statement(
        period, [], None, [calc.OtherCharge(charge.pk, charge.description, charge.amount)]
    )
    if original is None or draft is None:  # not billed yet: the month's statement bills it
        return ChargeRecorded(charge)
    (extra,) = statements_create(
        park=lease.park,
        period=period,
        drafts=[(lease.company_id, draft, original.pk)],
        issue_date=today or timezone.localdate(),
    )
    transaction.on_commit(lambda: statements_deliver([extra.pk]))
    return ChargeRecorded(charge, extra)


# --- The stored balance ---------------------------------------------------------------------------
def _balances_add(statement_id: int, *, paid: Decimal = ZERO, credited: Decimal = ZERO) -> None:
    """Add a payment's (or credit notes') amount to the statement's stored balance, in the
    transaction that records it and under the statement's lock. ``F()`` makes the database
    add to what is stored now, so even a writer that skipped the lock loses no update; the
    check constraints refuse a balance beyond the net."""
    updated = Statement.objects.filter(pk=statement_id).update(
        amount_paid=Round(F("amount_paid") + paid, 2, output_field=MONEY),
        amount_credited=Round(F("amount_credited") + credited, 2, output_field=MONEY),
    )
    if updated != 1:
        raise Statement.DoesNotExist(f"No statement #{statement_id}.")


# --- Locks ---------------------------------------------------------------------------------------
def _locked_statement(statement: Statement) -> StatementWithBalance:
    """The statement locked for the transaction, with its balance (``with_balance``): every
    payment and credit note takes this lock before it reads or moves the stored balance."""
    list(Statement.objects.select_for_update().filter(pk=statement.pk).values_list("pk"))
    locked: StatementWithBalance = with_balance(Statement.objects.select_related("park")).get(
        pk=statement.pk
    )
    return locked


# --- Credit notes --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Credit:
    """A credit note to issue on ``statement``: its lines (§7.2); its amount is their sum."""

    statement: Statement
    lines: tuple[calc.Line, ...]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def _credit_notes_create(
    *,
    park: Park,
    credits: Sequence[_Credit],
    reason: str,
    issue_date: date,
    user: User,
    lease: Lease | None = None,
) -> list[CreditNote]:
    """Number and store credit notes of one park with their lines (positions 1..n) and
    audit rows, and add them to the statements' stored balances. Must run in a transaction
    with the statements locked (the counter stays locked until it commits)."""
    fiscal_year = fiscal_year_of(issue_date)
    numbers = numbers_reserve(park, fiscal_year, DocumentCounter.Series.CREDIT_NOTE, len(credits))
    notes = CreditNote.objects.bulk_create(
        CreditNote(
            number=calc.document_number(park.code, fiscal_year, sequence, prefix="CN"),
            statement=credit.statement,
            issue_date=issue_date,
            amount=credit.amount,
            reason=reason,
            lease=lease,
            created_by=user,
        )
        for sequence, credit in zip(numbers, credits, strict=True)
    )
    log_created(notes)  # bulk_create sends no signal
    # The lines are written with the note and never change: not logged, like a statement's.
    CreditNoteLine.objects.bulk_create(
        CreditNoteLine.of(line, position, credit_note=note)
        for note, credit in zip(notes, credits, strict=True)
        for position, line in enumerate(credit.lines, start=1)
    )
    credited: dict[int, Decimal] = defaultdict(Decimal)
    for credit in credits:
        credited[credit.statement.pk] += credit.amount
    for statement_id in sorted(credited):
        _balances_add(statement_id, credited=credited[statement_id])
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
    It may not credit more than the statement's net less earlier credit notes. A note by
    hand has one line: an amount of charges credited, no subsidy reversed (§7.2).
    """
    ensure("issue_credit_note", user, statement)
    locked = _locked_statement(statement)
    creditable = locked.net_payable - locked.credited
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why the statement is corrected."
    if creditable <= 0:
        raise Conflict(f"Statement {locked.number} is already fully credited.")
    amount = creditable if amount is None else amount
    if problem := billing_amount_problem(amount):
        errors["amount"] = problem
    elif amount > creditable:
        errors["amount"] = f"At most {creditable:,.2f} can still be credited on {locked.number}."
    if errors:
        raise ValidationError(errors)
    (note,) = _credit_notes_create(
        park=locked.park,
        credits=[_Credit(locked, (calc.hand_credit_line(reason, amount),))],
        reason=reason.strip(),
        issue_date=today or timezone.localdate(),
        user=user,
    )
    return note


@transaction.atomic
def credit_notes_for_ended_lease(
    *, user: User, lease: Lease, today: date | None = None
) -> list[CreditNote]:
    """Credit what the months already billed charged for the days after a lease's new end
    date (a termination dated back into a billed month, §4, §6 and §7.2).

    Must run in the termination's transaction, after the lease's units got their end date.
    Each month billed on or after the end date is computed again; each issued statement
    gets a note whose lines credit the rent and internet it billed for this lease's units
    for the days after the end and reverse the subsidy of the same days
    (``calculation.credit_lines``, less what earlier notes for this lease credited on it),
    never more than the statement still has to credit. Credit notes issued by hand for
    other reasons are left to stand. Answers the credit notes issued.
    """
    if lease.end_date is None:
        return []
    credits = _overbilled_after_end(lease, lease.end_date)
    if not credits:
        return []
    return _credit_notes_create(
        park=lease.park,
        credits=credits,
        reason=f"Lease #{lease.pk} ended on {long_date(lease.end_date)}: what this "
        "statement billed for the days after that is credited.",
        issue_date=today or timezone.localdate(),
        user=user,
        lease=lease,
    )


def _overbilled_after_end(lease: Lease, end_date: date) -> list[_Credit]:
    """Each statement of the lease's company and park from the month of ``end_date`` on
    (locked), with the lines crediting what it billed for the lease beyond what its month
    now charges, less the lease's earlier credit notes on it, capped at what it may still
    credit; only those owed a credit."""
    ids = list(
        Statement.objects.select_for_update(of=("self",))
        .filter(company_id=lease.company_id, park_id=lease.park_id)
        .filter(period__gte=Period.of(end_date).first)
        .order_by("period", "pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    statements = list(
        with_balance(Statement.objects.filter(pk__in=ids).select_related("scheme")).order_by(
            "period", "pk"
        )
    )
    billed = _lease_lines_billed(ids, lease)
    already: dict[int, dict[calc.LineKey, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for statement_id, kind, lease_unit_id, charge_id, amount in CreditNoteLine.objects.filter(
        credit_note__statement_id__in=ids, credit_note__lease=lease
    ).values_list("credit_note__statement_id", "kind", "lease_unit_id", "charge_id", "amount"):
        already[statement_id][(kind, lease_unit_id, charge_id)] += amount
    months = {
        period: issuing.compute_statements(lease.park, Period.of(period), [lease.company_id]).get(
            lease.company_id
        )
        for period in sorted({s.period for s in statements if billed[s.pk]})
    }
    credits: list[_Credit] = []
    for statement in statements:
        if billed[statement.pk]:
            credit = _credit_of(
                statement,
                billed[statement.pk],
                months[statement.period],
                already[statement.pk],
                end_date,
            )
            if credit is not None:
                credits.append(credit)
    return credits


def _credit_of(
    statement: StatementWithBalance,
    billed: Sequence[calc.Line],
    now: calc.Statement | None,
    credited: dict[calc.LineKey, Decimal],
    end_date: date,
) -> _Credit | None:
    """The termination credit of one statement: its lines in full, or capped at what the
    statement may still credit (``calculation.credit_lines``); None when nothing is owed."""
    scheme = loading.scheme_of(statement.scheme) if statement.scheme else None

    def lines(amount: Decimal | None = None) -> tuple[calc.Line, ...]:
        return calc.credit_lines(
            billed,
            now,
            credited,
            period=Period.of(statement.period),
            ended=end_date,
            scheme=scheme,
            amount=amount,
        )

    due = lines()
    total = sum((line.amount for line in due), ZERO)
    amount = min(total, statement.net_payable - statement.credited)
    if amount <= 0:
        return None
    if amount < total:
        due = lines(amount)
    return _Credit(statement, due)


def _lease_lines_billed(statement_ids: Sequence[int], lease: Lease) -> dict[int, list[calc.Line]]:
    """What each statement billed for the lease's units, line by line in order."""
    billed: dict[int, list[calc.Line]] = defaultdict(list)
    for line in StatementLine.objects.filter(
        statement_id__in=statement_ids, lease_unit__lease=lease
    ).order_by("statement_id", "position"):
        billed[line.statement_id].append(
            calc.Line(
                LineKind(line.kind),
                line.description,
                line.amount,
                line.unit_code,
                line.lease_unit_id,
                line.charge_id,
            )
        )
    return billed
