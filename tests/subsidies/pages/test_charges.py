"""A lease's other charges page (domain.md §6): PSEB staff and the park's managers record
charges; a company sees its own and the statement that billed each.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from subsidies import services
from subsidies.models import Charge, Statement
from tests.subsidies.pages.support import (
    MARCH,
    charges_url,
    detail_url,
    messages_of,
    signed_in,
    text,
)
from tests.subsidies.support import bill

pytestmark = pytest.mark.django_db
CHARGE = {"period": "2026-04", "description": "Power backup, April", "amount": "3500.00"}


def test_the_lease_page_links_to_its_charges(client, park_manager, lease):
    body = text(
        signed_in(client, park_manager).get(reverse("tenants:lease_detail", args=[lease.pk]))
    )
    assert charges_url(lease) in body


@pytest.mark.parametrize("role", ["park_manager", "pseb_staff"])
def test_the_charges_are_one_click_from_the_lease_list_and_the_unit_list(
    client, request, role, lease
):
    client = signed_in(client, request.getfixturevalue(role))
    leases = text(client.get(reverse("tenants:lease_list")))
    units = text(client.get(reverse("parks:units", args=[lease.park.code])))
    assert f'href="{charges_url(lease)}"' in leases
    assert f'href="{charges_url(lease)}"' in units


def test_a_park_manager_records_a_charge(client, park_manager, lease):
    response = signed_in(client, park_manager).post(charges_url(lease), CHARGE, follow=True)
    charge = Charge.objects.get()
    assert (charge.lease, charge.period, charge.amount, charge.created_by) == (
        lease,
        date(2026, 4, 1),
        Decimal("3500.00"),
        park_manager,
    )
    assert response.redirect_chain[-1][0] == charges_url(lease)
    assert "Charge “Power backup, April” of PKR 3,500.00 recorded for 2026-04." in messages_of(
        response
    )
    assert "not yet billed" in text(response)


def test_a_company_sees_its_charges_and_the_statement_that_billed_them(
    client, park_manager, company_user, lease
):
    services.charge_record(
        user=park_manager, lease=lease, period=MARCH, description="Parking", amount=Decimal(500)
    )
    bill()
    statement = Statement.objects.get()
    response = signed_in(client, company_user).get(charges_url(lease))
    assert response.status_code == 200
    body = text(response)
    assert "Parking" in body
    assert statement.number in body
    assert detail_url(statement) in body
    assert response.context["form"] is None
    assert "Record a charge" not in body


def test_a_company_cannot_record_a_charge(client, company_user, lease):
    response = signed_in(client, company_user).post(charges_url(lease), CHARGE)
    assert response.status_code == 403
    assert not Charge.objects.exists()


@pytest.mark.parametrize("role", ["other_company_user", "other_park_manager"])
def test_the_charges_of_a_lease_outside_the_users_scope_are_404(client, request, role, lease):
    signed_in(client, request.getfixturevalue(role))
    assert client.get(charges_url(lease)).status_code == 404
    assert client.post(charges_url(lease), CHARGE).status_code == 404
    assert not Charge.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "2026-02"}, "period", "has no day in 2026-02"),
        ({"period": "April"}, "period", "YYYY-MM"),
        ({"amount": "0"}, "amount", "must be more than 0.00"),
        ({"amount": "12.345"}, "amount", "at most 2 decimals"),
        ({"description": "   "}, "description", "This field is required"),
    ],
)
def test_a_bad_charge_shows_the_field_error_and_records_nothing(
    client, pseb_staff, lease, data, field, message
):
    response = signed_in(client, pseb_staff).post(charges_url(lease), {**CHARGE, **data})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not Charge.objects.exists()


def test_a_charge_for_a_month_already_billed_says_its_supplementary_statement(
    client, pseb_staff, statement
):
    lease = statement.lines.first().lease_unit.lease
    response = signed_in(client, pseb_staff).post(
        charges_url(lease), {**CHARGE, "period": MARCH}, follow=True
    )
    extra = Statement.objects.get(supplements=statement)
    (message,) = messages_of(response)
    assert "already billed" in message
    assert f"supplementary statement {extra.number}" in message
    # the list links the charge to the statement that billed it
    page = response.content.decode()
    assert f'<a href="/statements/{extra.pk}/">{extra.number}</a>' in page
