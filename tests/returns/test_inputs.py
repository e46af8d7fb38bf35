"""What a person types or a client sends, read for the rules (returns.inputs): an amount the
API accepts is exactly one its schema's MONEY_PATTERN allows, and a JSON number is read as
the number it is, so the rules name what is wrong with it."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import LARGEST_AMOUNT
from returns.domain import money_problem
from returns.inputs import MONEY_PATTERN, as_money

TOO_LARGE = f"The amount can be at most {LARGEST_AMOUNT:,.2f}."


def _allowed(text: str) -> bool:
    """Whether the schema's pattern allows ``text``, its ``$`` read as JSON Schema reads it:
    the very end (Python's ``$`` also matches before a final newline)."""
    return re.search(MONEY_PATTERN.replace("$", r"\Z"), text) is not None


def _accepted_as_sent(text: str) -> bool:
    return money_problem(as_money(text, typed=False)) is None


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.00",
        "12",
        "12.5",
        "12500.00",
        "0012.50",
        "999999999999.99",
        "1000000000000",
        " 12",
        "12 ",
        "12.",
        ".5",
        "-0.00",
        "-0",
        "-12.00",
        "+12",
        "12.345",
        "1,200",
        "1e3",
        "12\n",
        "١٢",
        "NaN",
        "",
    ],
)
def test_the_api_accepts_exactly_the_amounts_its_pattern_allows(text):
    assert _accepted_as_sent(text) == _allowed(text)


@given(text=st.from_regex(r"\A-?[0-9 .,e+]{0,16}\Z"))
def test_any_amount_like_text_is_accepted_exactly_when_the_pattern_allows_it(text):
    assert _accepted_as_sent(text) == _allowed(text)


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (1e16, TOO_LARGE),
        (1e308, TOO_LARGE),
        (12.345, "Write the amount with at most 2 decimals."),
        (-0.0, "Enter 0.00 or more."),
        (-5, "Enter 0.00 or more."),
        (float("nan"), "Enter an amount, e.g. 12500.00."),
        (float("inf"), "Enter an amount, e.g. 12500.00."),
        (" 12", "Enter an amount, e.g. 12500.00."),
        ("-0.00", "Enter 0.00 or more."),
    ],
)
def test_a_sent_amount_gets_the_message_of_what_is_wrong_with_it(sent, message):
    assert money_problem(as_money(sent, typed=False)) == message


def test_json_numbers_are_read_as_the_numbers_they_are():
    assert as_money(12.5, typed=False) == Decimal("12.50")
    assert as_money(0.1, typed=False) == Decimal("0.1")  # not 0.1000000000000000055…
    assert as_money(12500, typed=False) == Decimal(12500)


def test_a_person_may_type_an_amount_loosely():
    assert as_money(" 1,200. ", typed=True) == Decimal(1200)
    assert as_money(".5", typed=True) == Decimal("0.5")
    assert as_money("  ", typed=True) is None
    assert as_money("12 USD", typed=True) == "12 USD"  # for the rules to refuse
