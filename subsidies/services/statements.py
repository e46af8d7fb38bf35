"""Computing and issuing statements (domain.md §5–6).

The money rules live in ``subsidies.calculation`` (pure Python); these services load what
they need from the ORM in a fixed number of queries, call the rules, and save the result.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, OuterRef, Q, Subquery, Sum

from audit.trail import log_created
from core.calendar import Period
from core.calendar import fiscal_year as fiscal_year_of
from core.money import ZERO, quantize_money
from core.vocabulary import PaymentReference
from parks.models import Park
from tenants.models import Company
from tenants.services import leases_lock

from .. import calculation as calc
from .. import loading
from ..liability_version import liability_changed
from ..models import (
    BillingRun,
    Charge,
    DocumentCounter,
    Payment,
    PaymentInstruction,
    Statement,
    StatementLine,
    StatementSnapshot,
    SubsidyWindow,
)
from ..selectors import reference_to_quote

# A computed statement to store: (company id, the draft, the id of the month's statement it
# supplements, or None).
Draft = tuple[int, calc.Statement, int | None]


def as_period(value: Period | str | date) -> Period:
    """A billing period given as a ``Period``, its ``YYYY-MM`` or a day of it; bad text is a
    ValidationError on ``period``."""
    if isinstance(value, Period):
        return value
    if isinstance(value, date):
        return Period.of(value)
    try:
        return Period.parse(value)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from exc


def numbers_reserve(park: Park, fiscal_year: str, series: str, count: int) -> range:
    """Reserve ``count`` consecutive numbers of a park's series in a fiscal year (§6:
    gapless); the counter row stays locked until the transaction commits."""
    counter, _ = DocumentCounter.objects.get_or_create(
        park=park, fiscal_year=fiscal_year, series=series
    )
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return range(first, first + count)


# --- Subsidy windows -----------------------------------------------------------------------------
def subsidy_windows_fix(
    park: Park, company_ids: Sequence[int], first_starts: dict[int, date]
) -> dict[int, calc.Window]:
    """The subsidy windows of these companies in the park, fixing those not yet fixed.

    A window is decided once, by the rules of subsidies.calculation, when first needed, and
    stored: later schemes (even backdated ones) or a new opening date never move it (§5
    rule 2, grandfathering). Without any applicable scheme nothing is stored, so a scheme
    created later may still open a window. A fixed number of queries, read by
    ``subsidies.loading`` as the liability projection reads them.
    """
    windows = {
        company_id: window
        for (_, company_id), window in loading.windows_stored([park.pk], company_ids).items()
    }
    missing = [(park.pk, c) for c in company_ids if c not in windows and c in first_starts]
    if not missing:
        return windows
    fixed = loading.windows_unfixed(
        missing,
        {(park.pk, c): first_starts[c] for _, c in missing},
        {park.pk: park.opening_date},
        loading.schemes_load(),
    )
    new = []
    for (_, company_id), window in sorted(fixed.items()):
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
    if new:
        liability_changed()  # §7.3: the projection reads the stored window from now on
    return windows


# --- Computing ------------------------------------------------------------------------------------
def compute_statements(
    park: Park, period: Period, company_ids: Sequence[int]
) -> dict[int, calc.Statement]:
    """What each company owes for the park and month: a fixed number of queries, then the
    pure rules of subsidies.calculation. Must run in the billing transaction (it fixes the
    subsidy windows not fixed yet)."""
    first_starts = {
        company_id: first
        for (_, company_id), first in loading.first_lease_starts([park.pk], company_ids).items()
    }
    windows = subsidy_windows_fix(park, company_ids, first_starts)
    lets = {
        company_id: company_lets
        for (_, company_id), company_lets in loading.lets_load(
            [park.pk], company_ids, first=period.first, last=period.last
        ).items()
    }
    charges = _charges(park, period, company_ids)
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


def _charges(
    park: Park, period: Period, company_ids: Sequence[int]
) -> dict[int, list[calc.OtherCharge]]:
    """The companies' other charges of the month in the park, by company."""
    charges: dict[int, list[calc.OtherCharge]] = defaultdict(list)
    for company_id, pk, description, amount in Charge.objects.filter(
        period=period.first, lease__park=park, lease__company_id__in=company_ids
    ).values_list("lease__company_id", "pk", "description", "amount"):
        charges[company_id].append(calc.OtherCharge(pk, description, amount))
    return charges


# --- Issuing --------------------------------------------------------------------------------------
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
    billed_lines: dict[int, set[calc.LineKey]] = defaultdict(set)
    if originals:
        for company_id, kind, lease_unit_id, charge_id in StatementLine.objects.filter(
            statement__park=park,
            statement__period=period.first,
            statement__company_id__in=list(originals),
        ).values_list("statement__company_id", "kind", "lease_unit_id", "charge_id"):
            billed_lines[company_id].add((kind, lease_unit_id, charge_id))
    drafts = drafts_to_issue(computed, originals, billed_lines)
    return statements_create(
        park=park, period=period, drafts=drafts, issue_date=issue_date, billing_run=billing_run
    )


def drafts_to_issue(
    computed: Mapping[int, calc.Statement],
    originals: Mapping[int, int],
    billed_lines: Mapping[int, set[calc.LineKey]],
) -> list[Draft]:
    """What billing issues for one park and month, by company (§6: billing a month again is
    safe): a company not billed yet gets its statement; one billed already (``originals``,
    its statement's id) gets a supplementary statement for the lines no issued statement has
    billed (``billed_lines``), else nothing. The run and its preview both decide here."""
    drafts: list[Draft] = []
    for company_id, draft in sorted(computed.items()):
        if company_id not in originals:
            drafts.append((company_id, draft, None))
        elif (extra := calc.supplement(draft, billed_lines.get(company_id, set()))) is not None:
            drafts.append((company_id, extra, originals[company_id]))
    return drafts


def statements_create(
    *,
    park: Park,
    period: Period,
    drafts: Sequence[Draft],
    issue_date: date,
    billing_run: BillingRun | None = None,
) -> list[Statement]:
    """Number and store computed statements (``Draft``s). Must run inside a transaction that
    holds the companies' leases."""
    if not drafts:
        return []
    liability_changed()  # §7.3: a billed month moves from liability to subsidy given
    fiscal_year = fiscal_year_of(issue_date)
    numbers = numbers_reserve(park, fiscal_year, DocumentCounter.Series.STATEMENT, len(drafts))
    statements = [
        _statement(
            number=calc.document_number(park.code, fiscal_year, sequence),
            park=park,
            company_id=company_id,
            draft=draft,
            original=original,
            issue_date=issue_date,
            billing_run=billing_run,
        )
        for sequence, (company_id, draft, original) in zip(numbers, drafts, strict=True)
    ]
    snapshots = _snapshots(park, statements)
    Statement.objects.bulk_create(statements)
    StatementSnapshot.objects.bulk_create(
        StatementSnapshot(statement=statement, **snapshot)
        for statement, snapshot in zip(statements, snapshots, strict=True)
    )
    # One audit row per statement, in bulk (its lines are not logged: written with it, never
    # changed). bench/billing.py measures what this adds to a run (docs/security.md).
    log_created(statements)
    StatementLine.objects.bulk_create(
        StatementLine.of(line, position, statement=statement)
        for statement, (_, draft, _) in zip(statements, drafts, strict=True)
        for position, line in enumerate(draft.lines, start=1)
    )
    return statements


def _snapshots(park: Park, statements: Sequence[Statement]) -> list[dict[str, Any]]:
    """What each new statement says of the company's account in the park (issue 12 §6),
    read before they are stored, in four queries whatever their number: what the earlier
    statements still owe (``outstanding`` > 0, the one rule of what is owed), the payments
    recorded since the company's last statement there, and the park's payment instructions.

    previous balance = owed now + payments since (what was owed when the last statement was
    issued, after any credit note); total due = owed now + this statement's net payable."""
    company_ids = sorted({s.company_id for s in statements})
    earlier = Statement.objects.filter(park=park, company_id__in=company_ids)
    owed: dict[int, Decimal] = {
        company_id: amount or ZERO
        for company_id, amount in earlier.order_by()
        .values("company_id")
        .annotate(owed=Sum("outstanding", filter=Q(outstanding__gt=0)))
        .values_list("company_id", "owed")
    }
    last_issued = (
        Statement.objects.filter(park=park, company_id=OuterRef("statement__company_id"))
        .order_by()
        .values("company_id")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    since: dict[int, Decimal] = dict(
        Payment.objects.filter(statement__park=park, statement__company_id__in=company_ids)
        .filter(created_at__gt=Subquery(last_issued))
        .order_by()
        .values("statement__company_id")
        .annotate(total=Sum("amount"))
        .values_list("statement__company_id", "total")
    )
    instruction = PaymentInstruction.objects.filter(park=park).first()
    registrations: dict[int, str] = {}
    if instruction is not None and instruction.reference == PaymentReference.COMPANY:
        registrations = dict(
            Company.objects.filter(pk__in=company_ids).values_list("pk", "pseb_registration")
        )
    snapshots = []
    for statement in statements:
        now = quantize_money(owed.get(statement.company_id, ZERO))
        paid = quantize_money(since.get(statement.company_id, ZERO))
        snapshots.append(
            {
                "previous_balance": now + paid,
                "payments_since": paid,
                "total_due": now + statement.net_payable,
                "bank_name": instruction.bank_name if instruction else "",
                "account_title": instruction.account_title if instruction else "",
                "iban": instruction.iban if instruction else "",
                "reference": reference_to_quote(
                    instruction,
                    company_id=statement.company_id,
                    registration=registrations.get(statement.company_id, ""),
                    statement_number=statement.number,
                ),
            }
        )
    return snapshots


def _statement(
    *,
    number: str,
    park: Park,
    company_id: int,
    draft: calc.Statement,
    original: int | None,
    issue_date: date,
    billing_run: BillingRun | None,
) -> Statement:
    window = draft.window
    return Statement(
        number=number,
        company_id=company_id,
        park=park,
        period=draft.period.first,
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
