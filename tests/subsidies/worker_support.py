"""A real Celery worker (and beat) for the worker tests (test_worker.py here, and
tests/returns/test_reminders_worker.py), and how they wait on it and look at what it did:
the broker's queues, the statements, their numbers and PDFs.

The fixtures ``broker``, ``queue``, ``start_worker`` and ``start_beat`` are imported by the
test modules that use them; ``worker_env`` (a module may override it) is added to every
process's environment."""

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
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from core.calendar import fiscal_year as fiscal_year_of
from stp_portal.celery import app
from subsidies import calculation as calc
from subsidies.models import BillingRun, DocumentCounter, Statement
from tenants.models import Lease

READY_TIMEOUT = 60  # seconds for a worker to start (Django set-up, fork, connect)
ROOT = Path(django_settings.BASE_DIR)
TASK_RECEIVED = re.compile(r"\[([0-9a-f-]{36})\] received")


class Worker:
    """A Celery process (a worker, or beat) started by a test, and its log."""

    def __init__(
        self, name: str, process: subprocess.Popen, log: Path, ready: str = " ready."
    ) -> None:
        self.name = name
        self.process = process
        self.log = log
        self.ready = ready  # what its log says once it is ready

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
            if self.ready in self.output(400):
                return
            time.sleep(0.1)
        pytest.fail(f"Worker {self.name} not ready within {READY_TIMEOUT}s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as the OOM killer would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


@pytest.fixture
def broker():
    client = redis.Redis.from_url(app.conf.broker_url)
    yield client
    client.close()


@pytest.fixture
def queue(settings, broker):
    """A queue of this test's own, used by the test process to send and by its workers."""
    name = f"worker-test-{uuid.uuid4().hex[:12]}"
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
def worker_env() -> dict[str, str]:
    """What every worker and beat of a test has in its environment beyond the common
    (override it in a test module)."""
    return {}


def _environment(queue: str, settings, media: Path, env: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stp_portal.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": app.conf.broker_url,
        "CELERY_RESULT_BACKEND": app.conf.result_backend or "",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "MEDIA_ROOT": str(media),
        "PYTHONUNBUFFERED": "1",
        **env,
    }


def _spawn(command: list[str], log: Path, environment: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg takes the pool too
        )


@pytest.fixture
def start_worker(queue, settings, tmp_path, broker, worker_env):
    """Start a worker on the test's queue; every worker is killed at the end.

    A passing test has waited for the queue to drain, so a worker has nothing left to do; a
    failing one leaves messages that the queue's purge removes.
    """
    workers: list[Worker] = []
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)

    def start(concurrency: int = 2, **env: str) -> Worker:
        name = f"{queue}-{len(workers) + 1}"
        log = tmp_path / f"{name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "stp_portal", "worker",
            "-Q", queue, "-n", f"{name}@%h", "--concurrency", str(concurrency),
            "--loglevel", "info", "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        environment = _environment(queue, settings, media, {**worker_env, **env})
        worker = Worker(name, _spawn(command, log, environment), log)
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


@pytest.fixture
def start_beat(queue, settings, tmp_path, worker_env):
    """Start ``celery beat`` sending the schedule of the settings given (``env``) to the
    test's queue, waking every second; it is killed at the end if the test has not."""
    beats: list[Worker] = []

    def start(**env: str) -> Worker:
        name = f"{queue}-beat-{len(beats) + 1}"
        log = tmp_path / f"{name}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "stp_portal", "beat",
            "--schedule", str(tmp_path / f"{name}-schedule"), "--max-interval", "1",
            "--loglevel", "info",
        ]  # fmt: skip
        environment = _environment(
            queue, settings, Path(settings.MEDIA_ROOT), {**worker_env, **env}
        )
        beat = Worker(name, _spawn(command, log, environment), log, ready="beat: Starting...")
        beats.append(beat)
        beat.wait_ready()
        return beat

    yield start
    for beat in beats:
        beat.kill()


def database_url() -> str:
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
