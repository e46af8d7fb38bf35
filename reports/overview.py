"""The programme overview (issue 10): a card per headline figure, each from its report's
own figures (so a card and its report never disagree), each linking to the report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from core.money import ZERO
from core.tables import Kind

from .frame import ReportFilters, Scope
from .selectors import collections, impact, occupancy, pipeline, subsidy_given
from .selectors.liability import liability_cached


@dataclass(frozen=True)
class Card:
    """One headline figure: its value and kind, a sentence of what it counts, the report it
    opens, and the icon it is drawn with (a name in the vendored Tabler Icons sprite)."""

    title: str
    value: Any
    kind: Kind
    detail: str
    url: str
    icon: str = "chart-bar"


def headlines(scope: Scope, filters: ReportFilters) -> dict[str, dict[str, Any]]:
    """Each report's headline figures, read by the same selectors as the report but
    without its tables (the overview needs no per-park table, no debtors list, no series):
    the same numbers the reports show, for a fraction of their reading."""
    as_of = filters.as_of
    at_a_glance = replace(filters, months=0)
    owed = collections.owed_totals(scope, as_of)
    return {
        "occupancy": dict(occupancy.occupancy_report(scope, at_a_glance).figures),
        "subsidy-given": {"this_fiscal_year": subsidy_given.this_fiscal_year(scope, as_of)},
        "subsidy-liability": {"next_12": liability_next_12(scope, as_of)},
        "collections": owed,
        "pipeline": {"waiting": pipeline.waiting(scope, as_of).count()},
        "impact": impact.impact_headlines(scope, filters),
    }


def liability_next_12(scope: Scope, as_of: date) -> Decimal:
    """The subsidy liability of the scope's parks for the next 12 months (§7.3), from the
    cached projection (a hit reads no table)."""
    liability, _ = liability_cached(
        scope.ids, {park.id: park.opening_date for park in scope.parks}, as_of
    )
    return sum((liability.next_periods(park_id) for park_id in scope.ids), ZERO)


def cards(scope: Scope, filters: ReportFilters) -> list[Card]:
    """Parks open, occupancy, tenants, subsidy given this fiscal year, liability for the
    next 12 months, outstanding and overdue, applications waiting (issue 10, point 3); jobs
    in the parks, women's share, exports and returns filed (issue 11)."""
    return cards_of(headlines(scope, filters))


def cards_of(figures: dict[str, dict[str, Any]]) -> list[Card]:
    """The cards of ``figures``, keyed as ``headlines`` answers them (a dashboard that has
    read the whole reports passes their own figures)."""

    def url(name: str) -> str:
        return reverse("reports:report", args=[name])

    occupancy = figures["occupancy"]
    given = figures["subsidy-given"]
    liability = figures["subsidy-liability"]
    collections = figures["collections"]
    pipeline = figures["pipeline"]
    impact = figures["impact"]
    return [
        Card(
            "Parks open",
            occupancy["parks_open"],
            Kind.COUNT,
            "open to tenants",
            url("occupancy"),
            "building-community",
        ),
        Card(
            "Occupancy",
            occupancy["occupancy_percent"],
            Kind.PERCENT,
            "of leasable area leased today",
            url("occupancy"),
            "chart-bar",
        ),
        Card(
            "Tenants",
            occupancy["tenants"],
            Kind.COUNT,
            "companies with a lease today",
            url("occupancy"),
            "users",
        ),
        Card(
            "Subsidy given",
            given["this_fiscal_year"],
            Kind.MONEY,
            "PKR, this fiscal year, net of credit notes",
            url("subsidy-given"),
            "cash",
        ),
        Card(
            "Subsidy liability",
            liability["next_12"],
            Kind.MONEY,
            "PKR, the next 12 months of the leases recorded today",
            url("subsidy-liability"),
            "calendar",
        ),
        Card(
            "Outstanding",
            collections["outstanding"],
            Kind.MONEY,
            "PKR owed on issued statements",
            url("collections"),
            "file-invoice",
        ),
        Card(
            "Overdue",
            collections["overdue"],
            Kind.MONEY,
            "PKR of it past its due date",
            url("collections"),
            "alert-triangle",
        ),
        Card(
            "Applications waiting",
            pipeline["waiting"],
            Kind.COUNT,
            "submitted or under review",
            url("pipeline"),
            "clipboard-list",
        ),
        Card(
            "Jobs in the parks",
            impact["in_park"],
            Kind.COUNT,
            f"employees working from the parks, {impact['quarter']} returns",
            url("impact"),
            "user",
        ),
        Card(
            "Women's share",
            impact["women_percent"],
            Kind.PERCENT,
            f"of the jobs in the parks, {impact['quarter']}",
            url("impact"),
            "users",
        ),
        Card(
            "Export earnings",
            impact["exports_last_4_quarters"],
            Kind.MONEY,
            f"USD, the four quarters to {impact['quarter']}",
            url("impact"),
            "report-analytics",
        ),
        Card(
            "Returns filed",
            impact["compliance_percent"],
            Kind.PERCENT,
            f"of the progress returns owed for {impact['quarter']}",
            url("impact"),
            "file-text",
        ),
    ]
