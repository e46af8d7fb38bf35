"""What the public home page may say about the programme's impact (issue 11): national
totals only, and no figure that rests on so few companies that it would tell one company's
own numbers. No Django import."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

# A figure resting on fewer companies than this is not shown (with 1 or 2, a reader who
# knows one of them could work out the other's figures).
MIN_COMPANIES = 3
HIDDEN = "—"

V = TypeVar("V")


def publishable(value: V, companies: int) -> V | None:
    """``value`` if it rests on at least ``MIN_COMPANIES`` companies, else None (shown as
    ``HIDDEN``)."""
    return value if companies >= MIN_COMPANIES else None


@dataclass(frozen=True)
class PublicImpact:
    """The home page's impact figures; None where a figure is withheld (or has nothing to
    measure, like a share of no jobs)."""

    quarter: str  # the latest quarter over: tenants, jobs and women's share
    year: str  # the four quarters of the exports, "2025-26 Q2 to 2026-27 Q1"
    tenants: int | None
    jobs: int | None
    women_percent: Decimal | None
    exports_usd: Decimal | None
