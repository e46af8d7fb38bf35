"""What the billing rules read from the database (domain.md §5–6), loaded one way for both
their readers: billing (``services.statements``) and the subsidy liability projection
(``reports.selectors.liability``, §7.3). Had each its own loading, a lease or a window read
differently would make the liability differ from what billing gives.

A fixed number of queries whatever the number of parks, companies or leases: one per kind of
data. Results are keyed by ``(park id, company id)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date

from django.db.models import Exists, Min, OuterRef, Q

from core.vocabulary import WindowAnchor
from tenants.models import Lease, LeaseUnit

from . import calculation as calc
from .models import SubsidyScheme, SubsidyWindow

Pair = tuple[int, int]  # (park id, company id)
# The columns of a scheme the rules read (``calc.Scheme``'s fields but its id and parks).
SCHEME = ("name", "internet_pct", "rent_pct", "duration_months", "valid_from", "valid_to", "anchor")


def scheme_of(scheme: SubsidyScheme, *, with_parks: bool = False) -> calc.Scheme:
    """A stored scheme as the rules read it; its parks only where the rules choose a scheme
    (a window already fixed needs none)."""
    return calc.Scheme(
        id=scheme.pk,
        name=scheme.name,
        internet_pct=scheme.internet_pct,
        rent_pct=scheme.rent_pct,
        duration_months=scheme.duration_months,
        valid_from=scheme.valid_from,
        valid_to=scheme.valid_to,
        park_ids=frozenset(p.pk for p in scheme.parks.all()) if with_parks else frozenset(),
        anchor=WindowAnchor(scheme.anchor),
    )


def schemes_load() -> list[calc.Scheme]:
    """Every subsidy scheme with the parks it names (two queries)."""
    return [scheme_of(s, with_parks=True) for s in SubsidyScheme.objects.prefetch_related("parks")]


def first_lease_starts(
    park_ids: Collection[int], company_ids: Collection[int] | None = None
) -> dict[Pair, date]:
    """The start of each company's first lease in each park (§5 rule 1: the window opens
    then), whatever became of that lease since. ``company_ids`` None: every company."""
    leases = Lease.objects.filter(park_id__in=park_ids)
    if company_ids is not None:
        leases = leases.filter(company_id__in=company_ids)
    return {
        (park_id, company_id): first
        for park_id, company_id, first in leases.order_by()
        .values("park_id", "company_id")
        .annotate(first=Min("start_date"))
        .values_list("park_id", "company_id", "first")
    }


def windows_stored(
    park_ids: Collection[int],
    company_ids: Collection[int] | None = None,
    *,
    open_after: date | None = None,
) -> dict[Pair, calc.Window]:
    """The subsidy windows billing has fixed (§5 rule 2: once fixed, never moved), each
    with its scheme (read once per scheme, not per window); with ``open_after``, only those
    still open after that day."""
    windows = SubsidyWindow.objects.filter(park_id__in=park_ids)
    if open_after is not None:
        windows = windows.filter(end__gt=open_after)
    if company_ids is not None:
        windows = windows.filter(company_id__in=company_ids)
    schemes: dict[int, calc.Scheme] = {}
    stored = {}
    for park_id, company_id, start, end, scheme_id, *scheme in windows.values_list(
        "park_id", "company_id", "start", "end", "scheme_id", *(f"scheme__{f}" for f in SCHEME)
    ):
        if scheme_id not in schemes:
            name, internet_pct, rent_pct, duration, valid_from, valid_to, anchor = scheme
            schemes[scheme_id] = calc.Scheme(
                id=scheme_id,
                name=name,
                internet_pct=internet_pct,
                rent_pct=rent_pct,
                duration_months=duration,
                valid_from=valid_from,
                valid_to=valid_to,
                anchor=WindowAnchor(anchor),
            )
        stored[park_id, company_id] = calc.Window(start=start, end=end, scheme=schemes[scheme_id])
    return stored


def windows_unfixed(
    pairs: Collection[Pair],
    first_starts: Mapping[Pair, date],
    openings: Mapping[int, date | None],
    schemes: Collection[calc.Scheme],
) -> dict[Pair, calc.Window]:
    """The windows §5 fixes for companies not billed in a park yet: by the rules of
    ``calculation.subsidy_window``, from the first lease's start (or the park's opening,
    ``openings`` by park id) and the schemes as they stand. Pairs no scheme applies to are
    left out (no window, no subsidy)."""
    windows = {}
    for pair in pairs:
        if pair not in first_starts:
            continue
        window = calc.subsidy_window(
            schemes,
            park_id=pair[0],
            first_lease_start=first_starts[pair],
            park_opening=openings.get(pair[0]),
        )
        if window is not None:
            windows[pair] = window
    return windows


def lets_load(
    park_ids: Collection[int],
    company_ids: Collection[int] | None = None,
    *,
    first: date,
    last: date | None = None,
    subsidisable: bool = False,
) -> dict[Pair, list[calc.Let]]:
    """The units let in the parks on any day from ``first`` to ``last`` (None: from
    ``first`` on), at the prices agreed for the lease, by park and company. With
    ``subsidisable``, those of companies whose stored window in the park closed by ``first``
    are left out: they can carry no subsidy from then on (§5 rules 1 and 3)."""
    rows = LeaseUnit.objects.filter(lease__park_id__in=park_ids).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first)
    )
    if subsidisable:
        closed = SubsidyWindow.objects.filter(
            park_id=OuterRef("lease__park_id"),
            company_id=OuterRef("lease__company_id"),
            end__lte=first,
        )
        rows = rows.exclude(Exists(closed))
    if last is not None:
        rows = rows.filter(start_date__lte=last)
    if company_ids is not None:
        rows = rows.filter(lease__company_id__in=company_ids)
    lets: dict[Pair, list[calc.Let]] = defaultdict(list)
    for park_id, company_id, pk, code, rent, internet, start, end in rows.values_list(
        "lease__park_id",
        "lease__company_id",
        "pk",
        "unit__code",
        "monthly_rent",
        "internet_fee",
        "start_date",
        "end_date",
    ):
        lets[park_id, company_id].append(calc.Let(pk, code, rent, internet, start, end))
    return lets
