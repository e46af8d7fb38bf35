"""Billing runs through the services (domain.md §6): the worked example to the paisa, runs
and their chunks, numbering, parks with and without a scheme.

The money rules themselves are tested without a database in test_calculation*.py.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.calendar import Period
from core.vocabulary import RunStatus
from subsidies import services
from subsidies.models import BillingRun, DocumentCounter, Statement
from subsidies.services import runs as billing_runs
from subsidies.services import statements
from tests.factories import (
    CompanyFactory,
    LeaseFactory,
    ParkFactory,
    SubsidySchemeFactory,
)
from tests.subsidies.support import (
    ISSUED,
    MARCH,
    bill,
)

pytestmark = pytest.mark.django_db


def test_the_worked_example_is_billed_to_the_paisa(park, worked_example, scheme):
    run = bill()

    statement = Statement.objects.get()
    assert (run.status, run.total, run.done, run.issued) == (RunStatus.DONE, 1, 1, 1)
    assert [(ln.kind, ln.amount) for ln in statement.lines.all()] == [
        ("rent", Decimal("32903.23")),
        ("internet", Decimal("2741.94")),
        ("rent_subsidy", Decimal("-8225.81")),
        ("internet_subsidy", Decimal("-2741.94")),
    ]
    assert statement.net_payable == Decimal("24677.42")
    assert statement.gross == Decimal("35645.17")
    assert statement.subsidy_total == Decimal("-10967.75")
    assert statement.number == "GUJ-2025-26-00001"
    assert (statement.issue_date, statement.due_date) == (ISSUED, date(2026, 4, 16))
    assert statement.scheme == scheme
    assert (statement.window_start, statement.window_end) == (date(2026, 3, 15), date(2027, 3, 15))
    assert statement.billing_run == run
    assert len(statement.verification_token) >= 32


def test_march_2027_is_subsidised_for_its_first_14_days_only(park, worked_example):
    bill(Period(2027, 3), today=date(2027, 4, 1))
    statement = Statement.objects.get()
    assert [ln.amount for ln in statement.lines.all()] == [
        Decimal("60000.00"),
        Decimal("5000.00"),
        Decimal("-6774.19"),
        Decimal("-2258.06"),
    ]
    assert statement.net_payable == Decimal("55967.75")
    assert statement.number == "GUJ-2026-27-00001"


def test_after_the_window_the_statement_has_no_subsidy_and_no_scheme(park, worked_example):
    bill(Period(2027, 4), today=date(2027, 5, 2))
    statement = Statement.objects.get()
    assert [ln.kind for ln in statement.lines.all()] == ["rent", "internet"]
    assert statement.scheme is None
    assert statement.net_payable == Decimal("65000.00")


def test_a_month_that_has_not_ended_is_refused_with_a_clear_message(worked_example):
    with pytest.raises(ValidationError) as caught:
        services.billing_run_start(user=None, period="2026-03", today=date(2026, 3, 31))
    assert "has not ended" in caught.value.message_dict["period"][0]
    assert "billed from 1 April 2026." in caught.value.message_dict["period"][0]
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("text", ["2026-13", "March", "", "2026-3-1"])
def test_a_badly_written_period_is_refused(text):
    with pytest.raises(ValidationError) as caught:
        services.billing_run_start(user=None, period=text, today=ISSUED)
    assert "period" in caught.value.message_dict
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("role", ["park_manager", "company_user"])
def test_only_pseb_staff_start_a_run(request, role):
    with pytest.raises(PermissionDenied):
        services.billing_run_start(
            user=request.getfixturevalue(role), period=MARCH, today=ISSUED, queue=False
        )
    assert not BillingRun.objects.exists()


def test_pseb_staff_start_a_run_for_one_park(pseb_staff, park, other_park, scheme):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    LeaseFactory(park=other_park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(
        user=pseb_staff, period=MARCH, park=park, today=ISSUED, queue=False
    )
    assert run.requested_by == pseb_staff
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=ISSUED)
    assert list(Statement.objects.values_list("park__code", flat=True)) == ["GUJ"]


def test_a_month_with_nothing_to_bill_finishes_at_once(park):
    run = bill()
    assert (run.status, run.total, run.done, run.issued) == (RunStatus.DONE, 0, 0, 0)
    assert run.finished_at is not None


def test_billing_a_month_again_issues_only_what_is_missing(park, scheme):
    first = LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    before = Statement.objects.get()
    # A lease entered late (onboarding) for the month already billed:
    late = LeaseFactory(park=park, start_date=date(2026, 2, 1))

    run = bill()

    assert (run.total, run.issued) == (2, 1)
    after = {s.company_id: s for s in Statement.objects.all()}
    assert after[first.company_id].number == before.number == "GUJ-2025-26-00001"
    assert after[first.company_id].net_payable == before.net_payable
    assert after[late.company_id].number == "GUJ-2025-26-00002"
    assert bill().issued == 0
    assert Statement.objects.count() == 2


def test_numbers_are_per_park_and_fiscal_year_and_gapless(park, other_park, scheme):
    for _ in range(3):
        LeaseFactory(park=park, start_date=date(2026, 1, 1))
    LeaseFactory(park=other_park, start_date=date(2026, 1, 1))
    bill(Period(2026, 5), today=date(2026, 6, 30))  # FY 2025-26
    bill(Period(2026, 6), today=date(2026, 7, 1))  # FY 2026-27 starts again at 1
    numbers = sorted(Statement.objects.values_list("number", flat=True))
    assert numbers == [
        "GLT-2025-26-00001",
        "GLT-2026-27-00001",
        "GUJ-2025-26-00001",
        "GUJ-2025-26-00002",
        "GUJ-2025-26-00003",
        "GUJ-2026-27-00001",
        "GUJ-2026-27-00002",
        "GUJ-2026-27-00003",
    ]
    counters = {
        (c.park.code, c.fiscal_year): c.last_number
        for c in DocumentCounter.objects.select_related("park")
    }
    assert counters == {
        ("GUJ", "2025-26"): 3,
        ("GLT", "2025-26"): 1,
        ("GUJ", "2026-27"): 3,
        ("GLT", "2026-27"): 1,
    }


def test_big_parks_are_cut_into_chunks_and_progress_counts_companies(monkeypatch, park, scheme):
    monkeypatch.setattr(billing_runs, "CHUNK_SIZE", 2)
    for _ in range(5):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    chunk_ids = services.billing_run_plan(run.pk)
    assert len(chunk_ids) == 3
    services.billing_chunk_bill(chunk_ids[0], today=ISSUED)
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (RunStatus.RUNNING, 2, 5)
    # Planning again (a redelivered task) answers only the chunks still to do.
    assert services.billing_run_plan(run.pk) == chunk_ids[1:]
    for chunk_id in chunk_ids:  # the first chunk twice: done once
        services.billing_chunk_bill(chunk_id, today=ISSUED)
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.issued) == (RunStatus.DONE, 5, 5, 5)
    assert sorted(Statement.objects.values_list("number", flat=True)) == [
        f"GUJ-2025-26-0000{n}" for n in range(1, 6)
    ]


def test_a_chunk_that_fails_is_recorded_and_a_rerun_bills_it(monkeypatch, park, scheme):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))

    def broken(*args, **kwargs):
        raise ValueError("a broken lease")

    monkeypatch.setattr(statements, "compute_statements", broken)
    run = bill()
    assert (run.status, run.done, run.issued) == (RunStatus.FAILED, 1, 0)
    assert run.errors == [{"park": park.pk, "error": "ValueError: a broken lease"}]
    assert not Statement.objects.exists()
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()  # no number burnt

    monkeypatch.undo()
    assert bill().issued == 1
    assert Statement.objects.get().number == "GUJ-2025-26-00001"


def test_billing_a_chunk_takes_as_many_queries_for_30_leases_as_for_3(park, scheme):
    def queries_to_bill(n, period):
        for _ in range(n):
            LeaseFactory(park=park, start_date=date(2026, 1, 1))
        run = services.billing_run_start(user=None, period=period, today=date(2026, 6, 1))
        (chunk_id,) = services.billing_run_plan(run.pk)
        with CaptureQueriesContext(connection) as captured:
            services.billing_chunk_bill(chunk_id, today=date(2026, 6, 1))
        return len(captured), Statement.objects.filter(period=period.first).count()

    queries_to_bill(1, Period(2026, 2))  # the fiscal year's counter row now exists
    few, made_few = queries_to_bill(2, Period(2026, 3))
    many, made_many = queries_to_bill(27, Period(2026, 4))
    assert (made_few, made_many) == (3, 30)
    assert many == few


def test_a_park_with_no_scheme_is_billed_without_subsidy(park):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    statement = Statement.objects.get()
    assert statement.subsidy_total == Decimal("0.00")
    assert statement.scheme is None


def test_companies_are_billed_per_park(park, other_park, scheme):
    company = CompanyFactory()
    LeaseFactory(company=company, park=park, start_date=date(2026, 3, 1))
    LeaseFactory(company=company, park=other_park, start_date=date(2026, 3, 1))
    bill()
    assert sorted(Statement.objects.values_list("park__code", flat=True)) == ["GLT", "GUJ"]


def test_a_park_opening_anchor_gives_a_late_tenant_only_what_is_left(park):
    opened = ParkFactory(code="QTA", opening_date=date(2025, 6, 1))
    SubsidySchemeFactory(anchor="park_opening", valid_from=date(2025, 1, 1))
    LeaseFactory(park=opened, start_date=date(2026, 3, 1))  # month 10 of the window
    bill(Period(2026, 5), today=date(2026, 6, 1))
    bill(Period(2026, 6), today=date(2026, 7, 1))
    may, june = Statement.objects.order_by("period")
    assert may.subsidy_total < 0
    assert june.subsidy_total == Decimal("0.00")  # the window ended on 31 May 2026


def test_the_database_accepts_a_net_that_float_addition_would_get_wrong(park):
    # given amounts whose float sum is not exactly the decimal one (SQLite adds floats)
    gross, subsidy = Decimal("166240.42"), Decimal("-127668.31")
    assert float(gross) + float(subsidy) != float(gross + subsidy)
    company = CompanyFactory()
    # when a statement with those totals is stored, then the check constraint accepts it
    statement = Statement.objects.create(
        number="GUJ-2025-26-00001",
        company=company,
        park=park,
        period=date(2026, 3, 1),
        issue_date=ISSUED,
        due_date=ISSUED + timedelta(days=15),
        gross=gross,
        subsidy_total=subsidy,
        net_payable=gross + subsidy,
        verification_token="t" * 32,
    )
    assert Statement.objects.get(pk=statement.pk).net_payable == Decimal("38572.11")
