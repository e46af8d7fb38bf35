"""The occupancy report (domain.md §7.1, the rule of §2): per park on D, totals from summed
parts, the month-end series, the headline figures, the caller's scope and a bounded number
of queries."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.charts import ChartKind
from core.vocabulary import ParkStatus
from parks.selectors import ParkFigures, park_figures_computed, park_figures_on_days
from reports.frame import ReportFilters, report_scope
from reports.selectors.occupancy import occupancy_report
from tests.factories import CompanyFactory, LeaseFactory, ParkFactory, UnitFactory

pytestmark = pytest.mark.django_db

D = date(2026, 11, 15)


@pytest.fixture
def world(park, other_park):
    """GUJ: 2,000 sq ft leasable (one 1,000 unit leased since January, one 1,000 unit vacant
    since its lease ended on 30 September) and a 500 sq ft unit under maintenance.
    GLT: four 250 sq ft units, three leased from 1 October. SKR: planned, no units.
    Company X leases in both parks; Y in GLT; Z's lease in GUJ has ended."""
    x, y, z = CompanyFactory(name="X"), CompanyFactory(name="Y"), CompanyFactory(name="Z")
    leased, vacated = UnitFactory(park=park), UnitFactory(park=park)
    UnitFactory(park=park, area_sqft=Decimal("500.00"), seats=4, under_maintenance=True)
    LeaseFactory(park=park, company=x, units=[leased], start_date=date(2026, 1, 1))
    LeaseFactory(
        park=park,
        company=z,
        units=[vacated],
        start_date=date(2025, 1, 1),
        end_date=date(2026, 9, 30),
    )
    small = [UnitFactory(park=other_park, area_sqft=Decimal("250.00"), seats=2) for _ in range(4)]
    LeaseFactory(park=other_park, company=x, units=small[:1], start_date=date(2026, 10, 1))
    LeaseFactory(park=other_park, company=y, units=small[1:3], start_date=date(2026, 10, 1))
    ParkFactory(code="SKR", name="Sukkur STP", city="Sukkur", status=ParkStatus.PLANNED)


def _report(user, **filters):
    return _report_on(user, D, **filters)


def _report_on(user, day, **filters):
    chosen = ReportFilters(as_of=day, **filters)
    return occupancy_report(report_scope(user, chosen), chosen)


def _rows(table):
    return {row["park"]: row for row in table.rows}


def test_each_park_shows_its_area_units_seats_and_the_three_ratios(world, pseb_staff):
    rows = _rows(_report(pseb_staff).table)

    guj, glt, skr = rows["GUJ"], rows["GLT"], rows["SKR"]
    assert (guj["leasable_area"], guj["leased_area"], guj["occupancy_percent"]) == (
        Decimal("2000.00"),
        Decimal("1000.00"),
        Decimal("50.0"),
    )
    assert (guj["leasable_units"], guj["leased_units"], guj["units_vacant"]) == (2, 1, 1)
    assert (guj["leasable_seats"], guj["leased_seats"], guj["seats_percent"]) == (24, 12, 50)
    assert (glt["leasable_area"], glt["leased_area"], glt["occupancy_percent"]) == (
        Decimal("1000.00"),
        Decimal("750.00"),
        Decimal("75.0"),
    )
    assert (glt["leased_units"], glt["units_vacant"], glt["units_percent"]) == (3, 1, 75)
    assert (glt["leasable_seats"], glt["leased_seats"]) == (8, 6)
    # A park with nothing leasable has no ratio (not 0 %).
    assert skr["leasable_area"] == 0
    assert skr["occupancy_percent"] is None
    assert skr["status"] == "Planned"


def test_totals_are_ratios_of_summed_parts_not_averages_of_the_parks_ratios(world, pseb_staff):
    totals = _report(pseb_staff).table.totals

    assert totals["leasable_area"] == Decimal("3000.00")
    assert totals["leased_area"] == Decimal("1750.00")
    # 1,750 / 3,000 = 58.3 %; the parks' 50 % and 75 % would average 62.5 %.
    assert totals["occupancy_percent"] == Decimal("58.3")
    # 4 of 6 units = 66.7 % (average: 62.5); 18 of 32 seats = 56.25 -> 56.3 % (average: 62.5).
    assert (totals["leased_units"], totals["leasable_units"]) == (4, 6)
    assert totals["units_percent"] == Decimal("66.7")
    assert totals["seats_percent"] == Decimal("56.3")
    assert totals["units_vacant"] == 2


def test_figures_count_open_parks_vacant_units_and_each_tenant_once(world, pseb_staff):
    figures = _report(pseb_staff).figures

    assert figures == {
        "parks_open": 2,  # SKR is planned
        "occupancy_percent": Decimal("58.3"),
        "units_vacant": 2,
        "tenants": 2,  # X (in two parks) and Y; Z's lease ended
    }


def test_the_series_measures_each_month_end_and_d(world, pseb_staff):
    report = _report(pseb_staff, months=3)
    series = list(report.tables["series"].rows)

    assert [row["day"] for row in series] == [
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
        D,
    ]
    # August and September: both GUJ units leased (Z's lease ends on 30 September), GLT
    # empty: 2,000 of 3,000 sq ft; 2 of 6 units; 24 of 32 seats.
    for row in series[:2]:
        assert row["leased_area"] == Decimal("2000.00")
        assert row["occupancy_percent"] == Decimal("66.7")
        assert row["units_percent"] == Decimal("33.3")
        assert row["seats_percent"] == Decimal("75.0")
    # October: Z gone, GLT's three from the 1st: 1,750 of 3,000.
    assert series[2]["leased_area"] == Decimal("1750.00")
    assert series[2]["occupancy_percent"] == Decimal("58.3")
    # D is the main table's total.
    assert series[3]["occupancy_percent"] == report.table.totals["occupancy_percent"]
    assert report.chart.kind == ChartKind.LINE
    assert report.chart.labels == ("Aug 2026", "Sep 2026", "Oct 2026", "Nov 2026")
    by_area = report.chart.series[0]
    assert by_area.values == (Decimal("66.7"), Decimal("66.7"), Decimal("58.3"), Decimal("58.3"))


def test_without_months_there_is_no_series(world, pseb_staff):
    report = _report(pseb_staff)
    assert report.tables == {}
    assert report.chart is None


def test_a_park_manager_sees_only_their_parks(world, park_manager):
    report = _report(park_manager, months=2)

    assert list(_rows(report.table)) == ["GUJ"]
    assert report.table.totals["park_name"] == "Your parks"
    assert report.table.totals["occupancy_percent"] == Decimal("50.0")
    assert report.figures["tenants"] == 1  # X only: Y leases in GLT
    assert [row["occupancy_percent"] for row in report.tables["series"].rows] == [
        Decimal("100.0"),  # 30 September: Z still there
        Decimal("50.0"),
        Decimal("50.0"),
    ]


def test_filters_narrow_the_parks(world, pseb_staff):
    report = _report(pseb_staff, park="GLT")
    assert list(_rows(report.table)) == ["GLT"]
    assert report.table.totals["occupancy_percent"] == Decimal("75.0")


def _queries(user, months):
    filters = ReportFilters(as_of=D, months=months)
    scope = report_scope(user, filters)
    with CaptureQueriesContext(connection) as queries:
        occupancy_report(scope, filters)
    return len(queries)


def _parks(count):
    for n in range(count):
        park = ParkFactory()
        units = [UnitFactory(park=park) for _ in range(3)]
        LeaseFactory(park=park, units=units[:2], start_date=date(2026, 2, 1 + n))
        LeaseFactory(park=park, units=units[2:], start_date=date(2025, 3, 1), end_date=D)


def test_queries_do_not_grow_with_parks_units_or_leases(pseb_staff, django_assert_max_num_queries):
    _parks(2)
    few = _queries(pseb_staff, 12)
    _parks(4)
    many = _queries(pseb_staff, 12)

    assert few == many
    # The scope's parks, their figures on D and the month ends (24 or 12), the tenants.
    with django_assert_max_num_queries(3):
        _report(pseb_staff, months=24)
    with django_assert_max_num_queries(3):
        _report(pseb_staff, months=12)


def test_the_many_days_query_agrees_with_the_parks_figures_on_every_day(park, other_park):
    """``park_figures_on_days`` states the rule of ``park_figures_computed`` for many days at
    once: on each day, each park's figures are the same, part for part. Lets start and end on
    the days measured, a flagged unit is leased on some of them and has a let to come, a unit
    is let twice, another reserved, another leased with its renewal booked."""
    days = [date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 30), date(2026, 5, 31), D]
    flagged = UnitFactory(park=park, under_maintenance=True, seats=3)
    twice = UnitFactory(park=park, area_sqft=Decimal("333.33"), seats=5)
    reserved = UnitFactory(park=other_park, area_sqft=Decimal("120.50"), seats=1)
    renewed = UnitFactory(park=other_park, area_sqft=Decimal("999.99"), seats=9)
    UnitFactory(park=other_park, area_sqft=Decimal("10.00"), seats=1)  # never let
    LeaseFactory(
        park=park, units=[flagged], start_date=date(2026, 4, 1), end_date=date(2026, 4, 30)
    )
    LeaseFactory(park=park, units=[flagged], start_date=date(2027, 2, 1))
    LeaseFactory(park=park, units=[twice], start_date=date(2026, 1, 1), end_date=date(2026, 3, 31))
    LeaseFactory(park=park, units=[twice], start_date=date(2026, 5, 31))
    LeaseFactory(park=other_park, units=[reserved], start_date=date(2027, 1, 1))
    LeaseFactory(park=other_park, units=[renewed], start_date=date(2026, 1, 1), end_date=D)
    LeaseFactory(park=other_park, units=[renewed], start_date=date(2026, 11, 16))
    empty = ParkFactory(code="EMP")  # no units at all
    ids = [park.pk, other_park.pk, empty.pk]

    by_day = park_figures_on_days(ids, days)

    assert sorted(by_day) == days
    for day in days:
        computed = park_figures_computed(ids, day)
        for pk in ids:
            assert by_day[day][pk] == computed.get(pk, ParkFigures.empty(day)), (day, pk)
    # By hand, 30 April: the flagged unit leased (so leasable that day), ``twice`` between its
    # lets and so reserved, ``reserved`` reserved, ``renewed`` leased: GUJ has no vacant unit,
    # GLT one (the unit never let).
    guj, glt = by_day[date(2026, 4, 30)][park.pk], by_day[date(2026, 4, 30)][other_park.pk]
    assert (guj.occupancy.leased_area, guj.occupancy.leasable_area) == (
        Decimal("1000.00"),
        Decimal("1333.33"),
    )
    assert (guj.units_total, guj.units_vacant, guj.occupancy.leasable_seats) == (2, 0, 8)
    assert (glt.units_total, glt.units_vacant, glt.occupancy.leased_units) == (3, 1, 1)
    # 31 May: ``twice`` let again, the flagged unit not leased, so not leasable.
    may = by_day[date(2026, 5, 31)][park.pk].occupancy
    assert (may.leased_area, may.leasable_area, may.leasable_units) == (
        Decimal("333.33"),
        Decimal("333.33"),
        1,
    )
    assert by_day[D][empty.pk] == ParkFigures.empty(D)


def test_no_parks_or_no_days_ask_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert park_figures_on_days([], [D]) == {D: {}}
        assert park_figures_on_days([1], []) == {}


def test_today_is_read_from_the_parks_figures(park, pseb_staff):
    today = timezone.localdate()
    unit = UnitFactory(park=park)
    UnitFactory(park=park)
    LeaseFactory(park=park, units=[unit], start_date=date(2026, 1, 1))

    report = _report_on(pseb_staff, today, months=1)

    assert report.table.totals["occupancy_percent"] == Decimal("50.0")
    assert [row["occupancy_percent"] for row in report.tables["series"].rows] == [
        Decimal("50.0"),
        Decimal("50.0"),
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_many_days_query_agrees_on_random_lease_histories(seed):
    """Random parks, units (some flagged) and non-overlapping lets (open, ended, to come),
    measured on random days: every park's figures agree with ``park_figures_computed``."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible world, no secret)
    parks = [ParkFactory() for _ in range(3)]
    origin = date(2025, 1, 1)
    for _ in range(14):
        unit = UnitFactory(
            park=rng.choice(parks),
            area_sqft=Decimal(rng.randint(100, 5000)) / 4,
            seats=rng.randint(1, 20),
            under_maintenance=rng.random() < 0.2,
        )
        start = origin + timedelta(days=rng.randint(0, 200))
        for _ in range(rng.randint(0, 3)):
            end = None if rng.random() < 0.3 else start + timedelta(days=rng.randint(0, 150))
            LeaseFactory(park=unit.park, units=[unit], start_date=start, end_date=end)
            if end is None:
                break
            start = end + timedelta(days=rng.randint(1, 60))
    days = sorted({origin + timedelta(days=rng.randint(0, 700)) for _ in range(8)})
    ids = [park.pk for park in parks]

    by_day = park_figures_on_days(ids, days)

    for day in days:
        computed = park_figures_computed(ids, day)
        for pk in ids:
            assert by_day[day][pk] == computed.get(pk, ParkFigures.empty(day)), (day, pk)
