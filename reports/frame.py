"""The frame every programme report is built in (domain.md §7).

A report is read as of a date D, for the parks in the caller's scope narrowed by the §7
filters (park, province, tier, status), and answers a ``Report``: its main table (the page's
table, the file's rows and the API's ``rows``/``totals``), further named tables, headline
figures and an optional chart. The page, the files and the API all render this one object,
so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils import timezone

from core.calendar import FiscalQuarter, Period
from core.charts import Chart
from core.permissions import has_permission
from core.tables import Table
from core.vocabulary import ParkStatus, Province, Tier
from parks.selectors import parks_managed_by

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclass(frozen=True)
class ReportFilters:
    """What a report is narrowed to (§7): as of ``as_of``; a park (by code), province, tier
    or park status; for the period reports, the months ``period_from``..``period_to``; for
    the quarterly ones (impact), the fiscal ``quarter``."""

    as_of: date
    park: str = ""
    province: str = ""
    tier: str = ""
    status: str = ""
    period_from: Period | None = None
    period_to: Period | None = None
    months: int = 0  # occupancy: 12 adds the month-end series
    quarter: FiscalQuarter | None = None  # impact: the quarter reported

    @classmethod
    def default(cls) -> ReportFilters:
        return cls(as_of=timezone.localdate())

    def described(self) -> list[tuple[str, str]]:
        """The filters in words, for a file's first rows (only those set, as-of first)."""
        words = [("As of", f"{self.as_of:%Y-%m-%d}")]
        if self.park:
            words.append(("Park", self.park))
        if self.province:
            words.append(("Province", Province(self.province).label))
        if self.tier:
            words.append(("Tier", Tier(self.tier).label))
        if self.status:
            words.append(("Park status", ParkStatus(self.status).label))
        if self.period_from:
            words.append(("From", str(self.period_from)))
        if self.period_to:
            words.append(("To", str(self.period_to)))
        if self.months:
            words.append(("Months of history", str(self.months)))
        if self.quarter:
            words.append(("Quarter", str(self.quarter)))
        return words

    def slug(self) -> str:
        """The filters for a file name: ``asof-2026-12-01_park-GUJ_tier-secondary``."""
        parts = [f"asof-{self.as_of:%Y-%m-%d}"]
        for key, value in (
            ("park", self.park),
            ("province", self.province),
            ("tier", self.tier),
            ("status", self.status),
            ("from", str(self.period_from or "")),
            ("to", str(self.period_to or "")),
            ("months", str(self.months or "")),
            ("quarter", str(self.quarter or "").replace(" ", "-")),
        ):
            if value:
                parts.append(f"{key}-{value}")
        return "_".join(parts)


@dataclass(frozen=True)
class ParkRef:
    """A park as the reports print it (one query reads them all)."""

    id: int
    code: str
    name: str
    city: str
    province: str
    tier: str
    status: str
    opening_date: date | None

    @property
    def province_label(self) -> str:
        return Province(self.province).label

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label

    @property
    def status_label(self) -> str:
        return ParkStatus(self.status).label


PARK_REF_FIELDS = ("id", "code", "name", "city", "province", "tier", "status", "opening_date")


@dataclass(frozen=True)
class Scope:
    """The parks a report covers: the caller's (PSEB: every park; a manager: theirs)
    narrowed by the filters. ``label`` names them on the page ("All parks", "Your parks")."""

    parks: tuple[ParkRef, ...]
    label: str
    whole_programme: bool

    @property
    def ids(self) -> list[int]:
        return [park.id for park in self.parks]

    @property
    def by_id(self) -> dict[int, ParkRef]:
        return {park.id: park for park in self.parks}


def may_read_reports(user: User | AnonymousUser) -> bool:
    """PSEB staff and park managers read the reports; nobody else (§7)."""
    return bool(has_permission("manage_parks", user))


def report_parks(user: User | AnonymousUser) -> Any:
    """The parks whose figures ``user`` may read: PSEB all, a manager theirs; anyone else
    gets 404 (never 403: existence is not leaked)."""
    if not may_read_reports(user):
        raise Http404("No such report.")
    return parks_managed_by(user)


def report_scope(user: User | AnonymousUser, filters: ReportFilters) -> Scope:
    """The caller's parks narrowed by ``filters``, read once (one query)."""
    parks = report_parks(user)
    is_pseb = bool(getattr(user, "is_pseb_staff", False))
    if filters.park:
        parks = parks.filter(code=filters.park)
    if filters.province:
        parks = parks.filter(province=filters.province)
    if filters.tier:
        parks = parks.filter(tier=filters.tier)
    if filters.status:
        parks = parks.filter(status=filters.status)
    refs = tuple(
        ParkRef(*values) for values in parks.order_by("name").values_list(*PARK_REF_FIELDS)
    )
    narrowed = bool(filters.park or filters.province or filters.tier or filters.status)
    label = ("All parks" if is_pseb else "Your parks") if not narrowed else "Parks shown"
    return Scope(parks=refs, label=label, whole_programme=is_pseb and not narrowed)


def park_choices(user: User | AnonymousUser) -> list[tuple[str, str]]:
    """The parks a user may pick in a report's park filter (code, name)."""
    return list(report_parks(user).order_by("name").values_list("code", "name"))


@dataclass(frozen=True)
class Report:
    """One report as of a date: what its page, its files and its API answer show."""

    name: str
    title: str
    filters: ReportFilters
    scope: Scope
    table: Table
    # Further tables, by name: shown under the main one, exported with ``?table=<name>``,
    # and in the API answer under their name.
    tables: Mapping[str, Table] = field(default_factory=dict)
    # Headline figures (money, counts, percents), for the overview cards and the API.
    figures: Mapping[str, Any] = field(default_factory=dict)
    chart: Chart | None = None
    charts: tuple[Chart, ...] = ()  # further charts, drawn under the first
    notes: tuple[str, ...] = ()  # sentences under the title: what the figures mean
    computed_at: Any = None  # for a cached figure: when it was computed

    @property
    def as_of(self) -> date:
        return self.filters.as_of

    def table_named(self, name: str) -> Table:
        if not name or name == "main":
            return self.table
        try:
            return self.tables[name]
        except KeyError:
            raise Http404("No such table in this report.") from None


Builder = Callable[[Scope, ReportFilters], Report]


@dataclass(frozen=True)
class ReportSpec:
    """A report's name in URLs and the API, its title, what it means in a sentence (the
    README and the overview say it), the filters it takes beyond the common ones, and the
    function that builds it."""

    name: str
    title: str
    summary: str
    build: Builder
    periods: bool = False  # takes ``from``/``to``
    months: bool = False  # takes ``months``
    quarters: bool = False  # takes ``quarter``
