"""Fixtures of the returns tests: a real Celery worker and beat (test_reminders_worker.py),
the API client of tests/api, and a company that owes."""

import pytest

from tests.api.conftest import as_user  # noqa: F401 (the API client fixture, shared)
from tests.returns.support import tenant
from tests.returns.test_pages import last_quarter
from tests.subsidies.worker_support import (  # noqa: F401 (fixtures)
    broker,
    queue,
    start_beat,
    start_worker,
    worker_env,
)


@pytest.fixture
def filer(park):
    """A company owner whose lease in ``park`` began two quarters ago: the quarter before
    last is overdue, the last one due or overdue (by the day the tests run)."""
    return tenant(park, start=last_quarter().previous().first)
