"""Billing services (domain.md §6): runs, chunks, numbering, charges, payments, credit notes.

The money rules themselves are tested without a database in test_calculation.py; here the
services that load, issue and number statements.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period, fiscal_year
from core.vocabulary import RunStatus, StatementStatus
from stp_portal.errors import Conflict
from subsidies import services, tasks
from subsidies.models import BillingRun, CreditNote, DocumentCounter, Statement
from subsidies.selectors import with_balance
from subsidies.services import runs as billing_runs
from subsidies.services import statements
from tests.factories import (
    CompanyFactory,
    LeaseFactory,
    MembershipFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db
MARCH = Period(2026, 3)
ISSUED = date(2026, 4, 1)  # FY 2025-26


def bill(period=MARCH, park=None, today=ISSUED):
    """A run executed in-process without PDFs, as the worker's tasks would do it."""
    run = services.billing_run_start(user=None, period=period, park=park, today=today, queue=False)
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=today)
    run.refresh_from_db()
    return run


def change(scheme, **values):
    """A scheme as it stands, but for ``values``: a partial update's input."""
    return services.SchemeInput.build(values, scheme=scheme)


@pytest.fixture
def scheme():
    return SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))


@pytest.fixture
def worked_example(park, scheme):
    """domain.md §6: unit A-101 (60,000.00 rent, 5,000.00 internet) from 2026-03-15."""
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    return LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 15))


# --- The worked example, through the services ----------------------------------------------------
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


# --- Runs ----------------------------------------------------------------------------------------
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


# --- Other charges -------------------------------------------------------------------------------
def test_other_charges_are_billed_and_never_subsidised(park, park_manager, worked_example):
    services.charge_record(
        user=park_manager,
        lease=worked_example,
        period="2026-03",
        description="Power backup",
        amount=Decimal("1500.00"),
    )
    bill()
    statement = Statement.objects.get()
    charge = statement.lines.get(kind="charge")
    assert (charge.description, charge.amount) == ("Power backup", Decimal("1500.00"))
    assert statement.net_payable == Decimal("24677.42") + Decimal("1500.00")
    assert statement.subsidy_total == Decimal("-10967.75")


def test_a_charge_for_a_month_already_billed_goes_on_a_supplementary_statement(
    park, park_manager, worked_example
):
    # given March billed
    bill()
    original = Statement.objects.get()
    # when the park's manager records a forgotten parking charge on 5 April
    recorded = services.charge_record(
        user=park_manager,
        lease=worked_example,
        period=MARCH,
        description="Parking",
        amount=Decimal("500.00"),
        today=date(2026, 4, 5),
    )
    # then it is billed at once, on a statement of its own that refers to the month's
    charge, extra = recorded.charge, recorded.supplementary_statement
    assert (extra.number, extra.supplements_id) == ("GUJ-2025-26-00002", original.pk)
    assert (extra.issue_date, extra.due_date) == (date(2026, 4, 5), date(2026, 4, 20))
    assert [(ln.kind, ln.charge_id, ln.amount) for ln in extra.lines.all()] == [
        ("charge", charge.pk, Decimal("500.00"))
    ]
    assert (extra.gross, extra.subsidy_total, extra.net_payable) == (
        Decimal("500.00"),
        Decimal("0.00"),
        Decimal("500.00"),
    )
    original.refresh_from_db()
    assert original.net_payable == Decimal("24677.42")  # unchanged
    # and billing March again adds nothing
    assert bill().issued == 0


def test_a_charges_supplementary_statement_holds_the_charge_alone(pseb_staff, park, park_manager):
    # given March billed without any scheme, then a scheme dated back, and a lease entered late
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    lease = LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 15))
    bill()
    SubsidySchemeFactory(name="Backdated programme", valid_from=date(2022, 7, 1))
    LeaseFactory(park=park, company=lease.company, start_date=date(2026, 3, 20))
    # when a charge is recorded for March
    recorded = services.charge_record(
        user=park_manager, lease=lease, period=MARCH, description="Parking", amount=Decimal("500")
    )
    # then its statement bills the charge and nothing else (no subsidy, no other lease)
    extra = recorded.supplementary_statement
    assert [(ln.kind, ln.amount) for ln in extra.lines.all()] == [("charge", Decimal("500.00"))]
    assert (extra.net_payable, extra.scheme_id) == (Decimal("500.00"), None)
    # and a re-run adds the late lease with its subsidy, never a subsidy on its own
    assert bill().issued == 1
    late = Statement.objects.order_by("pk").last()
    assert {ln.kind for ln in late.lines.all()} == {
        "rent",
        "internet",
        "rent_subsidy",
        "internet_subsidy",
    }
    assert late.net_payable > 0


def test_a_charge_for_a_month_not_billed_yet_waits_for_the_run(park_manager, worked_example):
    recorded = services.charge_record(
        user=park_manager,
        lease=worked_example,
        period=MARCH,
        description="Parking",
        amount=Decimal("500.00"),
    )
    assert recorded.supplementary_statement is None
    assert recorded.charge.period == date(2026, 3, 1)
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("period", "description", "amount", "field"),
    [
        ("2026-02", "Parking", Decimal("500.00"), "period"),  # the lease starts in March
        ("2026-03", "  ", Decimal("500.00"), "description"),
        ("2026-03", "Parking", Decimal("0.00"), "amount"),
        ("2026-03", "Parking", Decimal("-5.00"), "amount"),
        ("2026-03", "Parking", Decimal("5.001"), "amount"),
    ],
)
def test_a_bad_charge_says_which_field_is_wrong(
    park_manager, worked_example, period, description, amount, field
):
    with pytest.raises(ValidationError) as caught:
        services.charge_record(
            user=park_manager,
            lease=worked_example,
            period=period,
            description=description,
            amount=amount,
        )
    assert field in caught.value.message_dict


def test_only_pseb_and_the_parks_managers_record_charges(
    other_park_manager, company_user, worked_example
):
    for user in (other_park_manager, company_user):
        with pytest.raises(PermissionDenied):
            services.charge_record(
                user=user,
                lease=worked_example,
                period=MARCH,
                description="Parking",
                amount=Decimal("500.00"),
            )


# --- Payments, status and credit notes -----------------------------------------------------------
@pytest.fixture
def statement(worked_example):
    bill()
    return Statement.objects.get()


def status_of(statement, today):
    return with_balance(Statement.objects.filter(pk=statement.pk), today).get()


def test_payments_move_a_statement_to_partially_paid_then_paid(park_manager, statement):
    assert status_of(statement, ISSUED).status == StatementStatus.ISSUED
    services.payment_record(
        user=park_manager,
        statement=statement,
        amount=Decimal("10000.00"),
        paid_on=ISSUED,
        reference="HBL-1",
    )
    row = status_of(statement, ISSUED)
    assert (row.status, row.paid, row.balance) == (
        StatementStatus.PARTIALLY_PAID,
        Decimal("10000.00"),
        Decimal("14677.42"),
    )
    # Part paid is overdue once the due date has passed: the balance is late.
    assert status_of(statement, statement.due_date).status == StatementStatus.PARTIALLY_PAID
    later = statement.due_date + timedelta(days=1)
    assert status_of(statement, later).status == StatementStatus.OVERDUE
    services.payment_record(
        user=park_manager,
        statement=statement,
        amount=Decimal("14677.42"),
        paid_on=ISSUED,
        reference="HBL-2",
    )
    assert status_of(statement, later).status == StatementStatus.PAID


def test_unpaid_past_the_due_date_is_overdue(statement):
    assert status_of(statement, statement.due_date).status == StatementStatus.ISSUED
    later = statement.due_date + timedelta(days=1)
    assert status_of(statement, later).status == StatementStatus.OVERDUE


def test_a_payment_larger_than_what_is_owed_is_refused(pseb_staff, statement):
    with pytest.raises(ValidationError) as caught:
        services.payment_record(
            user=pseb_staff,
            statement=statement,
            amount=Decimal("24677.43"),
            paid_on=ISSUED,
            reference="x",
        )
    assert "24,677.42" in caught.value.message_dict["amount"][0]
    assert not statement.payments.exists()


def test_a_company_cannot_record_its_own_payment(company_user, statement):
    with pytest.raises(PermissionDenied):
        services.payment_record(
            user=company_user,
            statement=statement,
            amount=Decimal("1.00"),
            paid_on=ISSUED,
            reference="x",
        )


def test_a_credit_note_has_its_own_number_and_refers_to_the_statement(pseb_staff, statement):
    note = services.credit_note_issue(
        user=pseb_staff,
        statement=statement,
        reason="Internet was down for a week",
        amount=Decimal("1000.00"),
        today=date(2026, 7, 2),
    )
    assert note.number == "GUJ-CN-2026-27-00001"
    assert note.statement == statement
    row = status_of(statement, ISSUED)
    assert (row.credited, row.balance) == (Decimal("1000.00"), Decimal("23677.42"))
    statement.refresh_from_db()
    assert statement.net_payable == Decimal("24677.42")  # the statement itself is unchanged


def test_a_full_credit_note_voids_the_statement_and_no_more_can_be_credited(pseb_staff, statement):
    services.credit_note_issue(user=pseb_staff, statement=statement, reason="Billed in error")
    assert status_of(statement, ISSUED + timedelta(days=60)).status == StatementStatus.VOID
    with pytest.raises(Conflict):
        services.credit_note_issue(user=pseb_staff, statement=statement, reason="Again")


def test_a_credit_note_beyond_the_net_is_refused(pseb_staff, statement):
    with pytest.raises(ValidationError) as caught:
        services.credit_note_issue(
            user=pseb_staff, statement=statement, reason="x", amount=Decimal("30000.00")
        )
    assert "amount" in caught.value.message_dict


def test_only_pseb_staff_issue_credit_notes(park_manager, statement):
    with pytest.raises(PermissionDenied):
        services.credit_note_issue(user=park_manager, statement=statement, reason="x")


# --- Schemes applied to issued statements --------------------------------------------------------
def test_a_scheme_applied_to_a_statement_cannot_change_its_rules(pseb_staff, scheme, statement):
    with pytest.raises(Conflict) as caught:
        services.scheme_update(
            user=pseb_staff, scheme=scheme, data=change(scheme, rent_pct=Decimal("50.00"))
        )
    assert "rent_pct" in caught.value.message_dict
    scheme.refresh_from_db()
    assert scheme.rent_pct == Decimal("25.00")


def test_a_scheme_applied_may_be_renamed_and_closed_after_its_last_window(
    pseb_staff, scheme, statement
):
    services.scheme_update(
        user=pseb_staff,
        scheme=scheme,
        data=change(scheme, name="Programme 2026", valid_to=date(2026, 12, 31)),
    )
    scheme.refresh_from_db()
    assert (scheme.name, scheme.valid_to) == ("Programme 2026", date(2026, 12, 31))
    with pytest.raises(Conflict):
        services.scheme_update(
            user=pseb_staff, scheme=scheme, data=change(scheme, valid_to=date(2026, 3, 1))
        )


def test_a_scheme_not_yet_applied_can_change(pseb_staff, scheme):
    services.scheme_update(
        user=pseb_staff, scheme=scheme, data=change(scheme, rent_pct=Decimal("30.00"))
    )
    scheme.refresh_from_db()
    assert scheme.rent_pct == Decimal("30.00")


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


def test_a_chunk_billed_again_queues_the_pdfs_its_first_worker_never_rendered(
    monkeypatch, park, scheme, django_capture_on_commit_callbacks
):
    # given a chunk billed by a worker that died before its PDFs were queued
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    (chunk_id,) = services.billing_run_plan(run.pk)
    services.billing_chunk_bill(chunk_id, today=ISSUED, render=False)
    queued = []
    monkeypatch.setattr(tasks.render_statements, "delay", queued.append)
    # when the task is delivered again
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_chunk_bill(chunk_id, today=ISSUED) == []
    # then nothing is issued twice, and the statement's PDF is queued
    assert queued == [[Statement.objects.get().pk]]
    assert Statement.objects.count() == 1


def backdated_park_scheme(user, park):
    """A scheme naming the park, valid from before March 2026's window opened."""
    return services.scheme_create(
        user=user,
        data=services.SchemeInput(
            name="GUJ special",
            internet_pct=Decimal("50.00"),
            rent_pct=Decimal("10.00"),
            duration_months=3,
            valid_from=date(2026, 1, 1),
            valid_to=None,
            anchor="lease_start",
            parks=(park,),
        ),
    )


def test_a_backdated_scheme_does_not_move_a_window_already_open(pseb_staff, park, worked_example):
    # given March billed under the default scheme (25% rent, 12 months from 15 March)
    bill()
    # when PSEB creates a scheme for this park, valid from before the window opened
    backdated_park_scheme(pseb_staff, park)
    bill(Period(2026, 7), today=date(2026, 8, 1))
    # then July is still under the default window (grandfathering)
    july = Statement.objects.get(period=date(2026, 7, 1))
    assert july.scheme.name == "Default programme"
    assert july.subsidy_total == Decimal("-20000.00")  # 25% of 60,000 + 100% of 5,000
    assert (july.window_start, july.window_end) == (date(2026, 3, 15), date(2027, 3, 15))


def test_a_new_company_after_the_backdated_scheme_gets_it(pseb_staff, park, worked_example):
    bill()
    special = backdated_park_scheme(pseb_staff, park)
    newcomer = LeaseFactory(park=park, start_date=date(2026, 7, 1))
    bill(Period(2026, 7), today=date(2026, 8, 1))
    assert Statement.objects.get(company=newcomer.company).scheme == special


def test_a_lease_dated_before_a_fixed_window_is_refused_and_nothing_is_written(
    pseb_staff, park, worked_example
):
    from tenants.services import lease_create

    # given March billed: the company's window is fixed from 15 March 2026
    bill()
    earlier = UnitFactory(park=park, code="B-201")
    # when PSEB onboards an older lease of the same company in the park
    with pytest.raises(Conflict) as refused:
        lease_create(
            company=worked_example.company,
            park=park,
            units=[earlier],
            start_date=date(2025, 12, 1),
            end_date=date(2026, 1, 31),
            created_by=pseb_staff,
        )
    # then it is refused on its start date: it would move the window under issued statements
    assert "fixed from 2026-03-15" in refused.value.message_dict["start_date"][0]
    assert park.leases.count() == 1
    # while a lease from the window's start on, or another company's older lease, is fine
    lease_create(
        company=worked_example.company,
        park=park,
        units=[earlier],
        start_date=date(2026, 3, 15),
        end_date=None,
        created_by=pseb_staff,
    )
    lease_create(
        company=CompanyFactory(),
        park=park,
        units=[UnitFactory(park=park)],
        start_date=date(2025, 12, 1),
        end_date=None,
        created_by=pseb_staff,
    )
    assert park.leases.count() == 3


def test_moving_the_parks_opening_date_does_not_move_an_open_window():
    opened = ParkFactory(code="QTA", opening_date=date(2025, 6, 1))
    SubsidySchemeFactory(anchor="park_opening", valid_from=date(2024, 1, 1))
    LeaseFactory(park=opened, start_date=date(2026, 3, 1))
    bill(Period(2026, 3), today=date(2026, 4, 1))
    opened.opening_date = date(2024, 6, 1)
    opened.save()
    bill(Period(2026, 4), today=date(2026, 5, 1))
    april = Statement.objects.get(period=date(2026, 4, 1))
    assert april.subsidy_total < 0
    assert april.window_start == date(2025, 6, 1)


def test_a_chunk_whose_task_gives_up_is_recorded_and_the_run_finishes(park, scheme):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    (chunk_id,) = services.billing_run_plan(run.pk)
    # when the task has used up its retries (the database kept failing)
    tasks.bill_chunk.on_failure(OperationalError("server closed"), "id", (chunk_id,), {}, None)
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (RunStatus.FAILED, 1, 1)
    assert "OperationalError: server closed" in run.errors[0]["error"]
    assert bill().issued == 1  # a re-run bills it


def test_a_run_the_queue_cannot_take_says_so(monkeypatch, settings, park):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(tasks.plan_billing_run, "delay", broker_down)
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    billing_runs._queue_plan(run)
    assert run.status == RunStatus.FAILED
    assert "could not be reached" in run.errors[0]["error"]


def test_one_statement_that_cannot_render_does_not_stop_the_others(monkeypatch, park, scheme):
    from subsidies import pdf

    for _ in range(2):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    first, second = Statement.objects.order_by("pk")
    real = pdf.renderer().render

    def render(statement):
        if statement.pk == first.pk:
            raise pdf.StatementRenderError("a missing font")
        return real(statement)

    monkeypatch.setattr(pdf.renderer(), "render", render)
    assert services.statements_render([first.pk, second.pk]) == [second.pk]


def test_a_payment_dated_before_the_month_it_pays_for_is_refused(pseb_staff, statement):
    with pytest.raises(ValidationError) as caught:
        services.payment_record(
            user=pseb_staff,
            statement=statement,
            amount=Decimal("1.00"),
            paid_on=date(2026, 2, 28),
            reference="x",
        )
    assert "before the month" in caught.value.message_dict["paid_on"][0]


def test_a_unit_leased_late_for_a_month_already_billed_gets_a_supplementary_statement(
    park, worked_example, scheme
):
    # given March billed for unit A-101 (from 15 March)
    bill()
    original = Statement.objects.get()
    # when a second unit's lease, from 20 March, is entered afterwards and March is re-run
    unit = UnitFactory(
        park=park, code="B-201", monthly_rent=Decimal("31000.00"), internet_fee=Decimal("3100.00")
    )
    LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 20)
    )
    run = bill()
    # then only B-201's 12 days are billed, on a statement of its own that refers to March's
    assert run.issued == 1
    extra = Statement.objects.exclude(pk=original.pk).get()
    assert extra.supplements == original
    assert extra.number == "GUJ-2025-26-00002"
    # 31,000 × 12/31 = 12,000.00; 3,100 × 12/31 = 1,200.00; 25% and 100% of them inside the
    # window opened on 15 March: −3,000.00 and −1,200.00
    assert [(ln.kind, ln.unit_code, ln.amount) for ln in extra.lines.all()] == [
        ("rent", "B-201", Decimal("12000.00")),
        ("internet", "B-201", Decimal("1200.00")),
        ("rent_subsidy", "B-201", Decimal("-3000.00")),
        ("internet_subsidy", "B-201", Decimal("-1200.00")),
    ]
    assert extra.net_payable == Decimal("9000.00")
    original.refresh_from_db()
    assert original.net_payable == Decimal("24677.42")  # unchanged
    assert bill().issued == 0  # and again: nothing more


def terminate(user, lease, end_date):
    from tenants.services import lease_terminate

    return lease_terminate(user=user, lease=lease, end_date=end_date, reason="Closed the office.")


def test_a_lease_ended_back_in_a_billed_month_gets_a_credit_note(pseb_staff, worked_example):
    # given March 2026 of the worked example billed (net 24,677.42)
    bill()
    march = Statement.objects.get()
    # when PSEB records that the lease ended on 20 March
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    # then March is credited what it billed for the 21st to the 31st (11 of 17 days):
    # 24,677.42 - (11,612.90 + 967.74 - 2,903.23 - 967.74) = 15,967.75
    (note,) = ended.credit_notes_issued
    assert (note.statement_id, note.amount) == (march.pk, Decimal("15967.75"))
    assert note.number == f"GUJ-CN-{fiscal_year(timezone.localdate())}-00001"
    assert note.created_by == pseb_staff
    assert "ended on 20 March 2026" in note.reason
    march.refresh_from_db()
    assert march.net_payable == Decimal("24677.42")  # the statement itself never changes
    assert with_balance(Statement.objects).get().balance == Decimal("8709.67")
    # and billing March again issues nothing more
    assert bill().issued == 0
    assert Statement.objects.count() == 1


def test_terminating_from_the_page_says_which_credit_notes_were_issued(
    client, pseb_staff, worked_example, django_capture_on_commit_callbacks, mailoutbox
):
    owner = MembershipFactory(company=worked_example.company).user
    bill()
    march = Statement.objects.get()
    client.force_login(pseb_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenants:lease_terminate", args=[worked_example.pk]),
            {"end_date": "2026-03-20", "reason": "Closed the office."},
            follow=True,
        )
    note = CreditNote.objects.get()
    said = f"Credit note {note.number} issued on statement {march.number}: PKR 15,967.75"
    assert said in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == [owner.email]
    assert f"- {note.number} on statement {march.number}: PKR 15,967.75" in mail.body


def test_months_billed_wholly_after_the_end_are_credited_in_full(pseb_staff, worked_example):
    bill()
    bill(period=Period(2026, 4), today=date(2026, 5, 1))
    terminate(pseb_staff, worked_example, date(2026, 3, 20))
    march, april = with_balance(Statement.objects).order_by("period")
    assert (march.credited, march.status) == (Decimal("15967.75"), StatementStatus.OVERDUE)
    assert (april.credited, april.balance) == (Decimal("45000.00"), Decimal("0.00"))
    assert april.status == StatementStatus.VOID


def test_an_end_in_a_month_not_billed_yet_credits_nothing(pseb_staff, worked_example):
    bill()  # March
    ended = terminate(pseb_staff, worked_example, date(2026, 4, 10))
    assert ended.credit_notes_issued == []
    assert not CreditNote.objects.exists()
    # April is then billed for its 10 days only
    april = bill(period=Period(2026, 4), today=date(2026, 5, 1))
    assert april.issued == 1
    statement = Statement.objects.get(period=date(2026, 4, 1))
    assert statement.gross == Decimal("21666.67")  # 20,000.00 + 1,666.67 (10 of 30 days)


def test_a_credit_by_hand_for_another_reason_still_leaves_the_full_termination_credit(
    pseb_staff, worked_example
):
    bill()
    march = Statement.objects.get()
    services.credit_note_issue(
        user=pseb_staff, statement=march, reason="Air conditioning out", amount=Decimal("1000")
    )
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    assert [(n.amount, n.lease_id) for n in ended.credit_notes_issued] == [
        (Decimal("15967.75"), worked_example.pk)
    ]
    assert with_balance(Statement.objects).get().credited == Decimal("16967.75")


def test_a_termination_never_credits_more_than_the_statement_has_left(pseb_staff, worked_example):
    bill()
    march = Statement.objects.get()
    services.credit_note_issue(user=pseb_staff, statement=march, reason="Void: wrong unit.")
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    assert ended.credit_notes_issued == []
    assert CreditNote.objects.count() == 1


def test_a_paid_month_is_credited_too_and_shows_what_is_owed_back(
    pseb_staff, park_manager, worked_example
):
    bill()
    march = Statement.objects.get()
    services.payment_record(
        user=park_manager,
        statement=march,
        amount=Decimal("24677.42"),
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    terminate(pseb_staff, worked_example, date(2026, 3, 20))
    march = with_balance(Statement.objects).get()
    assert (march.status, march.balance) == (StatementStatus.PAID, Decimal("-15967.75"))


def test_two_leases_ending_in_one_month_are_each_credited_for_their_own_days(
    pseb_staff, park, worked_example
):
    unit = UnitFactory(
        park=park, code="B-201", monthly_rent=Decimal("31000.00"), internet_fee=Decimal("3100.00")
    )
    second = LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 1)
    )
    bill()
    first_notes = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    second_notes = terminate(pseb_staff, second, date(2026, 3, 25)).credit_notes_issued
    assert [n.amount for n in first_notes] == [Decimal("15967.75")]
    # B-201 billed 31 days (31,000 + 3,100 - 7,750 - 3,100 = 23,250.00), keeps 25
    # (25,000 + 2,500 - 6,250 - 2,500 = 18,750.00): 4,500.00 credited
    assert [n.amount for n in second_notes] == [Decimal("4500.00")]
    assert {n.lease_id for n in CreditNote.objects.all()} == {worked_example.pk, second.pk}


def test_other_leases_of_the_company_in_the_park_stay_billed(pseb_staff, park, worked_example):
    other_unit = UnitFactory(park=park, code="B-201")
    LeaseFactory(
        park=park, company=worked_example.company, units=[other_unit], start_date=date(2026, 3, 1)
    )
    bill()
    (statement,) = Statement.objects.all()
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    # only A-101's 11 days are credited; B-201 stays billed in full
    assert [n.amount for n in ended.credit_notes_issued] == [Decimal("15967.75")]
    assert ended.credit_notes_issued[0].statement == statement


def test_the_credit_goes_on_the_statement_that_billed_the_days(pseb_staff, park, worked_example):
    # given March billed, then a unit of a lease entered late billed on a supplement
    bill()
    unit = UnitFactory(
        park=park, code="B-201", monthly_rent=Decimal("31000.00"), internet_fee=Decimal("3100.00")
    )
    late = LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 20)
    )
    bill()
    original, extra = Statement.objects.order_by("pk")
    assert (original.net_payable, extra.net_payable) == (Decimal("24677.42"), Decimal("9000.00"))
    # when the late lease ends on 25 March: 6 of its 12 days billed stay
    ended = terminate(pseb_staff, late, date(2026, 3, 25))
    # then the supplement is credited 6,000 + 600 - 1,500 - 600 = 4,500.00; the original not
    assert [(n.statement_id, n.amount) for n in ended.credit_notes_issued] == [
        (extra.pk, Decimal("4500.00"))
    ]


def test_a_supplementary_statement_shows_what_it_supplements(
    client, park, worked_example, scheme, company_user, pseb_staff
):
    from subsidies import pdf

    bill()
    unit = UnitFactory(park=park, code="B-201")
    LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 20)
    )
    bill()
    original, extra = Statement.objects.order_by("pk")
    client.force_login(pseb_staff)
    page = client.get(f"/statements/{extra.pk}/").content.decode()
    assert "Supplementary to" in page
    assert original.number in page
    loaded = Statement.objects.select_related("company", "park", "scheme", "supplements").get(
        pk=extra.pk
    )
    assert f"<dt>Supplements</dt><dd>{original.number}</dd>" in pdf.statement_html(loaded)


# --- Runs whose broker messages were lost --------------------------------------------------------
def stalled_after(settings) -> timedelta:
    return timedelta(seconds=settings.BILLING_RUN_STALLED_AFTER)


def test_a_run_that_stopped_moving_is_resumed_and_finishes(
    monkeypatch, settings, django_capture_on_commit_callbacks, client, pseb_staff, park, scheme
):
    monkeypatch.setattr(billing_runs, "CHUNK_SIZE", 2)
    for _ in range(5):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    first, *_ = services.billing_run_plan(run.pk)
    services.billing_chunk_bill(first, today=ISSUED, render=False)
    # The broker lost the other chunks' messages: nothing moves any more.
    run.refresh_from_db()
    moved = run.progress_at
    assert (run.done, run.total, run.resumed) == (2, 5, 0)

    # Not yet stalled: left alone.
    assert services.billing_runs_resume_stalled(now=moved + stalled_after(settings)) == []
    run.refresh_from_db()
    assert (run.resumed, run.progress_at) == (0, moved)

    later = moved + stalled_after(settings) + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_runs_resume_stalled(now=later) == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.done, run.issued, run.errors) == (RunStatus.DONE, 5, 5, [])
    assert run.resumed == 1
    assert Statement.objects.filter(park=park, period=MARCH.first).count() == 5
    assert not Statement.objects.filter(pdf="").exists()  # the resumed work rendered them too

    client.force_login(pseb_staff)
    page = client.get(reverse("subsidies:billing_run_detail", args=[run.pk])).content.decode()
    assert "Resumed</dt><dd>1 time," in page


def test_a_run_never_planned_is_resumed_from_its_request_time(
    settings, django_capture_on_commit_callbacks, park, scheme
):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    run = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    assert (run.status, run.progress_at) == (RunStatus.QUEUED, None)  # its plan task was lost
    later = run.created_at + stalled_after(settings) + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.billing_runs_resume_stalled(now=later) == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.resumed) == (RunStatus.DONE, 1, 1, 1)
    # It moved just now: the next look leaves it alone even if it had not finished.
    BillingRun.objects.filter(pk=run.pk).update(finished_at=None, status=RunStatus.RUNNING)
    next_look = run.progress_at + timedelta(minutes=15)
    assert services.billing_runs_resume_stalled(now=next_look) == []


def test_finished_runs_are_never_resumed(settings, park, scheme):
    LeaseFactory(park=park, start_date=date(2026, 3, 1))
    done = bill()
    failed = services.billing_run_start(user=None, period=MARCH, today=ISSUED, queue=False)
    BillingRun.objects.filter(pk=failed.pk).update(
        status=RunStatus.FAILED, finished_at=failed.created_at
    )
    far_later = done.created_at + 10 * stalled_after(settings)
    assert services.billing_runs_resume_stalled(now=far_later) == []
    assert set(BillingRun.objects.values_list("resumed", flat=True)) == {0}


def test_statements_left_without_pdf_or_email_are_queued_again_once_stalled(
    settings, worked_example
):
    # given March billed (the PDF and e-mail tasks lost: bill() leaves them undone)
    run = bill()
    statement = Statement.objects.get()
    assert (statement.pdf, statement.emailed_at) == ("", None)
    assert run.status == RunStatus.DONE  # a finished run is not resumed
    issued_at = statement.created_at
    # not long enough ago: left alone
    assert services.statements_undelivered_resend(now=issued_at + stalled_after(settings)) == []
    # then it is rendered (tasks in-process here); delivered, it is not queued again
    later = issued_at + stalled_after(settings) + timedelta(seconds=1)
    assert services.statements_undelivered_resend(now=later) == [statement.pk]
    statement.refresh_from_db()
    assert statement.pdf
    assert statement.emailed_at is not None
    assert services.statements_undelivered_resend(now=later) == []


def test_undelivered_statements_of_a_running_run_or_over_a_week_old_are_not_queued(
    settings, worked_example
):
    run = bill()
    statement = Statement.objects.get()
    later = statement.created_at + stalled_after(settings) + timedelta(seconds=1)
    # a run still going delivers its own statements (or is resumed as a whole)
    BillingRun.objects.filter(pk=run.pk).update(finished_at=None, status=RunStatus.RUNNING)
    assert services.statements_undelivered_resend(now=later) == []
    BillingRun.objects.filter(pk=run.pk).update(finished_at=later, status=RunStatus.DONE)
    # a week on, retrying has not helped: a person looks at the logged failure instead
    week_on = statement.created_at + services.RESEND_FOR + timedelta(seconds=1)
    assert services.statements_undelivered_resend(now=week_on) == []
    assert services.statements_undelivered_resend(now=later) == [statement.pk]
