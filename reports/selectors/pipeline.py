"""Pipeline (domain.md §7.5): applications per park and status; for decisions in a date
range, the median and 90th-percentile days from submission to decision; who is waiting.

Days are counted between the Asia/Karachi dates of the two moments (``TruncDate`` in the
database), and the percentiles are taken by nearest rank (``core.figures.percentile``): a
figure is always one of the observed waits, in whole days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate

from core.calendar import KARACHI, add_months
from core.charts import Chart, ChartKind, Series
from core.figures import median, percentile
from core.tables import Kind, Row, Table, columns
from core.vocabulary import APPLICATION_WAITING, ApplicationStatus
from tenants.domain import days_waiting
from tenants.models import Application

from ..frame import Report, ReportFilters, Scope

WAITING = APPLICATION_WAITING
DECIDED = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
# A draft counts once it has been submitted: it was returned to its company for changes.
# A draft never submitted is the company's own work, not yet an application to the park.
RETURNED = "returned"
STATUS_COLUMNS = (
    (RETURNED, "Returned for changes"),
    (ApplicationStatus.SUBMITTED.value, "Submitted"),
    (ApplicationStatus.UNDER_REVIEW.value, "Under review"),
    (ApplicationStatus.APPROVED.value, "Approved"),
    (ApplicationStatus.REJECTED.value, "Rejected"),
    (ApplicationStatus.WITHDRAWN.value, "Withdrawn"),
)
COUNT_KEYS = (*(key for key, _ in STATUS_COLUMNS), "total")
PAGE_ROWS = 200  # the page shows the oldest waiting this many; the files hold them all

PARK_COLUMNS = columns(("park", "Park code"), ("park_name", "Park"))
COUNTS_COLUMNS = PARK_COLUMNS + columns(
    *((key, label, Kind.COUNT) for key, label in STATUS_COLUMNS),
    ("total", "Applications", Kind.COUNT),
)
DECISION_COLUMNS = PARK_COLUMNS + columns(
    ("decisions", "Decisions", Kind.COUNT),
    ("approved", "Approved", Kind.COUNT),
    ("rejected", "Rejected", Kind.COUNT),
    ("median_days", "Median days to decision", Kind.COUNT),
    ("p90_days", "90th percentile days", Kind.COUNT),
)
WAITING_COLUMNS = columns(
    ("id", "Application", Kind.COUNT),
    ("company", "Company"),
    ("park", "Park code"),
    ("park_name", "Park"),
    ("status", "Status"),
    ("submitted_on", "Submitted", Kind.DATE),
    ("days_waiting", "Days waiting", Kind.COUNT),
)


def decision_range(filters: ReportFilters) -> tuple[date, date]:
    """The days whose decisions are measured, first and last inclusive: the months
    ``period_from``..``period_to`` where given, otherwise the 12 months up to D (from the
    day after D's date a year before, through D)."""
    last = filters.period_to.last if filters.period_to else filters.as_of
    first = filters.period_from.first if filters.period_from else add_months(last, -12)
    if not filters.period_from:
        first += timedelta(days=1)
    return first, last


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in Pakistan."""
    return datetime.combine(day, time.min, tzinfo=KARACHI)


def _applications(scope: Scope) -> QuerySet[Application]:
    return Application.objects.filter(park_id__in=scope.ids).order_by()


def status_counts(scope: Scope) -> dict[int, dict[str, int]]:
    """Applications per park and status (one GROUP BY); returned drafts as ``returned``."""
    counted = (
        _applications(scope)
        .exclude(status=ApplicationStatus.DRAFT, submitted_at__isnull=True)
        .values_list("park_id", "status")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for park_id, status, n in counted:
        key = RETURNED if status == ApplicationStatus.DRAFT else status
        counts.setdefault(park_id, {})[key] = n
    return counts


def decision_days(scope: Scope, first: date, last: date) -> list[tuple[int, str, int]]:
    """(park id, decision, days from submission to decision) of every decision made on
    ``first``..``last``, each day a Pakistan date (one query, one row per decision)."""
    decided = (
        _applications(scope)
        .filter(
            status__in=DECIDED,
            submitted_at__isnull=False,
            decided_at__gte=start_of(first),
            decided_at__lt=start_of(last + timedelta(days=1)),
        )
        .annotate(
            submitted_on=TruncDate("submitted_at", tzinfo=KARACHI),
            decided_on=TruncDate("decided_at", tzinfo=KARACHI),
        )
        .values_list("park_id", "status", "submitted_on", "decided_on")
    )
    return [(park_id, status, (end - begin).days) for park_id, status, begin, end in decided]


def waiting(scope: Scope, day: date) -> QuerySet[Any]:
    """Applications waiting for a decision (submitted or under review), submitted by ``day``,
    oldest first.

    Their status is today's: an application decided since ``day`` no longer shows (the
    application keeps no dated status history a report could read cheaply)."""
    return (
        _applications(scope)
        .filter(status__in=WAITING, submitted_at__lt=start_of(day + timedelta(days=1)))
        .annotate(submitted_on=TruncDate("submitted_at", tzinfo=KARACHI))
        .order_by("submitted_at", "pk")
    )


class WaitingRows:
    """The waiting table's rows, read from the database each time they are iterated (a
    server-side cursor, ``QuerySet.iterator``): an export streams every one of them in flat
    memory; the page takes the first ``PAGE_ROWS`` (``itertools.islice``) and stops."""

    def __init__(self, scope: Scope, day: date) -> None:
        self.scope = scope
        self.day = day

    def __iter__(self) -> Iterator[Row]:
        parks = self.scope.by_id
        rows = waiting(self.scope, self.day).values_list(
            "id", "company__name", "park_id", "status", "submitted_on"
        )
        for pk, company, park_id, status, submitted_on in rows.iterator(chunk_size=2000):
            park = parks[park_id]
            yield {
                "id": pk,
                "company": company,
                "park": park.code,
                "park_name": park.name,
                "status": ApplicationStatus(status).label,
                "submitted_on": submitted_on,
                "days_waiting": days_waiting(status, submitted_on, self.day),
            }


def pipeline_report(scope: Scope, filters: ReportFilters) -> Report:
    """domain.md §7.5. Four queries whatever the number of applications: the counts per
    park and status, the decisions in range (one row each: their percentiles are taken in
    Python), the count of those waiting; the waiting rows themselves are read when the
    table is iterated."""
    day = filters.as_of
    first, last = decision_range(filters)

    counts = status_counts(scope)
    rows: list[dict[str, Any]] = []
    for park in scope.parks:
        of_park = counts.get(park.id, {})
        row: dict[str, Any] = {"park": park.code, "park_name": park.name}
        row |= {key: of_park.get(key, 0) for key, _ in STATUS_COLUMNS}
        row["total"] = sum(of_park.values())
        rows.append(row)
    totals = {"park_name": scope.label} | {key: sum(row[key] for row in rows) for key in COUNT_KEYS}

    decisions = decision_days(scope, first, last)
    by_park: dict[int, list[tuple[str, int]]] = {}
    for park_id, status, days in decisions:
        by_park.setdefault(park_id, []).append((status, days))
    decision_rows = [
        {"park": park.code, "park_name": park.name} | decision_figures(by_park.get(park.id, []))
        for park in scope.parks
    ]
    # Over every decision in range: not an average of the parks' medians.
    decision_totals = {"park_name": scope.label} | decision_figures(
        [(status, days) for _, status, days in decisions]
    )

    waiting_count = waiting(scope, day).count()
    chart = Chart(
        kind=ChartKind.BARS,
        title="Days from submission to decision",
        description=(
            f"Median and 90th-percentile days from submission to decision, per park, for "
            f"decisions made {first:%d %B %Y} to {last:%d %B %Y}."
        ),
        labels=tuple(row["park"] for row in decision_rows),
        series=(
            Series("Median", tuple(row["median_days"] for row in decision_rows)),
            Series("90th percentile", tuple(row["p90_days"] for row in decision_rows)),
        ),
        unit=Kind.COUNT,
    )
    return Report(
        name="pipeline",
        title="Pipeline",
        filters=filters,
        scope=scope,
        table=Table(
            columns=COUNTS_COLUMNS,
            rows=rows,
            totals=totals,
            title="Applications per park and status",
            empty="No parks for these filters.",
        ),
        tables={
            "decisions": Table(
                columns=DECISION_COLUMNS,
                rows=decision_rows,
                totals=decision_totals,
                title=f"Decisions made {first:%Y-%m-%d} to {last:%Y-%m-%d}",
            ),
            "waiting": Table(
                columns=WAITING_COLUMNS,
                rows=WaitingRows(scope, day),
                title=f"Waiting for a decision on {day:%Y-%m-%d}, oldest first",
                empty="Nobody is waiting for a decision.",
            ),
        },
        figures={
            "waiting": waiting_count,
            "median_days": decision_totals["median_days"],
            "p90_days": decision_totals["p90_days"],
        },
        chart=chart,
        notes=(
            "Days to decision count calendar days in Pakistan from the day an application was "
            "submitted to the day it was approved or rejected. Median and 90th percentile are "
            "by nearest rank: always one of the observed waits.",
            "Returned applications are those sent back to the company for changes, not yet "
            "submitted again.",
        ),
    )


def decision_figures(decisions: list[tuple[str, int]]) -> dict[str, Any]:
    """Count, approvals, rejections, median and 90th-percentile days of some decisions."""
    days = [d for _, d in decisions]
    return {
        "decisions": len(decisions),
        "approved": sum(1 for status, _ in decisions if status == ApplicationStatus.APPROVED),
        "rejected": sum(1 for status, _ in decisions if status == ApplicationStatus.REJECTED),
        "median_days": median(days),
        "p90_days": percentile(days, 90),
    }
