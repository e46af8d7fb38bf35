"""Reads of subsidy schemes and billing, scoped to the user asking (conventions.md).

One function per model says what a user may see: PSEB staff everything; a park manager their
parks; a company user their company; the public nothing. Pages, API, exports and tasks all
read through them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from core.calendar import Period
from core.money import MONEY_FIELD
from core.vocabulary import StatementStatus

from . import calculation as calc
from .models import (
    BillingRun,
    Charge,
    CreditNote,
    CreditNoteLine,
    Payment,
    Statement,
    StatementLine,
    SubsidyScheme,
)
from .permissions import has_permission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import WithAnnotations

    from accounts.models import User
    from tenants.models import Lease

    # A statement annotated by ``with_balance``.
    StatementWithBalance = WithAnnotations[Statement, "Balance"]

M = TypeVar("M", bound=Model)


class Balance(TypedDict):
    """What ``with_balance`` adds to a statement."""

    paid: Decimal
    credited: Decimal
    balance: Decimal
    status: str


MONEY: DecimalField[Decimal, Decimal] = DecimalField(
    max_digits=MONEY_FIELD["max_digits"], decimal_places=MONEY_FIELD["decimal_places"]
)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def _scoped(
    objects: QuerySet[M], user: User | AnonymousUser, *, park: str, company: str
) -> QuerySet[M]:
    """The one scoping rule of billing data: PSEB staff see all of it; a park manager what
    belongs to their parks (through ``park``, the path to the park); a company user their
    company's (through ``company``); the public nothing."""
    if not user.is_authenticated:
        return objects.none()
    if user.is_pseb_staff:
        return objects.all()
    if user.is_park_manager:
        return objects.filter(**{f"{park}__manager_assignments__user": user})
    return objects.filter(**{f"{company}__memberships__user": user})


def schemes_visible_to(user: User | AnonymousUser) -> QuerySet[SubsidyScheme]:
    """PSEB staff and park managers read the schemes (api.md); nobody else."""
    if has_permission("read_schemes", user):
        return SubsidyScheme.objects.all()
    return SubsidyScheme.objects.none()


def statements_visible_to(user: User | AnonymousUser) -> QuerySet[Statement]:
    return _scoped(Statement.objects.all(), user, park="park", company="company")


def payments_visible_to(user: User | AnonymousUser) -> QuerySet[Payment]:
    """Payments of the statements the user may see (``statements_visible_to``'s scope)."""
    return _scoped(
        Payment.objects.all(), user, park="statement__park", company="statement__company"
    )


def payments_list(user: User | AnonymousUser) -> QuerySet[Payment]:
    """Scoped payments, latest first, with their statement's number, company and park read
    in the same query."""
    return (
        payments_visible_to(user)
        .select_related("statement__company", "statement__park")
        .order_by("-paid_on", "-pk")
    )


def charges_visible_to(user: User | AnonymousUser) -> QuerySet[Charge]:
    return _scoped(Charge.objects.all(), user, park="lease__park", company="lease__company")


def charges_list(user: User | AnonymousUser) -> QuerySet[Charge]:
    """Scoped charges with the statement that billed each (``statement_pk`` and
    ``statement_number``, None until billed): the month's statement or a supplementary one."""
    line = StatementLine.objects.filter(charge_id=OuterRef("pk")).order_by("pk")
    return charges_visible_to(user).annotate(
        statement_pk=Subquery(line.values("statement_id")[:1]),
        statement_number=Subquery(line.values("statement__number")[:1]),
    )


def billing_runs_visible_to(user: User | AnonymousUser) -> QuerySet[BillingRun]:
    """Billing runs are PSEB's work (api.md)."""
    if has_permission("run_billing", user):
        return BillingRun.objects.all()
    return BillingRun.objects.none()


def statement_status_conditions(today: date) -> dict[str, Q]:
    """Each statement status as a condition on the stored balance (domain.md §6), one status
    per statement: ``void`` when credit notes cancel the whole net; ``paid`` when payments
    cover what is left; ``overdue`` when anything is still owed after the due date, even if
    part was paid (the balance is late); before it, ``partially_paid`` when some was paid;
    else ``issued``.

    The one statement of the rule: ``statement_status`` builds the annotation from it and the
    status filters filter by it, on columns an index serves (``overdue`` is ``outstanding >
    0 AND due_date < today``: the partial index ``statement_owed_due``)."""
    void = Q(net_payable__gt=0, amount_credited__gte=F("net_payable"))
    owed = Q(outstanding__gt=0)  # never void: what is credited is then below the net
    not_due = owed & Q(due_date__gte=today)
    return {
        StatementStatus.VOID: void,
        StatementStatus.PAID: Q(outstanding__lte=0)
        & (Q(net_payable=0) | Q(amount_credited__lt=F("net_payable"))),
        StatementStatus.OVERDUE: owed & Q(due_date__lt=today),
        StatementStatus.PARTIALLY_PAID: not_due & Q(amount_paid__gt=0),
        StatementStatus.ISSUED: not_due & Q(amount_paid__lte=0),
    }


def statement_status(today: date) -> Case:
    """The status of each statement (``statement_status_conditions``) as an expression."""
    return Case(
        *(
            When(condition, then=Value(status))
            for status, condition in statement_status_conditions(today).items()
        ),
        default=Value(StatementStatus.ISSUED),
        output_field=CharField(),
    )


def statements_of_status(
    statements: QuerySet[M], status: str, today: date | None = None
) -> QuerySet[M]:
    """The statements of one status, filtered on the stored columns (not the annotation)."""
    return statements.filter(statement_status_conditions(today or timezone.localdate())[status])


def with_balance(
    statements: QuerySet[Statement], today: date | None = None
) -> QuerySet[StatementWithBalance]:
    """Statements annotated with ``paid``, ``credited``, ``balance`` and ``status`` (the
    names pages, exports and the API show): the stored balance and the status derived from
    it on ``today`` (``statement_status_conditions``). No subquery: cheap on any number of
    rows."""
    return statements.annotate(
        paid=F("amount_paid"),
        credited=F("amount_credited"),
        balance=F("outstanding"),
        status=statement_status(today or timezone.localdate()),
    )


def _amounts_of_statement(rows: QuerySet[Payment] | QuerySet[CreditNote]) -> Coalesce:
    """The sum of the amounts of the statement's payments (or credit notes), 0.00 if none:
    the ledger the stored balance is proved against."""
    total = (
        rows.filter(statement=OuterRef("pk"))
        .order_by()
        .values("statement")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


@dataclass(frozen=True)
class BalanceMismatch:
    """A statement whose stored balance differs from its payments and credit notes."""

    number: str
    stored_paid: Decimal
    ledger_paid: Decimal
    stored_credited: Decimal
    ledger_credited: Decimal


def statement_balance_mismatches() -> Iterator[BalanceMismatch]:
    """Every statement whose stored ``amount_paid``/``amount_credited`` is not the sum of its
    payments/credit notes (``manage.py check_balances``); none when the services kept them.
    Not scoped: an operator's check of the whole ledger, in one query streamed in chunks."""
    rows = (
        Statement.objects.annotate(
            ledger_paid=Round(_amounts_of_statement(Payment.objects.all()), 2, output_field=MONEY),
            ledger_credited=Round(
                _amounts_of_statement(CreditNote.objects.all()), 2, output_field=MONEY
            ),
        )
        .exclude(amount_paid=F("ledger_paid"), amount_credited=F("ledger_credited"))
        .order_by("pk")
        .values_list("number", "amount_paid", "ledger_paid", "amount_credited", "ledger_credited")
    )
    for row in rows.iterator(chunk_size=2000):
        yield BalanceMismatch(*row)


@dataclass(frozen=True)
class CreditNoteLineMismatch:
    """A credit note whose amount is not the sum of its lines (§7.2)."""

    number: str
    amount: Decimal
    lines_total: Decimal


def credit_note_line_mismatches() -> Iterator[CreditNoteLineMismatch]:
    """Every credit note whose amount differs from the sum of its lines (none at all counts
    as 0.00): ``manage.py check_balances``. Not scoped, like ``statement_balance_mismatches``."""
    total = (
        CreditNoteLine.objects.filter(credit_note=OuterRef("pk"))
        .order_by()
        .values("credit_note")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    rows = (
        CreditNote.objects.annotate(
            lines_total=Round(
                Coalesce(Subquery(total, output_field=MONEY), ZERO), 2, output_field=MONEY
            )
        )
        .exclude(amount=F("lines_total"))
        .order_by("pk")
        .values_list("number", "amount", "lines_total")
    )
    for row in rows.iterator(chunk_size=2000):
        yield CreditNoteLineMismatch(*row)


def statements_list(user: User | AnonymousUser) -> QuerySet[StatementWithBalance]:
    """Scoped statements with their balance and status, in a constant number of queries."""
    # Within a period, the number (``CODE-FY-NNNNN``, calculation.document_number) orders by
    # park code too: codes are letters only, and what follows a code ("-", or where the
    # collation skips punctuation the fiscal year's digits) sorts before any letter, so a code
    # comes before the longer codes it begins (GLT before GLTX). This is the park-then-number
    # order the list always had, served by the index ``statement_period_number``.
    return with_balance(
        statements_visible_to(user).select_related("company", "park", "scheme", "supplements")
    ).order_by("-period", "number")


def statement_detail(user: User | AnonymousUser) -> QuerySet[StatementWithBalance]:
    return statements_list(user).prefetch_related("lines", "payments", "credit_notes__lines")


def credit_notes_visible_to(user: User | AnonymousUser) -> QuerySet[CreditNote]:
    """A credit note is seen by whoever sees its statement (``statements_visible_to``)."""
    return CreditNote.objects.filter(statement__in=statements_visible_to(user))


def credit_note_detail(user: User | AnonymousUser) -> QuerySet[CreditNote]:
    """Scoped credit notes with their statement, company, park, lease and lines: a constant
    number of queries for a page, a PDF or a page of the API."""
    return (
        credit_notes_visible_to(user)
        .select_related("statement__company", "statement__park", "lease")
        .prefetch_related("lines")
        .order_by("-issue_date", "-pk")
    )


def statement_by_verification_token(token: str) -> StatementWithBalance | None:
    """The public's one way to a statement: its printed verification code (the QR code).

    Anyone holding the paper may confirm it is genuine; the page shows four facts only.
    """
    if not token or len(token) > 64:
        return None
    return (
        with_balance(Statement.objects.select_related("company"))
        .filter(verification_token=token)
        .first()
    )


def no_subsidy_reason(statement: Statement) -> str:
    """Why a statement carries no subsidy line, for its page and its PDF: the company's
    subsidy window in the park (fixed when first billed; a statement records one only when
    it has subsidy lines) judged by ``calculation.no_subsidy_reason``. Reads the company's
    windows: one query, none if the caller prefetched ``company__subsidy_windows``."""
    window = next(
        (w for w in statement.company.subsidy_windows.all() if w.park_id == statement.park_id),
        None,
    )
    fixed_later = bool(window and statement.created_at and window.created_at > statement.created_at)
    return calc.no_subsidy_reason(
        Period.of(statement.period),
        window=calc.Span(window.start, window.end) if window else None,
        fixed_after_issue=fixed_later,
    )


def lease_billed_through(user: User | AnonymousUser, lease: Lease) -> date | None:
    """The last day of the latest month a statement billed this lease's units for, or None.
    An end date before it is credited at once (domain.md §6); other charges are never
    credited by a termination, so a month billed only for a charge does not count."""
    lines = StatementLine.objects.filter(lease_unit__lease=lease)
    last = (
        statements_visible_to(user)
        .filter(pk__in=lines.values("statement_id"))
        .aggregate(last=Max("period"))["last"]
    )
    return None if last is None else Period.of(last).last


def scheme_applied_since(scheme: SubsidyScheme) -> date | None:
    """The start of the latest subsidy window the scheme opened, or None if it opened none.
    A scheme that opened one keeps the rules that decided its amounts (services.scheme_update)
    and stays valid at least until that day."""
    latest: date | None = scheme.windows.aggregate(latest=Max("start"))["latest"]
    return latest


@dataclass(frozen=True)
class RunParkTotals:
    """What a billing run issued in one park (issue 12 §7), read from its statements."""

    park: str
    statements: int
    gross: Decimal
    subsidy: Decimal
    net: Decimal


def billing_run_totals(run: BillingRun) -> list[RunParkTotals]:
    """Per park, the statements a run issued and their gross, subsidy (negative, as the
    statements carry it) and net payable, by park name: one query, whatever their number."""
    return [
        RunParkTotals(row["park__name"], row["n"], row["gross"], row["subsidy"], row["net"])
        for row in Statement.objects.filter(billing_run=run)
        .values("park_id", "park__name")
        .annotate(
            n=Count("pk"),
            gross=Sum("gross"),
            subsidy=Sum("subsidy_total"),
            net=Sum("net_payable"),
        )
        .order_by("park__name", "park_id")
    ]
