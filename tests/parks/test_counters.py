"""Each park's stored figures (``ParkCounters``, issue 9) equal what its units and lets give,
after every service that changes them, under concurrent writers and a killed worker; a row
not for today is never read."""

import io
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from parks import services
from parks.models import ParkCounters, Unit
from parks.selectors import (
    FIGURES,
    directory_row,
    park_directory,
    park_figures,
    park_figures_computed,
)
from parks.services import occupancy_refresh_all, unit_create, unit_update, units_import_csv
from parks.tasks import refresh_occupancy
from tenants.services import lease_create, lease_terminate
from tests.factories import CompanyFactory, ParkFactory, PsebStaffFactory, UnitFactory
from tests.parks.test_csv_import import csv_bytes

pytestmark = pytest.mark.django_db


def _stored(park):
    """The park's stored row: its day and each figure, by name."""
    row = ParkCounters.objects.get(park=park)
    return {"on": row.on, **{name: getattr(row, name) for name in FIGURES}}


def _computed(park):
    """The park's figures today, computed from its units and lets, as ``_stored`` reads."""
    today = timezone.localdate()
    return {"on": today, **park_figures_computed([park.pk], today)[park.pk].as_row()}


@pytest.fixture
def staff():
    return PsebStaffFactory()


@pytest.fixture
def open_park():
    return ParkFactory(opening_date=date(2020, 1, 1))


def test_every_service_that_changes_units_or_lets_keeps_the_stored_figures_true(staff, open_park):
    today = timezone.localdate()
    a = unit_create(user=staff, park=open_park, code="A-1", area_sqft=Decimal("600"), seats=6)
    assert _stored(open_park) == _computed(open_park)
    stored = _stored(open_park)
    assert (stored["units_total"], stored["units_vacant"]) == (1, 1)  # one unit, vacant

    b = unit_create(user=staff, park=open_park, code="A-2", area_sqft=Decimal("400"), seats=4)
    lease = lease_create(
        company=CompanyFactory(),
        park=open_park,
        units=[a],
        start_date=today - timedelta(days=30),
        end_date=None,
        created_by=staff,
    )
    assert _stored(open_park) == _computed(open_park)
    assert _stored(open_park)["leased_units"] == 1  # one unit leased

    unit_update(user=staff, unit=b, under_maintenance=True)
    assert _stored(open_park) == _computed(open_park)
    assert _stored(open_park)["leasable_area"] == Decimal("600")  # b no longer leasable

    units_import_csv(
        user=staff,
        park=open_park,
        file=io.BytesIO(csv_bytes("C-1,1,office,250,3,,0,no")),
    )
    assert _stored(open_park) == _computed(open_park)
    assert _stored(open_park)["units_total"] == 3

    lease_terminate(user=staff, lease=lease, end_date=today - timedelta(days=1))
    assert _stored(open_park) == _computed(open_park)
    assert _stored(open_park)["leased_units"] == 0  # nothing leased today


def test_the_directory_reads_todays_row_and_computes_a_park_whose_row_is_older(
    staff, open_park, django_assert_num_queries
):
    unit = unit_create(user=staff, park=open_park, code="A-1", area_sqft=Decimal(500), seats=5)
    with django_assert_num_queries(1):  # today's stored row only
        figures = park_figures([open_park.pk])[open_park.pk]
    assert (figures.units_total, figures.units_vacant) == (1, 1)

    # A row from yesterday (the night's refresh has not run) is not read: computed again.
    ParkCounters.objects.filter(park=open_park).update(
        on=timezone.localdate() - timedelta(days=1), units_total=99, units_vacant=99
    )
    with django_assert_num_queries(2):
        figures = park_figures([open_park.pk])[open_park.pk]
    assert (figures.units_total, figures.units_vacant) == (1, 1)
    row = directory_row(park_directory(AnonymousUser()).get(pk=open_park.pk))
    assert (row.units_total, row.leasable_area) == (1, unit.area_sqft)


def test_the_nights_task_stores_every_park_for_today_and_the_check_agrees(open_park):
    UnitFactory(park=open_park)
    other = ParkFactory()
    UnitFactory(park=other)
    ParkCounters.objects.all().delete()

    assert refresh_occupancy() == 2
    assert _stored(open_park) == _computed(open_park)
    assert _stored(other) == _computed(other)

    out = io.StringIO()
    call_command("check_occupancy", stdout=out)
    assert "2 parks checked" in out.getvalue()
    assert "0 differ" in out.getvalue()


def test_the_check_fails_on_a_stored_figure_that_differs_from_the_lets(open_park):
    UnitFactory(park=open_park)
    occupancy_refresh_all()
    ParkCounters.objects.filter(park=open_park).update(units_vacant=7)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 parks"):
        call_command("check_occupancy", stdout=io.StringIO(), stderr=err)
    assert open_park.code in err.getvalue()


def test_a_failed_transaction_leaves_the_stored_figures_as_they_were(staff, open_park):
    unit = unit_create(user=staff, park=open_park, code="A-1", area_sqft=Decimal(500), seats=5)
    before = _stored(open_park)

    def lease_then_die():
        with transaction.atomic():
            lease_create(
                company=CompanyFactory(),
                park=open_park,
                units=[unit],
                start_date=timezone.localdate(),
                end_date=None,
                created_by=staff,
            )
            raise RuntimeError("the worker dies before commit")

    with pytest.raises(RuntimeError):
        lease_then_die()
    assert _stored(open_park) == before == _computed(open_park)


# --- On PostgreSQL: real concurrent writers, a killed connection ---------------------------------
def _in_threads(calls):
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_in_one_park_leave_figures_that_count_every_change():
    staff = PsebStaffFactory()
    park = ParkFactory(opening_date=date(2020, 1, 1))
    units = [
        unit_create(user=staff, park=park, code=f"R-{i}", area_sqft=Decimal(100 + i), seats=2)
        for i in range(8)
    ]

    # Each writer changes one unit and stores the park's figures, as a service does. The
    # services also queue on other locks (the audit trail's); these writers queue on nothing
    # but the figures' own, and counting is slow: one that counted before another committed
    # would store figures without that change.
    def put_under_maintenance(unit):
        with transaction.atomic():
            Unit.objects.filter(pk=unit.pk).update(under_maintenance=True)
            services.occupancy_refresh([park.pk])

    def slow_count(*args, **kwargs):
        time.sleep(0.2)
        return counted(*args, **kwargs)

    counted = services.park_figures_computed
    with mock.patch.object(services, "park_figures_computed", slow_count):
        errors = _in_threads([lambda u=u: put_under_maintenance(u) for u in units])

    assert errors == []
    assert _stored(park) == _computed(park)
    assert _stored(park)["leasable_units"] == 0  # no unit leasable: every change counted


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_transaction_leaves_the_stored_figures_true():
    staff = PsebStaffFactory()
    park = ParkFactory(opening_date=date(2020, 1, 1))
    unit = unit_create(user=staff, park=park, code="K-1", area_sqft=Decimal(300), seats=3)
    company = CompanyFactory()
    before = _stored(park)
    written, killed = threading.Event(), threading.Event()
    backend: list[int] = []

    def worker():
        with transaction.atomic():
            lease_create(
                company=company,
                park=park,
                units=[unit],
                start_date=timezone.localdate(),
                end_date=None,
                created_by=staff,
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend.append(cursor.fetchone()[0])
            written.set()
            killed.wait(timeout=30)
            ParkCounters.objects.count()  # the connection is gone: this fails, nothing commits

    errors = []

    def run():
        try:
            worker()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert written.wait(timeout=30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend[0]])
    killed.set()
    thread.join(timeout=30)

    assert errors, "the killed worker's transaction must fail"
    assert _stored(park) == before == _computed(park)
    assert _stored(park)["leased_units"] == 0
