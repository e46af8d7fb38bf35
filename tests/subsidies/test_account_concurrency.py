"""Two payments received at once from the same company never over-pay (issue 12 §6), on a
real PostgreSQL: each on its own connection, the statements locked by the service."""

from datetime import date
from decimal import Decimal

import pytest

from subsidies import services
from subsidies.models import Receipt, Statement
from subsidies.selectors import statement_balance_mismatches
from tests.concurrency import race
from tests.factories import PsebStaffFactory
from tests.subsidies.support import ISSUED

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_allocations_at_once_never_pay_more_than_is_owed(statement):
    # net 24,677.42; each payment alone fits, both together do not
    company, park = statement.company, statement.park
    users = [PsebStaffFactory() for _ in range(2)]
    amount = Decimal("20000.00")
    outcomes = race(
        [
            lambda user=user: services.payment_receive(
                user=user,
                company=company,
                park=park,
                amount=amount,
                paid_on=ISSUED,
                reference=f"HBL-{user.pk}",
                today=date(2026, 4, 2),
            )
            for user in users
        ]
    )
    assert sorted(outcomes) == ["ValidationError", "ok"]
    statement.refresh_from_db()
    assert statement.amount_paid == amount
    assert Receipt.objects.count() == 1
    assert list(statement_balance_mismatches()) == []


def test_two_confirmations_of_one_preview_record_it_once(statement):
    company, park = statement.company, statement.park
    users = [PsebStaffFactory() for _ in range(2)]
    preview = services.payment_allocation_preview(
        user=users[0], company=company, park=park, amount=Decimal("100.00")
    )
    outcomes = race(
        [
            lambda user=user: services.payment_receive(
                user=user,
                company=company,
                park=park,
                amount=Decimal("100.00"),
                paid_on=ISSUED,
                reference="HBL-9",
                expected=preview.fingerprint,
                today=date(2026, 4, 2),
            )
            for user in users
        ]
    )
    # Conflict is a ValidationError (stp_portal.errors): the stale one is refused
    assert sorted(outcomes) == ["Conflict", "ok"]
    assert Statement.objects.get(pk=statement.pk).amount_paid == Decimal("100.00")
