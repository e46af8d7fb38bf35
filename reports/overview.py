"""The programme overview (issue 10): a card per headline figure, each from its report's
own figures (so a card and its report never disagree), each linking to the report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from core.tables import Kind

from .frame import ReportFilters, Scope
from .registry import REPORTS


@dataclass(frozen=True)
class Card:
    title: str
    value: Any
    kind: Kind
    detail: str
    url: str


def cards(scope: Scope, filters: ReportFilters) -> list[Card]:
    """Parks open, occupancy, tenants, subsidy given this fiscal year, liability for the
    next 12 months, outstanding and overdue, applications waiting (issue 10, point 3)."""
    figures = {name: spec.build(scope, filters).figures for name, spec in REPORTS.items()}

    def url(name: str) -> str:
        return reverse("reports:report", args=[name])

    occupancy = figures["occupancy"]
    given = figures["subsidy-given"]
    liability = figures["subsidy-liability"]
    collections = figures["collections"]
    pipeline = figures["pipeline"]
    return [
        Card(
            "Parks open", occupancy["parks_open"], Kind.COUNT, "open to tenants", url("occupancy")
        ),
        Card(
            "Occupancy",
            occupancy["occupancy_percent"],
            Kind.PERCENT,
            "of leasable area leased today",
            url("occupancy"),
        ),
        Card(
            "Tenants",
            occupancy["tenants"],
            Kind.COUNT,
            "companies with a lease today",
            url("occupancy"),
        ),
        Card(
            "Subsidy given",
            given["this_fiscal_year"],
            Kind.MONEY,
            "PKR, this fiscal year, net of credit notes",
            url("subsidy-given"),
        ),
        Card(
            "Subsidy liability",
            liability["next_12"],
            Kind.MONEY,
            "PKR, the next 12 months of the leases recorded today",
            url("subsidy-liability"),
        ),
        Card(
            "Outstanding",
            collections["outstanding"],
            Kind.MONEY,
            "PKR owed on issued statements",
            url("collections"),
        ),
        Card(
            "Overdue",
            collections["overdue"],
            Kind.MONEY,
            "PKR of it past its due date",
            url("collections"),
        ),
        Card(
            "Applications waiting",
            pipeline["waiting"],
            Kind.COUNT,
            "submitted or under review",
            url("pipeline"),
        ),
    ]
