"""Overlapping billing runs on PostgreSQL: every statement exactly once, numbers gapless.

Several runs of one month start at the same instant, each billing every chunk itself on its
own connection, as workers of overlapping runs (or a redelivered task) would.
"""

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import DatabaseError, connection

from subsidies import services
from subsidies.models import DocumentCounter, Statement
from tests.factories import LeaseFactory, ParkFactory, SubsidySchemeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RUNS = 6
ISSUED = date(2026, 4, 1)


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
    monkeypatch.setattr(services, "CHUNK_SIZE", 3)
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
