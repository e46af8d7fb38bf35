"""Writes on leases: recording one, and ending it early (domain.md §3–4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.trail import log_created, update_logged
from core.calendar import date_problem
from parks.models import Park, Unit
from parks.services import occupancy_refresh
from stp_portal.errors import Conflict, UnitAlreadyLeased

from .. import lifecycle, tasks
from ..models import Company, Lease, LeaseUnit
from ..permissions import ensure
from ..selectors import lets_overlapping

if TYPE_CHECKING:
    from accounts.models import User


def leases_lock(*, park_id: int, company_ids: Sequence[int]) -> None:
    """Lock the companies' leases in the park, in one order (by pk) for every transaction
    that bills or corrects them: billing chunks, charges, terminations, new leases. Locking
    in one order, and nothing else first, is what keeps them from deadlocking one another."""
    list(
        Lease.objects.select_for_update(of=("self",))
        .filter(park_id=park_id, company_id__in=company_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def validate_lease(
    *,
    park: Park,
    units: Sequence[Unit],
    start_date: date,
    end_date: date | None,
    exclude_lease_id: int | None = None,
    company_id: int | None = None,
) -> None:
    """The rules every lease obeys, wherever it is written (portal, API, admin).

    At least one unit, all of the lease's park; the end not before the start; no start
    before the park opens (domain.md §2); no unit already let on one of the days (§3); and
    whatever the apps above ask of a start (billing: not before the company's subsidy
    window in the park, once billing has fixed it, §5).
    """
    if not units:
        raise ValidationError({"units": "Choose at least one unit."})
    dates = {"start_date": start_date, "end_date": end_date}
    errors = {f: p for f, day in dates.items() if day and (p := date_problem(day))}
    if errors:
        raise ValidationError(errors)
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": "The end date cannot be before the start date."})
    foreign = [u.code for u in units if u.park_id != park.pk]
    if foreign:
        raise ValidationError({"units": f"Not units of {park.code}: {', '.join(foreign)}."})
    if park.opening_date is None or start_date < park.opening_date:
        opens = park.opening_date.isoformat() if park.opening_date else "a date not yet set"
        raise ValidationError(
            {"start_date": f"{park.name} opens on {opens}; no lease can start before it."}
        )
    if company_id is not None:
        lifecycle.check_start(company_id=company_id, park=park, start_date=start_date)
    _refuse_overlaps(units, start_date, end_date, exclude_lease_id)


def _refuse_overlaps(
    units: Sequence[Unit], start_date: date, end_date: date | None, exclude_lease_id: int | None
) -> None:
    clashes = list(
        lets_overlapping(
            [u.pk for u in units], start_date, end_date, exclude_lease_id=exclude_lease_id
        )
    )
    if clashes:
        raise UnitAlreadyLeased(
            {
                "units": "Already leased for overlapping dates: "
                + "; ".join(f"{c.unit.code} from {c.start_date}" for c in clashes)
                + "."
            }
        )


@transaction.atomic
def lease_create(
    *,
    company: Company,
    park: Park,
    units: Sequence[Unit],
    start_date: date,
    end_date: date | None,
    created_by: User,
) -> Lease:
    """Create a lease of ``units`` at the units' current prices (domain.md §3–4).

    Refuses: no units, units of another park, an end before the start, a start before the
    park opens, and any unit already let on one of the dates. Past starts are allowed
    (onboarding existing tenants).
    """
    validate_lease(
        park=park, units=units, start_date=start_date, end_date=end_date, company_id=company.pk
    )
    # Lock the company's leases in the park (billing's order: a chunk fixing its subsidy
    # window waits, or is waited for), then the units, and check again: two approvals of one
    # unit queue up instead of racing.
    leases_lock(park_id=park.pk, company_ids=[company.pk])
    locked = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in units]))
    validate_lease(
        park=park, units=locked, start_date=start_date, end_date=end_date, company_id=company.pk
    )
    lease = Lease.objects.create(
        company=company, park=park, start_date=start_date, end_date=end_date, created_by=created_by
    )
    try:
        with transaction.atomic():
            lease_units = LeaseUnit.objects.bulk_create(
                LeaseUnit(
                    lease=lease,
                    unit=unit,
                    start_date=start_date,
                    end_date=end_date,
                    monthly_rent=unit.monthly_rent,
                    internet_fee=unit.internet_fee,
                )
                for unit in locked
            )
            log_created(lease_units)  # bulk_create sends no signal
    except IntegrityError as exc:  # the exclusion constraint caught a race
        raise UnitAlreadyLeased(
            {"units": "A unit was leased for these dates by someone else just now."}
        ) from exc
    occupancy_refresh([park.pk])  # the park's stored figures, in this transaction
    lifecycle.lease_recorded(lease=lease)
    return lease


@dataclass(frozen=True)
class Termination:
    """A lease ended early, and the credit notes its end caused on months already billed
    (domain.md §6): all of it committed together."""

    lease: Lease
    credit_notes_issued: list[lifecycle.Credit]


def _end_problem(lease: Lease, end_date: date) -> str | None:
    """Why a termination cannot end ``lease`` on ``end_date`` (§4), or None."""
    if problem := date_problem(end_date):
        return problem
    if end_date < lease.start_date:
        return f"The lease starts on {lease.start_date:%Y-%m-%d}; it cannot end before that."
    if lease.end_date is not None and end_date >= lease.end_date:
        return (
            f"The lease already ends on {lease.end_date:%Y-%m-%d}; a termination must bring "
            "the end forward."
        )
    return None


@transaction.atomic
def lease_terminate(
    *, user: User, lease: Lease, end_date: date, reason: str = "", today: date | None = None
) -> Termination:
    """End a lease early (domain.md §4): termination sets the end date, never extends it.
    Credit notes it issues are dated ``today`` (by default the real one; the demo's seed
    passes its own day).

    An end dated back into months already billed credits what they billed for the days
    after it (§6): the listeners of ``tenants.lifecycle`` (billing's) issue those credit
    notes in this transaction, and the termination answered lists them.
    """
    ensure("terminate_lease", user, lease)
    # The company's leases in the park, in billing's locking order (it may correct them).
    leases_lock(park_id=lease.park_id, company_ids=[lease.company_id])
    lease = Lease.objects.select_related("park", "company").get(pk=lease.pk)
    if lease.terminated_at is not None:
        raise Conflict(f"This lease was already terminated on {lease.end_date:%Y-%m-%d}.")
    if problem := _end_problem(lease, end_date):
        raise ValidationError({"end_date": problem})
    lease.end_date, lease.terminated_at = end_date, timezone.now()
    lease.termination_reason = reason.strip()
    lease.save()
    # A unit that left the lease earlier keeps its own end. Recorded in the audit trail with
    # each unit's old end (a plain update sends no signal).
    update_logged(
        lease.lease_units.filter(Q(end_date__isnull=True) | Q(end_date__gt=end_date)),
        end_date=end_date,
    )
    occupancy_refresh([lease.park_id])  # the park's stored figures, in this transaction
    # Months already billed past the new end are corrected with credit notes (§6).
    credit_notes = lifecycle.lease_ended(user=user, lease=lease, today=today)
    credit_note_ids = [note.pk for note in credit_notes]
    transaction.on_commit(
        lambda: tasks.send_lease_terminated_email.delay(lease.pk, credit_note_ids)
    )
    return Termination(lease=lease, credit_notes_issued=credit_notes)
