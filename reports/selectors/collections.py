"""Collections on a date D (domain.md §7.4): what was billed, received and is still owed,
per park, how long it is overdue, per period, and the companies that owe most.

- **billed**: for the billing periods shown (by default the 12 months up to D's), the net
  payable of their statements issued on or before D, less the credit notes on them issued
  on or before D (a void statement thus bills 0.00);
- **received**: the payments made in those months, up to D, by payment date;
- **outstanding**: per statement, net payable less its credit notes and payments up to D,
  counted when more than 0.00 (a void statement, or one overpaid after a credit, owes
  nothing); its **ageing** by days past the due date on D (``reports.ageing``).

As of D: a payment or a credit note after D does not count. When D is today (or later) the
statements' stored balance (``amount_paid``, ``amount_credited``, ``outstanding``: kept by
the services, proved by ``check_balances``) is exactly that, since nothing is dated after
today; for a past D the stored balance less what was paid or credited after D. What is owed
is read once per request, from the statements that may owe only; each figure is a GROUP BY
in the database, whatever the number of parks and statements (5 queries in all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Sum,
)
from django.db.models.functions import TruncMonth
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
from tenants.models import Company

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


# --- Balances on D, in one pass -----------------------------------------------------------------
# Each statement's paid and credited amounts on D come from the payments and credit notes
# grouped by statement once (hash aggregates joined to the statements), never from a subquery
# per statement: at national scale (480,000 statements) that is one pass instead of millions
# of index probes. When D is today or later the stored balance is exactly that (nothing is
# dated after today), so the statements' own columns are read instead of the two joins.
def _balances_sql(scope: Scope, as_of: date) -> tuple[str, list[Any]]:
    """``WITH ... owed AS (...)``: the scope's statements issued on or before D that owe
    something on D, with ``park_id``, ``company_id``, ``due_date`` and ``owed``, what each
    still owes on D (more than 0.00; a void statement never does).

    Only statements that may owe are read: those owing now (a covering partial index,
    ``statement_owed_cover``), and for a past D also those with a payment or credit note
    dated after D; a statement settled now with nothing after D was settled on D too. Their
    balance on D is the stored one plus what came after D."""
    statement = Statement._meta.db_table
    parks = ", ".join(["%s"] * len(scope.ids)) or "NULL"
    if as_of >= timezone.localdate():
        # Today's balance is stored: what is owed is ``outstanding`` where it is above 0.00
        # (then credit notes never cancelled the net, so the statement is not void).
        sql = f"""
            WITH owed AS MATERIALIZED (
                SELECT s.park_id, s.company_id, s.due_date, s.outstanding AS owed
                FROM {statement} s
                WHERE s.outstanding > 0 AND s.issue_date <= %s
                  AND s.park_id IN ({parks}))"""  # noqa: S608 (table names, placeholders)
        return sql, [as_of, *scope.ids]
    payment, credit_note = Payment._meta.db_table, CreditNote._meta.db_table
    # Void (§6): credit notes cancel the whole net; such a statement owes nothing even when
    # it was paid before the credit (it then owes money back, which is not outstanding).
    sql = f"""
        WITH balance AS (
            SELECT s.park_id, s.company_id, s.due_date, s.net_payable,
                   s.amount_paid - COALESCE(p.amount, 0) AS paid,
                   s.amount_credited - COALESCE(c.amount, 0) AS credited
            FROM {statement} s
            LEFT JOIN (SELECT statement_id, SUM(amount) AS amount FROM {payment}
                       WHERE paid_on > %s GROUP BY statement_id) p ON p.statement_id = s.id
            LEFT JOIN (SELECT statement_id, SUM(amount) AS amount FROM {credit_note}
                       WHERE issue_date > %s GROUP BY statement_id) c ON c.statement_id = s.id
            WHERE (s.outstanding > 0 OR p.amount IS NOT NULL OR c.amount IS NOT NULL)
              AND s.issue_date <= %s
              AND s.park_id IN ({parks})),
        owed AS MATERIALIZED (
            SELECT park_id, company_id, due_date, net_payable - credited - paid AS owed
            FROM balance
            WHERE net_payable - credited - paid > 0
              AND NOT (net_payable > 0 AND credited >= net_payable))"""  # noqa: S608 (table names, placeholders)
    return sql, [as_of, as_of, as_of, *scope.ids]


def _bucket_sql(as_of: date) -> tuple[str, list[Any]]:
    """One ``SUM(CASE ...)`` per ageing bucket, by the bucket's due dates on D."""
    sums, params = [], []
    for bucket in BUCKETS:
        earliest, latest = due_dates_of(bucket, as_of)
        conditions = []
        if earliest is not None:
            conditions.append("due_date >= %s")
            params.append(earliest)
        if latest is not None:
            conditions.append("due_date <= %s")
            params.append(latest)
        sums.append(f"SUM(CASE WHEN {' AND '.join(conditions)} THEN owed ELSE 0 END)")
    return ", ".join(sums), params


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _money(value: Any) -> Decimal:
    # SQLite sums decimals as floats; PostgreSQL's numeric is exact.
    return quantize_money(Decimal(str(value))) if value is not None else ZERO


@dataclass(frozen=True)
class Owed:
    """What is owed on D, read in one pass: per park the outstanding and its ageing
    buckets, and the companies that owe most (id, outstanding, overdue, oldest due date)
    with the parks where each owes."""

    by_park: dict[int, list[Any]]
    top: list[tuple[Any, ...]]
    parks_of: dict[int, set[int]]


def owed_read(scope: Scope, as_of: date, limit: int = TOP_OWING) -> Owed:
    """One query: the statements that owe on D are read once (a materialised CTE) and
    summed per park, per company (the ``limit`` largest), and where those companies owe."""
    if not scope.ids:
        return Owed({}, [], {})
    balances, params = _balances_sql(scope, as_of)
    buckets, bucket_params = _bucket_sql(as_of)
    # Typed blanks: PostgreSQL types a UNION's columns by its first branch.
    blanks = ", ".join(["CAST(NULL AS NUMERIC)"] * len(BUCKETS))
    no_amount, no_date = "CAST(NULL AS NUMERIC)", "CAST(NULL AS DATE)"
    rows = _fetch(
        f"""{balances},
        top AS (
            SELECT company_id, SUM(owed) AS total,
                   SUM(CASE WHEN due_date < %s THEN owed ELSE 0 END) AS overdue,
                   MIN(due_date) AS oldest
            FROM owed GROUP BY company_id
            ORDER BY SUM(owed) DESC, company_id LIMIT %s)
        SELECT 'park', park_id, SUM(owed), {buckets}, {no_amount}, {no_date}
        FROM owed GROUP BY park_id
        UNION ALL
        SELECT 'company', company_id, total, {blanks}, overdue, oldest FROM top
        UNION ALL
        SELECT DISTINCT 'where', company_id, park_id, {blanks}, {no_amount}, {no_date}
        FROM owed WHERE company_id IN (SELECT company_id FROM top)""",  # noqa: S608 (table names, placeholders)
        [*params, as_of, limit, *bucket_params],
    )
    owed = Owed({}, [], {})
    for what, key, amount, *rest in rows:
        if what == "park":
            owed.by_park[key] = [amount, *rest[: len(BUCKETS)]]
        elif what == "company":
            owed.top.append((key, amount, rest[-2], _as_date(rest[-1])))
        else:
            owed.parks_of.setdefault(key, set()).add(int(amount))
    owed.top.sort(key=lambda row: (-_money(row[1]), row[0]))
    return owed


def park_rows(
    scope: Scope, owed: Owed, flows: dict[int, dict[str, Decimal]]
) -> list[dict[str, Any]]:
    """One row per park of the scope: billed and received in the periods shown (``flows``,
    from ``period_rows``), what is outstanding on D, its ageing buckets, and the overdue
    part (every bucket but ``not_due``)."""
    rows = []
    for park in scope.parks:
        outstanding, *aged = owed.by_park.get(park.id, [None] * (1 + len(BUCKETS)))
        row: dict[str, Any] = {"park": park.code, "park_name": park.name}
        row["billed"] = flows.get(park.id, {}).get("billed", ZERO)
        row["received"] = flows.get(park.id, {}).get("received", ZERO)
        row["outstanding"] = _money(outstanding)
        row.update({key: _money(value) for key, value in zip(BUCKET_KEYS, aged, strict=True)})
        row["overdue"] = sum((row[key] for key in OVERDUE_KEYS), ZERO)
        rows.append(row)
    return rows


def owed_totals(scope: Scope, as_of: date) -> dict[str, Decimal]:
    """The headline (one query): what the scope is owed on D, and the overdue part of it,
    summed from the same rows as the report's table."""
    return owed_totals_of(park_rows(scope, owed_read(scope, as_of, limit=0), {}))


def owed_totals_of(rows: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
    """What ``park_rows`` say is owed, and the overdue part of it, summed over the parks."""
    return {
        "outstanding": sum((row["outstanding"] for row in rows), ZERO),
        "overdue": sum((row["overdue"] for row in rows), ZERO),
    }


def period_rows(
    scope: Scope, as_of: date, periods: Sequence[Period]
) -> tuple[list[dict[str, Any]], dict[int, dict[str, Decimal]]]:
    """Per period (two queries, grouped by park and period): the statements of the period
    issued by D and what they billed net of credit notes up to D; and the payments received
    in that calendar month (by payment date, up to D), whatever period they paid for.
    Answers the rows per period and, per park, the sums of both over the periods."""
    flows: dict[int, dict[str, Decimal]] = {}
    if not periods:
        return [], flows
    first, last = periods[0].first, periods[-1].first
    by_period: dict[date, dict[str, Any]] = {}
    # The credit notes up to D on those statements, read from the (small) credit-note side.
    credited = {
        (sums["statement__park_id"], sums["statement__period"]): _money(sums["credited"])
        for sums in CreditNote.objects.filter(
            statement__park_id__in=scope.ids,
            statement__issue_date__lte=as_of,
            statement__period__gte=first,
            statement__period__lte=last,
            issue_date__lte=as_of,
        )
        .order_by()
        .values("statement__park_id", "statement__period")
        .annotate(credited=Sum("amount"))
    }
    for sums in (
        Statement.objects.filter(
            park_id__in=scope.ids, issue_date__lte=as_of, period__gte=first, period__lte=last
        )
        .order_by()
        .values("park_id", "period")
        .annotate(statements=Count("pk"), billed_net=Sum("net_payable"))
    ):
        billed = _money(sums["billed_net"]) - credited.get((sums["park_id"], sums["period"]), ZERO)
        cell = by_period.setdefault(sums["period"], {"statements": 0, "billed": ZERO})
        cell["statements"] += sums["statements"]
        cell["billed"] += billed
        park = flows.setdefault(sums["park_id"], {"billed": ZERO, "received": ZERO})
        park["billed"] += billed
    received: dict[Period, Decimal] = {}
    for sums in (
        Payment.objects.filter(
            statement__park_id__in=scope.ids,
            statement__issue_date__lte=as_of,
            paid_on__gte=first,
            paid_on__lte=min(as_of, periods[-1].last),
        )
        .order_by()
        .annotate(month=TruncMonth("paid_on"))
        .values("statement__park_id", "month")
        .annotate(received=Sum("amount"))
    ):
        amount = _money(sums["received"])
        month = Period.of(sums["month"])
        received[month] = received.get(month, ZERO) + amount
        park = flows.setdefault(sums["statement__park_id"], {"billed": ZERO, "received": ZERO})
        park["received"] += amount
    rows = [
        {
            "period": period,
            "statements": int(by_period.get(period.first, {}).get("statements", 0)),
            "billed": by_period.get(period.first, {}).get("billed", ZERO),
            "received": received.get(period, ZERO),
        }
        for period in periods
    ]
    return rows, flows


def owing_rows(scope: Scope, owed: Owed) -> list[dict[str, Any]]:
    """The companies that owe most on D: what they owe in the scope's parks, the overdue
    part, the oldest due date among what they owe, and the parks (codes) where they owe."""
    names = dict(
        Company.objects.filter(pk__in=[row[0] for row in owed.top]).values_list("pk", "name")
    )
    codes = scope.by_id
    return [
        {
            "company": names.get(company_id, ""),
            "parks": ", ".join(sorted(codes[pk].code for pk in owed.parks_of.get(company_id, ()))),
            "outstanding": _money(outstanding),
            "overdue": _money(overdue),
            "oldest_due_date": oldest,
        }
        for company_id, outstanding, overdue, oldest in owed.top
    ]


def _as_date(value: Any) -> date | None:
    # SQLite answers a raw MIN() of dates as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


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
    # Up to D's own month by default: what was received so far this month counts.
    shown = report_periods(as_of, filters.period_from, filters.period_to or Period.of(as_of))
    periods, flows = period_rows(scope, as_of, shown)
    owed = owed_read(scope, as_of)
    rows = park_rows(scope, owed, flows)
    totals: dict[str, Any] = {"park": "", "park_name": "Total"}
    totals.update(money_totals(rows, *MONEY_KEYS))
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
                owing_rows(scope, owed),
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
