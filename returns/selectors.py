"""Reads of progress returns (domain.md §4a), each scoped to the user asking: PSEB staff
see every return, a park manager the returns for their parks, a company user their own
company's; anyone else none (conventions.md: one place)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Case, CharField, Exists, Model, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from core.calendar import KARACHI, FiscalQuarter
from core.vocabulary import ReturnStatus
from parks.selectors import parks_managed_by
from tenants.models import Lease
from tenants.selectors import companies_visible_to

from .models import OwedReturn, ProgressReturn, Quarter

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

M = TypeVar("M", bound=Model)


def _scoped(rows: QuerySet[M], user: User | AnonymousUser) -> QuerySet[M]:
    # The parks' or the company's ids are read first (one small query): a list of ids reaches
    # the join inside the owed-returns view, where a subquery would be applied after it.
    if not user.is_authenticated:
        return rows.none()
    if user.is_pseb_staff:
        return rows
    if user.is_park_manager:
        return rows.filter(park_id__in=list(parks_managed_by(user).values_list("pk", flat=True)))
    # A company user: their company, by tenants' one rule of which companies a user sees.
    companies = companies_visible_to(user).values_list("pk", flat=True)
    return rows.filter(company_id__in=list(companies))


def status_of(today: date) -> Case:
    """§4a's status rule (``returns.domain.return_status``) in SQL, on an owed return."""
    return Case(
        When(current__isnull=False, then=Value(ReturnStatus.FILED.value)),
        When(due_date__gte=today, then=Value(ReturnStatus.DUE.value)),
        default=Value(ReturnStatus.OVERDUE.value),
        output_field=CharField(),
    )


def owed_returns(today: date | None = None) -> QuerySet[OwedReturn]:
    """Every return owed on ``today`` (default: today in Pakistan): its quarter is over,
    annotated with its ``status``; unscoped, for the worker and the reports' own scope.

    Filter owed returns by the view's own quarter columns (``last_day``, ``quarter_id``),
    never through ``quarter__``: only those reach the join inside the view."""
    today = today or timezone.localdate()
    return OwedReturn.objects.filter(last_day__lt=today).annotate(status=status_of(today))


def owed_returns_visible_to(
    user: User | AnonymousUser, today: date | None = None
) -> QuerySet[OwedReturn]:
    """The returns owed that ``user`` may see, with the current version filed (if any),
    company, park and quarter read in the same query."""
    return _scoped(owed_returns(today), user).select_related(
        "company", "park", "quarter", "current"
    )


def progress_returns_visible_to(user: User | AnonymousUser) -> QuerySet[ProgressReturn]:
    """Every filed version ``user`` may see (current and amended)."""
    return _scoped(ProgressReturn.objects.all(), user).select_related(
        "company", "park", "quarter", "filed_by", "amendment"
    )


def current_returns() -> QuerySet[ProgressReturn]:
    """The versions that count (§4a: the latest), unscoped, for reports.

    "Not amended" as NOT EXISTS, which the database runs as one anti-join over the few
    amendments; ``amendment__isnull=True`` (a LEFT JOIN ... IS NULL) probes the index once
    per return instead (PostgreSQL does not turn it into an anti-join)."""
    amended = ProgressReturn.objects.filter(amends=OuterRef("pk"))
    return ProgressReturn.objects.filter(~Exists(amended))


def returns_counting(as_of: date) -> QuerySet[ProgressReturn]:
    """The versions that count on ``as_of`` (D), one per return at most, unscoped, for the
    reports and the public figures (domain.md §7.6): of a return owed (a lease of its company
    in the park held a day of its quarter: a row of the ``OwedReturn`` view), the highest
    version filed by D (``filed_at``'s date in Pakistan on or before D). A version amended by
    a version filed by D no longer counts; one amended later still does. A return with no
    version filed by D is due or overdue on D (§4a).

    On today this is ``current_returns()`` less the versions of returns no longer owed (a
    lease ended back before their quarter). "Owed" is the view's own condition on the lease
    (migration 0003), asked of each version's leases: as a semi-join on the view, the
    database builds the view's every row and its join to the current versions first (three
    times slower at national scale); ``test_owed.py`` holds the two to the same rows."""
    before = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=KARACHI)
    amended = ProgressReturn.objects.filter(amends=OuterRef("pk"), filed_at__lt=before)
    held = Lease.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("quarter__first_day")),
        company_id=OuterRef("company_id"),
        park_id=OuterRef("park_id"),
        start_date__lte=OuterRef("quarter__last_day"),
    )
    return ProgressReturn.objects.filter(filed_at__lt=before).filter(~Exists(amended), Exists(held))


def versions_of(version: ProgressReturn) -> QuerySet[ProgressReturn]:
    """Every version of the return ``version`` belongs to, newest first."""
    return (
        ProgressReturn.objects.filter(
            company_id=version.company_id, park_id=version.park_id, quarter_id=version.quarter_id
        )
        .select_related("filed_by")
        .order_by("-version")
    )


def quarter_row(quarter: FiscalQuarter) -> Quarter:
    """The stored row of a fiscal quarter (every quarter of the programme's years is one)."""
    return Quarter.objects.get(start_year=quarter.start_year, number=quarter.number)


def quarter_rows(quarters: Iterable[FiscalQuarter]) -> dict[FiscalQuarter, Quarter]:
    """The stored rows of several fiscal quarters, read in one query."""
    wanted = set(quarters)
    if not wanted:
        return {}
    rows = Quarter.objects.filter(
        reduce(or_, (Q(start_year=q.start_year, number=q.number) for q in wanted))
    )
    return {row.fiscal_quarter: row for row in rows}


def owed_with_key(rows: QuerySet[OwedReturn], key: str) -> QuerySet[OwedReturn]:
    """The owed return ``key`` names among ``rows`` (none if it names none), found by its
    three columns: a filter on the key itself cannot reach the join inside the view."""
    parts = str(key).split("-")
    if len(parts) != 3 or not all(part.isdigit() and len(part) <= 18 for part in parts):
        return rows.none()
    company_id, park_id, quarter_id = map(int, parts)
    return rows.filter(company_id=company_id, park_id=park_id, quarter_id=quarter_id)


def owed_key(company_id: int, park_id: int, quarter_id: int) -> str:
    """The key of an owed return, as the view writes it (migration 0002)."""
    return f"{company_id}-{park_id}-{quarter_id}"
