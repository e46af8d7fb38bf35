"""Reads of tenant data, each scoped to the user asking (conventions.md: one place).

PSEB staff see everything; a park manager sees the parks assigned to them and the companies
that apply to or lease in them; a company user sees only their own company.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet

from accounts.models import User
from core.vocabulary import MemberRole

from .models import Application, Company, Lease, LeaseUnit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from parks.models import Unit


# A draft never submitted is still the company's own work, not yet an application to the
# park: park managers do not see it (domain.md §1: they see the companies that apply).
NEVER_SUBMITTED = Q(status="draft", submitted_at__isnull=True)


M = TypeVar("M", bound=Model)


def _scoped(rows: QuerySet[M], user: User | AnonymousUser, *, managed: Q, own: Q) -> QuerySet[M]:
    """The one shape of scoping (domain.md §1): PSEB staff see all ``rows``; a park
    manager the ``managed`` ones; a company user their ``own``; anyone else nothing."""
    if not user.is_authenticated:
        return rows.none()
    if user.is_pseb_staff:
        return rows
    return rows.filter(managed if user.is_park_manager else own)


def companies_visible_to(user: User | AnonymousUser) -> QuerySet[Company]:
    if not user.is_authenticated:
        return Company.objects.none()
    if user.is_pseb_staff:
        return Company.objects.all()
    if user.is_park_manager:
        parks = user.park_assignments.values("park")
        applied = Application.objects.filter(park__in=parks).exclude(NEVER_SUBMITTED)
        return Company.objects.filter(
            Q(pk__in=applied.values("company")) | Q(leases__park__in=parks)
        ).distinct()
    return Company.objects.filter(memberships__user=user)


def applications_visible_to(user: User | AnonymousUser) -> QuerySet[Application]:
    return _scoped(
        Application.objects.all(),
        user,
        managed=Q(park__manager_assignments__user=user) & ~NEVER_SUBMITTED,
        own=Q(company__memberships__user=user),
    )


def leases_visible_to(user: User | AnonymousUser) -> QuerySet[Lease]:
    return _scoped(
        Lease.objects.all(),
        user,
        managed=Q(park__manager_assignments__user=user),
        own=Q(company__memberships__user=user),
    )


def lets_overlapping(
    unit_ids: Iterable[int],
    start: date,
    end: date | None,
    *,
    exclude_lease_id: int | None = None,
) -> QuerySet[LeaseUnit]:
    """Existing lets of these units that share a day with [start, end] (end None = open).

    The friendly check before writing; on PostgreSQL an exclusion constraint makes it true
    under races (domain.md §3: a unit is never leased twice for overlapping dates).
    """
    ids = unit_ids if isinstance(unit_ids, QuerySet) else list(unit_ids)
    overlapping = LeaseUnit.objects.filter(unit_id__in=ids).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    if end is not None:
        overlapping = overlapping.filter(start_date__lte=end)
    if exclude_lease_id is not None:
        overlapping = overlapping.exclude(lease_id=exclude_lease_id)
    return overlapping.select_related("unit", "lease")


def company_of(user: User | AnonymousUser) -> Company | None:
    """The one company a company user belongs to, if any."""
    if not user.is_authenticated or not user.is_company_user:
        return None
    return Company.objects.filter(memberships__user=user).first()


def owner_emails(company_id: int) -> list[str]:
    """The addresses of a company's owners (active, with an e-mail), each once, sorted: who
    gets its statements and its progress-return reminders."""
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                memberships__company_id=company_id,
                memberships__role=MemberRole.OWNER,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def applications_list(user: User | AnonymousUser) -> QuerySet[Application]:
    """Scoped applications with what a list shows, in a constant number of queries."""
    return applications_visible_to(user).select_related("company", "park", "lease")


def application_detail(user: User | AnonymousUser) -> QuerySet[Application]:
    return (
        applications_visible_to(user)
        .select_related("company", "park", "lease", "created_by")
        .prefetch_related("documents", "transitions__actor")
    )


def leases_list(user: User | AnonymousUser) -> QuerySet[Lease]:
    return (
        leases_visible_to(user)
        .select_related("company", "park")
        .prefetch_related("lease_units__unit")
    )


def free_units_for(park_id: int, start: date, end: date | None) -> QuerySet[Unit]:
    """Units of a park that could be let for [start, end]: not under maintenance and not let
    on any of those days (domain.md §3)."""
    from parks.models import Unit

    taken = lets_overlapping(
        Unit.objects.filter(park_id=park_id).values_list("pk", flat=True), start, end
    ).values("unit_id")
    return (
        Unit.objects.filter(park_id=park_id, under_maintenance=False)
        .exclude(pk__in=taken)
        .order_by("kind", "code")
    )
