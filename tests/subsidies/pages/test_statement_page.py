"""A statement's page (domain.md §5–6): its facts, lines and window, why it carries no
subsidy, and the payment and credit-note forms for the roles that may use them.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.calendar import Period
from subsidies import services
from subsidies.models import CreditNote, Payment, Statement
from tests.factories import (
    LeaseFactory,
    SubsidySchemeFactory,
)
from tests.subsidies.pages.support import detail_url, messages_of, signed_in, text
from tests.subsidies.support import bill

pytestmark = pytest.mark.django_db


def test_the_statement_page_shows_facts_lines_totals_and_the_scheme_window(
    client, company_user, statement
):
    response = signed_in(client, company_user).get(detail_url(statement))
    assert response.status_code == 200
    body = text(response)
    for expected in (
        statement.number,
        "First Company (Pvt) Ltd",
        "Gujranwala STP",
        "March 2026",
        "1 April 2026",
        "16 April 2026",
        "32,903.23",
        "2,741.94",
        "-8,225.81",
        "-2,741.94",
        "35,645.17",  # gross
        "-10,967.75",  # total subsidy
        "PKR 24,677.42",  # net payable
        "Default programme",
        # window_end is exclusive (2027-03-15): the last subsidised day is the 14th
        "subsidy window 15 March 2026 to 14 March 2027",
    ):
        assert expected in body, expected
    assert "15 March 2027" not in body


def no_subsidy_reason_on_page(client, user, statement) -> str:
    page = text(signed_in(client, user).get(detail_url(statement)))
    assert "no subsidy applies this month" in page
    match = re.search(r'<span id="no-subsidy-reason">([^<]*)</span>', page)
    assert match, "the page gives no reason"
    return match[1]


def test_a_statement_without_any_scheme_says_none_covered_the_park(
    client, company_user, park, company
):
    LeaseFactory(park=park, company=company, start_date=date(2026, 3, 1))
    bill()
    statement = Statement.objects.get()
    assert statement.scheme is None
    assert no_subsidy_reason_on_page(client, company_user, statement) == (
        "No subsidy scheme covered this park when the company's first lease here began."
    )


def test_a_statement_after_the_window_ended_says_when_the_window_ran(
    client, company_user, company, statement
):
    # given: the worked example's window, 15 March 2026 to 14 March 2027; April 2027 billed
    bill(period="2027-04", today=date(2027, 5, 1))
    april = Statement.objects.get(company=company, period=date(2027, 4, 1))

    # then: the statement stores no scheme, but the page says why there is no subsidy
    assert april.scheme is None
    assert april.subsidy_total == 0
    assert no_subsidy_reason_on_page(client, company_user, april) == (
        "The subsidy window (15 March 2026 to 14 March 2027) ended before this month."
    )


def test_a_statement_billed_before_any_scheme_existed_says_so(client, company_user, park, company):
    # given: March billed with no scheme; a backdated scheme then opens a window at April's run
    LeaseFactory(park=park, company=company, start_date=date(2026, 3, 1))
    bill()
    SubsidySchemeFactory(valid_from=date(2022, 7, 1))
    bill(period="2026-04", today=date(2026, 5, 1))
    march = Statement.objects.get(period=date(2026, 3, 1))
    assert Statement.objects.get(period=date(2026, 4, 1)).scheme is not None

    assert no_subsidy_reason_on_page(client, company_user, march) == (
        "No subsidy scheme covered this park when this statement was issued."
    )


def test_a_supplement_billing_only_an_other_charge_says_only_rent_and_internet_are_subsidised(
    client, company_user, park_manager, lease, statement
):
    recorded = services.charge_record(
        user=park_manager,
        lease=lease,
        period=Period(2026, 3),
        description="Parking",
        amount=Decimal("1500.00"),
    )
    extra = recorded.supplementary_statement
    assert extra is not None
    assert no_subsidy_reason_on_page(client, company_user, extra) == (
        "Only rent and internet for days leased inside the subsidy window (15 March 2026 to "
        "14 March 2027) are subsidised; this statement bills none of those."
    )


def test_a_subsidised_statement_gives_no_reason_for_no_subsidy(client, company_user, statement):
    page = text(signed_in(client, company_user).get(detail_url(statement)))
    assert "no subsidy applies" not in page
    assert "no-subsidy-reason" not in page


@pytest.mark.parametrize("role", ["other_company_user", "other_park_manager"])
def test_a_statement_outside_the_users_scope_is_404(client, request, role, statement):
    user = request.getfixturevalue(role)
    assert signed_in(client, user).get(detail_url(statement)).status_code == 404


def test_a_statement_that_does_not_exist_is_404(client, pseb_staff):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_detail", args=[999999])
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "pay", "credit"),
    [
        ("company_user", False, False),
        ("park_manager", True, False),
        ("pseb_staff", True, True),
    ],
)
def test_the_payment_and_credit_note_forms_show_for_the_right_roles(
    client, request, statement, role, pay, credit
):
    body = text(signed_in(client, request.getfixturevalue(role)).get(detail_url(statement)))
    assert ("Record payment" in body) is pay
    assert ("Issue credit note" in body) is credit


def payment_url(statement) -> str:
    return reverse("subsidies:statement_payment", args=[statement.pk])


def test_a_park_manager_records_a_payment(client, park_manager, statement):
    response = signed_in(client, park_manager).post(
        payment_url(statement),
        {"amount": "10000.00", "paid_on": "2026-04-10", "reference": "HBL-778"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail_url(statement)
    payment = Payment.objects.get()
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        Decimal("10000.00"),
        "HBL-778",
        park_manager,
    )
    assert f"Payment of PKR 10,000.00 recorded against {statement.number}." in messages_of(response)
    body = text(response)
    assert "HBL-778" in body
    assert "14,677.42" in body  # balance


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "24677.43"}, "amount", "Only 24,677.42 is still owed"),
        ({"amount": "0"}, "amount", "must be more than 0.00"),
        ({"amount": "10.001"}, "amount", "at most 2 decimals"),
        ({"amount": "ten"}, "amount", "Enter a number"),
        ({"reference": ""}, "reference", "This field is required"),
        ({"reference": "   "}, "reference", "This field is required"),
        ({"paid_on": "2999-01-01"}, "paid_on", "cannot be dated in the future"),
        ({"paid_on": "yesterday"}, "paid_on", "Enter a valid date"),
    ],
)
def test_a_bad_payment_shows_the_field_error_and_records_nothing(
    client, pseb_staff, statement, data, field, message
):
    good = {"amount": "100.00", "paid_on": "2026-04-10", "reference": "HBL-1"}
    response = signed_in(client, pseb_staff).post(payment_url(statement), {**good, **data})
    assert response.status_code == 200
    errors = response.context["payment_form"].errors[field]
    assert any(message in e for e in errors), errors
    assert message in text(response)
    assert not Payment.objects.exists()


def test_paying_a_statement_that_owes_nothing_is_a_message(client, pseb_staff, statement):
    services.payment_record(
        user=pseb_staff,
        statement=statement,
        amount=statement.net_payable,
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    signed_in(client, pseb_staff)
    page = client.get(detail_url(statement))
    assert page.context["payment_form"] is None
    response = client.post(
        payment_url(statement),
        {"amount": "1.00", "paid_on": "2026-04-10", "reference": "HBL-2"},
        follow=True,
    )
    assert "owes nothing" in " ".join(messages_of(response))
    assert Payment.objects.count() == 1


def test_a_company_cannot_record_a_payment(client, company_user, statement):
    response = signed_in(client, company_user).post(
        payment_url(statement), {"amount": "1.00", "paid_on": "2026-04-10", "reference": "X"}
    )
    assert response.status_code == 403
    assert not Payment.objects.exists()


@pytest.mark.parametrize("role", ["other_park_manager", "other_company_user"])
def test_a_payment_on_a_statement_outside_the_users_scope_is_404(client, request, role, statement):
    response = signed_in(client, request.getfixturevalue(role)).post(
        payment_url(statement), {"amount": "1.00", "paid_on": "2026-04-10", "reference": "X"}
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def credit_url(statement) -> str:
    return reverse("subsidies:statement_credit_note", args=[statement.pk])


def test_pseb_credits_all_that_is_left_and_the_statement_becomes_void(
    client, pseb_staff, statement
):
    response = signed_in(client, pseb_staff).post(
        credit_url(statement), {"reason": "Lease entered twice", "amount": ""}, follow=True
    )
    note = CreditNote.objects.get()
    assert note.amount == Decimal("24677.42")
    assert note.statement == statement
    assert "CN" in note.number
    assert any(note.number in m for m in messages_of(response))
    body = text(response)
    assert "Lease entered twice" in body
    assert "badge-statement-void" in response.content.decode()
    assert response.context["credit_note_form"] is None
    assert response.context["payment_form"] is None


def test_pseb_credits_part_of_a_statement(client, pseb_staff, statement):
    signed_in(client, pseb_staff).post(
        credit_url(statement), {"reason": "Power cut for a week", "amount": "677.42"}
    )
    assert CreditNote.objects.get().amount == Decimal("677.42")
    page = client.get(detail_url(statement))
    assert page.context["statement"].balance == Decimal("24000.00")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "24677.43"}, "amount", "At most 24,677.42 can still be credited"),
        ({"amount": "-5"}, "amount", "must be more than 0.00"),
        ({"reason": ""}, "reason", "This field is required"),
    ],
)
def test_a_bad_credit_note_shows_the_field_error_and_issues_nothing(
    client, pseb_staff, statement, data, field, message
):
    good = {"reason": "Correction", "amount": "100.00"}
    response = signed_in(client, pseb_staff).post(credit_url(statement), {**good, **data})
    assert response.status_code == 200
    errors = response.context["credit_note_form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not CreditNote.objects.exists()


@pytest.mark.parametrize("role", ["park_manager", "company_user"])
def test_only_pseb_staff_issue_credit_notes(client, request, role, statement):
    response = signed_in(client, request.getfixturevalue(role)).post(
        credit_url(statement), {"reason": "Correction"}
    )
    assert response.status_code == 403
    assert not CreditNote.objects.exists()
