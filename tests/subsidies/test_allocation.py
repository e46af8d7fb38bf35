"""The allocation rule (issue 12 §6), in plain Python: oldest first, to the paisa, never
more than is outstanding."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subsidies.allocation import AllocationRefused, Owed, allocate, fingerprint


def owed(pk, month, outstanding):
    return Owed(
        pk,
        f"GUJ-2025-26-{pk:05d}",
        date(2026, month, 1),
        date(2026, month + 1, 16),
        Decimal(outstanding),
    )


SEPT, OCT, NOV = owed(1, 9, "97750.00"), owed(2, 10, "97750.00"), owed(3, 11, "97750.00")


def test_a_payment_settles_the_oldest_statement_first_and_part_pays_the_next():
    # given three months owed, listed newest first
    # when 120,000.00 is paid
    plan = allocate(Decimal("120000.00"), [NOV, OCT, SEPT])
    # then September is settled and October part paid; November untouched
    assert [(s.owed.statement_id, s.amount, s.left) for s in plan.shares] == [
        (1, Decimal("97750.00"), Decimal("0.00")),
        (2, Decimal("22250.00"), Decimal("75500.00")),
    ]
    assert plan.outstanding_before == Decimal("293250.00")
    assert plan.left == Decimal("173250.00")
    assert plan.shares[0].settles
    assert not plan.shares[1].settles


def test_the_exact_total_settles_every_statement_to_the_paisa():
    plan = allocate(Decimal("0.03"), [owed(1, 9, "0.01"), owed(2, 10, "0.02")])
    assert [s.amount for s in plan.shares] == [Decimal("0.01"), Decimal("0.02")]
    assert plan.left == Decimal("0.00")


def test_more_than_is_outstanding_is_refused():
    with pytest.raises(AllocationRefused, match=r"Only 195,500\.00 is outstanding"):
        allocate(Decimal("195500.01"), [SEPT, OCT])


@pytest.mark.parametrize("amount", ["0", "-1.00", "10.001"])
def test_what_is_not_an_amount_is_refused(amount):
    with pytest.raises(AllocationRefused):
        allocate(Decimal(amount), [SEPT])


def test_nothing_owed_is_refused():
    with pytest.raises(AllocationRefused, match="Nothing is outstanding"):
        allocate(Decimal("1.00"), [owed(1, 9, "0.00")])


def test_the_fingerprint_changes_when_what_is_owed_changes():
    paid = Decimal("1000.00")
    assert fingerprint([SEPT, OCT], paid) == fingerprint([OCT, SEPT], paid)
    assert fingerprint([SEPT, OCT], paid) != fingerprint([owed(1, 9, "97749.99"), OCT], paid)
    # another amount than the one previewed is another allocation
    assert fingerprint([SEPT, OCT], paid) != fingerprint([SEPT, OCT], Decimal("1000.01"))


@given(
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8),
    st.data(),
)
def test_shares_add_up_to_the_payment_and_never_exceed_a_statement(paisas, data):
    debts = [owed(i + 1, (i % 11) + 1, Decimal(p) / 100) for i, p in enumerate(paisas)]
    total = sum(paisas)
    amount = Decimal(data.draw(st.integers(min_value=1, max_value=total))) / 100
    plan = allocate(amount, debts)
    assert sum(s.amount for s in plan.shares) == amount
    assert all(Decimal(0) < s.amount <= s.owed.outstanding for s in plan.shares)
    # oldest first: every share but the last settles its statement
    assert all(s.settles for s in plan.shares[:-1])
