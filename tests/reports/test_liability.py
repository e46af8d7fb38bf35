"""Subsidy liability (domain.md §7.3): the subsidy billing will give from the as-of month on,
projected by billing's own rules. The figures are checked against hand-computed amounts
(the §6 worked example) and against what the real billing service then gives, period by
period, to the paisa (the property test)."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.calendar import Period, add_months
from core.vocabulary import SUBSIDY_KINDS, LineKind, WindowAnchor
from reports.frame import ReportFilters, report_scope
from reports.selectors.liability import subsidy_liability, subsidy_liability_report
from subsidies.calculation import Let, Scheme, Window, let_lines, subsidy_amount
from subsidies.models import StatementLine, SubsidyWindow
from subsidies.projection import Subsidy, projected
from tests.factories import (
    CompanyFactory,
    LeaseFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.support import bill

pytestmark = pytest.mark.django_db

D = date(2026, 4, 1)
FULL = Subsidy(Decimal("15000.00"), Decimal("5000.00"))  # 25% of 60,000; 100% of 5,000
MARCH_2027 = Subsidy(Decimal("6774.19"), Decimal("2258.06"))  # 14 of 31 days (§6)
PROGRAMME = Scheme(
    id=1,
    name="Programme",
    internet_pct=Decimal("100"),
    rent_pct=Decimal("25"),
    duration_months=12,
    valid_from=date(2022, 7, 1),
)


def a101(start=date(2026, 3, 15), end=None):
    return Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), start, end)


def window(start=date(2026, 3, 15), scheme=PROGRAMME):
    return Window(start=start, end=add_months(start, scheme.duration_months), scheme=scheme)


def months(first: Period, count: int) -> list[Period]:
    periods = [first]
    while len(periods) < count:
        periods.append(periods[-1].next())
    return periods


# --- The projection, without a database -------------------------------------------------------
def test_the_worked_example_is_projected_month_by_month():
    got = projected([a101()], window(), Period(2026, 4))
    expected = dict.fromkeys(months(Period(2026, 4), 11), FULL)
    expected[Period(2027, 3)] = MARCH_2027
    assert got == expected


def test_march_2026_is_the_partly_subsidised_first_month():
    # 17 of 31 days: 25% × 60,000 × 17/31 = 8,225.81; 5,000 × 17/31 = 2,741.94 (§6).
    got = projected([a101()], window(), Period(2026, 3))
    assert got[Period(2026, 3)] == Subsidy(Decimal("8225.81"), Decimal("2741.94"))
    assert len(got) == 13


def test_an_open_ended_lease_stops_being_subsidised_when_its_window_closes():
    got = projected([a101()], window(), Period(2027, 3))
    assert got == {Period(2027, 3): MARCH_2027}
    assert projected([a101()], window(), Period(2027, 4)) == {}


def test_a_lease_ended_inside_a_month_is_subsidised_for_its_days_only():
    # Ends 2026-06-10: June has 10 of 30 days: 15,000 × 10/30 = 5,000.00; 5,000 × 10/30.
    got = projected([a101(end=date(2026, 6, 10))], window(), Period(2026, 4))
    assert got == {
        Period(2026, 4): FULL,
        Period(2026, 5): FULL,
        Period(2026, 6): Subsidy(Decimal("5000.00"), Decimal("1666.67")),
    }


def test_without_a_window_there_is_no_liability():
    assert projected([a101()], None, Period(2026, 4)) == {}


def test_a_let_starting_after_its_window_closed_carries_none():
    assert projected([a101(start=date(2027, 3, 15))], window(), Period(2026, 4)) == {}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    starts=st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), min_size=1, max_size=3),
    lengths=st.lists(st.none() | st.integers(0, 900), min_size=3, max_size=3),
    prices=st.lists(
        st.decimals(0, 500_000, places=2, allow_nan=False, allow_infinity=False),
        min_size=6,
        max_size=6,
    ),
    window_start=st.dates(date(2024, 6, 1), date(2027, 6, 30)),
    duration=st.integers(1, 40),
    pct=st.tuples(
        st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False),
        st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False),
    ),
    first=st.dates(date(2024, 1, 1), date(2028, 12, 31)).map(Period.of),
)
def test_the_projection_adds_up_the_subsidy_lines_let_lines_bills(
    starts, lengths, prices, window_start, duration, pct, first
):
    """Against the billing function itself, month by month over every month: the runs of
    whole months the projection adds at once give what billing's lines give each month."""
    lets = [
        Let(
            i,
            f"U-{i}",
            prices[2 * i],
            prices[2 * i + 1],
            start,
            None if lengths[i] is None else start + timedelta(days=lengths[i]),
        )
        for i, start in enumerate(starts)
    ]
    scheme = Scheme(1, "Drawn", pct[0], pct[1], duration, date(2020, 1, 1))
    drawn = window(window_start, scheme)
    expected: dict[Period, Subsidy] = {}
    period = first
    while period.first < drawn.end:
        rent = internet = Decimal(0)
        for let in lets:
            for line in let_lines(let, period, drawn):
                if line.kind == LineKind.RENT_SUBSIDY:
                    rent -= line.amount
                elif line.kind == LineKind.INTERNET_SUBSIDY:
                    internet -= line.amount
        if rent or internet:
            expected[period] = Subsidy(rent, internet)
        period = period.next()
    assert projected(lets, drawn, first) == expected


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pct=st.decimals(0, 100, places=2, allow_nan=False, allow_infinity=False),
    price=st.decimals(0, 10**10, places=2, allow_nan=False, allow_infinity=False),
)
def test_a_whole_months_line_is_the_same_in_a_month_of_any_length(pct, price):
    """Why the projection computes a whole month's line once per let (§6): the percentage of
    the price, d of d days, rounded once, does not depend on d."""
    expected = (pct * price / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert {subsidy_amount(pct, price, d, d) for d in (28, 29, 30, 31)} == {expected}


# --- The report --------------------------------------------------------------------------------
@pytest.fixture
def scheme():
    return SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))


@pytest.fixture
def worked_example(park, scheme):
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    return LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 15))


def test_the_worked_example_report_as_of_april_2026(worked_example, pseb_staff, park):
    filters = ReportFilters(as_of=D)
    report = subsidy_liability_report(report_scope(pseb_staff, filters), filters)
    rows = list(report.table.rows)
    assert [row["period"] for row in rows] == months(Period(2026, 4), 12)
    for row in rows[:11]:
        assert (row["park"], row["rent_subsidy"], row["internet_subsidy"], row["subsidy"]) == (
            "GUJ",
            Decimal("15000.00"),
            Decimal("5000.00"),
            Decimal("20000.00"),
        )
    assert (rows[11]["rent_subsidy"], rows[11]["internet_subsidy"], rows[11]["subsidy"]) == (
        Decimal("6774.19"),
        Decimal("2258.06"),
        Decimal("9032.25"),
    )
    # 11 whole months of 20,000.00 and March 2027's 9,032.25; the window closes within them.
    total = Decimal("229032.25")
    assert report.table.totals == {
        "rent_subsidy": Decimal("171774.19"),
        "internet_subsidy": Decimal("57258.06"),
        "subsidy": total,
    }
    assert report.figures == {
        "next_12": total,
        "total_to_end": total,
        "last_window_closes": date(2027, 3, 14),
    }
    parks = list(report.tables["parks"].rows)
    assert parks == [
        {
            "park": "GUJ",
            "park_name": "Gujranwala STP",
            "next_12": total,
            "total_to_end": total,
            "last_window_closes": date(2027, 3, 14),
        }
    ]
    assert report.chart.labels[0] == "2026-04"
    assert report.chart.series[0].values[-1] == Decimal("6774.19")


def test_total_to_end_goes_beyond_the_next_12_periods(park, pseb_staff):
    # A 24-month scheme from 2026-04-01: 24 whole months of 20,000.00, 12 of them next.
    SubsidySchemeFactory(duration_months=24, valid_from=date(2022, 7, 1))
    unit = UnitFactory(park=park, monthly_rent=Decimal("60000"), internet_fee=Decimal("5000"))
    LeaseFactory(park=park, units=[unit], start_date=D)
    filters = ReportFilters(as_of=date(2026, 4, 20))
    report = subsidy_liability_report(report_scope(pseb_staff, filters), filters)
    assert report.figures["next_12"] == Decimal("240000.00")
    assert report.figures["total_to_end"] == Decimal("480000.00")
    assert report.figures["last_window_closes"] == date(2028, 3, 31)


def test_a_lease_ended_before_the_months_start_contributes_nothing(park, scheme, pseb_staff):
    LeaseFactory(park=park, start_date=date(2026, 1, 10), end_date=date(2026, 3, 31))
    report = subsidy_liability_report(
        report_scope(pseb_staff, ReportFilters(as_of=D)), ReportFilters(as_of=D)
    )
    assert list(report.table.rows) == []
    assert report.figures["total_to_end"] == Decimal("0.00")
    assert report.figures["last_window_closes"] is None


def test_the_stored_window_and_its_scheme_count_not_a_later_scheme(
    worked_example, scheme, park, pseb_staff
):
    """Billing March 2026 fixed the window under the 25% scheme; a scheme naming the park,
    dated back, would win for a window not fixed yet (§5 rule 2), but not for this one."""
    bill(Period(2026, 3), today=D)
    assert SubsidyWindow.objects.filter(park=park).count() == 1
    SubsidySchemeFactory(
        rent_pct=Decimal("50"), valid_from=date(2026, 1, 1), duration_months=3
    ).parks.set([park])
    liability = subsidy_liability([park.pk], {park.pk: park.opening_date}, D)
    assert liability.to_end(park.pk) == Decimal("229032.25")
    # A company not billed yet gets the new scheme: 50% of 60,000, 3 months from 2026-04-01.
    unit = UnitFactory(park=park, monthly_rent=Decimal("60000"), internet_fee=Decimal("0"))
    LeaseFactory(park=park, units=[unit], start_date=D)
    liability = subsidy_liability([park.pk], {park.pk: park.opening_date}, D)
    assert liability.to_end(park.pk) == Decimal("229032.25") + 3 * Decimal("30000.00")


def test_a_managers_report_covers_only_their_parks(
    park, other_park, scheme, park_manager, pseb_staff
):
    LeaseFactory(park=park, start_date=D)
    LeaseFactory(park=other_park, start_date=D)
    filters = ReportFilters(as_of=D)
    mine = subsidy_liability_report(report_scope(park_manager, filters), filters)
    everyone = subsidy_liability_report(report_scope(pseb_staff, filters), filters)
    assert {row["park"] for row in mine.table.rows} == {"GUJ"}
    assert [row["park"] for row in mine.tables["parks"].rows] == ["GUJ"]
    assert {row["park"] for row in everyone.table.rows} == {"GUJ", "GLT"}
    # One 12-month window of 20,000.00 a month in each park.
    assert mine.figures["next_12"] == Decimal("240000.00")
    assert everyone.figures["next_12"] == Decimal("480000.00")


@pytest.mark.parametrize("size", [2, 10])
def test_the_number_of_queries_does_not_grow_with_leases_or_parks(
    size, scheme, pseb_staff, django_assert_max_num_queries
):
    for i in range(size):
        park = ParkFactory(code=f"Q{'ABCDEFGHIJ'[i]}")
        LeaseFactory(park=park, start_date=date(2026, 2, 1))
        LeaseFactory(park=park, start_date=date(2026, 5, 1), end_date=date(2026, 9, 30))
    bill(Period(2026, 2), today=date(2026, 3, 1))  # some windows stored, others not yet
    filters = ReportFilters(as_of=D)
    scope = report_scope(pseb_staff, filters)
    # The lets, the stored windows, the first lease starts, the schemes and their parks.
    with django_assert_max_num_queries(5):
        report = subsidy_liability_report(scope, filters)
    assert len(list(report.tables["parks"].rows)) == size
    assert report.figures["next_12"] > 0


# --- The property: liability now is subsidy given later, rupee for rupee -----------------------
PRICES = [Decimal(p) for p in ("3000", "5000", "12345.67", "45000.50", "60000", "0")]
PCTS = [Decimal(p) for p in ("12.5", "25", "33.33", "100", "0")]  # shrinks to 12.5


@st.composite
def programmes(draw):
    """One or two schemes (percentages, duration, anchor, validity, parks) and leases in two
    parks for up to three companies: some scheduled, some open-ended, some ended (terminated)
    before the as-of date; optionally a month billed before it, fixing windows, and a scheme
    created after that, dated back."""
    as_of = draw(st.dates(date(2026, 1, 1), date(2026, 12, 31)))
    schemes = [
        {
            "internet_pct": draw(st.sampled_from(PCTS)),
            "rent_pct": draw(st.sampled_from(PCTS)),
            "duration_months": draw(st.integers(1, 24)),
            "valid_from": draw(st.dates(date(2024, 6, 1), date(2026, 6, 30))),
            "valid_days": draw(st.one_of(st.none(), st.none(), st.integers(0, 900))),
            "anchor": draw(st.sampled_from([*WindowAnchor, WindowAnchor.LEASE_START])),
            "this_park_only": draw(st.booleans()),
        }
        for _ in range(draw(st.integers(1, 2)))
    ]
    leases = []
    for _ in range(draw(st.integers(1, 5))):
        start = as_of + timedelta(days=draw(st.integers(-400, 150)))
        end = draw(st.none() | st.integers(0, 400).map(lambda n, s=start: s + timedelta(days=n)))
        leases.append(
            {
                "park": draw(st.integers(0, 1)),
                "company": draw(st.integers(0, 2)),
                "start": max(start, date(2025, 1, 1)),
                "end": end,
                "units": [
                    (draw(st.sampled_from(PRICES)), draw(st.sampled_from(PRICES)))
                    for _ in range(draw(st.integers(1, 2)))
                ],
            }
        )
    return {
        "as_of": as_of,
        "schemes": schemes,
        "leases": leases,
        "bill_before": draw(st.sampled_from([True, True, False])),
        "late_scheme": draw(st.booleans()),
    }


def _build(drawn, parks, companies):
    for spec in drawn["schemes"]:
        valid_to = (
            None
            if spec["valid_days"] is None
            else spec["valid_from"] + timedelta(days=spec["valid_days"])
        )
        scheme = SubsidySchemeFactory(
            internet_pct=spec["internet_pct"],
            rent_pct=spec["rent_pct"],
            duration_months=spec["duration_months"],
            valid_from=spec["valid_from"],
            valid_to=valid_to,
            anchor=spec["anchor"],
        )
        if spec["this_park_only"]:
            scheme.parks.set([parks[0]])
    for spec in drawn["leases"]:
        park = parks[spec["park"]]
        end = spec["end"]
        if end is not None and end < spec["start"]:
            end = spec["start"]
        lease = LeaseFactory(
            park=park,
            company=companies[spec["company"]],
            start_date=spec["start"],
            end_date=end,
            units=[
                UnitFactory(park=park, monthly_rent=rent, internet_fee=internet)
                for rent, internet in spec["units"]
            ],
        )
        if end is not None and end < drawn["as_of"]:
            lease.terminated_at = timezone.now()  # terminated: its end date was recorded
            lease.termination_reason = "Left the park."
            lease.save()


def _given(period: Period) -> dict[int, Decimal]:
    """The subsidy the statements issued for ``period`` gave, per park (a positive amount)."""
    given: dict[int, Decimal] = defaultdict(Decimal)
    for park_id, amount in StatementLine.objects.filter(
        statement__period=period.first, kind__in=SUBSIDY_KINDS
    ).values_list("statement__park_id", "amount"):
        given[park_id] -= amount
    return given


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=programmes())
def test_the_liability_is_what_billing_then_gives_rupee_for_rupee(drawn):
    with transaction.atomic():
        parks = [
            ParkFactory(code="PRA", opening_date=date(2025, 1, 1)),
            ParkFactory(code="PRB", opening_date=date(2025, 6, 1)),
        ]
        companies = [CompanyFactory() for _ in range(3)]
        _build(drawn, parks, companies)
        first = Period.of(drawn["as_of"])
        if drawn["bill_before"]:
            bill(first.previous(), today=first.first)  # fixes the windows of those billed
        if drawn["late_scheme"]:
            # Created since, dated back and naming a park: it wins for windows not fixed
            # yet, never for those billing stored (§5 rule 2).
            late = SubsidySchemeFactory(
                internet_pct=Decimal("50"),
                rent_pct=Decimal("50"),
                duration_months=6,
                valid_from=date(2025, 1, 1),
            )
            late.parks.set([parks[0]])
        ids = [p.pk for p in parks]
        liability = subsidy_liability(ids, {p.pk: p.opening_date for p in parks}, drawn["as_of"])
        last = max((period for by in liability.by_park.values() for period in by), default=first)
        event("some liability" if liability.by_park else "no liability")
        event(f"windows stored before: {SubsidyWindow.objects.exists()}")
        period, given_total = first, dict.fromkeys(ids, Decimal(0))
        while period <= last.next():  # one month beyond the last: nothing more is given
            bill(period, today=period.next().first)
            given = _given(period)
            for park_id in ids:
                assert given.get(park_id, Decimal(0)) == liability.of(park_id, period).total, (
                    period,
                    park_id,
                )
                given_total[park_id] += given.get(park_id, Decimal(0))
            period = period.next()
        for park_id in ids:
            assert given_total[park_id] == liability.to_end(park_id)
        transaction.set_rollback(True)


# --- The cached projection ---------------------------------------------------------------------
def _report(user, as_of=D):
    filters = ReportFilters(as_of=as_of)
    return subsidy_liability_report(report_scope(user, filters), filters)


def test_a_second_report_reads_the_cache_and_says_when_it_was_computed(
    worked_example, pseb_staff, django_assert_num_queries
):
    first = _report(pseb_staff)
    assert first.computed_at is not None
    scope = report_scope(pseb_staff, ReportFilters(as_of=D))
    with django_assert_num_queries(0):
        again = subsidy_liability_report(scope, ReportFilters(as_of=D))
    assert again.computed_at == first.computed_at
    assert again.figures == first.figures
    # Another as-of date is another projection.
    assert _report(pseb_staff, date(2026, 5, 1)).figures["next_12"] == Decimal("209032.25")


# The version is bumped when the change commits: the tests run those callbacks.
def test_recording_a_lease_projects_again(
    worked_example, park, pseb_staff, company_user, django_capture_on_commit_callbacks
):
    from tenants.services import lease_create

    before = _report(pseb_staff).figures["next_12"]
    unit = UnitFactory(park=park, monthly_rent=Decimal("40000"), internet_fee=Decimal("0"))
    with django_capture_on_commit_callbacks(execute=True):
        lease_create(
            company=company_user.memberships.get().company,
            park=park,
            units=[unit],
            start_date=date(2026, 5, 1),
            end_date=None,
            created_by=pseb_staff,
        )
    # 25% of 40,000 for May 2026 to March 2027 (11 months) in the next 12.
    assert _report(pseb_staff).figures["next_12"] == before + 11 * Decimal("10000.00")


def test_terminating_a_lease_projects_again(
    worked_example, pseb_staff, django_capture_on_commit_callbacks
):
    from tests.subsidies.support import terminate

    assert _report(pseb_staff).figures["next_12"] == Decimal("229032.25")
    with django_capture_on_commit_callbacks(execute=True):
        terminate(pseb_staff, worked_example, date(2026, 5, 31))
    # April and May 2026 only.
    assert _report(pseb_staff).figures["next_12"] == Decimal("40000.00")


def test_a_new_scheme_projects_again(park, pseb_staff, django_capture_on_commit_callbacks):
    from subsidies import services

    LeaseFactory(park=park, start_date=D)  # 60,000 rent, 5,000 internet; no scheme yet
    assert _report(pseb_staff).figures["next_12"] == Decimal("0.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.scheme_create(
            user=pseb_staff,
            data=services.SchemeInput(
                name="Internet only",
                internet_pct=Decimal("100"),
                rent_pct=Decimal("0"),
                duration_months=6,
                valid_from=date(2026, 1, 1),
            ),
        )
    assert _report(pseb_staff).figures["next_12"] == 6 * Decimal("5000.00")


def test_billing_a_month_bumps_the_version(worked_example, django_capture_on_commit_callbacks):
    from subsidies.liability_version import liability_version

    version = liability_version()
    with django_capture_on_commit_callbacks(execute=False):
        bill(Period(2026, 3), today=D)
    assert liability_version() == version  # not before the statements commit
    with django_capture_on_commit_callbacks(execute=True):
        bill(Period(2026, 4), today=date(2026, 5, 1))
    assert liability_version() != version


def test_the_worker_keeps_the_programmes_liability_ready(
    pseb_staff, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Beat's warm_programme_liability projects every park's liability once its data changed
    (a new version), so PSEB's report then reads it from the cache: no projection query."""
    from reports.frame import ReportFilters, report_scope
    from reports.selectors.liability import subsidy_liability_report
    from reports.tasks import warm_programme_liability
    from subsidies.liability_version import liability_changed
    from tests.factories import ParkFactory

    ParkFactory.create_batch(2)
    assert warm_programme_liability() is True  # nothing cached yet: projected
    assert warm_programme_liability() is False  # cached under this version: nothing to do
    filters = ReportFilters.default()
    scope = report_scope(pseb_staff, filters)
    with django_assert_num_queries(0):
        subsidy_liability_report(scope, filters)  # read from the cache
    with django_capture_on_commit_callbacks(execute=True):
        liability_changed()  # a lease, a scheme or billing changed the data
    assert warm_programme_liability() is True
