"""Pure rules of leases and documents: no database."""

from datetime import date

import pytest

from tenants.domain import (
    MAX_DOCUMENT_BYTES,
    document_name,
    lease_end_for,
    lease_status_on,
    pdf_problem,
)

START, END = date(2026, 3, 15), date(2027, 3, 14)


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
    assert pdf_problem(b"%PDF-1.7", 2048) is None


@pytest.mark.parametrize(
    ("head", "size", "message"),
    [
        (b"\x89PNG\r", 2048, "not a PDF"),
        (b"MZ\x90\x00\x03", 2048, "not a PDF"),  # an .exe renamed to .pdf
        (b"", 0, "empty"),
        (b"%PDF-1.7", MAX_DOCUMENT_BYTES + 1, "the limit is 10 MB"),
    ],
)
def test_documents_are_judged_by_content_and_size_not_by_name(head, size, message):
    assert message in pdf_problem(head, size)


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
