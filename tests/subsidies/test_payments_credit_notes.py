"""Payments, the derived status and credit notes by hand (domain.md §6)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.vocabulary import StatementStatus
from stp_portal.errors import Conflict
from subsidies import services
from tests.subsidies.support import (
    ISSUED,
    status_of,
)

pytestmark = pytest.mark.django_db


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
