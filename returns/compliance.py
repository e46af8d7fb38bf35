"""Compliance with progress returns (domain.md §4a "PSEB and the park's managers see overdue
returns", §7.6 "returns due / filed / overdue"): per park and quarter, how many returns are
owed, filed, due and overdue on a day, and which are overdue.

Read over the owed-returns view (``returns.selectors.owed_returns``, whose ``status`` states
the rule once) in a constant number of queries whatever the number of parks and returns.
Unscoped: the caller passes the parks its user may see (``parks.selectors.parks_managed_by``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from core.calendar import FiscalQuarter
from core.vocabulary import ReturnStatus

from .domain import latest_quarter, quarters_up_to
from .models import OwedReturn
from .selectors import owed_returns

# Parks: their ids, a queryset of them (read as a subquery), or None for every park.
Parks = Collection[int] | QuerySet[Any] | None


@dataclass(frozen=True)
class ComplianceRow:
    """The returns owed for one park and quarter on a day, by status (owed = the sum)."""

    park_id: int
    quarter: FiscalQuarter
    filed: int = 0
    due: int = 0
    overdue: int = 0

    @property
    def owed(self) -> int:
        return self.filed + self.due + self.overdue

    @property
    def due_date(self) -> date:
        return self.quarter.due_date


@dataclass(frozen=True)
class OverdueReturn:
    """A return not filed by its due date: whose, where, for when, and how late."""

    key: str
    company_id: int
    company: str
    park_id: int
    park_code: str
    park: str
    quarter: FiscalQuarter
    due_date: date
    days_overdue: int


def last_quarters(today: date, count: int = 4) -> list[FiscalQuarter]:
    """The ``count`` quarters over by ``today`` (the last ones whose returns are owed),
    newest first."""
    return quarters_up_to(latest_quarter(today), count)[::-1]


def _owed(parks: Parks, quarters: Iterable[FiscalQuarter] | None, today: date) -> QuerySet:
    rows = owed_returns(today)
    if parks is not None:
        rows = rows.filter(park_id__in=parks)
    if quarters is not None:
        # By the view's own column (returns.selectors.owed_returns: never through quarter__).
        rows = rows.filter(first_day__in=[q.first for q in quarters])
    return rows


def compliance(
    parks: Parks, quarters: Iterable[FiscalQuarter] | None, today: date
) -> list[ComplianceRow]:
    """Per park and quarter with a return owed on ``today``: filed, due and overdue (one
    query). ``quarters`` None: every quarter. Newest quarter first, then by park id."""
    found: dict[tuple[int, FiscalQuarter], dict[str, int]] = {}
    counted = (
        _owed(parks, quarters, today)
        .order_by()
        .values("park_id", "quarter__start_year", "quarter__number", "status")
        .annotate(n=Count("key"))
    )
    for row in counted:
        quarter = FiscalQuarter(row["quarter__start_year"], row["quarter__number"])
        found.setdefault((row["park_id"], quarter), {})[row["status"]] = row["n"]
    return [
        ComplianceRow(
            park_id=park_id,
            quarter=quarter,
            filed=counts.get(ReturnStatus.FILED, 0),
            due=counts.get(ReturnStatus.DUE, 0),
            overdue=counts.get(ReturnStatus.OVERDUE, 0),
        )
        for (park_id, quarter), counts in sorted(found.items(), key=_newest_quarter_first)
    ]


def _newest_quarter_first(item: tuple[tuple[int, FiscalQuarter], Any]) -> tuple[int, int, int]:
    (park_id, quarter), _ = item
    return (-quarter.start_year, -quarter.number, park_id)


def overdue_returns(
    parks: Parks, quarters: Iterable[FiscalQuarter] | None, today: date
) -> QuerySet[OwedReturn]:
    """The returns overdue on ``today`` (lazy: count it, or slice it), the longest overdue
    first, then by company and park; company, park and quarter read with them."""
    return (
        _owed(parks, quarters, today)
        .filter(status=ReturnStatus.OVERDUE)
        .select_related("company", "park", "quarter")
        .order_by("due_date", "company__name", "park__code")
    )


def overdue_rows(returns: Iterable[OwedReturn], today: date) -> list[OverdueReturn]:
    """Overdue returns (``overdue_returns``, sliced or not) as their rows."""
    return [
        OverdueReturn(
            key=owed.key,
            company_id=owed.company_id,
            company=owed.company.name,
            park_id=owed.park_id,
            park_code=owed.park.code,
            park=owed.park.name,
            quarter=owed.quarter.fiscal_quarter,
            due_date=owed.quarter.due_date,
            days_overdue=(today - owed.quarter.due_date).days,
        )
        for owed in returns
    ]
