"""Pure rules of applications, leases and documents: no database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tenants.domain import (
    application_problems,
    document_name,
    lease_end_for,
    lease_status_on,
    pdf_problem,
)

START, END = date(2026, 3, 15), date(2027, 3, 14)

TEN_MB = 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("day", "end", "terminated", "expected"),
    [
        (date(2026, 3, 14), END, False, "scheduled"),
        (START, END, False, "active"),
        (END, END, False, "active"),
        (date(2027, 3, 15), END, False, "ended"),
        (date(2027, 3, 15), END, True, "terminated"),
        (date(2040, 1, 1), None, False, "active"),
        # Terminated with an end date still ahead: the tenant is there until it.
        (date(2026, 6, 1), END, True, "active"),
    ],
)
def test_lease_status_follows_its_dates_and_termination(day, end, terminated, expected):
    assert lease_status_on(day, start=START, end=end, terminated=terminated) == expected


def test_a_pdf_of_acceptable_size_is_accepted():
    assert pdf_problem(b"%PDF-1.7", 2048, limit=TEN_MB) is None


@pytest.mark.parametrize(
    ("head", "size", "message"),
    [
        (b"\x89PNG\r", 2048, "not a PDF"),
        (b"MZ\x90\x00\x03", 2048, "not a PDF"),  # an .exe renamed to .pdf
        (b"", 0, "empty"),
        (b"%PDF-1.7", TEN_MB + 1, "the limit is 10 MB"),
    ],
)
def test_documents_are_judged_by_content_and_size_not_by_name(head, size, message):
    assert message in pdf_problem(head, size, limit=TEN_MB)


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("business-plan.pdf", "business-plan.pdf"),
        ("Plan.PDF", "Plan.PDF"),
        ("x.html", "x.html.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\amina\\plan.pdf", "plan.pdf"),
        ("line\r\nbreak.pdf", "linebreak.pdf"),
        ("", "document.pdf"),
        (None, "document.pdf"),
        ("...", "document.pdf"),
    ],
)
def test_a_document_is_shown_under_its_own_name_ending_in_pdf(uploaded, shown):
    assert document_name(uploaded) == shown


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2027, 3, 1), 12, date(2028, 2, 29)),
        (date(2026, 3, 15), 24, date(2028, 3, 14)),
        (date(2026, 1, 31), 1, date(2026, 2, 27)),  # the window's day clipped: 28 Feb excl.
        (date(2026, 12, 1), 1, date(2026, 12, 31)),
    ],
)
def test_a_lease_of_n_months_ends_the_day_before_the_same_day_n_months_later(start, months, end):
    assert lease_end_for(start, months) == end


# --- What an application asks for (domain.md §3) -----------------------------------------------
TODAY = date(2026, 11, 29)


def problems(**overrides) -> dict[str, str]:
    facts = {
        "seats": 8,
        "area_sqft": Decimal("0"),
        "desired_start": TODAY,
        "today": TODAY,
        "park_status": "existing",
        "park_name": "Gujranwala STP",
        **overrides,
    }
    return application_problems(**facts)


def test_an_application_for_seats_from_today_in_an_open_park_has_no_problem():
    assert problems() == {}


@pytest.mark.parametrize(
    ("seats", "area", "refused"),
    [
        (8, Decimal("0"), False),
        (0, Decimal("1500.00"), False),
        (8, Decimal("1500.00"), False),
        (0, Decimal("0"), True),
        (0, Decimal("0.00"), True),
    ],
)
def test_an_application_asks_for_seats_an_area_or_both(seats, area, refused):
    found = problems(seats=seats, area_sqft=area)
    assert found == ({"seats": "Ask for seats, an area, or both."} if refused else {})


@given(seats=st.integers(min_value=0, max_value=10_000), area=st.decimals(0, 100_000, places=2))
def test_only_an_application_for_nothing_at_all_is_asked_for_seats_or_area(seats, area):
    assert ("seats" in problems(seats=seats, area_sqft=area)) == (seats == 0 and area == 0)


@pytest.mark.parametrize(
    ("start", "refused"),
    [(date(2026, 11, 28), True), (TODAY, False), (date(2026, 11, 30), False)],
)
def test_the_desired_start_may_be_today_but_not_in_the_past(start, refused):
    found = problems(desired_start=start)
    assert found == (
        {"desired_start": "The desired start cannot be in the past."} if refused else {}
    )


@pytest.mark.parametrize(
    ("status", "refused"), [("existing", False), ("upcoming", False), ("planned", True)]
)
def test_a_planned_park_takes_no_applications_open_and_upcoming_ones_do(status, refused):
    found = problems(park_status=status)
    expected = {"park": "Gujranwala STP is planned and does not take applications yet."}
    assert found == (expected if refused else {})


def test_every_problem_of_an_application_is_reported_at_once():
    found = problems(
        seats=0, area_sqft=Decimal("0"), desired_start=date(2020, 1, 1), park_status="planned"
    )
    assert set(found) == {"park", "seats", "desired_start"}


@pytest.mark.parametrize(
    "unknown",
    [
        {"seats": None},
        {"area_sqft": None},
        {"desired_start": None},
        {"park_status": None},
    ],
)
def test_a_value_not_known_is_not_judged_so_its_field_reports_its_own_problem(unknown):
    # every rule would fail, but the one whose input did not parse says nothing
    broken = {
        "seats": 0,
        "area_sqft": Decimal("0"),
        "desired_start": date(2020, 1, 1),
        "park_status": "planned",
    }
    found = problems(**{**broken, **unknown})
    judged = {"seats": "seats", "area_sqft": "seats", "desired_start": "desired_start"}
    skipped = judged.get(next(iter(unknown)), "park")
    assert skipped not in found
    assert len(found) == 2
