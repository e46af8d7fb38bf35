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

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from core.calendar import fiscal_year as fiscal_year_of
from core.vocabulary import RunStatus
from stp_portal.celery import app
from subsidies import calculation as calc
from subsidies import services
from subsidies.models import BillingRun, DocumentCounter, Statement
from tenants.models import Lease
from tests.factories import (
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    PsebStaffFactory,
    SubsidySchemeFactory,
    UnitFactory,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(django_settings.BASE_DIR)
PERIOD = "2026-03"
ASKED_ON = date(2026, 4, 1)
CHUNK_SIZE = 5
READY_TIMEOUT = 60  # seconds for a worker to start (Django set-up, fork, connect)
TASK_RECEIVED = re.compile(r"\[([0-9a-f-]{36})\] received")


# --- A worker process ----------------------------------------------------------------------------
class Worker:
    def __init__(self, name: str, process: subprocess.Popen, log: Path) -> None:
        self.name = name
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self, lines: int = 120) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.log})"
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"Worker {self.name} exited with {self.process.returncode} before it was "
                    f"ready:\n{self.output()}"
                )
            if " ready." in self.output(400):
                return
            time.sleep(0.1)
        pytest.fail(f"Worker {self.name} not ready within {READY_TIMEOUT}s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as the OOM killer would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def _database_url() -> str:
    """This pytest worker's test database (pytest-xdist gives each its own)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{quote(db['NAME'], safe='')}"


def drop_messages(broker: redis.Redis, queue: str) -> None:
    """The broker loses the queue's messages, as Redis restarted without persistence would:
    those waiting and those the dead worker held unacknowledged."""
    for key in broker.scan_iter(match=f"{queue}*"):
        if broker.type(key) == b"list":
            broker.delete(key)
    for tag, raw in broker.hgetall("unacked").items():
        if json.loads(raw)[2] == queue:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


@pytest.fixture
def broker():
    client = redis.Redis.from_url(app.conf.broker_url)
    yield client
    client.close()


@pytest.fixture
def queue(settings, broker):
    """A queue of this test's own, used by the test process to send and by its workers."""
    name = f"billing-test-{uuid.uuid4().hex[:12]}"
    saved = {key: app.conf[key] for key in ("task_default_queue", "task_always_eager")}
    app.conf.update(task_default_queue=name, task_always_eager=False)
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield name
    finally:
        app.conf.update(saved)
        # Purge: the queue's messages, its bindings, the workers' mailboxes.
        drop_messages(broker, name)
        broker.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
        for member in broker.smembers("_kombu.binding.celery.pidbox"):
            if name.encode() in member:
                broker.srem("_kombu.binding.celery.pidbox", member)


@pytest.fixture
def start_worker(queue, settings, tmp_path, broker):
    """Start a worker on the test's queue; every worker is killed at the end.

    A passing test has waited for the queue to drain, so a worker has nothing left to do; a
    failing one leaves messages that the queue's purge removes.
    """
    workers: list[Worker] = []
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)

    def start(**env: str) -> Worker:
        name = f"{queue}-{len(workers) + 1}"
        log = tmp_path / f"{name}.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "stp_portal.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": app.conf.broker_url,
            "CELERY_RESULT_BACKEND": app.conf.result_backend or "",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "BILLING_CHUNK_SIZE": str(CHUNK_SIZE),
            "MEDIA_ROOT": str(media),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        command = [
            sys.executable, "-m", "celery", "-A", "stp_portal", "worker",
            "-Q", queue, "-n", f"{name}@%h", "--concurrency", "2", "--loglevel", "info",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                command,
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: killpg takes the pool too
            )
        worker = Worker(name, process, log)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.kill()
    # The tasks' results (nothing reads them) would stay in Redis for a day.
    for worker in workers:
        ids = set(TASK_RECEIVED.findall(worker.log.read_text(errors="replace")))
        if ids:
            broker.delete(*(f"celery-task-meta-{task_id}" for task_id in ids))


# --- Waiting and looking -------------------------------------------------------------------------
def wait_for(what: str, check: Callable[[], object], timeout: float, workers) -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            logs = "\n\n".join(f"--- {w.name} ---\n{w.output()}" for w in workers)
            pytest.fail(f"Timed out after {timeout}s waiting for {what}.\n{logs}")
        time.sleep(0.2)


def unacked(broker: redis.Redis, queue: str) -> int:
    """Messages of the queue delivered to a worker and not acknowledged yet.

    kombu's Redis transport keeps them in the ``unacked`` hash (shared by all queues of the
    database) as ``[message, exchange, routing key]`` until acknowledged, or restored to
    their queue once older than the visibility timeout.
    """
    return sum(1 for raw in broker.hvals("unacked") if json.loads(raw)[2] == queue)


def in_flight(broker: redis.Redis, queue: str) -> int:
    """Messages of the queue waiting, or delivered to a worker and not acknowledged yet."""
    return broker.llen(queue) + unacked(broker, queue)


def finished(run: BillingRun) -> bool:
    run.refresh_from_db()
    return run.finished_at is not None


def delivered(statements) -> bool:
    """Every statement has its PDF and its e-mail claimed (the end of the task chain)."""
    return (
        not statements.filter(pdf="").exists()
        and not statements.filter(emailed_at__isnull=True).exists()
    )


def assert_billed_once_without_gaps(pairs: set[tuple[int, int]], parks) -> None:
    """Every company-park pair has one statement; per park, numbers 1..N, counter at N."""
    statements = list(Statement.objects.values_list("company_id", "park_id", "number"))
    assert len(statements) == len(pairs)
    assert {(company, park) for company, park, _ in statements} == pairs
    fiscal_year = fiscal_year_of(timezone.localdate())
    for park in parks:
        expected = sum(1 for _, park_id in pairs if park_id == park.pk)
        numbers = sorted(number for _, park_id, number in statements if park_id == park.pk)
        assert numbers == sorted(
            calc.document_number(park.code, fiscal_year, n) for n in range(1, expected + 1)
        ), f"{park.code}: numbers are not exactly 1..{expected}"
        counters = DocumentCounter.objects.filter(
            park=park, series=DocumentCounter.Series.STATEMENT
        )
        assert [(c.fiscal_year, c.last_number) for c in counters] == [(fiscal_year, expected)]


def assert_pdfs_stored_once(media: Path) -> None:
    statements = list(Statement.objects.order_by("pk"))
    missing = [s.number for s in statements if not s.pdf]
    assert not missing, f"{len(missing)} statements have no PDF: {missing[:20]}"
    for statement in statements:
        assert (media / statement.pdf.name).read_bytes()[:5] == b"%PDF-", statement.number
    files = list((media / "private" / "statements").rglob("*.pdf"))
    assert len(files) == len(statements), "a PDF stored twice, or a stray file"
    assert not Statement.objects.filter(emailed_at__isnull=True).exists()


# --- End to end ----------------------------------------------------------------------------------
def test_a_month_is_billed_end_to_end_by_a_real_worker(start_worker, queue, broker, settings):
    """~30 company-park pairs in 3 parks, through plan → chunks → PDFs → e-mails."""
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


# --- SIGKILL in the middle of a run --------------------------------------------------------------
@contextlib.contextmanager
def leases_locked(park):
    """Another transaction holds the park's leases: a chunk of the park waits for them."""
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            table = Lease._meta.db_table
            cursor.execute(f"SELECT id FROM {table} WHERE park_id = %s FOR UPDATE", [park.pk])  # noqa: S608
        yield
    finally:
        holder.rollback()
        holder.close()


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


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
    SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))
    staff = PsebStaffFactory()
    parks = [ParkFactory(code="GUJ", name="Gujranwala STP"), ParkFactory(code="LHR")]
    pairs: set[tuple[int, int]] = set()
    for n in range(40):  # 4 chunks per park
        park = parks[n % 2]
        made = LeaseFactory(park=park, start_date=date(2026, 3, 1 + n % 28), created_by=staff)
        pairs.add((made.company_id, park.pk))
    first_park = sum(1 for _, park_id in pairs if park_id == parks[0].pk)

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
    assert unacked(broker, queue) >= 2  # the chunks the dead worker was billing (acks_late)
    time.sleep(0.5)  # the dead worker's transactions are rolled back

    run.refresh_from_db()
    assert run.finished_at is None
    assert (run.done, run.total, run.issued) == (first_park, len(pairs), first_park)
    issued_before = Statement.objects.count()
    assert issued_before == first_park
    assert_numbers_gapless_so_far(parks)
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
        # Nothing is left to finish the first run: it stays as the kill left it, until beat
        # finds it stalled and plans it again; its chunks then find everything billed.
        run.refresh_from_db()
        assert (run.status, run.finished_at, run.done) == (RunStatus.RUNNING, None, first_park)
        later = timezone.now() + timedelta(seconds=settings.BILLING_RUN_STALLED_AFTER + 1)
        assert services.billing_runs_resume_stalled(now=later) == [run.pk]
    # Settle: the first run's redelivered, queued or resumed chunks, the PDFs, the e-mails.
    wait_for("the killed run to be completed", lambda: finished(run), 60, workers)
    statements = Statement.objects.all()
    wait_for("the PDFs and e-mails", lambda: delivered(statements), 120, workers)
    wait_for("the queue to drain", lambda: in_flight(broker, queue) == 0, 30, workers)

    assert_billed_once_without_gaps(pairs, parks)
    assert_pdfs_stored_once(Path(settings.MEDIA_ROOT))
    run.refresh_from_db()
    rerun.refresh_from_db()
    # Each statement was issued by one of the two runs, and counted once.
    assert run.issued + rerun.issued == len(pairs)
    for each in (run, rerun):
        assert Statement.objects.filter(billing_run=each).count() == each.issued
    assert (run.status, run.errors) == (RunStatus.DONE, [])
    assert run.done == run.total == len(pairs)
    if not broker_keeps_messages:
        assert run.resumed == 1
        assert run.issued == issued_before
        assert rerun.issued == len(pairs) - issued_before


def assert_numbers_gapless_so_far(parks) -> None:
    """What was committed before the kill is numbered 1..n per park: no gap, no duplicate."""
    fiscal_year = fiscal_year_of(timezone.localdate())
    by_park = defaultdict(list)
    for park_id, number in Statement.objects.values_list("park_id", "number"):
        by_park[park_id].append(number)
    for park in parks:
        numbers = sorted(by_park[park.pk])
        assert numbers == [
            calc.document_number(park.code, fiscal_year, n) for n in range(1, len(numbers) + 1)
        ]
        counter = DocumentCounter.objects.filter(park=park).values_list("last_number", flat=True)
        assert list(counter) in ([], [len(numbers)])
