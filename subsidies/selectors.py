"""Reads of subsidy schemes and billing, scoped to the user asking (conventions.md).

One function per model says what a user may see: PSEB staff everything; a park manager their
parks; a company user their company; the public nothing. Pages, API, exports and tasks all
read through them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
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
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from core.calendar import Period, days_past_due
from core.money import MONEY_FIELD, quantize_money
from core.vocabulary import SUBSIDY_KINDS, PaymentReference, StatementStatus
from parks.models import Park
from tenants.models import Company

from . import calculation as calc
from .allocation import OLDEST_FIRST
from .models import (
    BillingRun,
    Charge,
    CreditNote,
    CreditNoteLine,
    Payment,
    PaymentInstruction,
    Receipt,
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


# --- Receipts and payment instructions (issue 12 §6) ---------------------------------------------
def receipts_visible_to(user: User | AnonymousUser) -> QuerySet[Receipt]:
    """Receipts, scoped like statements: PSEB all, a manager their parks', a company its own."""
    return _scoped(Receipt.objects.all(), user, park="park", company="company")


def _receipt_rows(receipts: QuerySet[Receipt]) -> QuerySet[Receipt]:
    """Receipts with their company, park, payments and each payment's statement: a constant
    number of queries for a list, a page, a PDF or an e-mail."""
    return receipts.select_related("company", "park", "recorded_by").prefetch_related(
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("statement").order_by(
                "statement__due_date", "statement__period", "statement__number"
            ),
        )
    )


def receipt_detail(user: User | AnonymousUser) -> QuerySet[Receipt]:
    return _receipt_rows(receipts_visible_to(user))


def receipt_detail_rows() -> QuerySet[Receipt]:
    """Every receipt with what its PDF and e-mail show; not scoped: the worker's read, by id."""
    return _receipt_rows(Receipt.objects.all())


def payment_instructions_visible_to(user: User | AnonymousUser) -> QuerySet[PaymentInstruction]:
    """PSEB staff and park managers read every park's instructions (they are printed on the
    statements); a company reads those of its parks on its account (``company_account``)."""
    if has_permission("read_payment_instructions", user):
        return PaymentInstruction.objects.select_related("park", "updated_by")
    return PaymentInstruction.objects.none()


def reference_to_quote(
    instruction: PaymentInstruction | None,
    *,
    company_id: int,
    registration: str = "",
    statement_number: str = "",
) -> str:
    """What the payer quotes (the park's choice): the statement's number, or the company's
    PSEB registration number (its portal id when it has none)."""
    if instruction is not None and instruction.reference == PaymentReference.COMPANY:
        return registration or f"COMPANY-{company_id}"
    return statement_number or "The number of the statement you pay"


@dataclass(frozen=True)
class ArrearsRow:
    """An outstanding statement on the account, with the days it is overdue and the running
    total of what is owed up to and including it (oldest first)."""

    statement: StatementWithBalance
    days_overdue: int
    running_total: Decimal


@dataclass(frozen=True)
class ParkPaying:
    """Where a company pays a park: its instructions (None: none set yet) and what to quote."""

    park: Park
    instruction: PaymentInstruction | None
    reference: str
    outstanding: Decimal


@dataclass(frozen=True)
class CompanyAccount:
    """A company's money on a day (issue 12 §6): what each outstanding statement still owes
    (``Statement.outstanding``: net payable less credit notes and payments, the one rule of
    domain.md §7.4), oldest first with running totals, what is overdue (pay it now) and the
    rest with its next due date, where to pay each park, and its latest receipts."""

    company: Company
    today: date
    arrears: list[ArrearsRow]
    outstanding: Decimal
    overdue: Decimal
    paying: list[ParkPaying]
    receipts: list[Receipt]

    @property
    def due_later(self) -> Decimal:
        return self.outstanding - self.overdue

    @property
    def next_due_date(self) -> date | None:
        """The earliest due date among what is not overdue yet."""
        return min(
            (r.statement.due_date for r in self.arrears if r.days_overdue <= 0), default=None
        )

    @property
    def pay_by(self) -> date | None:
        """By when the total must be paid: today if anything is overdue, else the next due
        date (None: nothing is owed)."""
        if self.overdue > 0:
            return self.today
        return self.next_due_date


RECEIPTS_SHOWN = 10


def company_account(company: Company, today: date | None = None) -> CompanyAccount:
    """The account of ``company`` on ``today`` (a company user's own; callers scope it
    through ``tenants.selectors.company_of``). Four queries whatever the number of
    statements: the outstanding statements, the parks it has statements in with their
    instructions, and the latest receipts (two: receipts, their payments)."""
    today = today or timezone.localdate()
    owed = (
        with_balance(Statement.objects.filter(company=company, outstanding__gt=0), today)
        .select_related("park")
        .order_by(*OLDEST_FIRST)
    )
    arrears: list[ArrearsRow] = []
    running = overdue = Decimal("0.00")
    by_park: dict[int, Decimal] = {}
    for statement in owed:
        running += statement.outstanding
        days = max(days_past_due(statement.due_date, today), 0)
        if statement.status == StatementStatus.OVERDUE:  # the statement's one status rule
            overdue += statement.outstanding
        by_park[statement.park_id] = by_park.get(statement.park_id, Decimal("0.00")) + (
            statement.outstanding
        )
        arrears.append(ArrearsRow(statement, days, running))
    parks = (
        Park.objects.filter(pk__in=Statement.objects.filter(company=company).values("park_id"))
        .select_related("payment_instruction")
        .order_by("name")
    )
    paying = []
    for park in parks:
        instruction = getattr(park, "payment_instruction", None)
        paying.append(
            ParkPaying(
                park,
                instruction,
                reference_to_quote(
                    instruction, company_id=company.pk, registration=company.pseb_registration
                ),
                by_park.get(park.pk, Decimal("0.00")),
            )
        )
    receipts = list(
        _receipt_rows(Receipt.objects.filter(company=company)).order_by("-issue_date", "-pk")[
            :RECEIPTS_SHOWN
        ]
    )
    return CompanyAccount(company, today, arrears, running, overdue, paying, receipts)


@dataclass(frozen=True)
class WindowSummary:
    """A company's subsidy window in a park, as its dashboard shows it (domain.md §5): the
    stored window, or where none is stored yet the one §5 would fix at its first lease's
    start (``subsidies.loading``, as the liability projection reads it); the days left in
    it on the day, and the subsidy given so far (its statements' subsidy less what credit
    notes reversed, §7.2)."""

    park: Park
    start: date
    end: date
    scheme_name: str
    days_left: int
    saved: Decimal

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days

    @property
    def open(self) -> bool:
        return self.days_left > 0


def company_subsidy_windows(company: Company, today: date | None = None) -> list[WindowSummary]:
    """The company's subsidy window in each park it leased in (a fixed number of queries)."""
    from . import loading

    today = today or timezone.localdate()
    park_ids = sorted(set(company.leases.values_list("park_id", flat=True)))
    if not park_ids:
        return []
    windows = loading.windows_stored(park_ids, [company.pk])
    missing = [(p, company.pk) for p in park_ids if (p, company.pk) not in windows]
    parks = {p.pk: p for p in Park.objects.filter(pk__in=park_ids)}
    if missing:
        windows |= loading.windows_unfixed(
            missing,
            loading.first_lease_starts(park_ids, [company.pk]),
            {pk: park.opening_date for pk, park in parks.items()},
            loading.schemes_load(),
        )
    given = dict(
        Statement.objects.filter(company=company, park_id__in=park_ids)
        .order_by()
        .values("park_id")
        .annotate(s=Sum("subsidy_total"))
        .values_list("park_id", "s")
    )
    reversed_ = dict(
        CreditNoteLine.objects.filter(
            credit_note__statement__company=company,
            kind__in=SUBSIDY_KINDS,
        )
        .order_by()
        .values("credit_note__statement__park_id")
        .annotate(s=Sum("amount"))
        .values_list("credit_note__statement__park_id", "s")
    )
    summaries = []
    for (park_id, _), window in sorted(windows.items(), key=lambda item: parks[item[0][0]].name):
        saved = -(given.get(park_id) or Decimal("0.00")) + (reversed_.get(park_id) or Decimal(0))
        start = max(window.start, today)
        summaries.append(
            WindowSummary(
                park=parks[park_id],
                start=window.start,
                end=window.end,
                scheme_name=window.scheme.name,
                days_left=max((window.end - start).days, 0),
                saved=quantize_money(saved),
            )
        )
    return summaries
