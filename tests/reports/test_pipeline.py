"""The pipeline report (domain.md §7.5): applications per park and status; days from
submission to decision (median and 90th percentile by nearest rank, Pakistan dates) for
decisions in a range, the total over all decisions; who is waiting, oldest first."""

from datetime import UTC, date, datetime
from itertools import islice

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.calendar import KARACHI, Period
from core.vocabulary import ApplicationStatus
from reports.frame import ReportFilters, report_scope
from reports.selectors.pipeline import decision_range, pipeline_report
from tests.factories import ApplicationFactory, CompanyFactory, LeaseFactory, ParkFactory

pytestmark = pytest.mark.django_db

D = date(2026, 11, 15)
SUBMITTED, UNDER_REVIEW = ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW
APPROVED, REJECTED = ApplicationStatus.APPROVED, ApplicationStatus.REJECTED
IN_RANGE = {"period_from": Period(2026, 7), "period_to": Period(2026, 11)}


def pkt(*args):
    return datetime(*args, tzinfo=KARACHI)


def decided(park, status, submitted, decided_at, **kw):
    lease = LeaseFactory(park=park) if status == APPROVED else None
    return ApplicationFactory(
        park=park, status=status, submitted_at=submitted, decided_at=decided_at, lease=lease, **kw
    )


@pytest.fixture
def world(park, other_park):
    # GUJ decisions in July-November: 3 days (rejected), 10 (approved), 20 (rejected).
    # Submitted 01:00 on 2 October in Pakistan (20:00 UTC on 1 October), decided 23:30 on
    # 5 October in Pakistan (18:30 UTC): 3 days by Pakistan dates, 4 by UTC dates.
    decided(park, REJECTED, datetime(2026, 10, 1, 20, 0, tzinfo=UTC), pkt(2026, 10, 5, 23, 30))
    decided(park, APPROVED, pkt(2026, 8, 1, 9), pkt(2026, 8, 11, 17))
    decided(park, REJECTED, pkt(2026, 9, 1, 9), pkt(2026, 9, 21, 9))
    # Decided before the range: not measured (but counted per status).
    decided(park, REJECTED, pkt(2026, 2, 1, 9), pkt(2026, 5, 12, 9))
    # GLT decisions: 1, 2, 4 and 50 days.
    decided(other_park, APPROVED, pkt(2026, 10, 1, 9), pkt(2026, 10, 2, 9))
    decided(other_park, REJECTED, pkt(2026, 10, 1, 9), pkt(2026, 10, 3, 9))
    decided(other_park, REJECTED, pkt(2026, 10, 1, 9), pkt(2026, 10, 5, 9))
    decided(other_park, APPROVED, pkt(2026, 7, 1, 9), pkt(2026, 8, 20, 9))

    # Waiting on D: GUJ under review since 20 October (26 days), submitted 1 November (14);
    # GLT submitted 10 November (5). One submitted after D is not yet waiting on D.
    oldest = CompanyFactory(name="Oldest Software")
    ApplicationFactory(
        park=park, company=oldest, status=UNDER_REVIEW, submitted_at=pkt(2026, 10, 20, 9)
    )
    ApplicationFactory(park=park, status=SUBMITTED, submitted_at=pkt(2026, 11, 1, 23, 59))
    ApplicationFactory(park=other_park, status=SUBMITTED, submitted_at=pkt(2026, 11, 10, 0, 1))
    ApplicationFactory(park=park, status=SUBMITTED, submitted_at=pkt(2026, 11, 16, 0, 0))

    # Not waiting: a draft never submitted (not counted at all), one returned for changes,
    # one withdrawn.
    ApplicationFactory(park=park, status=ApplicationStatus.DRAFT)
    ApplicationFactory(park=park, status=ApplicationStatus.DRAFT, submitted_at=pkt(2026, 9, 1, 9))
    ApplicationFactory(park=park, status=ApplicationStatus.WITHDRAWN, submitted_at=pkt(2026, 9, 1))


def _report(user, **filters):
    chosen = ReportFilters(as_of=D, **filters)
    return pipeline_report(report_scope(user, chosen), chosen)


def _by_park(rows):
    return {row["park"]: row for row in rows}


def test_applications_are_counted_per_park_and_status(world, pseb_staff):
    table = _report(pseb_staff).table
    guj, glt = _by_park(table.rows)["GUJ"], _by_park(table.rows)["GLT"]

    assert {k: guj[k] for k in ("returned", "submitted", "under_review", "total")} == {
        "returned": 1,
        "submitted": 2,
        "under_review": 1,
        "total": 9,  # the draft never submitted is not an application to the park yet
    }
    assert (guj["approved"], guj["rejected"], guj["withdrawn"]) == (1, 3, 1)
    assert (glt["submitted"], glt["approved"], glt["rejected"], glt["total"]) == (1, 2, 2, 5)
    assert table.totals["total"] == 14
    assert table.totals["rejected"] == 5


def test_days_to_decision_per_park_by_nearest_rank_in_pakistan_dates(world, pseb_staff):
    decisions = _by_park(_report(pseb_staff, **IN_RANGE).tables["decisions"].rows)

    # GUJ [3, 10, 20]: median rank 2 -> 10; 90th rank ceil(2.7) = 3 -> 20.
    assert decisions["GUJ"] == decisions["GUJ"] | {
        "decisions": 3,
        "approved": 1,
        "rejected": 2,
        "median_days": 10,
        "p90_days": 20,
    }
    # GLT [1, 2, 4, 50]: median rank 2 -> 2; 90th rank ceil(3.6) = 4 -> 50.
    assert (decisions["GLT"]["median_days"], decisions["GLT"]["p90_days"]) == (2, 50)


def test_the_total_is_over_all_decisions_not_an_average_of_the_parks(world, pseb_staff):
    report = _report(pseb_staff, **IN_RANGE)
    totals = report.tables["decisions"].totals

    # All seven: [1, 2, 3, 4, 10, 20, 50]: median rank 4 -> 4 (the parks' medians, 10 and 2,
    # would average 6); 90th rank ceil(6.3) = 7 -> 50.
    assert (totals["decisions"], totals["median_days"], totals["p90_days"]) == (7, 4, 50)
    assert (report.figures["median_days"], report.figures["p90_days"]) == (4, 50)


def test_the_default_range_is_the_twelve_months_up_to_d():
    assert decision_range(ReportFilters(as_of=D)) == (date(2025, 11, 16), D)
    only_to = ReportFilters(as_of=D, period_to=Period(2026, 6))
    assert decision_range(only_to) == (date(2025, 7, 1), date(2026, 6, 30))
    assert decision_range(ReportFilters(as_of=D, **IN_RANGE)) == (
        date(2026, 7, 1),
        date(2026, 11, 30),
    )


def test_the_range_edges_are_pakistan_days(park, pseb_staff):
    # 15 November 2025 23:30 in Pakistan is before the default range; 16 November 00:30 in
    # Pakistan (19:30 UTC on the 15th) is inside it; D itself at 23:59 is inside.
    decided(park, REJECTED, pkt(2025, 11, 1, 9), pkt(2025, 11, 15, 23, 30))
    decided(park, REJECTED, pkt(2025, 11, 1, 9), datetime(2025, 11, 15, 19, 30, tzinfo=UTC))
    decided(park, REJECTED, pkt(2026, 11, 1, 9), pkt(2026, 11, 15, 23, 59))
    # The day after D is not.
    decided(park, REJECTED, pkt(2026, 11, 1, 9), pkt(2026, 11, 16, 0, 0))

    totals = _report(pseb_staff).tables["decisions"].totals
    assert totals["decisions"] == 2
    assert (totals["median_days"], totals["p90_days"]) == (14, 15)


def test_those_waiting_are_listed_oldest_first_with_days_waiting(world, pseb_staff):
    report = _report(pseb_staff)
    rows = list(report.tables["waiting"].rows)

    assert [(r["park"], r["status"], r["submitted_on"], r["days_waiting"]) for r in rows] == [
        ("GUJ", "Under review", date(2026, 10, 20), 26),
        ("GUJ", "Submitted", date(2026, 11, 1), 14),
        ("GLT", "Submitted", date(2026, 11, 10), 5),
    ]
    assert rows[0]["company"] == "Oldest Software"
    assert report.figures["waiting"] == 3


def test_the_waiting_rows_are_read_again_each_time_and_can_be_cut_short(world, pseb_staff):
    rows = _report(pseb_staff).tables["waiting"].rows
    assert len(list(islice(rows, 2))) == 2
    assert len(list(rows)) == 3  # not a spent iterator: the export reads them all


def test_a_park_manager_sees_only_their_parks(world, park_manager):
    report = _report(park_manager, **IN_RANGE)

    assert list(_by_park(report.table.rows)) == ["GUJ"]
    assert list(_by_park(report.tables["decisions"].rows)) == ["GUJ"]
    assert report.tables["decisions"].totals["median_days"] == 10
    assert {r["park"] for r in report.tables["waiting"].rows} == {"GUJ"}
    assert report.figures["waiting"] == 2


def _queries(user):
    filters = ReportFilters(as_of=D)
    scope = report_scope(user, filters)
    with CaptureQueriesContext(connection) as queries:
        report = pipeline_report(scope, filters)
        waiting = list(report.tables["waiting"].rows)
    return len(queries), len(waiting)


def _parks(count):
    for n in range(count):
        park = ParkFactory()
        decided(park, REJECTED, pkt(2026, 1, 1, 9), pkt(2026, 2, 1 + n, 9))
        decided(park, APPROVED, pkt(2026, 1, 1, 9), pkt(2026, 3, 1 + n, 9))
        ApplicationFactory(park=park, status=SUBMITTED, submitted_at=pkt(2026, 5, 1 + n, 9))
        ApplicationFactory(park=park, status=UNDER_REVIEW, submitted_at=pkt(2026, 6, 1, 9))


def test_queries_do_not_grow_with_parks_or_applications(pseb_staff):
    _parks(2)
    few, waiting_few = _queries(pseb_staff)
    _parks(4)
    many, waiting_many = _queries(pseb_staff)

    assert (waiting_few, waiting_many) == (4, 12)
    assert few == many == 4  # counts, decisions, waiting count, waiting rows
