"""Racing filings on PostgreSQL: the database keeps one current version per return."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.calendar import FiscalQuarter
from returns.models import ProgressReturn
from returns.services import progress_return_amend, progress_return_file
from tests.returns.support import figures, tenant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 10


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
            result = "ok"
        except ValidationError as exc:  # Conflict
            result = type(exc).__name__
        except Exception as exc:  # anything else is a bug the test must show
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_ten_concurrent_filings_leave_one_version(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    quarter = FiscalQuarter.parse("2026-27 Q1")
    outcomes = _race(
        [
            lambda i=i: progress_return_file(
                user=user,
                company=company,
                park=park,
                quarter=quarter,
                figures=figures(employees=20 + i),
                today=date(2026, 10, 5),
            )
            for i in range(RACERS)
        ]
    )
    assert sorted(outcomes) == ["Conflict"] * (RACERS - 1) + ["ok"]
    assert ProgressReturn.objects.count() == 1


def test_ten_concurrent_amendments_of_one_version_leave_one_new_version(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    first = progress_return_file(
        user=user,
        company=company,
        park=park,
        quarter=FiscalQuarter.parse("2026-27 Q1"),
        figures=figures(),
        today=date(2026, 10, 5),
    )
    outcomes = _race(
        [
            lambda i=i: progress_return_amend(
                user=user, previous=first, reason=f"Fix {i}", figures=figures(interns=i)
            )
            for i in range(RACERS)
        ]
    )
    assert sorted(outcomes) == ["Conflict"] * (RACERS - 1) + ["ok"]
    assert sorted(ProgressReturn.objects.values_list("version", flat=True)) == [1, 2]
