"""Fixtures of the returns tests: a real Celery worker and beat (test_reminders_worker.py)."""

from tests.subsidies.worker_support import (  # noqa: F401 (fixtures)
    broker,
    queue,
    start_beat,
    start_worker,
    worker_env,
)
