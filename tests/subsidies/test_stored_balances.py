"""Statements carry their balance (issue 9): ``amount_paid`` and ``amount_credited`` are the
sums of the statement's payments and credit notes, always; the status is derived from them by
the same rule as before (domain.md §6), and the status filters read only stored columns."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.vocabulary import StatementStatus
from subsidies import services
from subsidies.models import CreditNote, Payment, Statement
from subsidies.selectors import (
    statement_balance_mismatches,
    statements_list,
    statements_of_status,
    with_balance,
)
from subsidies.services import corrections
from tests.factories import LeaseFactory, ParkFactory, UnitFactory
from tests.subsidies.support import ISSUED, bill, terminate

pytestmark = pytest.mark.django_db

fill_stored_balances = importlib.import_module(
    "subsidies.migrations.0010_fill_stored_balances"
).fill_stored_balances


def ledger(statement: Statement) -> tuple[Decimal, Decimal]:
    """What the statement's payments and credit notes add up to."""
    paid = sum((p.amount for p in Payment.objects.filter(statement=statement)), Decimal("0.00"))
    credited = sum(
        (c.amount for c in CreditNote.objects.filter(statement=statement)), Decimal("0.00")
    )
    return paid, credited


def assert_stored_balances_are_the_ledger() -> None:
    for statement in Statement.objects.all():
        paid, credited = ledger(statement)
        assert (statement.amount_paid, statement.amount_credited) == (paid, credited), statement
        assert statement.outstanding == statement.net_payable - credited - paid
    assert list(statement_balance_mismatches()) == []
    call_command("check_balances")  # exits non-zero (CommandError) on any mismatch


def pay(user, statement, amount, reference="HBL"):
    return services.payment_record(
        user=user, statement=statement, amount=Decimal(amount), paid_on=ISSUED, reference=reference
    )


# --- Stored balances equal the ledger ------------------------------------------------------------
def test_payments_part_and_whole_are_added_to_the_stored_balance(pseb_staff, statement):
    pay(pseb_staff, statement, "10000.00")
    statement.refresh_from_db()
    assert (statement.amount_paid, statement.outstanding) == (
        Decimal("10000.00"),
        Decimal("14677.42"),
    )
    pay(pseb_staff, statement, "0.10")
    pay(pseb_staff, statement, "0.20")  # 0.1 + 0.2: floats would miss; stored to the paisa
    pay(pseb_staff, statement, "14677.12")
    statement.refresh_from_db()
    assert (statement.amount_paid, statement.outstanding) == (
        Decimal("24677.42"),
        Decimal("0.00"),
    )
    assert statements_of_status(Statement.objects, StatementStatus.PAID, ISSUED).get() == statement
    assert_stored_balances_are_the_ledger()


def test_credit_notes_by_hand_and_a_full_credit_are_added_to_the_stored_balance(
    pseb_staff, statement
):
    services.credit_note_issue(
        user=pseb_staff, statement=statement, reason="Goodwill", amount=Decimal("677.42")
    )
    pay(pseb_staff, statement, "4000.00")
    statement.refresh_from_db()
    assert (statement.amount_credited, statement.outstanding) == (
        Decimal("677.42"),
        Decimal("20000.00"),
    )
    services.credit_note_issue(user=pseb_staff, statement=statement, reason="Wrong tenant")
    row = with_balance(Statement.objects, ISSUED).get()
    assert (row.credited, row.paid, row.balance, row.status) == (
        Decimal("24677.42"),
        Decimal("4000.00"),
        Decimal("-4000.00"),
        StatementStatus.VOID,
    )
    assert_stored_balances_are_the_ledger()


def test_termination_credits_backdated_into_billed_months_are_added_to_the_stored_balance(
    pseb_staff, worked_example
):
    bill()  # March
    bill(period=ISSUED.replace(day=1), today=date(2026, 5, 1))  # April
    march, april = Statement.objects.order_by("period")
    pay(pseb_staff, march, "24677.42")
    terminate(pseb_staff, worked_example, date(2026, 3, 20))
    march.refresh_from_db()
    april.refresh_from_db()
    # March was paid in full, then credited: it shows what is owed back.
    assert march.amount_credited == Decimal("15967.75")
    assert march.outstanding == Decimal("-15967.75")
    assert april.amount_credited == april.net_payable  # April wholly after the end: void
    assert with_balance(Statement.objects.filter(pk=april.pk)).get().status == "void"
    assert_stored_balances_are_the_ledger()


# --- A transaction that dies leaves neither the payment nor the balance ---------------------------
def test_a_payment_whose_balance_update_fails_is_not_recorded(monkeypatch, pseb_staff, statement):
    def worker_killed(*args, **kwargs):
        raise RuntimeError("worker killed between the insert and the balance")

    monkeypatch.setattr(corrections, "_balances_add", worker_killed)
    with pytest.raises(RuntimeError):
        pay(pseb_staff, statement, "100.00")
    assert not Payment.objects.exists()
    assert_stored_balances_are_the_ledger()


def test_a_request_that_fails_after_recording_a_payment_and_a_note_leaves_neither(
    pseb_staff, statement
):
    pay(pseb_staff, statement, "1.00")

    @transaction.atomic  # as ATOMIC_REQUESTS would wrap a request
    def request_that_fails():
        pay(pseb_staff, statement, "100.00")
        services.credit_note_issue(
            user=pseb_staff, statement=statement, reason="x", amount=Decimal("5.00")
        )
        raise RuntimeError("the request failed after the services ran")

    with pytest.raises(RuntimeError):
        request_that_fails()
    assert (Payment.objects.count(), CreditNote.objects.count()) == (1, 0)
    statement.refresh_from_db()
    assert (statement.amount_paid, statement.amount_credited) == (Decimal("1.00"), Decimal(0))
    assert_stored_balances_are_the_ledger()


# --- The migration's fill and the check ----------------------------------------------------------
def test_the_migration_fills_stored_balances_from_the_ledger_and_the_check_proves_them(
    capsys, pseb_staff, worked_example
):
    bill()
    march = Statement.objects.get()
    pay(pseb_staff, march, "100.10")
    pay(pseb_staff, march, "0.20")
    services.credit_note_issue(
        user=pseb_staff, statement=march, reason="x", amount=Decimal("1000.00")
    )
    untouched = Statement.objects.create(  # a statement with neither payment nor note
        number="GUJ-2025-26-09999",
        company=worked_example.company,
        park=worked_example.park,
        period=date(2026, 2, 1),
        issue_date=ISSUED,
        due_date=ISSUED,
        gross=Decimal("10.00"),
        subsidy_total=Decimal("0.00"),
        net_payable=Decimal("10.00"),
        verification_token="t-untouched",
    )
    # given stored balances as they were before the migration: all zero
    Statement.objects.update(amount_paid=Decimal("0.00"), amount_credited=Decimal("0.00"))
    (wrong,) = statement_balance_mismatches()
    assert (wrong.number, wrong.ledger_paid, wrong.ledger_credited) == (
        march.number,
        Decimal("100.30"),
        Decimal("1000.00"),
    )
    with pytest.raises(CommandError, match="1 statement"):
        call_command("check_balances")
    assert march.number in capsys.readouterr().out
    # when the migration fills them
    fill_stored_balances(apps, None)
    # then they are the ledger again, the untouched one still zero
    march.refresh_from_db()
    untouched.refresh_from_db()
    assert (march.amount_paid, march.amount_credited) == (Decimal("100.30"), Decimal("1000.00"))
    assert (untouched.amount_paid, untouched.outstanding) == (Decimal("0.00"), Decimal("10.00"))
    assert_stored_balances_are_the_ledger()


# --- The status: the same rule, filtered on stored columns ---------------------------------------
def old_status(statement: Statement, today: date) -> str:
    """The rule as ``with_balance`` derived it before balances were stored, from the ledger
    (domain.md §6), written out as the reference."""
    paid, credited = ledger(statement)
    balance = statement.net_payable - credited - paid
    if credited >= statement.net_payable and statement.net_payable > 0:
        return StatementStatus.VOID
    if balance <= 0:
        return StatementStatus.PAID
    if statement.due_date < today:
        return StatementStatus.OVERDUE
    if paid > 0:
        return StatementStatus.PARTIALLY_PAID
    return StatementStatus.ISSUED


def test_each_status_filter_finds_what_the_old_derivation_says_on_a_mixed_set(
    pseb_staff, park, scheme
):
    leases = [LeaseFactory(park=park, start_date=date(2026, 3, 1)) for _ in range(7)]
    bill()
    by_lease = {
        lease.pk: Statement.objects.get(company=lease.company, period=date(2026, 3, 1))
        for lease in leases
    }
    untouched, part, whole, void, mixed, owed_back, credited_part = (
        by_lease[lease.pk] for lease in leases
    )
    pay(pseb_staff, part, "100.00")
    pay(pseb_staff, whole, str(whole.net_payable))
    services.credit_note_issue(user=pseb_staff, statement=void, reason="Wrong tenant")
    services.credit_note_issue(
        user=pseb_staff, statement=mixed, reason="x", amount=mixed.net_payable - Decimal("50.00")
    )
    pay(pseb_staff, mixed, "50.00")
    pay(pseb_staff, owed_back, str(owed_back.net_payable))
    terminate(pseb_staff, leases[5], date(2026, 3, 10))
    services.credit_note_issue(
        user=pseb_staff, statement=credited_part, reason="x", amount=Decimal("10.00")
    )
    # a statement with nothing to pay (net 0.00): paid, never void
    Statement.objects.create(
        number=f"{park.code}-2025-26-09999",
        company=untouched.company,
        park=park,
        period=date(2026, 2, 1),
        issue_date=ISSUED,
        due_date=untouched.due_date,
        gross=Decimal("0.00"),
        subsidy_total=Decimal("0.00"),
        net_payable=Decimal("0.00"),
        verification_token="t-zero",
    )
    assert_stored_balances_are_the_ledger()

    seen = set()
    due = untouched.due_date
    for today in (ISSUED, due, due + timedelta(days=1)):
        expected = {s.pk: old_status(s, today) for s in Statement.objects.all()}
        annotated = dict(with_balance(Statement.objects, today).values_list("pk", "status"))
        assert annotated == expected, today
        for status in StatementStatus.values:
            found = set(statements_of_status(Statement.objects, status, today).values_list("pk"))
            assert found == {(pk,) for pk, s in expected.items() if s == status}, (today, status)
        seen |= set(expected.values())
    assert seen == set(StatementStatus.values)  # the mixed set shows every status


def test_the_status_filter_of_the_page_and_the_api_reads_stored_columns(
    client, pseb_staff, statement
):
    client.force_login(pseb_staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("subsidies:statement_list"), {"status": "overdue"})
    assert response.status_code == 200
    assert statement.number in response.content.decode()
    listed = [q["sql"] for q in queries if "subsidies_statement" in q["sql"]]
    assert listed
    assert all("subsidies_payment" not in sql for sql in listed)
    assert all("subsidies_creditnote" not in sql for sql in listed)
    answer = client.get("/api/v1/statements/", {"status": "overdue"}).json()
    assert [row["number"] for row in answer["results"]] == [statement.number]
    assert client.get("/api/v1/statements/", {"status": "paid"}).json()["results"] == []


# --- The list's order and the export -------------------------------------------------------------
def test_within_a_period_number_order_is_park_code_order(pseb_staff, scheme):
    # Codes that begin one another (GL, GLT, GLTX) and plain ones, created out of order.
    for code in ("GLTX", "GUJ", "GLT", "AB", "GL", "ABCDE"):
        park = ParkFactory(code=code)
        for _ in range(2):
            LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    bill(period=ISSUED.replace(day=1), today=date(2026, 5, 1))
    rows = list(statements_list(pseb_staff).values_list("period", "park__code", "number"))
    assert len(rows) == 24
    by_park_code = sorted(rows, key=lambda r: (-r[0].toordinal(), r[1], r[2]))
    assert rows == by_park_code
    assert [code for _, code, _ in rows[:12:2]] == ["AB", "ABCDE", "GL", "GLT", "GLTX", "GUJ"]


def test_the_csv_export_takes_as_many_queries_for_many_statements_as_for_few(
    client, pseb_staff, park, scheme
):
    client.force_login(pseb_staff)

    def export_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("subsidies:statement_export", args=["csv"]))
            lines = b"".join(response.streaming_content).decode().strip().splitlines()[3:]
        assert not any("subsidies_payment" in q["sql"] for q in queries)
        return len(queries), len(lines) - 1

    LeaseFactory(park=park, units=[UnitFactory(park=park)], start_date=date(2026, 3, 1))
    bill()
    few, rows = export_queries()
    assert rows == 1
    for _ in range(8):
        LeaseFactory(park=park, start_date=date(2026, 4, 1))
    bill(period=ISSUED.replace(day=1), today=date(2026, 5, 1))
    many, rows = export_queries()
    assert (many, rows) == (few, 10)
