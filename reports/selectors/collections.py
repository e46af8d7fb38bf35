"""Collections on a date D (domain.md §7.4): what was billed, received and is still owed,
per park, how long it is overdue, per period, and the companies that owe most.

- **billed**: the net payable of the statements issued on or before D, less the credit notes
  on them issued on or before D (a void statement thus bills 0.00);
- **received**: the payments on those statements paid on or before D;
- **outstanding**: per statement, net payable less those credit notes and payments, counted
  when more than 0.00 (a void statement, or one overpaid after a credit, owes nothing); its
  **ageing** by days past the due date on D (``reports.ageing``).

As of D: a payment or a credit note after D does not count. When D is today (or later) the
statements' stored balance (``amount_paid``, ``amount_credited``: kept by the services, proved
by ``check_balances``) is exactly that, since no payment is dated after today and a credit note
is issued on the day it is made; for a past D the sums of the payments and credit notes up to
D are read instead. Either way each table is one GROUP BY query, whatever the number of parks
and statements (4 queries in all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Expression,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from core.calendar import Period
from core.charts import Chart, ChartKind, Series
from core.money import ZERO, quantize_money
from core.tables import Kind, Table, columns, total_of
from reports.ageing import BUCKET_KEYS, BUCKETS, OVERDUE_KEYS, due_dates_of
from reports.frame import Report, ReportFilters, Scope
from reports.periods import report_periods
from reports.totals import money_totals
from subsidies.models import CreditNote, Payment, Statement
from subsidies.selectors import MONEY
from subsidies.selectors import ZERO as ZERO_SQL

MONEY_KEYS = ("billed", "received", "outstanding", *BUCKET_KEYS, "overdue")
MOST_BARS = 15  # more parks than this: the largest 14 and "Other parks"
TOP_OWING = 20

PARK_COLUMNS = columns(
    ("park", "Code"),
    ("park_name", "Park"),
    ("billed", "Billed", Kind.MONEY),
    ("received", "Received", Kind.MONEY),
    ("outstanding", "Outstanding", Kind.MONEY),
    *((bucket.key, bucket.label, Kind.MONEY) for bucket in BUCKETS),
    ("overdue", "Overdue", Kind.MONEY),
)
PERIOD_COLUMNS = columns(
    ("period", "Period", Kind.PERIOD),
    ("statements", "Statements", Kind.COUNT),
    ("billed", "Billed", Kind.MONEY),
    ("received", "Received in the month", Kind.MONEY),
)
OWING_COLUMNS = columns(
    ("company", "Company"),
    ("parks", "Parks"),
    ("outstanding", "Outstanding", Kind.MONEY),
    ("overdue", "Overdue", Kind.MONEY),
    ("oldest_due_date", "Oldest due date", Kind.DATE),
)


@dataclass(frozen=True)
class _Balance:
    """What a statement's balance on D is made of, as SQL: paid and credited up to D."""

    paid: Expression | F | Coalesce
    credited: Expression | F | Coalesce
    # What is owed on D: the stored ``outstanding`` when it is today's (so the partial index
    # ``statement_owed_due`` serves "outstanding > 0"), else net less the two.
    owed: Expression | F | None = None


def _sum_up_to(rows: QuerySet[Any], date_field: str, as_of: date) -> Coalesce:
    """The sum of the statement's ``rows`` (payments or credit notes) dated on or before D."""
    total = (
        rows.filter(statement=OuterRef("pk"), **{f"{date_field}__lte": as_of})
        .order_by()
        .values("statement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=MONEY), ZERO_SQL)


def _balance(as_of: date) -> _Balance:
    """Paid and credited on D: the stored balance when D is today or later (nothing is dated
    after today), else the payments and credit notes dated up to D."""
    if as_of >= timezone.localdate():
        return _Balance(paid=F("amount_paid"), credited=F("amount_credited"), owed=F("outstanding"))
    return _Balance(
        paid=_sum_up_to(Payment.objects.all(), "paid_on", as_of),
        credited=_sum_up_to(CreditNote.objects.all(), "issue_date", as_of),
    )


def issued_by(scope: Scope, as_of: date) -> QuerySet[Statement]:
    """The scope's statements issued on or before D, with ``paid_d``, ``credited_d`` and
    ``owed_d`` (net less both) as of D, and ``owes``: whether it counts as outstanding (owes
    more than 0.00 and is not void on D)."""
    balance = _balance(as_of)
    return (
        Statement.objects.filter(park_id__in=scope.ids, issue_date__lte=as_of)
        .order_by()
        .alias(paid_d=balance.paid, credited_d=balance.credited)
        .alias(owed_d=balance.owed or F("net_payable") - F("credited_d") - F("paid_d"))
    )


def _owes() -> Q:
    """Counted as outstanding on D: more than 0.00 owed, and not void (§6: credit notes
    cancel the whole net)."""
    void = Q(net_payable__gt=0, credited_d__gte=F("net_payable"))
    return Q(owed_d__gt=0) & ~void


def _owed_where(condition: Q | None = None) -> Sum:
    """The sum of what the statements owe on D (those counted), where ``condition`` holds."""
    when = _owes() if condition is None else _owes() & condition
    return Sum(Case(When(when, then=F("owed_d")), default=ZERO_SQL, output_field=MONEY))


def _bucket_condition(index: int, as_of: date) -> Q:
    earliest, latest = due_dates_of(BUCKETS[index], as_of)
    condition = Q()
    if earliest is not None:
        condition &= Q(due_date__gte=earliest)
    if latest is not None:
        condition &= Q(due_date__lte=latest)
    return condition


def _money(value: Decimal | None) -> Decimal:
    return quantize_money(Decimal(value)) if value is not None else ZERO


def _ageing_sums(as_of: date) -> dict[str, Sum]:
    return {
        "billed_net": Sum("net_payable"),
        "credited": Sum("credited_d"),
        "received": Sum("paid_d"),
        "outstanding": _owed_where(),
        **{
            bucket.key: _owed_where(_bucket_condition(index, as_of))
            for index, bucket in enumerate(BUCKETS)
        },
    }


def _money_row(sums: dict[str, Any]) -> dict[str, Decimal]:
    row = {key: _money(sums.get(key)) for key in ("received", "outstanding", *BUCKET_KEYS)}
    row["billed"] = _money(sums.get("billed_net")) - _money(sums.get("credited"))
    row["overdue"] = sum((row[key] for key in OVERDUE_KEYS), ZERO)
    return row


def park_rows(scope: Scope, as_of: date) -> list[dict[str, Any]]:
    """One row per park of the scope (one query): billed, received, outstanding, its ageing
    buckets, and the overdue part (every bucket but ``not_due``)."""
    found = {
        sums["park_id"]: sums
        for sums in issued_by(scope, as_of).values("park_id").annotate(**_ageing_sums(as_of))
    }
    rows = []
    for park in scope.parks:
        row: dict[str, Any] = {"park": park.code, "park_name": park.name}
        row.update(_money_row(found.get(park.id, {})))
        rows.append(row)
    return rows


def period_rows(scope: Scope, as_of: date, periods: Sequence[Period]) -> list[dict[str, Any]]:
    """Per period (two queries): the statements of the period issued by D and what they
    billed net of credit notes up to D; and the payments received in that calendar month
    (by payment date, up to D), whatever period they paid for."""
    if not periods:
        return []
    first, last = periods[0].first, periods[-1].first
    billed = {
        sums["period"]: sums
        for sums in issued_by(scope, as_of)
        .filter(period__gte=first, period__lte=last)
        .values("period")
        .annotate(
            statements=Count("pk"),
            billed_net=Sum("net_payable"),
            credited=Sum("credited_d"),
        )
    }
    received = {
        Period.of(sums["month"]): _money(sums["received"])
        for sums in Payment.objects.filter(
            statement__park_id__in=scope.ids,
            statement__issue_date__lte=as_of,
            paid_on__gte=first,
            paid_on__lte=min(as_of, periods[-1].last),
        )
        .order_by()
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(received=Sum("amount"))
    }
    rows = []
    for period in periods:
        sums = billed.get(period.first, {})
        rows.append(
            {
                "period": period,
                "statements": int(sums.get("statements") or 0),
                "billed": _money(sums.get("billed_net")) - _money(sums.get("credited")),
                "received": received.get(period, ZERO),
            }
        )
    return rows


def owing_rows(scope: Scope, as_of: date, limit: int = TOP_OWING) -> list[dict[str, Any]]:
    """The companies that owe most on D (two queries): what they owe in the scope's parks,
    the overdue part, the oldest due date among what they owe, and the parks (codes)."""
    owing = issued_by(scope, as_of).filter(_owes())
    top = list(
        owing.values("company_id", "company__name")
        .annotate(
            outstanding=Sum("owed_d"),
            overdue=Sum(
                Case(
                    When(due_date__lt=as_of, then=F("owed_d")),
                    default=ZERO_SQL,
                    output_field=MONEY,
                )
            ),
            oldest_due_date=Min("due_date"),
        )
        .order_by("-outstanding", "company__name", "company_id")[:limit]
    )
    parks: dict[int, set[str]] = {}
    for company_id, code in (
        owing.filter(company_id__in=[row["company_id"] for row in top])
        .values_list("company_id", "park__code")
        .distinct()
    ):
        parks.setdefault(company_id, set()).add(code)
    return [
        {
            "company": row["company__name"],
            "parks": ", ".join(sorted(parks.get(row["company_id"], ()))),
            "outstanding": _money(row["outstanding"]),
            "overdue": _money(row["overdue"]),
            "oldest_due_date": row["oldest_due_date"],
        }
        for row in top
    ]


def ageing_chart(rows: Sequence[dict[str, Any]]) -> Chart:
    """The outstanding of each park stacked by ageing bucket; with more than ``MOST_BARS``
    parks, the ones owed most and the rest summed as "Other parks"."""
    bars: list[tuple[str, dict[str, Any]]] = [(row["park_name"], row) for row in rows]
    if len(bars) > MOST_BARS:
        largest = sorted(rows, key=lambda row: (-row["outstanding"], row["park_name"]))
        shown, rest = largest[: MOST_BARS - 1], largest[MOST_BARS - 1 :]
        bars = [(row["park_name"], row) for row in shown]
        bars.append(("Other parks", total_of(rest, *BUCKET_KEYS)))
    return Chart(
        kind=ChartKind.STACKED,
        title="Outstanding by days past due",
        description="What each park is owed on the as-of date, stacked by how many days "
        "past its due date it is.",
        labels=tuple(label for label, _ in bars),
        series=tuple(
            Series(bucket.label, tuple(row[bucket.key] for _, row in bars)) for bucket in BUCKETS
        ),
        unit=Kind.MONEY,
    )


def collections_report(scope: Scope, filters: ReportFilters) -> Report:
    """§7.4 for the scope's parks as of ``filters.as_of``: the main table per park, and the
    tables ``periods`` (``filters.period_from``..``period_to``, by default the 12 periods
    billed on D) and ``owing`` (the 20 companies that owe most)."""
    as_of = filters.as_of
    rows = park_rows(scope, as_of)
    totals: dict[str, Any] = {"park": "", "park_name": "Total"}
    totals.update(money_totals(rows, *MONEY_KEYS))
    periods = period_rows(
        scope, as_of, report_periods(as_of, filters.period_from, filters.period_to)
    )
    period_totals: dict[str, Any] = {"period": None}
    period_totals.update(money_totals(periods, "billed", "received"))
    period_totals["statements"] = sum(row["statements"] for row in periods)
    return Report(
        name="collections",
        title="Collections",
        filters=filters,
        scope=scope,
        table=Table(PARK_COLUMNS, rows, totals, title="Billed, received and owed per park"),
        tables={
            "periods": Table(
                PERIOD_COLUMNS,
                periods,
                period_totals,
                title="Billed per period and received per month",
            ),
            "owing": Table(
                OWING_COLUMNS,
                owing_rows(scope, as_of),
                title="The companies that owe most",
                empty="Nobody owes anything on this date.",
            ),
        },
        figures={key: totals[key] for key in ("billed", "received", "outstanding", "overdue")},
        chart=ageing_chart(rows),
        notes=(
            "Billed is the net payable of the statements issued by the as-of date, less the "
            "credit notes issued by then; received, the payments made by then.",
            "Outstanding is what each statement still owes (void statements, and those "
            "overpaid after a credit note, owe nothing), aged by days past its due date: "
            "due on the as-of date or later is not yet due.",
            "Billed per period counts the statements of that billing period; received per "
            "month, the payments made in that calendar month.",
        ),
    )
