"""The domain's words (core.vocabulary): StrEnums with a label each, whose members are their
stored values and which hand the models Django-style ``choices``."""

import json

import pytest

from core import vocabulary
from core.vocabulary import (
    CHARGED_KINDS,
    SUBSIDISES,
    SUBSIDY_KINDS,
    ApplicationStatus,
    LineKind,
    Role,
    RunStatus,
    Vocabulary,
)

ALL = [
    value
    for value in vars(vocabulary).values()
    if isinstance(value, type) and issubclass(value, Vocabulary) and value is not Vocabulary
]


class Colour(Vocabulary):
    """A vocabulary of the test's own, to see the defaults."""

    DEEP_BLUE = "deep_blue"
    RED = "red", "Bright red"


def test_choices_values_and_labels_follow_the_declaration_order():
    assert ApplicationStatus.choices == [
        ("draft", "Draft"),
        ("submitted", "Submitted"),
        ("under_review", "Under review"),
        ("approved", "Approved"),
        ("rejected", "Rejected"),
        ("withdrawn", "Withdrawn"),
    ]
    assert Role.values == ["company", "park_manager", "pseb"]
    assert Role.labels == ["Company user", "Park manager", "PSEB staff"]


def test_a_member_is_its_stored_value():
    assert ApplicationStatus.UNDER_REVIEW == "under_review"
    assert isinstance(ApplicationStatus.UNDER_REVIEW, str)
    assert str(ApplicationStatus.UNDER_REVIEW) == "under_review"
    assert f"{ApplicationStatus.UNDER_REVIEW}" == "under_review"
    assert json.dumps({"status": ApplicationStatus.UNDER_REVIEW}) == '{"status": "under_review"}'
    assert {"under_review": 1}[ApplicationStatus.UNDER_REVIEW] == 1  # same hash as the text


def test_a_member_is_found_by_its_value():
    assert ApplicationStatus("approved") is ApplicationStatus.APPROVED
    assert LineKind("rent_subsidy") is LineKind.RENT_SUBSIDY
    with pytest.raises(ValueError, match="'approve' is not a valid ApplicationStatus"):
        ApplicationStatus("approve")


def test_a_member_carries_its_label():
    assert ApplicationStatus.UNDER_REVIEW.label == "Under review"
    assert Role.PSEB.label == "PSEB staff"
    assert RunStatus.FAILED.label == "Failed"  # issue 8: not "Done with errors"


def test_a_word_without_a_label_is_labelled_from_its_value():
    assert Colour.DEEP_BLUE.label == "Deep blue"
    assert Colour.RED.label == "Bright red"
    assert Colour.choices == [("deep_blue", "Deep blue"), ("red", "Bright red")]


def test_templates_read_a_vocabulary_instead_of_calling_it():
    assert ApplicationStatus.do_not_call_in_templates is True


@pytest.mark.parametrize("words", ALL, ids=lambda words: words.__name__)
def test_every_vocabulary_has_distinct_values_and_labels(words):
    assert words.values, "a vocabulary without words"
    assert len(set(words.values)) == len(words.values)
    assert len(set(words.labels)) == len(words.labels)
    assert all(label.strip() for label in words.labels)
    assert [words(value) for value in words.values] == list(words)


def test_the_vocabulary_covers_the_domains_words():
    assert len(ALL) >= 15  # the words of domain.md, one vocabulary each


def test_each_subsidy_line_subsidises_a_charged_line():
    assert set(SUBSIDISES) == set(SUBSIDY_KINDS)
    assert set(SUBSIDISES.values()) <= set(CHARGED_KINDS)
    assert set(CHARGED_KINDS) | set(SUBSIDY_KINDS) == set(LineKind)
    assert not set(CHARGED_KINDS) & set(SUBSIDY_KINDS)
