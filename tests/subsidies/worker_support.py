"""A real Celery worker for the worker tests (test_worker.py), and how they wait on it and
look at what it did: the broker's queues, the statements, their numbers and PDFs."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from core.calendar import fiscal_year as fiscal_year_of
from subsidies import calculation as calc
from subsidies.models import BillingRun, DocumentCounter, Statement
from tenants.models import Lease

READY_TIMEOUT = 60  # seconds for a worker to start (Django set-up, fork, connect)


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
