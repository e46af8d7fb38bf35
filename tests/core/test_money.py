"""Money (core.money, domain.md §6): one rounding to the paisa, half up, and one rule for an
amount someone enters, checked without a database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    CENT,
    LARGEST_AMOUNT,
    MONEY_FIELD,
    ZERO,
    amount_problem,
    format_pkr,
    quantize_money,
)
from tests.core.support import PROPERTY

NOT_POSITIVE = "The amount must be more than 0.00."
TOO_PRECISE = "Amounts are in rupees and paisa: at most 2 decimals."
BEYOND_ANY_COLUMN = "The amount can be at most 999,999,999,999.99."


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("0.005", "0.01"),  # half up, not to the even 0.00
        ("0.025", "0.03"),  # half up, not to the even 0.02
        ("2.675", "2.68"),
        ("2.674999", "2.67"),
        ("-0.005", "-0.01"),  # half away from zero
        ("12500", "12500.00"),
    ],
)
def test_quantize_money_rounds_to_the_paisa_half_up(amount, rounded):
    result = quantize_money(Decimal(amount))
    assert result == Decimal(rounded)
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "amount", [None, "0", "0.00", "-0.01", "-500", "NaN", "sNaN", "Infinity", "-Infinity"]
)
def test_an_amount_must_be_a_number_more_than_zero(amount):
    assert amount_problem(None if amount is None else Decimal(amount)) == NOT_POSITIVE


@pytest.mark.parametrize("amount", ["0.001", "1.005", "97750.125", "0.0000001"])
def test_an_amount_has_at_most_two_decimals(amount):
    assert amount_problem(Decimal(amount)) == TOO_PRECISE


@pytest.mark.parametrize("amount", ["0.01", "1", "1.5", "97750.00", "1.100"])
def test_rupees_and_paisa_are_an_amount(amount):
    # "1.100" is 1.10 written with a trailing zero: the same amount, not a third decimal.
    assert amount_problem(Decimal(amount)) is None


def test_an_amount_above_its_maximum_is_refused_with_the_maximum():
    maximum = Decimal("250000")
    assert amount_problem(Decimal("250000.01"), maximum=maximum) == (
        "The amount can be at most 250,000.00."
    )
    assert amount_problem(Decimal("250000.00"), maximum=maximum) is None


@pytest.mark.parametrize("amount", ["1000000000000", "1e12", "1e30", "99999999999999999999.99"])
def test_an_amount_beyond_any_money_column_is_refused(amount):
    assert amount_problem(Decimal(amount)) == BEYOND_ANY_COLUMN


def test_the_largest_amount_fills_a_money_column_exactly():
    assert Decimal("999999999999.99") == LARGEST_AMOUNT
    assert amount_problem(LARGEST_AMOUNT) is None
    assert amount_problem(LARGEST_AMOUNT + CENT) == BEYOND_ANY_COLUMN
    digits = LARGEST_AMOUNT.as_tuple()
    assert len(digits.digits) == MONEY_FIELD["max_digits"]
    assert -digits.exponent == MONEY_FIELD["decimal_places"] == 2


def test_the_positivity_rule_comes_before_the_maximum():
    assert amount_problem(ZERO, maximum=Decimal(100)) == NOT_POSITIVE


def test_an_amount_is_written_in_pkr_with_thousands():
    assert format_pkr(Decimal("97750")) == "PKR 97,750.00"
    assert format_pkr(Decimal("0.5")) == "PKR 0.50"


@PROPERTY
@given(paisa=st.integers(min_value=1, max_value=int(LARGEST_AMOUNT * 100)))
def test_every_amount_in_paisa_up_to_the_largest_is_an_amount(paisa):
    amount = Decimal(paisa) / 100
    assert amount_problem(amount) is None
    assert quantize_money(amount) == amount


@PROPERTY
@given(
    paisa=st.integers(min_value=0, max_value=10**10),
    extra=st.integers(min_value=1, max_value=9),
)
def test_a_third_decimal_is_always_refused(paisa, extra):
    amount = Decimal(paisa) / 100 + Decimal(extra) / 1000
    assert amount_problem(amount) == TOO_PRECISE


@PROPERTY
@given(amount=st.decimals(min_value=-(10**9), max_value=10**9, places=6))
def test_rounding_is_within_half_a_paisa_and_half_up(amount):
    rounded = quantize_money(amount)
    assert abs(rounded - amount) <= Decimal("0.005")
    if abs(rounded - amount) == Decimal("0.005"):
        assert abs(rounded) > abs(amount)  # a half goes away from zero
