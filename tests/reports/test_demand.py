"""Demand by city (domain.md §7.7): PSEB's registered companies per city (seeded with the
brochure's four figures, kept by PSEB through a service), beside each city's parks by status,
seats total and vacant, tenants, applications waiting and seats per 100 registered
companies."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.charts import ChartKind
from core.vocabulary import ApplicationStatus, ParkStatus, Province
from reports.frame import ReportFilters, report_scope
from reports.models import CityDemand
from reports.selectors.demand import demand_report
from reports.services import city_demand_set, city_demand_update
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LeaseFactory,
    ParkFactory,
    ParkManagerAssignmentFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

D = date(2026, 11, 15)
WAITING = ApplicationStatus.SUBMITTED


SEEDING = importlib.import_module("reports.migrations.0002_seed_city_demand")


@pytest.fixture(autouse=True)
def brochure():
    """The brochure's figures, as the data migration leaves them (a transactional test
    elsewhere may have flushed the migrated rows)."""
    SEEDING.seed(apps, None)


def test_the_migration_seeds_the_brochure_figures_and_keeps_what_pseb_recorded():
    CityDemand.objects.all().delete()
    CityDemand.objects.create(city="quetta", province="balochistan", registered_companies=150)

    SEEDING.seed(apps, None)
    SEEDING.seed(apps, None)  # twice: nothing doubled

    seeded = dict(CityDemand.objects.values_list("city", "registered_companies"))
    assert seeded == {"Faisalabad": 455, "Gilgit": 87, "quetta": 150, "Sukkur": 40}
    assert CityDemand.objects.get(city="Gilgit").province == Province.GILGIT_BALTISTAN
    assert CityDemand.objects.get(city="Sukkur").province == Province.SINDH


@pytest.fixture
def world():
    """Faisalabad: FSD open (12 seats leased, 12 vacant, 4 under maintenance) and FS2
    upcoming; Gilgit: GLT open, its city written "gilgit " (8 seats, 6 leased); Gujranwala:
    GUJ open (10 seats, none leased, no figure); Quetta: no park; Sukkur: SKR planned.
    Company X leases in FSD and GLT, Y in GLT."""
    fsd = ParkFactory(code="FSD", city="Faisalabad", province=Province.PUNJAB)
    fs2 = ParkFactory(code="FSB", city="Faisalabad", status=ParkStatus.UPCOMING)
    glt = ParkFactory(code="GLT", city="gilgit ", province=Province.GILGIT_BALTISTAN)
    guj = ParkFactory(code="GUJ", city="Gujranwala")
    ParkFactory(code="SKR", city="Sukkur", province=Province.SINDH, status=ParkStatus.PLANNED)
    x, y = CompanyFactory(name="X"), CompanyFactory(name="Y")

    leased, _vacant = UnitFactory(park=fsd, seats=12), UnitFactory(park=fsd, seats=12)
    UnitFactory(park=fsd, seats=4, under_maintenance=True)
    LeaseFactory(park=fsd, company=x, units=[leased], start_date=date(2026, 1, 1))
    small = [UnitFactory(park=glt, seats=2) for _ in range(4)]
    LeaseFactory(park=glt, company=x, units=small[:1], start_date=date(2026, 1, 1))
    LeaseFactory(park=glt, company=y, units=small[1:3], start_date=date(2026, 1, 1))
    # Y's lease in GUJ ended before D: not a tenant there, its unit vacant.
    ended = UnitFactory(park=guj, seats=10)
    LeaseFactory(
        park=guj, company=y, units=[ended], start_date=date(2025, 1, 1), end_date=date(2026, 6, 30)
    )

    ApplicationFactory(park=fsd, status=WAITING)
    ApplicationFactory(park=fs2, status=ApplicationStatus.UNDER_REVIEW)
    ApplicationFactory(park=glt, status=ApplicationStatus.REJECTED, decided_at=None)
    return {"glt": glt}


def _report(user, **filters):
    chosen = ReportFilters(as_of=D, **filters)
    return demand_report(report_scope(user, chosen), chosen)


def _by_city(table):
    return {row["city"]: row for row in table.rows}


def test_each_city_sets_its_parks_seats_tenants_and_waiting_beside_its_companies(world, pseb_staff):
    rows = _by_city(_report(pseb_staff).table)

    assert list(rows) == ["Faisalabad", "Gilgit", "Gujranwala", "Quetta", "Sukkur"]
    assert rows["Faisalabad"] == {
        "city": "Faisalabad",
        "province": "Punjab",
        "registered_companies": 455,
        "parks_existing": 1,
        "parks_upcoming": 1,
        "parks_planned": 0,
        "seats_total": 24,  # the 4 seats under maintenance are not leasable
        "seats_vacant": 12,
        "tenants": 1,
        "applications_waiting": 2,
        "seats_per_100": Decimal("5.3"),  # 2,400 / 455 = 5.27
    }
    gilgit = rows["Gilgit"]  # the park's "gilgit " is the recorded Gilgit
    assert (gilgit["registered_companies"], gilgit["parks_existing"]) == (87, 1)
    assert (gilgit["seats_total"], gilgit["seats_vacant"], gilgit["tenants"]) == (8, 2, 2)
    assert gilgit["applications_waiting"] == 0  # a rejected one is not waiting
    assert gilgit["seats_per_100"] == Decimal("9.2")  # 800 / 87 = 9.195
    assert gilgit["province"] == "Gilgit-Baltistan"
    # No figure recorded: no ratio.
    assert rows["Gujranwala"]["registered_companies"] is None
    assert rows["Gujranwala"]["seats_per_100"] is None
    assert (rows["Gujranwala"]["seats_vacant"], rows["Gujranwala"]["tenants"]) == (10, 0)
    # A city with companies and no park: what the report is for.
    assert rows["Quetta"]["parks_existing"] == 0
    assert rows["Quetta"]["seats_per_100"] == Decimal("0.0")
    assert rows["Sukkur"]["parks_planned"] == 1


def test_totals_are_sums_and_count_each_tenant_once(world, pseb_staff):
    report = _report(pseb_staff)
    totals = report.table.totals

    assert totals["registered_companies"] == 455 + 87 + 113 + 40
    assert totals["seats_total"] == 42
    assert totals["seats_vacant"] == 24
    assert totals["applications_waiting"] == 2
    assert totals["tenants"] == 2  # X in two cities is one tenant (the cities' sum is 3)
    # Seats of the cities with a figure (24 + 8) per 100 of their 695 companies: 4.6.
    assert totals["seats_per_100"] == Decimal("4.6")
    assert report.figures == {"cities": 5, "registered_companies": 695}


def test_the_chart_shows_seats_per_100_companies_of_the_cities_with_a_figure(world, pseb_staff):
    chart = _report(pseb_staff).chart

    assert chart.kind == ChartKind.BARS
    assert chart.labels == ("Faisalabad", "Gilgit", "Quetta", "Sukkur")
    assert chart.series[0].values == (
        Decimal("5.3"),
        Decimal("9.2"),
        Decimal("0.0"),
        Decimal("0.0"),
    )


def test_a_park_manager_sees_only_their_parks_cities(world):
    manager = ParkManagerAssignmentFactory(park=world["glt"]).user
    report = _report(manager)

    assert list(_by_city(report.table)) == ["Gilgit"]
    assert report.figures == {"cities": 1, "registered_companies": 87}
    assert report.table.totals["tenants"] == 2


def test_a_filtered_view_shows_the_cities_of_the_parks_shown(world, pseb_staff):
    report = _report(pseb_staff, status=ParkStatus.UPCOMING)
    assert list(_by_city(report.table)) == ["Faisalabad"]
    assert _by_city(report.table)["Faisalabad"]["seats_total"] == 0


def _queries(user):
    filters = ReportFilters(as_of=D)
    scope = report_scope(user, filters)
    with CaptureQueriesContext(connection) as queries:
        demand_report(scope, filters)
    return len(queries)


def _parks(count):
    for n in range(count):
        park = ParkFactory(city=f"City {n}")
        units = [UnitFactory(park=park) for _ in range(2)]
        LeaseFactory(park=park, units=units[:1], start_date=date(2026, 1, 1))
        ApplicationFactory(park=park, status=WAITING)


def test_queries_do_not_grow_with_parks_or_cities(pseb_staff):
    _parks(2)
    few = _queries(pseb_staff)
    _parks(4)
    many = _queries(pseb_staff)

    # figures, city figures, waiting, tenants per city, tenants in all
    assert few == many == 5


# --- PSEB keeps the figures ------------------------------------------------------------------
def test_pseb_records_a_new_city_and_replaces_a_figure_however_the_city_is_written(pseb_staff):
    sialkot = city_demand_set(
        user=pseb_staff, city=" Sialkot ", province="punjab", registered_companies=210
    )
    assert (sialkot.city, sialkot.registered_companies) == ("Sialkot", 210)

    again = city_demand_set(user=pseb_staff, city="GILGIT", province="gb", registered_companies=95)
    assert again.city == "Gilgit"
    assert CityDemand.objects.get(city="Gilgit").registered_companies == 95
    assert CityDemand.objects.filter(city__iexact="gilgit").count() == 1


def test_a_change_is_in_the_audit_trail(pseb_staff):
    demand = CityDemand.objects.get(city="Quetta")
    city_demand_update(user=pseb_staff, target=demand, registered_companies=120)

    entry = LogEntry.objects.get_for_object(demand).latest("timestamp")
    assert entry.changes_dict["registered_companies"] == [113, 120]
    demand.refresh_from_db()
    assert (demand.province, demand.registered_companies) == ("balochistan", 120)


def test_only_pseb_staff_record_city_figures(park_manager, company_user):
    for user in (park_manager, company_user):
        with pytest.raises(PermissionDenied):
            city_demand_set(user=user, city="Sialkot", province="punjab", registered_companies=1)
    assert not CityDemand.objects.filter(city="Sialkot").exists()


@pytest.mark.parametrize(
    ("city", "province", "registered", "field"),
    [
        ("", "punjab", 10, "city"),
        ("Sialkot", "nowhere", 10, "province"),
        ("Sialkot", "punjab", -1, "registered_companies"),
    ],
)
def test_bad_figures_are_refused(pseb_staff, city, province, registered, field):
    with pytest.raises(ValidationError) as refused:
        city_demand_set(
            user=pseb_staff, city=city, province=province, registered_companies=registered
        )
    assert field in refused.value.message_dict
