"""Billing through a real Celery worker against Redis and PostgreSQL (domain.md §6).

Each test starts ``celery -A stp_portal worker`` as a separate process on a queue of its own,
pointed at this pytest worker's test database (data is committed: ``transaction=True``) and
at the test's media folder, and bills a month through it: plan, chunks, PDFs, e-mails.
The other test SIGKILLs the worker in the middle of a run (the broker keeping its messages,
or losing them too), starts a fresh one and a re-run of the month, and shows every statement
exists once, numbered without gaps, with its PDF.

CI runs these (``STP_REQUIRE_SERVICES=1``); elsewhere they are skipped without PostgreSQL and
Redis. A worker's log is printed when it fails to start or a wait times out.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from core.vocabulary import RunStatus
from subsidies import services
from subsidies.models import BillingRun, Statement
from tests.factories import (
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    PsebStaffFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.worker_support import (
    Worker,
    assert_billed_once_without_gaps,
    assert_numbers_gapless_so_far,
    assert_pdfs_stored_once,
    delivered,
    drop_messages,
    finished,
    in_flight,
    leases_locked,
    unacked,
    wait_for,
    waiting_on_locks,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


PERIOD = "2026-03"


ASKED_ON = date(2026, 4, 1)


CHUNK_SIZE = 5


@pytest.fixture
def worker_env():
    """Small chunks: a month of ~30 companies is billed in several tasks."""
    return {"BILLING_CHUNK_SIZE": str(CHUNK_SIZE)}


def a_month_to_bill():
    """~30 company-park pairs in 3 parks: domain.md §6's worked example, a full month, and
    companies with several leases in a park or leases in several parks; answers the parks,
    the pairs to bill, and the worked example's and the full month's companies."""
    SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))
    staff = PsebStaffFactory()
    parks = [
        ParkFactory(code="GUJ", name="Gujranwala STP"),
        ParkFactory(code="GLT", name="SCO STP Gilgit"),
        ParkFactory(code="ISB", name="Islamabad STP"),
    ]
    pairs: set[tuple[int, int]] = set()

    def lease(company, park, start=date(2026, 3, 1), end=None, **kwargs):
        return LeaseFactory(
            company=company, park=park, start_date=start, end_date=end, created_by=staff, **kwargs
        )

    # domain.md §6 worked example: A-101 at 60,000.00 rent and 5,000.00 internet from 15 March.
    example = CompanyFactory(name="Worked Example (Pvt) Ltd")
    a101 = UnitFactory(
        park=parks[0],
        code="A-101",
        monthly_rent=Decimal("60000.00"),
        internet_fee=Decimal("5000.00"),
    )
    lease(example, parks[0], start=date(2026, 3, 15), units=[a101])
    pairs.add((example.pk, parks[0].pk))
    full_month = CompanyFactory(name="Full Month (Pvt) Ltd")
    lease(full_month, parks[1])
    pairs.add((full_month.pk, parks[1].pk))
    for n in range(22):
        company = CompanyFactory()
        if n % 4 == 0:  # an owner to e-mail, with the PDF attached
            MembershipFactory(company=company, user__email=f"owner{n}@example.pk")
        park = parks[n % 3]
        lease(company, park, start=date(2026, 3, 1 + n))
        pairs.add((company.pk, park.pk))
        if n % 3 == 0:  # a second lease in the same park: one statement with both
            lease(company, park, start=date(2026, 2, 1))
        if n % 4 == 1:  # a lease in another park too: one statement per park
            lease(company, parks[(n + 1) % 3], start=date(2025, 6, 1))
            pairs.add((company.pk, parks[(n + 1) % 3].pk))
    # Not billed for March: ended in February, starts in April.
    lease(CompanyFactory(), parks[0], start=date(2025, 1, 1), end=date(2026, 2, 28))
    lease(CompanyFactory(), parks[1], start=date(2026, 4, 1))
    return parks, pairs, example, full_month


def test_a_month_is_billed_end_to_end_by_a_real_worker(start_worker, queue, broker, settings):
    """~30 company-park pairs in 3 parks, through plan → chunks → PDFs → e-mails."""
    parks, pairs, example, full_month = a_month_to_bill()
    assert 28 <= len(pairs) <= 32

    celery_backlog = broker.llen("celery")
    run = services.billing_run_start(user=None, period=PERIOD, today=ASKED_ON)
    # Queued once the transaction committed, on this test's queue (no worker yet).
    assert broker.llen(queue) == 1
    assert broker.llen("celery") == celery_backlog

    worker = start_worker()
    wait_for("the run to finish", lambda: finished(run), 90, [worker])
    assert (run.status, run.errors) == (RunStatus.DONE, [])
    assert run.total == run.done == run.issued == len(pairs)
    assert run.chunks.count() == sum(
        -(-sum(1 for _, p in pairs if p == park.pk) // CHUNK_SIZE) for park in parks
    )
    assert_billed_once_without_gaps(pairs, parks)

    statements = Statement.objects.all()
    wait_for("the PDFs and e-mails", lambda: delivered(statements), 60, [worker])
    wait_for("the queue to drain", lambda: in_flight(broker, queue) == 0, 30, [worker])
    assert_pdfs_stored_once(Path(settings.MEDIA_ROOT))

    worked = Statement.objects.get(company=example)
    assert [(line.kind, line.amount) for line in worked.lines.all()] == [
        ("rent", Decimal("32903.23")),
        ("internet", Decimal("2741.94")),
        ("rent_subsidy", Decimal("-8225.81")),
        ("internet_subsidy", Decimal("-2741.94")),
    ]
    assert worked.net_payable == Decimal("24677.42")
    assert Statement.objects.get(company=full_month).net_payable == Decimal("45000.00")
    assert set(Statement.objects.values_list("billing_run", flat=True)) == {run.pk}


@pytest.mark.parametrize(
    "broker_keeps_messages",
    [
        pytest.param(True, id="messages-redelivered"),
        pytest.param(False, id="messages-lost-too"),
    ],
)
def test_a_worker_killed_mid_run_then_a_rerun_bills_each_statement_once(
    start_worker, queue, broker, settings, broker_keeps_messages
):
    """Kill -9 in the middle of a run; a fresh worker and a re-run finish the month.

    The kill comes when one park is billed and both pool processes are inside a chunk of
    the other, in an open transaction (waiting on leases another transaction holds), so
    the moment is the same on every machine. PostgreSQL rolls those transactions back.
    Redis keeps the messages still queued and redelivers those the dead worker held
    (acks_late; a short visibility timeout here): the first run's chunks race the re-run,
    all idempotent. Or the broker lost them too: the first run stays unfinished, and the
    re-run bills what is missing and renders the PDFs whose tasks were lost.
    """
    parks, pairs = two_parks_of_four_chunks()
    first_park = sum(1 for _, park_id in pairs if park_id == parks[0].pk)
    first, run, killed_at = killed_mid_run(start_worker, parks, first_park)
    assert unacked(broker, queue) >= 2  # the chunks the dead worker was billing (acks_late)
    time.sleep(0.5)  # the dead worker's transactions are rolled back

    issued_before = assert_only_the_first_park_billed(run, parks, len(pairs), first_park)
    if not broker_keeps_messages:
        # Their rendering was queued behind the chunks: it is lost with the queue, and only
        # the re-run can render them.
        assert Statement.objects.filter(pdf="").exists()
        drop_messages(broker, queue)
        assert in_flight(broker, queue) == 0

    # Redis gives the dead worker's unacknowledged messages back once older than the
    # visibility timeout; a worker looks for such messages when it starts.
    time.sleep(max(0.0, 2.5 - (time.monotonic() - killed_at)))
    second = start_worker(CELERY_VISIBILITY_TIMEOUT="2")
    workers = [first, second]
    rerun = services.billing_run_start(user=None, period=PERIOD, today=ASKED_ON)
    wait_for("the re-run to finish", lambda: finished(rerun), 120, workers)
    assert (rerun.status, rerun.errors) == (RunStatus.DONE, [])
    assert rerun.total == rerun.done == len(pairs)

    if not broker_keeps_messages:
        assert_left_stalled_then_resumed(run, first_park, settings)
    settle(run, broker, queue, workers)
    assert_billed_once_without_gaps(pairs, parks)
    assert_pdfs_stored_once(Path(settings.MEDIA_ROOT))
    run.refresh_from_db()
    rerun.refresh_from_db()
    assert_both_runs_done(run, rerun, len(pairs))
    if not broker_keeps_messages:
        assert run.resumed == 1
        assert run.issued == issued_before
        assert rerun.issued == len(pairs) - issued_before


def two_parks_of_four_chunks():
    """40 leases, 20 in each of two parks (4 chunks per park); answers the parks and the
    company-park pairs to bill."""
    SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))
    staff = PsebStaffFactory()
    parks = [ParkFactory(code="GUJ", name="Gujranwala STP"), ParkFactory(code="LHR")]
    pairs: set[tuple[int, int]] = set()
    for n in range(40):
        park = parks[n % 2]
        made = LeaseFactory(park=park, start_date=date(2026, 3, 1 + n % 28), created_by=staff)
        pairs.add((made.company_id, park.pk))
    return parks, pairs


def killed_mid_run(start_worker, parks, first_park: int) -> tuple[Worker, BillingRun, float]:
    """A worker billing a run, SIGKILLed once the first park is billed and both its pool
    processes wait inside a chunk of the second (whose leases another transaction holds);
    answers the dead worker, the run and when it was killed."""
    first = start_worker()
    with leases_locked(parks[1]):
        run = services.billing_run_start(user=None, period=PERIOD, today=ASKED_ON)
        wait_for(
            "one park billed and both pool processes waiting in the other",
            lambda: (
                BillingRun.objects.get(pk=run.pk).done == first_park and waiting_on_locks() >= 2
            ),
            60,
            [first],
        )
        first.kill()
        killed_at = time.monotonic()
    return first, run, killed_at


def assert_both_runs_done(run: BillingRun, rerun: BillingRun, pairs: int) -> None:
    """Each statement was issued by one of the two runs, and counted once; both are done."""
    assert run.issued + rerun.issued == pairs
    for each in (run, rerun):
        assert Statement.objects.filter(billing_run=each).count() == each.issued
    assert (run.status, run.errors) == (RunStatus.DONE, [])
    assert run.done == run.total == pairs


def assert_only_the_first_park_billed(run: BillingRun, parks, pairs: int, first_park: int) -> int:
    """Right after the kill: the run is unfinished, only the first park's statements exist,
    numbered without gaps; answers how many were issued."""
    run.refresh_from_db()
    assert run.finished_at is None
    assert (run.done, run.total, run.issued) == (first_park, pairs, first_park)
    issued = Statement.objects.count()
    assert issued == first_park
    assert_numbers_gapless_so_far(parks)
    return issued


def settle(run: BillingRun, broker, queue: str, workers: list[Worker]) -> None:
    """Wait for the killed run's redelivered, queued or resumed chunks, then the PDFs and
    e-mails, then an empty queue."""
    wait_for("the killed run to be completed", lambda: finished(run), 60, workers)
    statements = Statement.objects.all()
    wait_for("the PDFs and e-mails", lambda: delivered(statements), 120, workers)
    wait_for("the queue to drain", lambda: in_flight(broker, queue) == 0, 30, workers)


def assert_left_stalled_then_resumed(run: BillingRun, first_park: int, settings) -> None:
    """With the broker's messages lost, nothing is left to finish the first run: it stays as
    the kill left it, until beat finds it stalled and plans it again (its chunks then find
    everything billed)."""
    run.refresh_from_db()
    assert (run.status, run.finished_at, run.done) == (RunStatus.RUNNING, None, first_park)
    later = timezone.now() + timedelta(seconds=settings.BILLING_RUN_STALLED_AFTER + 1)
    assert services.billing_runs_resume_stalled(now=later) == [run.pk]
