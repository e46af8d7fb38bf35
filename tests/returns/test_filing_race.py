"""Racing filings on PostgreSQL: the database keeps one current version per return."""

from datetime import date

import pytest

from core.calendar import FiscalQuarter
from returns.models import ProgressReturn
from returns.services import progress_return_amend, progress_return_file
from tests.concurrency import race
from tests.returns.support import figures, tenant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACERS = 10


def test_ten_concurrent_filings_leave_one_version(park):
    user, company = tenant(park, start=date(2026, 7, 1))
    quarter = FiscalQuarter.parse("2026-27 Q1")
    outcomes = race(
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
    outcomes = race(
        [
            lambda i=i: progress_return_amend(
                user=user, previous=first, reason=f"Fix {i}", figures=figures(interns=i)
            )
            for i in range(RACERS)
        ]
    )
    assert sorted(outcomes) == ["Conflict"] * (RACERS - 1) + ["ok"]
    assert sorted(ProgressReturn.objects.values_list("version", flat=True)) == [1, 2]
