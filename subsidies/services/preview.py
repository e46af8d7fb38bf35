"""A billing run's preview (issue 12 §7): what a run of a month would issue, per park —
statements, gross, subsidy and net — computed WITHOUT writing anything, and the run started
only by a confirmation of exactly what was previewed.

The preview reads what billing reads (``subsidies.loading``, the same loaders the run and
the liability projection use), and decides by the same rules: ``calculation.compute_statement``
for each company's month, the windows §5 would fix (``loading.windows_unfixed``, computed
here, not stored) and ``statements.drafts_to_issue`` for what is new and what supplements a
statement already issued. So the preview equals what the run then issues, to the paisa.

A fixed number of queries whatever the number of parks, companies or leases (one per kind
of data, for every park at once): bench/billing.py measures it at national scale.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.calendar import Period
from core.money import ZERO
from parks.models import Park

from .. import calculation as calc
from .. import loading
from ..models import BillingRun, Charge, Statement, StatementLine
from ..permissions import ensure
from .runs import billing_run_start, check_ended
from .statements import Draft, as_period, drafts_to_issue

if TYPE_CHECKING:
    from accounts.models import User

CHANGED = (
    "What this run would issue has changed since the preview (a lease, a charge, a scheme "
    "or a statement was recorded meanwhile). Check the new preview below and confirm again."
)


@dataclass(frozen=True)
class ParkPreview:
    """What a run would issue in one park: its statements (new and supplementary), their
    gross, subsidy (negative, as statements carry it) and net payable."""

    park_id: int
    code: str
    name: str
    statements: int
    supplementary: int
    gross: Decimal
    subsidy: Decimal
    net: Decimal


@dataclass(frozen=True)
class BillingPreview:
    """A run of ``period`` (one park, or all: ``park_id`` None) as it would issue now, with
    a fingerprint of every statement it would issue, to confirm exactly this."""

    period: Period
    park_id: int | None
    parks: tuple[ParkPreview, ...]
    fingerprint: str

    @property
    def statements(self) -> int:
        return sum(p.statements for p in self.parks)

    @property
    def supplementary(self) -> int:
        return sum(p.supplementary for p in self.parks)

    @property
    def gross(self) -> Decimal:
        return sum((p.gross for p in self.parks), ZERO)

    @property
    def subsidy(self) -> Decimal:
        return sum((p.subsidy for p in self.parks), ZERO)

    @property
    def net(self) -> Decimal:
        return sum((p.net for p in self.parks), ZERO)


def billing_preview(
    *, user: User, period: Period | str, park: Park | None = None, today: date | None = None
) -> BillingPreview:
    """What a billing run of ``period`` for ``park`` (None: every park) would issue now,
    computed without writing anything."""
    ensure("run_billing", user)
    period = as_period(period)
    check_ended(period, today or timezone.localdate())
    parks = {
        pk: (code, name, opening)
        for pk, code, name, opening in (
            Park.objects.filter(pk=park.pk) if park is not None else Park.objects.all()
        ).values_list("pk", "code", "name", "opening_date")
    }
    drafts = _drafts(period, parks)
    rows, digest = [], hashlib.sha256(f"{period}|{park.pk if park else '*'}".encode())
    for park_id, park_drafts in sorted(drafts.items(), key=lambda item: parks[item[0]][1]):
        for company_id, draft, original in park_drafts:
            digest.update(
                f"|{park_id}:{company_id}:{original or ''}:{len(draft.lines)}:"
                f"{draft.gross}:{draft.subsidy_total}:{draft.net_payable}".encode()
            )
        code, name, _ = parks[park_id]
        rows.append(
            ParkPreview(
                park_id=park_id,
                code=code,
                name=name,
                statements=len(park_drafts),
                supplementary=sum(1 for _, _, original in park_drafts if original is not None),
                gross=sum((d.gross for _, d, _ in park_drafts), ZERO),
                subsidy=sum((d.subsidy_total for _, d, _ in park_drafts), ZERO),
                net=sum((d.net_payable for _, d, _ in park_drafts), ZERO),
            )
        )
    return BillingPreview(
        period=period,
        park_id=park.pk if park else None,
        parks=tuple(rows),
        fingerprint=digest.hexdigest()[:32],
    )


def _drafts(
    period: Period, parks: dict[int, tuple[str, str, date | None]]
) -> dict[int, list[Draft]]:
    """The statements a run would issue, by park: every park at once, one query per kind of
    data (the run bills a park's chunk of companies at a time, by the same rules)."""
    park_ids = list(parks)
    lets = loading.lets_load(park_ids, first=period.first, last=period.last)
    charges: dict[loading.Pair, list[calc.OtherCharge]] = defaultdict(list)
    for park_id, company_id, pk, description, amount in Charge.objects.filter(
        period=period.first, lease__park_id__in=park_ids
    ).values_list("lease__park_id", "lease__company_id", "pk", "description", "amount"):
        charges[park_id, company_id].append(calc.OtherCharge(pk, description, amount))
    pairs = set(lets) | set(charges)
    first_starts = loading.first_lease_starts(park_ids)
    windows = loading.windows_stored(park_ids)
    unfixed = [pair for pair in pairs if pair not in windows and pair in first_starts]
    if unfixed:
        windows.update(
            loading.windows_unfixed(
                unfixed,
                first_starts,
                {pk: opening for pk, (_, _, opening) in parks.items()},
                loading.schemes_load(),
            )
        )
    computed: dict[int, dict[int, calc.Statement]] = defaultdict(dict)
    for pair in pairs:
        if pair not in first_starts:
            continue
        statement = calc.compute_statement(
            period, lets.get(pair, []), windows.get(pair), charges.get(pair, [])
        )
        if statement is not None:
            computed[pair[0]][pair[1]] = statement
    issued = Statement.objects.filter(period=period.first, park_id__in=park_ids)
    originals: dict[int, dict[int, int]] = defaultdict(dict)
    for park_id, company_id, pk in issued.filter(supplements=None).values_list(
        "park_id", "company_id", "pk"
    ):
        originals[park_id][company_id] = pk
    billed: dict[int, dict[int, set[calc.LineKey]]] = defaultdict(lambda: defaultdict(set))
    for park_id, company_id, kind, lease_unit_id, charge_id in StatementLine.objects.filter(
        statement__in=issued
    ).values_list(
        "statement__park_id", "statement__company_id", "kind", "lease_unit_id", "charge_id"
    ):
        billed[park_id][company_id].add((kind, lease_unit_id, charge_id))
    drafts = {
        park_id: drafts_to_issue(by_company, originals[park_id], billed[park_id])
        for park_id, by_company in computed.items()
    }
    return {park_id: park_drafts for park_id, park_drafts in drafts.items() if park_drafts}


def billing_run_confirm(
    *,
    user: User,
    period: Period | str,
    park: Park | None,
    fingerprint: str,
    today: date | None = None,
) -> BillingRun:
    """Start the run that was previewed, only if it would still issue exactly what was
    previewed (``fingerprint``); otherwise refuse, changing nothing."""
    preview = billing_preview(user=user, period=period, park=park, today=today)
    if fingerprint != preview.fingerprint:
        raise ValidationError(CHANGED, code="changed")
    return billing_run_start(user=user, period=preview.period, park=park, today=today)
