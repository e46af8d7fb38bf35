"""Payments received and their receipts (domain.md §6, issue 12 §6).

A company pays one amount at a park; it is put against its outstanding statements there,
the oldest first (``subsidies.allocation``), under the statements' locks, and one numbered
receipt records it, with a payment row per statement it reached. The one-statement payment
of the statement page and the API goes through the same service, restricted to that
statement. A receipt is never changed; its PDF is rendered when asked and e-mailed once to
the company's owners by the worker.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.trail import log_created
from core.calendar import fiscal_year as fiscal_year_of
from core.vocabulary import PaymentReference
from parks.models import Park
from stp_portal.errors import Conflict
from tenants.models import Company

from .. import calculation as calc
from .. import tasks
from ..allocation import Allocation, AllocationRefused, Owed, allocate
from ..iban import normalise_iban, pk_iban_problem
from ..models import DocumentCounter, Payment, PaymentInstruction, Receipt, Statement
from ..permissions import ensure
from . import corrections
from .statements import numbers_reserve

if TYPE_CHECKING:
    from accounts.models import User

RECEIPT_PREFIX = "RC"
STALE_PREVIEW = (
    "What the company owes changed since the preview (another payment or a credit note was "
    "recorded): look at the new allocation and confirm again."
)


@dataclass(frozen=True)
class PaymentReceived:
    """A payment received: its receipt, and its payment row per statement (oldest first)."""

    receipt: Receipt
    payments: tuple[Payment, ...]
    allocation: Allocation


def _owed(statements: list[Statement]) -> list[Owed]:
    return [
        Owed(s.pk, s.number, s.period, s.due_date, s.outstanding)
        for s in statements
        if s.outstanding > 0
    ]


def _outstanding_statements(
    company: Company, park: Park, *, statement: Statement | None, lock: bool
) -> list[Statement]:
    """The company's statements at the park that owe something (``outstanding`` > 0, the
    one rule of what is owed), or just ``statement``; locked in the order the other writers
    of balances lock them (period, then id) when ``lock``."""
    which = Q(pk=statement.pk) if statement is not None else Q(outstanding__gt=0)
    rows = Statement.objects.filter(which, company=company, park=park).order_by("period", "pk")
    if lock:
        rows = rows.select_for_update()
    return list(rows.only("pk", "number", "period", "due_date", "outstanding", "park_id"))


def _allocation(amount: Decimal, owed: list[Owed], statement: Statement | None) -> Allocation:
    try:
        return allocate(amount, owed)
    except AllocationRefused as exc:
        if statement is not None and owed:
            # The one-statement form's words (the statement page and the API).
            total = owed[0].outstanding
            if amount > total:
                raise ValidationError(
                    {"amount": f"Only {total:,.2f} is still owed on {owed[0].number}."}
                ) from exc
        raise ValidationError({"amount": str(exc)}) from exc


def payment_allocation_preview(
    *, user: User, company: Company, park: Park, amount: Decimal
) -> Allocation:
    """What recording ``amount`` from the company at the park would do, computed without
    writing: the statements it reaches, oldest first, how much each, what is left. Its
    ``fingerprint`` goes back with the confirmation (``payment_receive(expected=...)``)."""
    ensure("receive_payment", user, park)
    owed = _owed(_outstanding_statements(company, park, statement=None, lock=False))
    return _allocation(amount, owed, None)


@transaction.atomic
def payment_receive(
    *,
    user: User,
    company: Company,
    park: Park,
    amount: Decimal,
    paid_on: date,
    reference: str,
    expected: str | None = None,
    statement: Statement | None = None,
    today: date | None = None,
    notify: bool = True,
) -> PaymentReceived:
    """Record one payment received from a company at a park (issue 12 §6).

    The company's outstanding statements there are locked (``select_for_update``) and the
    amount allocated again, the oldest first; with ``expected`` (the preview's fingerprint)
    a change since the preview is refused (``Conflict``), and so is any amount beyond what
    is outstanding, so two payments racing never pay a statement twice. One receipt
    (``CODE-RC-FY-NNNNN``, gapless per park and fiscal year) and a payment per statement;
    the statements' stored balances move in the same transaction; the receipt is e-mailed
    to the owners once it is committed. With ``statement``, only that statement is paid.
    """
    ensure("receive_payment", user, park)
    today = today or timezone.localdate()
    locked = _outstanding_statements(company, park, statement=statement, lock=True)
    if statement is not None and (not locked or locked[0].outstanding <= 0):
        from ..selectors import with_balance

        row = with_balance(Statement.objects.filter(pk=statement.pk), today).get()
        raise Conflict(f"Statement {row.number} owes nothing: it is {row.status}.")
    owed = _owed(locked)
    errors: dict[str, str] = {}
    allocation: Allocation | None = None
    try:
        allocation = _allocation(amount, owed, statement)
    except ValidationError as exc:
        if expected is not None and owed:
            raise Conflict(STALE_PREVIEW) from exc
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
    if allocation is not None and expected is not None and allocation.fingerprint != expected:
        raise Conflict(STALE_PREVIEW)
    if paid_on > today:
        errors["paid_on"] = "A payment cannot be dated in the future."
    elif allocation is not None:
        latest = max(share.owed.period for share in allocation.shares)
        if paid_on < latest:
            errors["paid_on"] = (
                f"A payment cannot be dated before the month it pays for ({latest:%B %Y})."
            )
    if not reference.strip():
        errors["reference"] = "Give the bank or receipt reference."
    if errors or allocation is None:
        raise ValidationError(errors)
    fiscal_year = fiscal_year_of(today)
    (sequence,) = numbers_reserve(park, fiscal_year, DocumentCounter.Series.RECEIPT, 1)
    receipt = Receipt.objects.create(
        number=calc.document_number(park.code, fiscal_year, sequence, prefix=RECEIPT_PREFIX),
        company=company,
        park=park,
        issue_date=today,
        paid_on=paid_on,
        amount=amount,
        reference=reference.strip(),
        recorded_by=user,
    )
    payments = Payment.objects.bulk_create(
        Payment(
            statement_id=share.owed.statement_id,
            receipt=receipt,
            amount=share.amount,
            left_to_pay=share.owed.outstanding - share.amount,
            paid_on=paid_on,
            reference=reference.strip(),
            recorded_by=user,
        )
        for share in allocation.shares
    )
    log_created(payments)  # bulk_create sends no signal
    for share in allocation.shares:
        # The one writer of stored balances (looked up there: tests replace it there).
        corrections._balances_add(share.owed.statement_id, paid=share.amount)
    if notify:  # the demo's history is not e-mailed
        receipt_id = receipt.pk
        transaction.on_commit(lambda: tasks.send_receipt_email.delay(receipt_id))
    return PaymentReceived(receipt, tuple(payments), allocation)


def payment_record(
    *,
    user: User,
    statement: Statement,
    amount: Decimal,
    paid_on: date,
    reference: str,
    today: date | None = None,
    notify: bool = True,
) -> Payment:
    """Money received against one statement (the statement page, the API): a payment
    received (``payment_receive``) restricted to it, with its receipt."""
    ensure("record_payment", user, statement)
    received = payment_receive(
        user=user,
        company=statement.company,
        park=statement.park,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        statement=statement,
        today=today,
        notify=notify,
    )
    return received.payments[0]


# --- Payment instructions -----------------------------------------------------------------------
@dataclass(frozen=True)
class InstructionInput:
    """A park's payment instructions as PSEB enters them (the one list of their fields)."""

    bank_name: str
    account_title: str
    iban: str
    reference: str = PaymentReference.STATEMENT
    note: str = ""


INSTRUCTION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(InstructionInput))


@transaction.atomic
def payment_instruction_save(
    *, user: User, park: Park, data: InstructionInput
) -> PaymentInstruction:
    """Set a park's payment instructions (PSEB). The IBAN must be a valid Pakistani one
    (``subsidies.iban``); the change is audited like every model's. Statements already
    issued keep the instructions they printed (``StatementSnapshot``)."""
    ensure("manage_payment_instructions", user, park)
    errors: dict[str, str] = {}
    if not data.bank_name.strip():
        errors["bank_name"] = "Give the bank's name."
    if not data.account_title.strip():
        errors["account_title"] = "Give the account's title, as the bank holds it."
    if problem := pk_iban_problem(data.iban):
        errors["iban"] = problem
    if data.reference not in PaymentReference.values:
        errors["reference"] = "Choose what the payer quotes."
    if errors:
        raise ValidationError(errors)
    instruction = PaymentInstruction.objects.select_for_update().filter(park=park).first()
    if instruction is None:
        instruction = PaymentInstruction(park=park)
    instruction.bank_name = data.bank_name.strip()
    instruction.account_title = data.account_title.strip()
    instruction.iban = normalise_iban(data.iban)
    instruction.reference = data.reference
    instruction.note = data.note.strip()
    instruction.updated_by = user
    instruction.save()
    return instruction


# --- The receipt's e-mail -------------------------------------------------------------------------
def receipt_email(receipt_id: int) -> int:
    """E-mail the receipt's PDF to the company's owners, once (claimed like a statement's)."""
    from ..notifications import receipt_issued

    claimed = Receipt.objects.filter(pk=receipt_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return 0
    try:
        return receipt_issued(receipt_id)
    except Exception:
        Receipt.objects.filter(pk=receipt_id).update(emailed_at=None)
        raise
