"""Which returns are owed, derived from lease history by the database (§4a), and scoped;
which of their versions count on a day."""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import KARACHI, FiscalQuarter
from core.vocabulary import ReturnStatus
from returns.domain import quarters_owed
from returns.selectors import (
    current_returns,
    owed_returns,
    owed_returns_visible_to,
    returns_counting,
)
from returns.services import progress_return_amend, progress_return_file
from tenants.services import lease_terminate
from tests.factories import CompanyFactory, LeaseFactory
from tests.returns.support import figures, tenant

pytestmark = pytest.mark.django_db


def _owed(today, **filters):
    return sorted(
        (str(o.quarter), o.park.code, o.status)
        for o in owed_returns(today).filter(**filters).select_related("quarter", "park")
    )


def test_a_lease_starting_on_a_quarters_last_day_owes_it(park):
    _, company = tenant(park, start=date(2026, 9, 30), end=date(2026, 10, 5))
    assert _owed(date(2026, 12, 1), company=company) == [("2026-27 Q1", "GUJ", "overdue")]
    assert _owed(date(2027, 1, 1), company=company) == [
        ("2026-27 Q1", "GUJ", "overdue"),
        ("2026-27 Q2", "GUJ", "due"),
    ]


def test_a_lease_ending_on_a_quarters_first_day_owes_it(park):
    _, company = tenant(park, start=date(2026, 5, 1), end=date(2026, 7, 1))
    assert _owed(date(2027, 3, 1), company=company) == [
        ("2025-26 Q4", "GUJ", "overdue"),
        ("2026-27 Q1", "GUJ", "overdue"),
    ]


def test_a_company_in_two_parks_owes_a_return_for_each(park, other_park):
    user, company = tenant(park, start=date(2026, 7, 1))
    tenant(other_park, start=date(2026, 8, 15), user=user)
    assert _owed(date(2026, 10, 5), company=company) == [
        ("2026-27 Q1", "GLT", "due"),
        ("2026-27 Q1", "GUJ", "due"),
    ]


def test_two_leases_in_one_park_and_quarter_owe_one_return(park):
    user, company = tenant(park, start=date(2026, 7, 1), end=date(2026, 7, 31))
    tenant(park, start=date(2026, 9, 1), user=user)
    assert _owed(date(2026, 10, 11), company=company) == [("2026-27 Q1", "GUJ", "overdue")]


def test_a_backdated_lease_owes_its_past_quarters_at_once(park):
    _, company = tenant(park, start=date(2025, 12, 20))
    assert [q for q, _, _ in _owed(date(2026, 12, 1), company=company)] == [
        "2025-26 Q2",
        "2025-26 Q3",
        "2025-26 Q4",
        "2026-27 Q1",
    ]


def test_a_termination_ends_what_is_owed(park, pseb_staff):
    _, company = tenant(park, start=date(2026, 1, 10))
    lease = company.leases.get()
    lease_terminate(
        user=pseb_staff, lease=lease, end_date=date(2026, 3, 31), today=date(2026, 4, 2)
    )
    assert [q for q, _, _ in _owed(date(2026, 12, 1), company=company)] == ["2025-26 Q3"]


def test_each_role_sees_the_owed_returns_of_its_scope(
    park, other_park, park_manager, pseb_staff, company_user, other_company_user
):
    tenant(park, start=date(2026, 7, 1), user=company_user)
    tenant(other_park, start=date(2026, 7, 1), user=other_company_user)
    today = date(2026, 12, 1)
    mine = company_user.memberships.get().company
    assert {o.company for o in owed_returns_visible_to(company_user, today)} == {mine}
    assert {o.park for o in owed_returns_visible_to(park_manager, today)} == {park}
    assert owed_returns_visible_to(pseb_staff, today).count() == 2
    assert {o.status for o in owed_returns_visible_to(pseb_staff, today)} == {ReturnStatus.OVERDUE}


# --- The versions that count on a day ----------------------------------------------------------
Q1 = FiscalQuarter(2026, 1)


def _karachi(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=KARACHI)


def _counting(as_of):
    return sorted(
        (r.company.name, r.version) for r in returns_counting(as_of).select_related("company")
    )


def test_the_version_that_counts_on_a_day_is_the_latest_filed_by_it_in_pakistan(park):
    """Version 1 filed at 00:30 on 4 October in Pakistan (19:30 on the 3rd in UTC), version 2
    on 20 October at 23:30 (18:30 UTC)."""
    user, company = tenant(park, start=date(2026, 7, 1))
    first = progress_return_file(
        user=user,
        company=company,
        park=park,
        quarter=Q1,
        figures=figures(),
        today=date(2026, 10, 4),
        filed_at=_karachi(date(2026, 10, 4), 0) + timedelta(minutes=30),
    )
    second = progress_return_amend(
        user=user,
        previous=first,
        reason="Exports received late",
        figures=figures(interns=2),
        filed_at=_karachi(date(2026, 10, 20), 23) + timedelta(minutes=30),
    )
    name = company.name
    assert _counting(date(2026, 10, 3)) == []  # its UTC date is the 3rd: not filed by then
    assert _counting(date(2026, 10, 4)) == [(name, 1)]
    assert _counting(date(2026, 10, 19)) == [(name, 1)]
    assert _counting(date(2026, 10, 20)) == [(name, 2)]
    today = date(2026, 12, 1)
    assert list(returns_counting(today)) == list(current_returns()) == [second]


def test_a_return_no_longer_owed_does_not_count(park, pseb_staff):
    """Filed for 2026-27 Q1, then its lease terminated back to 30 June: the return is no
    longer owed, so it does not count (its versions stay)."""
    user, company = tenant(park, start=date(2026, 4, 1))
    filed = progress_return_file(
        user=user,
        company=company,
        park=park,
        quarter=Q1,
        figures=figures(),
        today=date(2026, 10, 5),
        filed_at=_karachi(date(2026, 10, 5), 10),
    )
    assert list(returns_counting(date(2026, 12, 1))) == [filed]
    lease_terminate(
        user=pseb_staff,
        lease=company.leases.get(),
        end_date=date(2026, 6, 30),
        today=date(2026, 12, 1),
    )
    assert list(current_returns()) == [filed]
    assert list(returns_counting(date(2026, 12, 1))) == []


def test_the_returns_counting_are_the_owed_returns_filed_at_a_leases_edges(
    park, other_park, pseb_staff
):
    """``returns_counting`` asks the leases the view's own question: the same returns. A lease
    from a quarter's last day; one ended back to a quarter's first day (still owes it); one
    ended back to the day before (no longer owes it)."""
    d = date(2026, 12, 1)
    q4 = Q1.previous()
    edge_user, edge = tenant(park, start=Q1.last)
    first_day_user, first_day = tenant(other_park, start=q4.first)
    before_user, before = tenant(park, start=q4.first)
    for user, company, where, quarters in (
        (edge_user, edge, park, [Q1]),
        (first_day_user, first_day, other_park, [q4, Q1]),
        (before_user, before, park, [q4, Q1]),
    ):
        for quarter in quarters:
            progress_return_file(
                user=user,
                company=company,
                park=where,
                quarter=quarter,
                figures=figures(),
                today=d,
                filed_at=_karachi(quarter.due_date, 10),
            )
    for company, end in ((first_day, Q1.first), (before, q4.last)):
        lease_terminate(user=pseb_staff, lease=company.leases.get(), end_date=end, today=d)

    def keys(rows):
        return sorted(rows.values_list("company__name", "park__code", "quarter_id"))

    counting = keys(returns_counting(d))
    assert counting == keys(owed_returns(d).filter(current__isnull=False))
    assert len(counting) == 4  # all but ``before``'s return for 2026-27 Q1


# A lease of a slot (company, park): its start, its end (None: open-ended), and the days after
# its start on which a termination ends it early (None: not terminated; brought within the
# lease's own end when it has one).
leases = st.tuples(
    st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    st.none() | st.integers(0, 900),
    st.none() | st.integers(0, 900),
)
slots = st.lists(leases, min_size=1, max_size=3)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    slot_leases=st.lists(slots, min_size=1, max_size=4),
    today=st.dates(date(2024, 1, 1), date(2029, 6, 30)),
)
def test_the_view_owes_exactly_what_the_pure_rule_owes_for_any_leases(
    park, other_park, pseb_staff, slot_leases, today
):
    """The SQL view (returns/migrations/0003) against its oracle, ``quarters_owed``: random
    leases (1-3 per company and park, open-ended or not, some terminated) owe exactly the
    returns the pure rule computes, through ``owed_returns(today)``."""
    with transaction.atomic():
        # given: up to four slots, two companies in two parks
        companies = [CompanyFactory(), CompanyFactory()]
        places = [(c, p) for c in companies for p in (park, other_park)]
        expected: set[tuple[int, int, FiscalQuarter]] = set()
        for (company, where), specs in zip(places, slot_leases, strict=False):
            held: list[tuple[date, date | None]] = []
            for start, length, ended_after in specs:
                end = None if length is None else start + timedelta(days=length)
                lease = LeaseFactory(company=company, park=where, start_date=start, end_date=end)
                if ended_after is not None and (end is None or ended_after < length):
                    end = start + timedelta(days=ended_after)
                    lease_terminate(user=pseb_staff, lease=lease, end_date=end, today=today)
                held.append((start, end))
            expected |= {(company.pk, where.pk, q) for q in quarters_owed(held, today)}
        # when
        owed = owed_returns(today).filter(company__in=companies).select_related("quarter")
        found = [(o.company_id, o.park_id, o.quarter.fiscal_quarter) for o in owed]
        # then: each owed once, and exactly those
        assert sorted(found) == sorted(expected)
        transaction.set_rollback(True)
