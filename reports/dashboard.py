"""Staff dashboards (issue 12, point 3): PSEB's programme and a park manager's parks, read by
the report selectors themselves, so a dashboard's figure is its report's figure.

What a dashboard shows, for the caller's parks (PSEB: every park; a manager: theirs) as of
today: the overview's cards (``reports.overview.cards_of``, from the very figures of the
reports read here), occupancy per park (by province when there are more parks than a chart
reads well), subsidy given per billing period, billed against received per month, what is
owed by age band (``reports.ageing``), and the applications waiting with their days waiting.

Queries do not grow with the data: each figure is one of the reports' GROUP BYs (about 20
queries in all, the same for one park or 250).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from core.calendar import Period
from core.charts import Chart, ChartKind, Series
from core.money import ZERO
from core.tables import Kind, Row
from core.vocabulary import Province

from .ageing import BUCKETS, OVERDUE_KEYS
from .frame import ReportFilters, Scope, report_scope
from .overview import Card, cards_of, liability_next_12
from .periods import report_periods
from .selectors import collections, impact, occupancy, pipeline, subsidy_given

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

MOST_PARK_BARS = 15  # more parks than this: occupancy is drawn per province
PARKS_SHOWN = 12  # a manager's parks listed, the most vacant units first
WAITING_SHOWN = 10  # the longest waiting applications listed (the pipeline report: all)


@dataclass(frozen=True)
class WaitingApplication:
    """An application waiting for a decision, as the pipeline report lists it."""

    pk: int
    company: str
    park: str
    park_name: str
    status: str
    submitted_on: date
    days_waiting: int


@dataclass(frozen=True)
class OccupancyBar:
    """A park's (or a province's) occupancy on the day: leased share of the leasable area,
    units leased of leasable ones, and vacant units."""

    code: str  # a park's code; "" for a province
    name: str
    percent: Decimal | None
    leased_units: int
    leasable_units: int
    units_vacant: int


@dataclass(frozen=True)
class AgeBand:
    """What is owed in one ageing bucket (§7.4) on the day."""

    key: str
    label: str
    amount: Decimal
    overdue: bool


@dataclass(frozen=True)
class StaffDashboard:
    scope: Scope
    as_of: date
    cards: list[Card]
    occupancy_by: str  # "park" or "province"
    occupancy: list[OccupancyBar]
    occupancy_chart: Chart
    subsidy_chart: Chart | None
    collections_chart: Chart
    age_bands: list[AgeBand]
    ageing_chart: Chart
    outstanding: Decimal
    overdue: Decimal
    waiting: list[WaitingApplication]
    waiting_count: int

    @property
    def parks_shown(self) -> list[OccupancyBar]:
        """The parks with the most vacant units first (a manager's list), at most
        ``PARKS_SHOWN``."""
        ordered = sorted(self.occupancy, key=lambda bar: (-bar.units_vacant, bar.name))
        return ordered[:PARKS_SHOWN]


def occupancy_bars(rows: Sequence[Row], by_province: bool) -> list[OccupancyBar]:
    """The occupancy report's rows per park, or summed per province (ratios of the summed
    parts, never averages of percentages; provinces in their vocabulary's order)."""
    if not by_province:
        return [
            OccupancyBar(
                row["park"],
                row["park_name"],
                row["occupancy_percent"],
                row["leased_units"],
                row["leasable_units"],
                row["units_vacant"],
            )
            for row in rows
        ]
    by_label: dict[str, list[Row]] = {}
    for row in rows:
        by_label.setdefault(row["province"], []).append(row)
    bars = []
    for province in Province:
        found = by_label.get(province.value)
        if not found:
            continue
        parts = occupancy.with_ratios(occupancy.summed_parts(found))
        bars.append(
            OccupancyBar(
                "",
                province.label,
                parts["occupancy_percent"],
                parts["leased_units"],
                parts["leasable_units"],
                parts["units_vacant"],
            )
        )
    return bars


def occupancy_chart(bars: Sequence[OccupancyBar], by: str) -> Chart:
    return Chart(
        kind=ChartKind.BARS,
        title=f"Occupancy by {by}",
        description=f"The leased share of the leasable area of each {by} today.",
        labels=tuple(bar.name for bar in bars),
        series=(Series("Leased area", tuple(bar.percent for bar in bars)),),
        unit=Kind.PERCENT,
    )


def collections_chart(rows: Sequence[Row]) -> Chart:
    """Billed (net of credit notes) against received, per month (``collections.period_rows``)."""
    return Chart(
        kind=ChartKind.BARS,
        title="Billed and received per month",
        description="What each billing period billed, net of credit notes, beside the "
        "payments received in that calendar month.",
        labels=tuple(str(row["period"]) for row in rows),
        series=(
            Series("Billed", tuple(row["billed"] for row in rows)),
            Series("Received", tuple(row["received"] for row in rows)),
        ),
        unit=Kind.MONEY,
    )


def age_bands(park_rows: Sequence[Row]) -> list[AgeBand]:
    """What is owed per ageing bucket, summed over the parks."""
    return [
        AgeBand(
            bucket.key,
            bucket.label,
            sum((row[bucket.key] for row in park_rows), ZERO),
            overdue=bucket.key in OVERDUE_KEYS,
        )
        for bucket in BUCKETS
    ]


def ageing_chart(bands: Sequence[AgeBand]) -> Chart:
    return Chart(
        kind=ChartKind.BARS,
        title="Owed by days past due",
        description="What the statements still owe today, by how many days past their due "
        "date it is.",
        labels=tuple(band.label for band in bands),
        series=(Series("Owed", tuple(band.amount for band in bands)),),
        unit=Kind.MONEY,
    )


def waiting_rows(scope: Scope, as_of: date) -> list[WaitingApplication]:
    """The longest waiting applications, read as the pipeline report reads them."""
    rows: Any = islice(pipeline.WaitingRows(scope, as_of), WAITING_SHOWN)
    return [
        WaitingApplication(
            pk=row["id"],
            company=row["company"],
            park=row["park"],
            park_name=row["park_name"],
            status=row["status"],
            submitted_on=row["submitted_on"],
            days_waiting=row["days_waiting"],
        )
        for row in rows
    ]


def staff_dashboard(user: User | AnonymousUser, as_of: date | None = None) -> StaffDashboard:
    """PSEB's dashboard (every park) or a park manager's (theirs), as of ``as_of`` (today);
    404 for anyone who reads no report (``report_scope``)."""
    filters = ReportFilters(as_of=as_of or timezone.localdate())
    day = filters.as_of
    scope = report_scope(user, filters)
    by_province = scope.whole_programme or len(scope.parks) > MOST_PARK_BARS
    occupancy_report = occupancy.occupancy_report(scope, replace(filters, months=0))
    park_rows = [
        {**row, "province": park.province}
        for row, park in zip(occupancy_report.table.rows, scope.parks, strict=True)
    ]
    bars = occupancy_bars(park_rows, by_province)
    given = subsidy_given.subsidy_given_report(scope, filters)
    # Up to D's own month, as the collections report: what was received so far this month.
    months, _ = collections.period_rows(scope, day, report_periods(day, None, Period.of(day)))
    owed = collections.park_rows(scope, collections.owed_read(scope, day, limit=0), {})
    owed_totals = collections.owed_totals_of(owed)
    waiting_count = pipeline.waiting(scope, day).count()
    figures: dict[str, dict[str, Any]] = {
        "occupancy": dict(occupancy_report.figures),
        "subsidy-given": {"this_fiscal_year": given.figures["this_fiscal_year"]},
        "subsidy-liability": {"next_12": liability_next_12(scope, day)},
        "collections": owed_totals,
        "pipeline": {"waiting": waiting_count},
        "impact": impact.impact_headlines(scope, filters),
    }
    bands = age_bands(owed)
    by = "province" if by_province else "park"
    return StaffDashboard(
        scope=scope,
        as_of=day,
        cards=cards_of(figures),
        occupancy_by=by,
        occupancy=bars,
        occupancy_chart=occupancy_chart(bars, by),
        subsidy_chart=given.chart,
        collections_chart=collections_chart(months),
        age_bands=bands,
        ageing_chart=ageing_chart(bands),
        outstanding=owed_totals["outstanding"],
        overdue=owed_totals["overdue"],
        waiting=waiting_rows(scope, day) if waiting_count else [],
        waiting_count=waiting_count,
    )
