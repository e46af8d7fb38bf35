"""Subsidy given (domain.md §7.2): per park and billing period, the subsidy on that period's
statements (supplementary ones included) less the subsidy that credit notes on them reversed,
as of a date D; per period for the scope, and per Pakistan fiscal year.

Subsidy lines are negative on statements and credit-note subsidy lines are negative too
(they reverse it), so, in positive rupees:

    rent subsidy     = −(the statements' ``rent_subsidy`` lines)
    internet subsidy = −(the statements' ``internet_subsidy`` lines)
    reversed         = −(the credit notes' subsidy lines)
    subsidy given    = rent subsidy + internet subsidy − reversed

As of D: only statements issued on or before D, and credit notes issued on or before D, count.
A reversal belongs to the period (and park) of the statement its credit note corrects, so a
period billed later and credited later shows less, in its own month. Each figure is a GROUP
BY in the database (park, period, kind): 3 queries whatever the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from core.calendar import FiscalYear, Period
from core.charts import Chart, ChartKind, Series
from core.money import ZERO, quantize_money
from core.tables import Kind, Table, columns
from core.vocabulary import SUBSIDY_KINDS, LineKind
from reports.frame import Report, ReportFilters, Scope
from reports.periods import report_periods
from reports.totals import money_totals
from subsidies.models import CreditNoteLine, StatementLine

MONEY_KEYS = ("rent_subsidy", "internet_subsidy", "reversed", "subsidy_given")
_MONEY_COLUMNS = (
    ("rent_subsidy", "Rent subsidy", Kind.MONEY),
    ("internet_subsidy", "Internet subsidy", Kind.MONEY),
    ("reversed", "Reversed by credit notes", Kind.MONEY),
    ("subsidy_given", "Subsidy given", Kind.MONEY),
)
PARK_PERIOD_COLUMNS = columns(
    ("park", "Code"), ("park_name", "Park"), ("period", "Period", Kind.PERIOD), *_MONEY_COLUMNS
)
PERIOD_COLUMNS = columns(("period", "Period", Kind.PERIOD), *_MONEY_COLUMNS)
FISCAL_YEAR_COLUMNS = columns(("fiscal_year", "Fiscal year"), *_MONEY_COLUMNS)


@dataclass
class Given:
    """The subsidy of one cell (a park and period, a period, a fiscal year), positive:
    given on statements per kind, and reversed by credit notes per kind."""

    rent: Decimal = ZERO
    internet: Decimal = ZERO
    rent_reversed: Decimal = ZERO
    internet_reversed: Decimal = ZERO

    def add(self, other: Given) -> None:
        self.rent += other.rent
        self.internet += other.internet
        self.rent_reversed += other.rent_reversed
        self.internet_reversed += other.internet_reversed

    @property
    def reversed(self) -> Decimal:
        return self.rent_reversed + self.internet_reversed

    @property
    def net(self) -> Decimal:
        """§7.2: the subsidy on the statements less what credit notes reversed."""
        return self.rent + self.internet - self.reversed

    def row(self) -> dict[str, Decimal]:
        return {
            "rent_subsidy": self.rent,
            "internet_subsidy": self.internet,
            "reversed": self.reversed,
            "subsidy_given": self.net,
        }


Cell = tuple[int, date]  # park id, period's first day


def _subsidy_sums(
    lines: QuerySet[Any], statement: str, scope: Scope, as_of: date, first: date, last: date
) -> QuerySet[Any]:
    """The subsidy lines of ``lines`` (a statement's or a credit note's, reaching the
    statement through ``statement``) summed per park, period and kind, for the scope's
    statements of ``first``..``last`` issued by D."""
    sums: QuerySet[Any] = (
        lines.filter(
            **{
                f"{statement}park_id__in": scope.ids,
                f"{statement}issue_date__lte": as_of,
                f"{statement}period__gte": first,
                f"{statement}period__lte": last,
            },
            kind__in=SUBSIDY_KINDS,
        )
        .order_by()
        .values_list(f"{statement}park_id", f"{statement}period", "kind")
        .annotate(total=Sum("amount"))
    )
    return sums


def _given_by_park_period(scope: Scope, as_of: date, first: date, last: date) -> dict[Cell, Given]:
    """The subsidy given in the scope's parks for the periods ``first``..``last`` (first
    days), per park and period, as of D (two queries): the statements' subsidy lines, and
    those the credit notes issued by D reversed."""
    cells: dict[Cell, Given] = defaultdict(Given)
    if not scope.ids or first > last:
        return cells
    reads = (
        (
            _subsidy_sums(StatementLine.objects.all(), "statement__", scope, as_of, first, last),
            "rent",
            "internet",
        ),
        (
            _subsidy_sums(
                CreditNoteLine.objects.filter(credit_note__issue_date__lte=as_of),
                "credit_note__statement__",
                scope,
                as_of,
                first,
                last,
            ),
            "rent_reversed",
            "internet_reversed",
        ),
    )
    for sums, rent, internet in reads:
        for park_id, period, kind, total in sums:
            given = cells[(park_id, period)]
            field = rent if kind == LineKind.RENT_SUBSIDY else internet
            setattr(given, field, getattr(given, field) - quantize_money(Decimal(total)))
    return cells


def _summed(cells: Iterable[Given]) -> Given:
    total = Given()
    for given in cells:
        total.add(given)
    return total


def subsidy_given_in(scope: Scope, as_of: date, first: Period, last: Period) -> Decimal:
    """The subsidy given (net) in the scope's parks for ``first``..``last``, as of D."""
    return _summed(_given_by_park_period(scope, as_of, first.first, last.first).values()).net


def this_fiscal_year(scope: Scope, as_of: date) -> Decimal:
    """The headline: subsidy given for the periods of D's fiscal year billed by D."""
    year = FiscalYear.of(as_of)
    return subsidy_given_in(scope, as_of, Period.of(year.first), Period.of(year.last))


def _chart(periods: Sequence[Period], by_period: dict[Period, Given]) -> Chart:
    return Chart(
        kind=ChartKind.STACKED,
        title="Subsidy given per billing period",
        description="The rent and the internet subsidy given for each billing period, net of "
        "what credit notes reversed, stacked.",
        labels=tuple(str(period) for period in periods),
        series=(
            Series(
                "Rent subsidy",
                tuple(
                    by_period[p].rent - by_period[p].rent_reversed if p in by_period else ZERO
                    for p in periods
                ),
            ),
            Series(
                "Internet subsidy",
                tuple(
                    by_period[p].internet - by_period[p].internet_reversed
                    if p in by_period
                    else ZERO
                    for p in periods
                ),
            ),
        ),
        unit=Kind.MONEY,
    )


def subsidy_given_report(scope: Scope, filters: ReportFilters) -> Report:
    """§7.2 for the scope's parks as of ``filters.as_of`` and the periods
    ``period_from``..``period_to`` (by default the 12 billed on D): the main table per park
    and period (those with any subsidy), ``months`` per period for the scope and
    ``fiscal_years`` per fiscal year of those periods; figures ``in_range`` and
    ``this_fiscal_year`` (D's fiscal year, whatever the range)."""
    as_of = filters.as_of
    periods = report_periods(as_of, filters.period_from, filters.period_to)
    # One read for the range and D's fiscal year together (they overlap or are near), split
    # here: each period's cells are read once.
    year = FiscalYear.of(as_of)
    year_periods = (Period.of(year.first).first, Period.of(year.last).first)
    bounds = [*year_periods, *((periods[0].first, periods[-1].first) if periods else ())]
    cells = _given_by_park_period(scope, as_of, min(bounds), max(bounds))
    rows: list[dict[str, Any]] = []
    by_period: dict[Period, Given] = defaultdict(Given)
    for park in scope.parks:
        for period in periods:
            given = cells.get((park.id, period.first))
            if given is None:
                continue
            by_period[period].add(given)
            rows.append(
                {"park": park.code, "park_name": park.name, "period": period, **given.row()}
            )
    months = [{"period": period, **by_period.get(period, Given()).row()} for period in periods]
    by_year: dict[FiscalYear, Given] = defaultdict(Given)
    for period in periods:
        by_year[FiscalYear.of(period.first)].add(by_period.get(period, Given()))
    years = [{"fiscal_year": str(year), **given.row()} for year, given in sorted(by_year.items())]
    totals: dict[str, Any] = {"park": "", "park_name": "Total", "period": None}
    totals.update(money_totals(rows, *MONEY_KEYS))
    month_totals: dict[str, Any] = {"period": None, **money_totals(months, *MONEY_KEYS)}
    year_totals: dict[str, Any] = {"fiscal_year": "Total", **money_totals(years, *MONEY_KEYS)}
    return Report(
        name="subsidy-given",
        title="Subsidy given",
        filters=filters,
        scope=scope,
        table=Table(
            PARK_PERIOD_COLUMNS,
            rows,
            totals,
            title="Subsidy given per park and billing period",
            empty="No subsidy was given in these periods.",
        ),
        tables={
            "months": Table(PERIOD_COLUMNS, months, month_totals, title="Per billing period"),
            "fiscal_years": Table(
                FISCAL_YEAR_COLUMNS, years, year_totals, title="Per fiscal year (July to June)"
            ),
        },
        figures={
            "this_fiscal_year": _summed(
                given
                for (_, period), given in cells.items()
                if year_periods[0] <= period <= year_periods[1]
            ).net,
            "in_range": totals["subsidy_given"],
        },
        chart=_chart(periods, by_period),
        notes=(
            "The subsidy on the statements of each billing period (supplementary ones "
            "included) issued by the as-of date, less the subsidy reversed by credit notes on "
            "them issued by then.",
            "This fiscal year counts the periods of the as-of date's fiscal year (July to "
            "June) billed by then, whatever periods are shown.",
        ),
    )
