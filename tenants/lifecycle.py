"""A lease's events, for the apps above tenants to act on without tenants importing them
(the layers: tenants ← subsidies).

Billing has a part in a lease's life: a company's subsidy window fixes the earliest start of
its leases in a park (domain.md §5 rule 1); a termination dated back into months already
billed is credited (§4, §6); and the termination page says up to when a lease is billed.
An app states its part as a ``LeaseListener`` and registers it once, in its
``AppConfig.ready()`` (subsidies: ``subsidies.lease_events``). Tenants' services call the
listeners inside their own transaction and locks, so whatever a listener writes commits or
rolls back with the lease.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from parks.models import Park

    from .models import Lease


class Numbered(Protocol):
    @property
    def number(self) -> str: ...


class Credit(Protocol):
    """A credit note a listener issued because a lease ended earlier, as tenants reports it
    (on the termination page and in its e-mail)."""

    @property
    def pk(self) -> Any: ...

    @property
    def number(self) -> str: ...

    @property
    def amount(self) -> Decimal: ...

    @property
    def statement(self) -> Numbered: ...


class LeaseListener:
    """What an app does at a lease's events. Each method's default does nothing: a listener
    overrides the ones it has a part in."""

    def check_start(self, *, company_id: int, park: Park, start_date: date) -> None:
        """Refuse (raise ``ValidationError`` or ``Conflict``) a lease of the company in the
        park starting on ``start_date``; called before and again after the lease locks."""

    def lease_recorded(self, *, lease: Lease) -> None:
        """A lease and its units were recorded (approval or onboarding)."""

    def lease_ended(
        self, *, user: User, lease: Lease, today: date | None = None
    ) -> Sequence[Credit]:
        """The lease's end was brought forward (its units too): correct what depends on it,
        in the same transaction, and answer the credit notes issued (dated ``today``, by
        default the real one)."""
        return ()

    def credits(self, *, lease: Lease, ids: Sequence[int]) -> Sequence[Credit]:
        """The credit notes of ``ids`` that ``lease_ended`` issued for the lease, for its
        e-mail (sent once the termination has committed)."""
        return ()

    def billed_through(self, *, user: User | AnonymousUser, lease: Lease) -> date | None:
        """The last day of the lease billed so far, as ``user`` may see it, or None."""
        return None


_listeners: list[LeaseListener] = []


def listen(listener: LeaseListener) -> None:
    """Register ``listener`` (once per class: an app's ``ready()`` may run again in tests)."""
    if not any(type(known) is type(listener) for known in _listeners):
        _listeners.append(listener)


def check_start(*, company_id: int, park: Park, start_date: date) -> None:
    for listener in _listeners:
        listener.check_start(company_id=company_id, park=park, start_date=start_date)


def lease_recorded(*, lease: Lease) -> None:
    for listener in _listeners:
        listener.lease_recorded(lease=lease)


def lease_ended(*, user: User, lease: Lease, today: date | None = None) -> list[Credit]:
    return [
        note
        for listener in _listeners
        for note in listener.lease_ended(user=user, lease=lease, today=today)
    ]


def credits(*, lease: Lease, ids: Sequence[int]) -> list[Credit]:
    return [note for listener in _listeners for note in listener.credits(lease=lease, ids=ids)]


def billed_through(*, user: User | AnonymousUser, lease: Lease) -> date | None:
    days = [listener.billed_through(user=user, lease=lease) for listener in _listeners]
    return max((day for day in days if day is not None), default=None)
