"""Every date the programme bills by stays within the years a billing period can have
(subsidies.calculation.date_problem): a typo like 9999 is a field error, never a 500 later
when a month is computed from it. Checked where each such date is written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from parks.services import park_update
from subsidies.services import SchemeInput, scheme_create
from tenants.inputs import ApplicationInput
from tenants.services import application_create

pytestmark = pytest.mark.django_db
FAR, EARLY = date(9999, 12, 31), date(1, 1, 1)


@pytest.mark.parametrize("day", [FAR, EARLY])
def test_a_parks_opening_date_out_of_range_is_a_field_error(pseb_staff, park, day):
    with pytest.raises(ValidationError) as refused:
        park_update(user=pseb_staff, park=park, opening_date=day)
    assert "between 1990-01-01 and 2999-12-31" in refused.value.message_dict["opening_date"][0]
    park.refresh_from_db()
    assert park.opening_date != day


@pytest.mark.parametrize("field", ["valid_from", "valid_to"])
def test_a_schemes_validity_out_of_range_is_a_field_error(pseb_staff, field):
    dates = {"valid_from": date(2026, 1, 1), "valid_to": None} | {field: FAR}
    if field == "valid_from":
        dates["valid_from"] = EARLY
    with pytest.raises(ValidationError) as refused:
        scheme_create(
            user=pseb_staff,
            data=SchemeInput(
                name="Typo",
                internet_pct=100,
                rent_pct=25,
                duration_months=12,
                anchor="lease_start",
                **dates,
            ),
        )
    assert field in refused.value.message_dict


def test_an_applications_desired_start_out_of_range_is_a_field_error(company_user, park):
    company = company_user.memberships.get().company
    with pytest.raises(ValidationError) as refused:
        application_create(
            user=company_user,
            company=company,
            data=ApplicationInput(
                park=park,
                seats=4,
                unit_kind="office",
                desired_start=FAR,
                duration_months=12,
                business_plan="Plan",
            ),
        )
    assert "between 1990-01-01" in refused.value.message_dict["desired_start"][0]
    assert not company.applications.exists()
