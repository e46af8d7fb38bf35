"""Which returns are owed, derived from lease history by the database (§4a), and scoped."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import FiscalQuarter
from core.vocabulary import ReturnStatus
from returns.domain import quarters_owed
from returns.selectors import owed_returns, owed_returns_visible_to
from tenants.services import lease_terminate
from tests.factories import CompanyFactory, LeaseFactory
from tests.returns.support import tenant

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
