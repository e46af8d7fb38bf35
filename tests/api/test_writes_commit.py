"""Billing writes as a real request makes them: on PostgreSQL, outside the transaction every
other test runs in. A service that locks rows without opening its own transaction passes
every test that wraps it in one, and fails here (select_for_update needs a transaction)."""

from datetime import date
from decimal import Decimal

import pytest

from subsidies import services
from subsidies.models import CreditNote, Payment, Statement
from tests.factories import LeaseFactory, SubsidySchemeFactory, UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ISSUED = date(2026, 4, 1)


@pytest.fixture
def billed(park, company_user):
    # given the worked example billed for March 2026
    SubsidySchemeFactory(valid_from=date(2022, 7, 1))
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    lease = LeaseFactory(
        company=company_user.memberships.get().company,
        park=park,
        units=[unit],
        start_date=date(2026, 3, 15),
    )
    run = services.billing_run_start(
        user=None, period="2026-03", park=None, today=ISSUED, queue=False
    )
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=ISSUED, render=False)
    return lease, Statement.objects.get()


def test_payments_credit_notes_charges_and_terminations_commit_on_their_own(
    as_user, pseb_staff, park_manager, billed
):
    lease, statement = billed
    staff, manager = as_user(pseb_staff), as_user(park_manager)
    base = f"/api/v1/statements/{statement.pk}"

    paid = manager.post(
        f"{base}/payments/",
        {"amount": "1000.00", "paid_on": "2026-04-10", "reference": "HBL-1"},
        format="json",
    )
    assert paid.status_code == 201, paid.content
    credited = staff.post(
        f"{base}/credit-note/", {"reason": "Air conditioning out", "amount": "500.00"}
    )
    assert credited.status_code == 201, credited.content
    charged = manager.post(
        "/api/v1/charges/",
        {"lease": lease.pk, "period": "2026-03", "description": "Parking", "amount": "700.00"},
        format="json",
    )
    assert charged.status_code == 201, charged.content
    ended = staff.post(
        f"/api/v1/leases/{lease.pk}/terminate/", {"end_date": "2026-03-20"}, format="json"
    )
    assert ended.status_code == 200, ended.content
    voided = staff.post(f"{base}/credit-note/", {"reason": "Billed to the wrong company"})
    assert voided.status_code == 201, voided.content

    # then each write stands: a payment, three credit notes (by hand, the termination's, the
    # rest of the statement), and a supplementary statement for the charge
    assert Payment.objects.get().amount == Decimal("1000.00")
    assert sorted(CreditNote.objects.values_list("amount", flat=True)) == [
        Decimal("500.00"),
        Decimal("8209.67"),  # 24,677.42 less 500.00 and the termination's 15,967.75
        Decimal("15967.75"),
    ]
    assert Statement.objects.filter(supplements=statement).count() == 1
