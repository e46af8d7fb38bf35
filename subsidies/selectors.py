"""Reads of subsidy schemes and billing, scoped to the user asking (conventions.md).

One function per model says what a user may see: PSEB staff everything; a park manager their
parks; a company user their company; the public nothing. Pages, API, exports and tasks all
read through them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.db.models import (
    Case,
    CharField,
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
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.calendar import Period
from core.money import MONEY_FIELD
from core.vocabulary import StatementStatus

from . import calculation as calc
from .models import BillingRun, Charge, CreditNote, Payment, Statement, StatementLine, SubsidyScheme
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


def with_balance(
    statements: QuerySet[Statement], today: date | None = None
) -> QuerySet[StatementWithBalance]:
    """Statements annotated with ``paid``, ``credited``, ``balance`` and ``status``.

    The status is derived, never stored (domain.md §6): ``void`` when credit notes cancel the
    whole net; ``paid`` when payments cover what is left; ``overdue`` when anything is still
    owed after the due date, even if part was paid (the balance is late); before it,
    ``partially_paid`` when some was paid; else ``issued``.
    """
    today = today or timezone.localdate()
    return statements.annotate(
        paid=_amounts_of_statement(Payment.objects.all()),
        credited=_amounts_of_statement(CreditNote.objects.all()),
    ).annotate(
        balance=F("net_payable") - F("credited") - F("paid"),
        status=Case(
            When(
                Q(credited__gte=F("net_payable")) & Q(net_payable__gt=0),
                then=Value(StatementStatus.VOID),
            ),
            When(balance__lte=0, then=Value(StatementStatus.PAID)),
            When(due_date__lt=today, then=Value(StatementStatus.OVERDUE)),
            When(paid__gt=0, then=Value(StatementStatus.PARTIALLY_PAID)),
            default=Value(StatementStatus.ISSUED),
            output_field=CharField(),
        ),
    )


def _amounts_of_statement(rows: QuerySet[Payment] | QuerySet[CreditNote]) -> Coalesce:
    """The sum of the amounts of the statement's payments (or credit notes), 0.00 if none."""
    total = (
        rows.filter(statement=OuterRef("pk"))
        .order_by()
        .values("statement")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO)


def statements_list(user: User | AnonymousUser) -> QuerySet[StatementWithBalance]:
    """Scoped statements with their balance and status, in a constant number of queries."""
    return with_balance(
        statements_visible_to(user).select_related("company", "park", "scheme", "supplements")
    ).order_by("-period", "park__code", "number")


def statement_detail(user: User | AnonymousUser) -> QuerySet[StatementWithBalance]:
    return statements_list(user).prefetch_related("lines", "payments", "credit_notes")


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
