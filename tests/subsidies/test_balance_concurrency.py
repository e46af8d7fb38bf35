"""Stored balances under concurrent writers and a worker killed mid-transaction, on a real
PostgreSQL (issue 9): each writer's connection is its own, as in production."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from subsidies import services
from subsidies.models import CreditNote, Payment, Statement
from subsidies.selectors import statement_balance_mismatches
from tests.factories import PsebStaffFactory
from tests.subsidies.support import ISSUED

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _all_at_once(actions: dict) -> dict[str, str]:
    """Run each action on a thread (and connection) of its own, all starting together;
    answer each one's outcome."""
    barrier = threading.Barrier(len(actions))
    outcomes: dict[str, str] = {}

    def run(name, action):
        try:
            barrier.wait(timeout=30)
            action()
            outcomes[name] = "ok"
        except Exception as exc:
            outcomes[name] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _payment(user, statement, amount: str, reference: str):
    return lambda: services.payment_record(
        user=user,
        statement=statement,
        amount=Decimal(amount),
        paid_on=ISSUED,
        reference=reference,
    )


def _assert_ledger(statement: Statement) -> Statement:
    statement.refresh_from_db()
    paid = sum(Payment.objects.filter(statement=statement).values_list("amount", flat=True))
    credited = sum(CreditNote.objects.filter(statement=statement).values_list("amount", flat=True))
    assert (statement.amount_paid, statement.amount_credited) == (paid or 0, credited or 0)
    assert list(statement_balance_mismatches()) == []
    call_command("check_balances")
    return statement


@pytest.mark.parametrize("attempt", range(2))
def test_two_payments_and_a_credit_note_at_once_all_count(statement, attempt):
    # net 24,677.42: room for all three
    users = [PsebStaffFactory() for _ in range(3)]
    outcomes = _all_at_once(
        {
            "first": _payment(users[0], statement, "10000.00", "HBL-1"),
            "second": _payment(users[1], statement, "10000.00", "HBL-2"),
            "note": lambda: services.credit_note_issue(
                user=users[2], statement=statement, reason="Goodwill", amount=Decimal("677.42")
            ),
        }
    )
    assert outcomes == {"first": "ok", "second": "ok", "note": "ok"}
    statement = _assert_ledger(statement)
    assert (statement.amount_paid, statement.amount_credited, statement.outstanding) == (
        Decimal("20000.00"),
        Decimal("677.42"),
        Decimal("4000.00"),
    )


def test_two_payments_of_what_is_owed_at_once_record_one(statement):
    users = [PsebStaffFactory() for _ in range(2)]
    outcomes = _all_at_once(
        {
            "first": _payment(users[0], statement, "24677.42", "HBL-1"),
            "second": _payment(users[1], statement, "24677.42", "HBL-2"),
        }
    )
    # The second waits for the first's lock, then finds nothing owed.
    assert sorted(outcomes.values()) == ["Conflict", "ok"]
    statement = _assert_ledger(statement)
    assert (statement.amount_paid, statement.outstanding) == (Decimal("24677.42"), Decimal(0))


def test_a_worker_killed_after_the_payment_insert_leaves_neither_payment_nor_balance(
    statement,
):
    user = PsebStaffFactory()
    done = {}

    def killed_worker():
        # A transaction left open, as a worker's is when it dies before committing: its
        # connection goes away and the server rolls back what it did.
        connection.set_autocommit(False)
        try:
            services.payment_record(
                user=user,
                statement=statement,
                amount=Decimal("5000.00"),
                paid_on=ISSUED,
                reference="HBL-lost",
            )
            done["inside"] = Statement.objects.get(pk=statement.pk).amount_paid
        finally:
            connection.close()

    thread = threading.Thread(target=killed_worker)
    thread.start()
    thread.join(timeout=60)
    assert done["inside"] == Decimal("5000.00")  # it had both, uncommitted
    assert not Payment.objects.exists()
    statement = _assert_ledger(statement)
    assert statement.amount_paid == Decimal("0.00")
    # and the statement is not left locked: the next payment goes through
    services.payment_record(
        user=user,
        statement=statement,
        amount=Decimal("1.00"),
        paid_on=date(2026, 4, 2),
        reference="x",
    )
    _assert_ledger(statement)
