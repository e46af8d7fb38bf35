"""Billing's part in a lease's life (``tenants.lifecycle``): tenants calls it inside its own
transactions and never imports subsidies. Registered in ``SubsidiesConfig.ready()``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from stp_portal.errors import Conflict
from tenants.lifecycle import LeaseListener

from .liability_version import liability_changed
from .models import CreditNote, SubsidyWindow
from .selectors import lease_billed_through
from .services import credit_notes_for_ended_lease

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from parks.models import Park
    from tenants.models import Lease


def window_start_check(*, company_id: int, park: Park, start_date: date) -> None:
    """A company's subsidy window in a park starts with its first lease there (§5 rule 1)
    and is fixed when the company is first billed there. A lease dated before that window
    would move it under statements already issued, so it is refused (409): correct the
    issued months with credit notes first, or record the lease from the window's start."""
    window = (
        SubsidyWindow.objects.filter(company_id=company_id, park=park, start__gt=start_date)
        .only("start")
        .first()
    )
    if window is not None:
        raise Conflict(
            {
                "start_date": f"This company's subsidy window at {park.code} was fixed from "
                f"{window.start:%Y-%m-%d} when it was first billed there; a lease cannot start "
                "before it."
            }
        )


class Billing(LeaseListener):
    """Subsidy windows fix the earliest start of a lease (§5); a lease ended back into
    months already billed is credited (§6); a lease recorded or ended changes the subsidy
    liability (§7.3)."""

    def check_start(self, *, company_id: int, park: Park, start_date: date) -> None:
        window_start_check(company_id=company_id, park=park, start_date=start_date)

    def lease_recorded(self, *, lease: Lease) -> None:
        liability_changed()  # §7.3: a new lease is subsidy to come

    def lease_ended(
        self, *, user: User, lease: Lease, today: date | None = None
    ) -> list[CreditNote]:
        liability_changed()  # §7.3: the months after its new end carry none
        return credit_notes_for_ended_lease(user=user, lease=lease, today=today)

    def credits(self, *, lease: Lease, ids: Sequence[int]) -> list[CreditNote]:
        return list(
            CreditNote.objects.filter(pk__in=ids, statement__company_id=lease.company_id)
            .select_related("statement")
            .order_by("pk")
        )

    def billed_through(self, *, user: User | AnonymousUser, lease: Lease) -> date | None:
        return lease_billed_through(user, lease)
