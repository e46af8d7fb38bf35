"""Pakistani IBANs (issue 12 §6): 24 characters, PKkk + 4-letter bank + 16 digits, mod 97."""

import pytest

from subsidies.iban import iban_grouped, normalise_iban, pk_iban, pk_iban_problem

GOOD = "PK36SCBL0000001123456702"  # the standard example of a Pakistani IBAN


def test_a_valid_iban_passes_with_or_without_spaces():
    assert pk_iban_problem(GOOD) is None
    assert pk_iban_problem("pk36 scbl 0000 0011 2345 6702") is None
    assert normalise_iban("pk36 scbl-0000") == "PK36SCBL0000"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Give"),
        ("GB82WEST12345698765432", "starts with PK"),
        ("PK36SCBL000000112345670", "24 characters; this one has 23"),
        ("PK36SCB10000001123456702", "4-letter bank code"),
        ("PK37SCBL0000001123456702", "check digits"),
        ("PK36SCBL0000001123456720", "check digits"),  # two digits swapped
    ],
)
def test_an_invalid_iban_says_what_is_wrong(text, says):
    assert says in pk_iban_problem(text)


def test_check_digits_are_computed_for_a_bank_and_account():
    assert pk_iban("SCBL", "0000001123456702") == GOOD
    assert pk_iban_problem(pk_iban("HABB", "0012345678901234")) is None
    assert iban_grouped(GOOD) == "PK36 SCBL 0000 0011 2345 6702"
