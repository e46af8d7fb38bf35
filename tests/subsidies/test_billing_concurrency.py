"""Overlapping billing runs on PostgreSQL: every statement exactly once, numbers gapless.

Several runs of one month start at the same instant, each billing every chunk itself on its
own connection, as workers of overlapping runs (or a redelivered task) would.
"""

import threading
import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection

from core.calendar import Period
from subsidies import services
from subsidies.models import DocumentCounter, Statement
from subsidies.selectors import with_balance
from subsidies.services import runs as billing_runs
from subsidies.services import statements
from tests.factories import CompanyFactory, LeaseFactory, ParkFactory, SubsidySchemeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RUNS = 6
ISSUED = date(2026, 4, 1)
MAY = date(2026, 5, 1)
PKR_500 = Decimal("500.00")


def _bill_everything(run_id: int, outcomes: list[str], barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=30)
        for chunk_id in services.billing_run_plan(run_id):
            # A chunk that lost a race on the unique constraint is retried, as the task is.
            for _attempt in range(5):
                try:
                    services.billing_chunk_bill(chunk_id, today=ISSUED)
                    break
                except DatabaseError:
                    continue
        outcomes.append("ok")
    except Exception as exc:  # anything else is a bug the test must show
        outcomes.append(f"error: {exc!r}")
    finally:
        connection.close()


def test_overlapping_runs_of_one_month_issue_each_statement_once_without_gaps(monkeypatch):
    monkeypatch.setattr(billing_runs, "CHUNK_SIZE", 3)
    SubsidySchemeFactory()
    parks = [ParkFactory(code="GUJ"), ParkFactory(code="QTA")]
    for index in range(14):
        LeaseFactory(park=parks[index % 2], start_date=date(2026, 3, 1 + index))
    runs = [
        services.billing_run_start(user=None, period="2026-03", today=ISSUED, queue=False)
        for _ in range(RUNS)
    ]
    barrier = threading.Barrier(RUNS)
    outcomes: list[str] = []
    threads = [
        threading.Thread(target=_bill_everything, args=(run.pk, outcomes, barrier)) for run in runs
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes == ["ok"] * RUNS
    pairs = Counter(Statement.objects.values_list("company_id", "park_id"))
    assert len(pairs) == 14
    assert set(pairs.values()) == {1}
    for park in parks:
        numbers = sorted(Statement.objects.filter(park=park).values_list("number", flat=True))
        assert numbers == [f"{park.code}-2025-26-{n:05d}" for n in range(1, 8)]
        counter = DocumentCounter.objects.get(park=park, series="statement")
        assert counter.last_number == 7
    assert sum(r.issued for r in type(runs[0]).objects.all()) == 14


def _run(name: str, action, outcomes: dict[str, str], barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=30)
        action()
        outcomes[name] = "ok"
    except Exception as exc:  # a deadlock or anything else is what the test must show
        outcomes[name] = f"error: {exc!r}"
    finally:
        connection.close()


def _all_at_once(actions: dict) -> dict[str, str]:
    """Run each action on a thread (and connection) of its own, all starting together;
    answer each one's outcome."""
    barrier = threading.Barrier(len(actions))
    outcomes: dict[str, str] = {}
    threads = [
        threading.Thread(target=_run, args=(name, action, outcomes, barrier))
        for name, action in actions.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_billing_charges_and_a_termination_of_one_company_at_once_never_deadlock(
    monkeypatch, pseb_staff, attempt
):
    """A billing chunk, two charges for a month already billed and a termination dated back
    into it, all on one company's two leases at the same moment. Each locks the company's
    leases in one order before anything else, so they queue instead of deadlocking; and
    what every month bills, less its credit notes, is what it charges now, to the paisa."""
    from tenants.services import lease_terminate

    SubsidySchemeFactory(valid_from=date(2022, 7, 1))
    park = ParkFactory(code="GUJ")
    company = CompanyFactory()
    first, second = (
        LeaseFactory(park=park, company=company, start_date=date(2026, 3, 1)) for _ in range(2)
    )
    run = services.billing_run_start(user=None, period="2026-03", today=ISSUED, queue=False)
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=ISSUED, render=False)
    april = services.billing_run_start(user=None, period="2026-04", today=MAY, queue=False)
    (chunk_id,) = services.billing_run_plan(april.pk)

    # Every transaction computes slowly, so they overlap while holding their locks (billing
    # and the termination's credit notes both compute through the statements module).
    compute = statements.compute_statements

    def slow_compute(*args, **kwargs):
        time.sleep(0.2)
        return compute(*args, **kwargs)

    monkeypatch.setattr(statements, "compute_statements", slow_compute)
    actions = {
        "april chunk": lambda: services.billing_chunk_bill(chunk_id, today=MAY, render=False),
        "charge first": lambda: services.charge_record(
            user=pseb_staff, lease=first, period="2026-03", description="Parking", amount=PKR_500
        ),
        "charge second": lambda: services.charge_record(
            user=pseb_staff, lease=second, period="2026-03", description="Damages", amount=PKR_500
        ),
        "terminate second": lambda: lease_terminate(
            user=pseb_staff, lease=second, end_date=date(2026, 3, 20)
        ),
    }
    outcomes = _all_at_once(actions)
    monkeypatch.undo()

    assert outcomes == dict.fromkeys(actions, "ok")
    for period in (Period(2026, 3), Period(2026, 4)):
        now = services.compute_statements(park, period, [company.pk])[company.pk]
        billed = with_balance(Statement.objects.filter(period=period.first))
        assert sum(s.net_payable - s.credited for s in billed) == now.net_payable, period
    march = Statement.objects.filter(period=date(2026, 3, 1))
    assert march.count() == 3  # the month's statement and one per charge
    # Numbers per fiscal year (April's from May 2026, the charges' from today): 1..n each.
    by_year: dict[str, list[int]] = {}
    for number in Statement.objects.values_list("number", flat=True):
        park_and_year, sequence = number.rsplit("-", 1)
        by_year.setdefault(park_and_year, []).append(int(sequence))
    assert Statement.objects.count() == 4  # March, its two supplements, April
    assert all(sorted(seq) == list(range(1, len(seq) + 1)) for seq in by_year.values()), by_year
