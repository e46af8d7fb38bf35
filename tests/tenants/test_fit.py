"""The best-fit ranking of free units for an approval, and the approval's steps (issue 12
§7): pure rules, no database."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenants.domain import (
    FitClass,
    SpaceRequest,
    UnitSize,
    approval_steps,
    rank_by_fit,
    unit_fit,
)

OFFICE = "office"
DESK = "desk"


def size(code, seats, area="0", kind=OFFICE):
    return UnitSize(code=code, kind=kind, seats=seats, area_sqft=Decimal(area))


def ranked(units, request):
    return [code for code, _ in rank_by_fit([(u.code, u) for u in units], request)]


def test_an_exact_fit_comes_first_then_the_smallest_sufficient_then_the_too_small():
    # given a request for 10 seats
    request = SpaceRequest(kind=OFFICE, seats=10, area_sqft=Decimal(0))
    units = [size("BIG", 40), size("SMALL", 4), size("NEAR", 12), size("EXACT", 10), size("MID", 8)]
    # when / then
    assert ranked(units, request) == ["EXACT", "NEAR", "BIG", "MID", "SMALL"]


def test_the_kind_asked_for_comes_before_any_other():
    request = SpaceRequest(kind=DESK, seats=1, area_sqft=Decimal(0))
    units = [size("OFFICE-EXACT", 1), size("D-2", 1, kind=DESK), size("D-1", 2, kind=DESK)]
    assert ranked(units, request) == ["D-2", "D-1", "OFFICE-EXACT"]


def test_seats_and_area_both_count_when_both_are_asked():
    request = SpaceRequest(kind=OFFICE, seats=10, area_sqft=Decimal(1000))
    units = [
        size("SEATS-ONLY", 10, "600"),  # enough seats, too little area: too small
        size("WASTEFUL", 20, "2000"),  # 100% spare of each
        size("SNUG", 11, "1100"),  # 10% spare of each
    ]
    assert ranked(units, request) == ["SNUG", "WASTEFUL", "SEATS-ONLY"]
    assert unit_fit(units[0], request).fit == FitClass.SHORT
    assert unit_fit(units[0], request).label == "Too small alone"


def test_an_area_only_request_ranks_by_area():
    request = SpaceRequest(kind=OFFICE, seats=0, area_sqft=Decimal("500"))
    units = [size("A", 1, "800"), size("B", 99, "500"), size("C", 5, "450")]
    assert ranked(units, request) == ["B", "A", "C"]
    assert unit_fit(units[1], request).label == "Exact fit"


def test_equals_are_ranked_by_code():
    request = SpaceRequest(kind=DESK, seats=3, area_sqft=Decimal(0))
    units = [size(f"D-{n}", 1, kind=DESK) for n in (3, 1, 2)]
    assert ranked(units, request) == ["D-1", "D-2", "D-3"]


@given(
    seats=st.integers(min_value=1, max_value=50),
    unit_seats=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12),
)
def test_no_unit_too_small_ranks_above_one_that_fits(seats, unit_seats):
    request = SpaceRequest(kind=OFFICE, seats=seats, area_sqft=Decimal(0))
    units = [size(f"U{i:02}", n) for i, n in enumerate(unit_seats)]
    ranking = rank_by_fit([(u, u) for u in units], request)
    order = [fit.fit for _, fit in ranking]
    assert order == sorted(order)
    enough = [u.seats for u, _ in ranking if u.seats >= seats]
    assert enough == sorted(enough)  # the smallest sufficient first


@pytest.mark.parametrize(
    ("status", "steps"),
    [
        ("submitted", ["review", "approve"]),
        ("under_review", ["approve"]),
        ("draft", []),
        ("approved", []),
        ("rejected", []),
        ("withdrawn", []),
    ],
)
def test_an_approval_starts_the_review_of_a_submitted_application_on_the_way(status, steps):
    assert approval_steps(status) == steps
