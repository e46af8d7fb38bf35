"""Jobs and impact (domain.md §7.6), from progress returns (§4a): per fiscal quarter Q, park,
city, province and tier, as of a date D.

- **Tenants**: the companies that owe a return for Q in a park (they held a lease there on a
  day of Q). A company in two parks is a tenant of each, and one tenant in a city, province,
  tier or total that holds both.
- **Returns owed** for Q; **filed**: those with a version that counts on D (the highest
  version filed by D, of a return still owed: ``returns.selectors.returns_counting``, the
  one definition of the returns that count); **due, overdue** (the others, by §4a's status
  rule on D: ``returns.domain.return_status``) and **compliance** (filed ÷ owed).
- **Employees in the park, women** and their **share**, **new hires** (and women), **export
  earnings (USD)** and **domestic revenue (PKR)**: sums over the same returns of Q that
  count on D.
- **Jobs since joining**: per company and park owing Q, the employees in the park in its
  latest return up to Q less those in its first return in that park (of the returns that
  count on D); summed. A company that has filed nothing there by D adds nothing.

Shares and compliance come from sums, never averages of percentages (§7). Every figure is
read in SQL, grouped per park (and quarter for the series): the report reads the same few
queries for 2 parks or 250 and 20,000 tenants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, RowRange, Sum, Window
from django.db.models.functions import Coalesce, FirstValue, LastValue, RowNumber

from core.calendar import FiscalQuarter
from core.charts import Chart, ChartKind, Series
from core.figures import percent
from core.money import ZERO
from core.tables import Column, Kind, Table, columns
from core.vocabulary import Province, ReturnStatus, Tier
from returns.domain import return_status
from returns.models import OwedReturn, ProgressReturn, Quarter
from returns.selectors import returns_counting

from ..frame import ParkRef, Report, ReportFilters, Scope
from ..public import PublicImpact, publishable
from ..quarters import (
    SERIES_QUARTERS,
    YEAR_QUARTERS,
    latest_quarter,
    published_quarter,
    quarters_up_to,
)
from .demand import city_key

# The figures summed from the returns that count, in the order the tables show them.
COUNTS = ("in_park", "in_park_women", "new_hires", "new_hires_women")
MONEY = ("export_earnings_usd", "domestic_revenue_pkr")
RETURN_PARTS = (*COUNTS, *MONEY)
STATUS_PARTS = ("owed", "due", "filed", "overdue")
SUMMED = (*STATUS_PARTS, *RETURN_PARTS, "jobs_since_joining")

FIGURE_COLUMNS = columns(
    ("tenants", "Tenants", Kind.COUNT),
    ("owed", "Returns owed", Kind.COUNT),
    ("due", "Due", Kind.COUNT),
    ("filed", "Filed", Kind.COUNT),
    ("overdue", "Overdue", Kind.COUNT),
    ("compliance_percent", "Compliance %", Kind.PERCENT),
    ("in_park", "Employees in the park", Kind.COUNT),
    ("in_park_women", "Women in the park", Kind.COUNT),
    ("women_percent", "Women's share %", Kind.PERCENT),
    ("new_hires", "New hires", Kind.COUNT),
    ("new_hires_women", "Women hired", Kind.COUNT),
    ("export_earnings_usd", "Export earnings (USD)", Kind.MONEY),
    ("domestic_revenue_pkr", "Domestic revenue (PKR)", Kind.MONEY),
    ("jobs_since_joining", "Jobs since joining", Kind.COUNT),
)
PARK_COLUMNS = columns(
    ("park", "Park code"),
    ("park_name", "Park"),
    ("city", "City"),
    ("province", "Province"),
    ("tier", "Tier"),
)
SERIES_COLUMNS = columns(
    ("quarter", "Quarter"),
    ("returns", "Returns filed", Kind.COUNT),
    ("in_park", "Employees in the parks", Kind.COUNT),
    ("in_park_women", "Women in the parks", Kind.COUNT),
    ("women_percent", "Women's share %", Kind.PERCENT),
    ("new_hires", "New hires", Kind.COUNT),
    ("export_earnings_usd", "Export earnings (USD)", Kind.MONEY),
    ("domestic_revenue_pkr", "Domestic revenue (PKR)", Kind.MONEY),
)


# --- The reads ------------------------------------------------------------------------------------
def _zero(key: str) -> Decimal | int:
    return ZERO if key in MONEY else 0


def _in_parks(rows: QuerySet[Any], park_ids: list[int] | None) -> QuerySet[Any]:
    """``rows`` of these parks (None: every park, for the national public figures)."""
    return rows if park_ids is None else rows.filter(park_id__in=park_ids)


@dataclass(frozen=True)
class Reported:
    """The quarter reported, the series of quarters up to it (oldest first), and the ids of
    the stored rows (``returns.models.Quarter``) of every quarter up to it."""

    quarter: FiscalQuarter
    series: tuple[FiscalQuarter, ...]
    ids: Mapping[FiscalQuarter, int]

    @property
    def year(self) -> tuple[FiscalQuarter, ...]:
        """The four quarters up to the one reported."""
        return self.series[-YEAR_QUARTERS:]

    def ids_of(self, quarters: Iterable[FiscalQuarter]) -> list[int]:
        """The ids of those of ``quarters`` the calendar stores (a series reaching back
        before the programme's first years has no returns there)."""
        return [self.ids[quarter] for quarter in quarters if quarter in self.ids]


def reported(quarter: FiscalQuarter) -> Reported:
    """``quarter``, the ``SERIES_QUARTERS`` up to it and the ids of every quarter up to it:
    one query. The reads below name quarters by id: the database then estimates the rows
    rightly (a join on the quarter's days looks like a few of the calendar's thousands of
    quarters, and the plan probes an index per return) and pushes the quarter into the view
    of owed returns, which otherwise pairs every open lease with every quarter to the
    calendar's end first."""
    series = tuple(quarters_up_to(quarter, SERIES_QUARTERS))
    rows = Quarter.objects.filter(first_day__lte=quarter.first).values_list(
        "start_year", "number", "id"
    )
    return Reported(quarter, series, {FiscalQuarter(y, n): pk for y, n, pk in rows})


def counted_returns(
    park_ids: list[int] | None, quarter_ids: list[int], as_of: date
) -> QuerySet[ProgressReturn]:
    """The returns that count on ``as_of`` (``returns.selectors.returns_counting``) of these
    parks and quarters."""
    rows = _in_parks(returns_counting(as_of), park_ids)
    return rows.filter(quarter_id__in=quarter_ids).order_by()


def owed_in(park_ids: list[int] | None, quarter_id: int) -> QuerySet[OwedReturn]:
    """The returns owed for the quarter ``quarter_id`` in these parks, filed or not: one per
    tenant and park."""
    return _in_parks(OwedReturn.objects.filter(quarter_id=quarter_id), park_ids).order_by()


def status_parts(owed: int, filed: int, quarter: FiscalQuarter, as_of: date) -> dict[str, int]:
    """Of ``owed`` returns for ``quarter``, ``filed`` (those with a version that counts on
    ``as_of``) and the others due or overdue on ``as_of`` (§4a's status: a return not filed
    is due until the quarter's due date and overdue after it)."""
    unfiled = return_status(due_date=quarter.due_date, filed=False, today=as_of)
    waiting = owed - filed
    return {
        "owed": owed,
        "filed": filed,
        "due": waiting if unfiled == ReturnStatus.DUE else 0,
        "overdue": waiting if unfiled == ReturnStatus.OVERDUE else 0,
    }


def jobs_since_joining(
    park_ids: list[int] | None,
    quarters: Reported,
    tenancies: Iterable[tuple[int, int]],
    as_of: date,
) -> dict[int, int]:
    """Per park: for each of ``tenancies`` (company, park) owing the quarter reported, the
    employees in the park in its latest return there up to that quarter less those in its
    first return there, of the returns that count on ``as_of``; summed. A tenancy with no
    return yet adds nothing.

    One query: window functions over the returns that count up to the quarter pick each
    company and park's latest return and the first one's figure, in one pass (no query or
    subquery per company)."""

    # One window (one sort): each company and park's returns oldest first, the whole
    # partition as the frame, so its first row carries the first and the latest figure.
    def over(function: Any) -> Window:
        return Window(
            function,
            partition_by=[F("company_id"), F("park_id")],
            order_by=F("quarter__first_day").asc(),
            frame=RowRange(start=None, end=None),
        )

    ranked = (
        _in_parks(returns_counting(as_of), park_ids)
        .filter(quarter_id__in=list(quarters.ids.values()))
        .annotate(
            first_in_park=over(FirstValue("in_park")),
            latest_in_park=over(LastValue("in_park")),
            rank=over(RowNumber()),
        )
        .filter(rank=1)
        .order_by()
        .values_list("company_id", "park_id", "latest_in_park", "first_in_park")
    )
    owing = set(tenancies)
    by_park: dict[int, int] = {}
    for company_id, park_id, latest, first in ranked:
        if (company_id, park_id) in owing:
            by_park[park_id] = by_park.get(park_id, 0) + latest - first
    return by_park


def tenancies(park_ids: list[int] | None, quarters: Reported) -> list[tuple[int, int]]:
    """(company id, park id) of every return owed for ``quarter``: who the tenants are, to
    count each company once per city, province, tier or total. One query."""
    owed = owed_in(park_ids, quarters.ids[quarters.quarter])
    return list(owed.values_list("company_id", "park_id"))


def returns_by_park_and_quarter(
    park_ids: list[int] | None, quarters: Reported, as_of: date
) -> dict[tuple[int, FiscalQuarter], dict[str, Any]]:
    """Per park and quarter of the series: the returns that count on ``as_of`` (for the
    quarter reported: the returns filed), and the sums of their figures. One query."""
    quarter_of = {pk: quarter for quarter, pk in quarters.ids.items()}
    rows = (
        counted_returns(park_ids, quarters.ids_of(quarters.series), as_of)
        .values("park_id", "quarter_id")
        .annotate(returns=Count("id"), **{key: Sum(key) for key in RETURN_PARTS})
    )
    return {(row.pop("park_id"), quarter_of[row.pop("quarter_id")]): row for row in rows}


@dataclass(frozen=True)
class ReturnTotals:
    """The returns that count over some parks and quarters: how many, their figures summed,
    and how many companies each figure rests on (the public page shows no figure resting on
    fewer than 3): ``employers`` state employees in the park, ``exporters`` export earnings."""

    returns: int
    employers: int
    exporters: int
    in_park: int
    in_park_women: int
    export_earnings_usd: Decimal

    @property
    def women_percent(self) -> Decimal | None:
        return percent(self.in_park_women, self.in_park)


def return_totals(
    park_ids: list[int] | None, quarters: Reported, as_of: date
) -> tuple[ReturnTotals, ReturnTotals]:
    """``counted_returns`` on ``as_of`` summed over the quarter reported and over the four
    quarters up to it, in one query (the home page's and the overview's figures)."""
    employing, exporting = Q(in_park__gt=0), Q(export_earnings_usd__gt=0)

    def totals(prefix: str, within: Q) -> dict[str, Any]:
        return {
            f"{prefix}returns": Count("id", filter=within),
            f"{prefix}employers": Count("company_id", distinct=True, filter=within & employing),
            f"{prefix}exporters": Count("company_id", distinct=True, filter=within & exporting),
            f"{prefix}in_park": Coalesce(Sum("in_park", filter=within), 0),
            f"{prefix}in_park_women": Coalesce(Sum("in_park_women", filter=within), 0),
            f"{prefix}export_earnings_usd": Coalesce(
                Sum("export_earnings_usd", filter=within), ZERO
            ),
        }

    now = Q(quarter_id=quarters.ids[quarters.quarter])
    sums = counted_returns(park_ids, quarters.ids_of(quarters.year), as_of).aggregate(
        **totals("now_", now), **totals("year_", Q())
    )

    def part(prefix: str) -> ReturnTotals:
        return ReturnTotals(
            **{key.removeprefix(prefix): v for key, v in sums.items() if key.startswith(prefix)}
        )

    return part("now_"), part("year_")


def owed_and_tenants(park_ids: list[int] | None, quarters: Reported) -> tuple[int, int]:
    """The returns owed for the quarter reported in these parks, and the companies owing
    them, each counted once (one query)."""
    owed = owed_in(park_ids, quarters.ids[quarters.quarter]).aggregate(
        owed=Count("company_id"), tenants=Count("company_id", distinct=True)
    )
    return int(owed["owed"]), int(owed["tenants"])


# --- The figures from the parts -------------------------------------------------------------------
def with_shares(parts: Mapping[str, Any]) -> dict[str, Any]:
    """Compliance and women's share from (possibly summed) parts: never an average of
    percentages."""
    return {
        **parts,
        "compliance_percent": percent(parts["filed"], parts["owed"]),
        "women_percent": percent(parts["in_park_women"], parts["in_park"]),
    }


def summed(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    rows = list(rows)
    return {key: sum((row[key] for row in rows), _zero(key)) for key in SUMMED}


def park_parts(
    status: Mapping[str, int], since_joining: int, figures: Mapping[str, Any] | None
) -> dict[str, Any]:
    parts: dict[str, Any] = {key: _zero(key) for key in SUMMED}
    parts |= status
    parts["jobs_since_joining"] = since_joining
    for key in RETURN_PARTS:
        parts[key] = (figures or {}).get(key) or _zero(key)
    return parts


@dataclass(frozen=True)
class Grouping:
    """A table of the park rows summed by a key: per city, province or tier."""

    name: str
    title: str
    columns: tuple[Column, ...]
    key: Callable[[ParkRef], str]
    cells: Callable[[ParkRef], dict[str, str]]


GROUPINGS = (
    Grouping(
        "cities",
        "Per city",
        columns(("city", "City"), ("province", "Province")),
        lambda park: city_key(park.city),
        lambda park: {"city": " ".join(park.city.split()), "province": park.province_label},
    ),
    Grouping(
        "provinces",
        "Per province",
        columns(("province", "Province")),
        lambda park: park.province,
        lambda park: {"province": park.province_label},
    ),
    Grouping(
        "tiers",
        "Per tier",
        columns(("tier", "Tier")),
        lambda park: park.tier,
        lambda park: {"tier": park.tier_label},
    ),
)
GROUP_ORDER: dict[str, Callable[[str], Any]] = {
    "cities": lambda key: key,
    "provinces": lambda key: list(Province.values).index(key),
    "tiers": lambda key: list(Tier.values).index(key),
}


def grouped_rows(
    grouping: Grouping,
    parks: Iterable[ParkRef],
    park_rows: Mapping[int, Mapping[str, Any]],
    pairs: list[tuple[int, int]],
) -> list[dict[str, Any]]:
    """The park rows summed per group, each group's tenants counted once."""
    by_id = {park.id: park for park in parks}
    members: dict[str, list[ParkRef]] = {}
    for park in by_id.values():
        members.setdefault(grouping.key(park), []).append(park)
    companies: dict[str, set[int]] = {}
    for company_id, park_id in pairs:
        if park_id in by_id:
            companies.setdefault(grouping.key(by_id[park_id]), set()).add(company_id)
    return [
        {
            **grouping.cells(group[0]),
            "tenants": len(companies.get(key, ())),
            **with_shares(summed(park_rows[park.id] for park in group)),
        }
        for key in sorted(members, key=GROUP_ORDER[grouping.name])
        for group in [members[key]]
    ]


def series_rows(
    parks: Iterable[ParkRef],
    by_park_quarter: Mapping[tuple[int, FiscalQuarter], Mapping[str, Any]],
    quarters: list[FiscalQuarter],
) -> list[dict[str, Any]]:
    """The scope's returns that count, summed per quarter, oldest first."""
    ids = [park.id for park in parks]
    rows = []
    for quarter in quarters:
        found = [by_park_quarter[(i, quarter)] for i in ids if (i, quarter) in by_park_quarter]
        row: dict[str, Any] = {"quarter": str(quarter)}
        row["returns"] = sum(r["returns"] for r in found)
        for key in RETURN_PARTS:
            row[key] = sum((r[key] for r in found), _zero(key))
        row["women_percent"] = percent(row["in_park_women"], row["in_park"])
        rows.append(row)
    return rows


def impact_headlines(scope: Scope, filters: ReportFilters) -> dict[str, Any]:
    """The overview's figures of the report without its tables (three queries): jobs in the
    parks and women's share in the quarter, exports over the last four quarters up to it,
    compliance."""
    quarters = reported(filters.quarter or latest_quarter(filters.as_of))
    owed, _ = owed_and_tenants(scope.ids, quarters)
    now, year = return_totals(scope.ids, quarters, filters.as_of)
    return {
        "quarter": str(quarters.quarter),
        "in_park": now.in_park,
        "women_percent": now.women_percent,
        "exports_last_4_quarters": year.export_earnings_usd,
        "compliance_percent": percent(now.returns, owed),
    }


# --- The report -----------------------------------------------------------------------------------
def impact_report(scope: Scope, filters: ReportFilters) -> Report:
    """domain.md §7.6 for the quarter Q (default: the latest one over on D), per park, city,
    province and tier, with the series of the 8 quarters up to Q.

    Queries: the quarters' ids (one), the returns owed for Q (who the tenants are; one),
    the jobs since joining (one), the returns that count per park and quarter for the
    series, Q's filed among them (one): four, whatever the number of parks, tenants, returns
    and quarters.
    """
    as_of = filters.as_of
    quarters = reported(filters.quarter or latest_quarter(as_of))
    quarter = quarters.quarter
    pairs = tenancies(scope.ids, quarters)
    since_joining = jobs_since_joining(scope.ids, quarters, pairs, as_of)
    by_park_quarter = returns_by_park_and_quarter(scope.ids, quarters, as_of)

    tenants_per_park: dict[int, int] = {}  # one return owed per tenant and park
    for _, park_id in pairs:
        tenants_per_park[park_id] = tenants_per_park.get(park_id, 0) + 1
    parts = {}
    for park in scope.parks:
        figures = by_park_quarter.get((park.id, quarter))
        owed, filed = tenants_per_park.get(park.id, 0), (figures or {}).get("returns", 0)
        parts[park.id] = park_parts(
            status_parts(owed, filed, quarter, as_of), since_joining.get(park.id, 0), figures
        )
    rows = [
        {
            "park": park.code,
            "park_name": park.name,
            "city": park.city,
            "province": park.province_label,
            "tier": park.tier_label,
            "tenants": tenants_per_park.get(park.id, 0),
            **with_shares(parts[park.id]),
        }
        for park in scope.parks
    ]
    all_tenants = len({company_id for company_id, _ in pairs})
    figures = {"tenants": all_tenants, **with_shares(summed(rows))}
    totals = {"park_name": scope.label, **figures}

    tables: dict[str, Table] = {}
    for grouping in GROUPINGS:
        grouped = grouped_rows(grouping, scope.parks, parts, pairs)
        tables[grouping.name] = Table(
            columns=grouping.columns + FIGURE_COLUMNS,
            rows=grouped,
            totals={grouping.columns[0].key: scope.label, **figures} if grouped else None,
            title=f"{grouping.title}, {quarter}",
            empty="No parks for these filters.",
        )
    series = series_rows(scope.parks, by_park_quarter, list(quarters.series))
    tables["series"] = Table(
        columns=SERIES_COLUMNS,
        rows=series,
        title=f"{scope.label}: the {len(quarters.series)} quarters up to {quarter}",
    )
    labels = tuple(row["quarter"] for row in series)
    charts = (
        Chart(
            kind=ChartKind.LINE,
            title="Jobs in the parks",
            description=(
                f"{scope.label}: employees working from the parks and the women among them, "
                f"as the returns filed for each of the {len(quarters.series)} quarters up to "
                f"{quarter} state them."
            ),
            labels=labels,
            series=(
                Series("Employees in the parks", tuple(r["in_park"] for r in series)),
                Series("Women", tuple(r["in_park_women"] for r in series)),
            ),
            unit=Kind.COUNT,
        ),
        Chart(
            kind=ChartKind.LINE,
            title="Women's share of jobs in the parks",
            description=(
                f"{scope.label}: women's share of the employees working from the parks, per "
                f"quarter, from the summed returns."
            ),
            labels=labels,
            series=(Series("Women's share", tuple(r["women_percent"] for r in series)),),
            unit=Kind.PERCENT,
        ),
        Chart(
            kind=ChartKind.BARS,
            title="Export earnings (USD)",
            description=(
                f"{scope.label}: export earnings received in each quarter, in US dollars, as "
                "the returns filed state them."
            ),
            labels=labels,
            series=(Series("Export earnings", tuple(r["export_earnings_usd"] for r in series)),),
            unit=Kind.MONEY,
        ),
    )
    last_year = series[-YEAR_QUARTERS:]
    return Report(
        name="impact",
        title="Jobs and impact",
        filters=filters,
        scope=scope,
        table=Table(
            columns=PARK_COLUMNS + FIGURE_COLUMNS,
            rows=rows,
            totals=totals,
            title=f"Jobs and impact per park, {quarter}",
            empty="No parks for these filters.",
        ),
        tables=tables,
        figures={
            "quarter": str(quarter),
            "tenants": all_tenants,
            "owed": totals["owed"],
            "filed": totals["filed"],
            "overdue": totals["overdue"],
            "compliance_percent": totals["compliance_percent"],
            "in_park": totals["in_park"],
            "women_percent": totals["women_percent"],
            "new_hires": totals["new_hires"],
            "jobs_since_joining": totals["jobs_since_joining"],
            "exports_last_4_quarters": sum((r["export_earnings_usd"] for r in last_year), ZERO),
        },
        chart=charts[0],
        charts=charts[1:],
        notes=(
            f"{quarter}: tenants are the companies that held a lease in the park on a day of "
            f"the quarter and so owe it a return, due on {quarter.due_date:%d %B %Y}; "
            f"compliance is the share of those returns filed by {as_of:%d %B %Y}.",
            f"Figures are those of the returns filed by {as_of:%d %B %Y} that are still owed, "
            "the latest version of each filed by then (an amendment replaces what it "
            "corrects). A company in two parks is a tenant of each, and one tenant in a total. "
            "Shares and compliance are computed from the sums.",
            "Jobs since joining: for each tenant, the employees in the park in its latest "
            "return up to the quarter less those in its first return there.",
        ),
    )


# --- The public figures ---------------------------------------------------------------------------
def public_impact(as_of: date) -> PublicImpact:
    """The national figures of the home page (issue 11), read by the report's own selectors
    for every park: the tenants of the latest quarter whose returns' due date has passed
    (``reports.quarters.published_quarter``), the jobs in the parks and women's share its
    returns state, and the exports of the four quarters up to it; each withheld when the
    companies it rests on are fewer than ``MIN_COMPANIES`` (the tenants; the companies
    stating jobs in the park; the companies stating exports). Three queries."""
    quarters = reported(published_quarter(as_of))
    _, tenants = owed_and_tenants(None, quarters)
    now, year = return_totals(None, quarters, as_of)
    return PublicImpact(
        quarter=str(quarters.quarter),
        year=f"{quarters.year[0]} to {quarters.year[-1]}",
        tenants=publishable(tenants, tenants),
        jobs=publishable(now.in_park, now.employers),
        women_percent=publishable(now.women_percent, now.employers),
        exports_usd=publishable(year.export_earnings_usd, year.exporters),
    )
