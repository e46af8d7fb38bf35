"""Subsidy schemes and windows through the services (domain.md §5): a scheme applied to
issued statements keeps its rules, and a window once fixed never moves (grandfathering).
"""

from datetime import date
from decimal import Decimal

import pytest

from core.calendar import Period
from stp_portal.errors import Conflict
from subsidies import services
from subsidies.models import Statement
from tests.factories import (
    CompanyFactory,
    LeaseFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.support import backdated_park_scheme, bill, change

pytestmark = pytest.mark.django_db


def test_a_scheme_applied_to_a_statement_cannot_change_its_rules(pseb_staff, scheme, statement):
    with pytest.raises(Conflict) as caught:
        services.scheme_update(
            user=pseb_staff, scheme=scheme, data=change(scheme, rent_pct=Decimal("50.00"))
        )
    assert "rent_pct" in caught.value.message_dict
    scheme.refresh_from_db()
    assert scheme.rent_pct == Decimal("25.00")


def test_a_scheme_applied_may_be_renamed_and_closed_after_its_last_window(
    pseb_staff, scheme, statement
):
    services.scheme_update(
        user=pseb_staff,
        scheme=scheme,
        data=change(scheme, name="Programme 2026", valid_to=date(2026, 12, 31)),
    )
    scheme.refresh_from_db()
    assert (scheme.name, scheme.valid_to) == ("Programme 2026", date(2026, 12, 31))
    with pytest.raises(Conflict):
        services.scheme_update(
            user=pseb_staff, scheme=scheme, data=change(scheme, valid_to=date(2026, 3, 1))
        )


def test_a_scheme_not_yet_applied_can_change(pseb_staff, scheme):
    services.scheme_update(
        user=pseb_staff, scheme=scheme, data=change(scheme, rent_pct=Decimal("30.00"))
    )
    scheme.refresh_from_db()
    assert scheme.rent_pct == Decimal("30.00")


def test_a_backdated_scheme_does_not_move_a_window_already_open(pseb_staff, park, worked_example):
    # given March billed under the default scheme (25% rent, 12 months from 15 March)
    bill()
    # when PSEB creates a scheme for this park, valid from before the window opened
    backdated_park_scheme(pseb_staff, park)
    bill(Period(2026, 7), today=date(2026, 8, 1))
    # then July is still under the default window (grandfathering)
    july = Statement.objects.get(period=date(2026, 7, 1))
    assert july.scheme.name == "Default programme"
    assert july.subsidy_total == Decimal("-20000.00")  # 25% of 60,000 + 100% of 5,000
    assert (july.window_start, july.window_end) == (date(2026, 3, 15), date(2027, 3, 15))


def test_a_new_company_after_the_backdated_scheme_gets_it(pseb_staff, park, worked_example):
    bill()
    special = backdated_park_scheme(pseb_staff, park)
    newcomer = LeaseFactory(park=park, start_date=date(2026, 7, 1))
    bill(Period(2026, 7), today=date(2026, 8, 1))
    assert Statement.objects.get(company=newcomer.company).scheme == special


def test_a_lease_dated_before_a_fixed_window_is_refused_and_nothing_is_written(
    pseb_staff, park, worked_example
):
    from tenants.services import lease_create

    # given March billed: the company's window is fixed from 15 March 2026
    bill()
    earlier = UnitFactory(park=park, code="B-201")
    # when PSEB onboards an older lease of the same company in the park
    with pytest.raises(Conflict) as refused:
        lease_create(
            company=worked_example.company,
            park=park,
            units=[earlier],
            start_date=date(2025, 12, 1),
            end_date=date(2026, 1, 31),
            created_by=pseb_staff,
        )
    # then it is refused on its start date: it would move the window under issued statements
    assert "fixed from 2026-03-15" in refused.value.message_dict["start_date"][0]
    assert park.leases.count() == 1
    # while a lease from the window's start on, or another company's older lease, is fine
    lease_create(
        company=worked_example.company,
        park=park,
        units=[earlier],
        start_date=date(2026, 3, 15),
        end_date=None,
        created_by=pseb_staff,
    )
    lease_create(
        company=CompanyFactory(),
        park=park,
        units=[UnitFactory(park=park)],
        start_date=date(2025, 12, 1),
        end_date=None,
        created_by=pseb_staff,
    )
    assert park.leases.count() == 3


def test_moving_the_parks_opening_date_does_not_move_an_open_window():
    opened = ParkFactory(code="QTA", opening_date=date(2025, 6, 1))
    SubsidySchemeFactory(anchor="park_opening", valid_from=date(2024, 1, 1))
    LeaseFactory(park=opened, start_date=date(2026, 3, 1))
    bill(Period(2026, 3), today=date(2026, 4, 1))
    opened.opening_date = date(2024, 6, 1)
    opened.save()
    bill(Period(2026, 4), today=date(2026, 5, 1))
    april = Statement.objects.get(period=date(2026, 4, 1))
    assert april.subsidy_total < 0
    assert april.window_start == date(2025, 6, 1)
