"""Subsidy liability on a date D: the programme's budget figure (domain.md §7.3).

The subsidy billing will give for the periods from D's month on, given the leases recorded
on D (any let not ended before D's month: active and scheduled, or ending within it), each
running to its end date (open-ended: for ever) at its agreed prices, inside each company's
window in the park: the stored one, or where none is stored yet the one §5 would fix at its
first lease's start with the schemes as they stand. Billing's own loader
(``subsidies.loading``) reads the data and billing's own line rule projects it
(``subsidies.projection``), so a period billed later moves from liability to subsidy given
rupee for rupee. Projected, never stored in a table; a fixed number of queries whatever the
data size. The report keeps the projection in the cache until its data change
(``liability_cached``) and says when it was computed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from core.calendar import Period
from core.charts import Chart, ChartKind, Series
from core.money import ZERO
from core.tables import Kind, Table, columns
from parks.models import Park
from reports.frame import Report, ReportFilters, Scope
from subsidies import loading
from subsidies.liability_version import liability_version
from subsidies.projection import NOTHING, Projection, Subsidy, project_subsidy

HORIZON = 12  # the periods the main table shows, from D's month (§7.3, api.md)


@dataclass(frozen=True)
class Liability:
    """The projected subsidy per park and period from ``first`` on (periods without any are
    left out), and per park the last day of the latest window still giving subsidy."""

    first: Period
    by_park: Mapping[int, Mapping[Period, Subsidy]] = field(default_factory=dict)
    closes: Mapping[int, date] = field(default_factory=dict)

    def periods(self, count: int = HORIZON) -> list[Period]:
        """``count`` periods from the first."""
        periods = [self.first]
        while len(periods) < count:
            periods.append(periods[-1].next())
        return periods

    def of(self, park_id: int, period: Period) -> Subsidy:
        return self.by_park.get(park_id, {}).get(period, NOTHING)

    def next_periods(self, park_id: int, count: int = HORIZON) -> Decimal:
        """A park's liability for the ``count`` periods from the first."""
        return sum((self.of(park_id, p).total for p in self.periods(count)), ZERO)

    def to_end(self, park_id: int) -> Decimal:
        """A park's liability until its last window closes."""
        return sum((s.total for s in self.by_park.get(park_id, {}).values()), ZERO)


def subsidy_liability(
    park_ids: Collection[int], openings: Mapping[int, date | None], as_of: date
) -> Liability:
    """The liability of the parks ``park_ids`` on ``as_of`` (§7.3); ``openings`` gives each
    park's opening date (a ``park_opening`` scheme anchors the window there, §5 rule 4).

    Five queries at most: the lets, the first lease starts, the stored windows, and (only
    when some company has no stored window yet) the schemes with their parks.
    """
    first = Period.of(as_of)
    lets = loading.lets_load(park_ids, first=first.first, subsidisable=True)
    if not lets:
        return Liability(first)
    stored = loading.windows_stored(park_ids, open_after=first.first)
    unfixed_pairs = [pair for pair in lets if pair not in stored]
    unfixed = {}
    if unfixed_pairs:
        unfixed = loading.windows_unfixed(
            unfixed_pairs,
            loading.first_lease_starts(park_ids, {company for _, company in unfixed_pairs}),
            openings,
            loading.schemes_load(),
        )
    projections: defaultdict[int, Projection] = defaultdict(Projection)
    closes: dict[int, date] = {}
    for pair, company_lets in lets.items():
        window = stored.get(pair) or unfixed.get(pair)
        if window is None or not project_subsidy(company_lets, window, first, projections[pair[0]]):
            continue
        if pair[0] not in closes or window.last_day > closes[pair[0]]:
            closes[pair[0]] = window.last_day
    by_park = {park_id: p.by_period() for park_id, p in projections.items() if p}
    return Liability(first, by_park, closes)


CACHE_FOR = 60 * 60  # seconds: a safety net for writes made around the services


def _cache_key(park_ids: Collection[int], openings: Mapping[int, date | None], as_of: date) -> str:
    parks = ",".join(f"{pk}:{openings.get(pk)}" for pk in sorted(park_ids))
    digest = hashlib.sha256(parks.encode()).hexdigest()[:32]
    # The projection depends on D's month only (§7.3: from D's month on).
    return f"reports:liability:{liability_version()}:{Period.of(as_of)}:{digest}"


def liability_cached(
    park_ids: Collection[int], openings: Mapping[int, date | None], as_of: date
) -> tuple[Liability, datetime]:
    """``subsidy_liability`` and when it was computed, kept in the cache under the version
    of its data (``subsidies.liability_version``: leases recorded or ended, schemes created
    or changed and billing's runs bump it) for the parks (with their opening dates) and D's
    month. A hit reads no table at all."""
    key = _cache_key(park_ids, openings, as_of)
    hit = cache.get(key)
    if isinstance(hit, tuple):
        return hit
    computed = (subsidy_liability(park_ids, openings, as_of), timezone.now())
    cache.set(key, computed, timeout=CACHE_FOR)
    return computed


def programme_liability_warm(as_of: date | None = None) -> bool:
    """Make sure the cache holds the liability of every park (PSEB's scope with no filter)
    for D's month under the current version; answers whether it had to be projected."""
    parks = dict(Park.objects.values_list("pk", "opening_date"))
    day = as_of or timezone.localdate()
    if cache.get(_cache_key(list(parks), parks, day)) is not None:
        return False
    liability_cached(list(parks), parks, day)
    return True


MAIN_COLUMNS = columns(
    ("park", "Park code"),
    ("park_name", "Park"),
    ("period", "Period", Kind.PERIOD),
    ("rent_subsidy", "Rent subsidy", Kind.MONEY),
    ("internet_subsidy", "Internet subsidy", Kind.MONEY),
    ("subsidy", "Subsidy", Kind.MONEY),
)
PARK_COLUMNS = columns(
    ("park", "Park code"),
    ("park_name", "Park"),
    ("next_12", "Next 12 periods", Kind.MONEY),
    ("total_to_end", "Until the last window closes", Kind.MONEY),
    ("last_window_closes", "Last window closes", Kind.DATE),
)


def subsidy_liability_report(scope: Scope, filters: ReportFilters) -> Report:
    """Subsidy liability (§7.3): per park and period for the next 12 periods from the as-of
    month (parks with none left out), a table per park (next 12 periods, until the last
    window closes), the headline figures and a chart of the next 12 periods' subsidy; with
    ``computed_at``, when the (cached) projection was made."""
    liability, computed_at = liability_cached(
        scope.ids, {park.id: park.opening_date for park in scope.parks}, filters.as_of
    )
    periods = liability.periods()
    rows: list[dict[str, object]] = []
    park_rows: list[dict[str, object]] = []
    per_period = dict.fromkeys(periods, NOTHING)
    for park in scope.parks:
        next_12 = liability.next_periods(park.id)
        park_rows.append(
            {
                "park": park.code,
                "park_name": park.name,
                "next_12": next_12,
                "total_to_end": liability.to_end(park.id),
                "last_window_closes": liability.closes.get(park.id),
            }
        )
        if not next_12:
            continue
        for period in periods:
            amount = liability.of(park.id, period)
            per_period[period] += amount
            rows.append(
                {
                    "park": park.code,
                    "park_name": park.name,
                    "period": period,
                    "rent_subsidy": amount.rent,
                    "internet_subsidy": amount.internet,
                    "subsidy": amount.total,
                }
            )
    rent = sum((s.rent for s in per_period.values()), ZERO)
    internet = sum((s.internet for s in per_period.values()), ZERO)
    next_12 = rent + internet
    total_to_end = sum((liability.to_end(park.id) for park in scope.parks), ZERO)
    last_close = max(liability.closes.values(), default=None)
    figures = {"next_12": next_12, "total_to_end": total_to_end, "last_window_closes": last_close}
    chart = Chart(
        kind=ChartKind.STACKED,
        title="Subsidy liability, next 12 periods",
        description=(
            f"Rent and internet subsidy billing will give in each month from {periods[0]} to "
            f"{periods[-1]} for the leases recorded on {filters.as_of:%Y-%m-%d}; it falls as "
            "subsidy windows close."
        ),
        labels=tuple(str(period) for period in periods),
        series=(
            Series("Rent subsidy", tuple(per_period[p].rent for p in periods)),
            Series("Internet subsidy", tuple(per_period[p].internet for p in periods)),
        ),
        unit=Kind.MONEY,
    )
    return Report(
        name="subsidy-liability",
        title="Subsidy liability",
        filters=filters,
        scope=scope,
        table=Table(
            MAIN_COLUMNS,
            rows,
            totals={"rent_subsidy": rent, "internet_subsidy": internet, "subsidy": next_12},
            title="Per park and period, next 12 periods",
            empty="No subsidy is due to these parks' tenants from this month on.",
        ),
        tables={
            "parks": Table(
                PARK_COLUMNS,
                park_rows,
                totals={"next_12": next_12, "total_to_end": total_to_end},
                title="Per park",
            )
        },
        figures=figures,
        chart=chart,
        computed_at=computed_at,
        notes=(
            "The subsidy billing will give from the as-of month on for the leases recorded on "
            "that day (active and scheduled), each to its end date, at its agreed prices, "
            "inside each company's subsidy window; computed by the billing rules themselves, "
            "so a month billed later moves from liability to subsidy given rupee for rupee.",
            "An open-ended lease is subsidised only until its window closes, so the total "
            "until the last window closes is finite.",
            *(
                (
                    "For a date in the past, the leases are taken as recorded today: a lease "
                    "recorded or ended since then counts as it stands now.",
                )
                if filters.as_of < timezone.localdate()
                else ()
            ),
        ),
    )
