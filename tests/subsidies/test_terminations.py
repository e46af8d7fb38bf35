"""Credit notes for a lease ended back in a billed month (domain.md §4 and §6)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period, fiscal_year
from core.vocabulary import StatementStatus
from subsidies import services
from subsidies.models import CreditNote, Statement
from subsidies.selectors import with_balance
from tests.factories import (
    LeaseFactory,
    MembershipFactory,
    UnitFactory,
)
from tests.subsidies.support import bill, terminate

pytestmark = pytest.mark.django_db


def test_a_lease_ended_back_in_a_billed_month_gets_a_credit_note(pseb_staff, worked_example):
    # given March 2026 of the worked example billed (net 24,677.42)
    bill()
    march = Statement.objects.get()
    # when PSEB records that the lease ended on 20 March
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    # then March is credited what it billed for the 21st to the 31st (11 of 17 days):
    # 24,677.42 - (11,612.90 + 967.74 - 2,903.23 - 967.74) = 15,967.75
    (note,) = ended.credit_notes_issued
    assert (note.statement_id, note.amount) == (march.pk, Decimal("15967.75"))
    assert note.number == f"GUJ-CN-{fiscal_year(timezone.localdate())}-00001"
    assert note.created_by == pseb_staff
    assert "ended on 20 March 2026" in note.reason
    march.refresh_from_db()
    assert march.net_payable == Decimal("24677.42")  # the statement itself never changes
    assert with_balance(Statement.objects).get().balance == Decimal("8709.67")
    # and billing March again issues nothing more
    assert bill().issued == 0
    assert Statement.objects.count() == 1


def test_terminating_from_the_page_says_which_credit_notes_were_issued(
    client, pseb_staff, worked_example, django_capture_on_commit_callbacks, mailoutbox
):
    owner = MembershipFactory(company=worked_example.company).user
    bill()
    march = Statement.objects.get()
    client.force_login(pseb_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("tenants:lease_terminate", args=[worked_example.pk]),
            {"end_date": "2026-03-20", "reason": "Closed the office."},
            follow=True,
        )
    note = CreditNote.objects.get()
    said = f"Credit note {note.number} issued on statement {march.number}: PKR 15,967.75"
    assert said in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == [owner.email]
    assert f"- {note.number} on statement {march.number}: PKR 15,967.75" in mail.body


def test_months_billed_wholly_after_the_end_are_credited_in_full(pseb_staff, worked_example):
    bill()
    bill(period=Period(2026, 4), today=date(2026, 5, 1))
    terminate(pseb_staff, worked_example, date(2026, 3, 20))
    march, april = with_balance(Statement.objects).order_by("period")
    assert (march.credited, march.status) == (Decimal("15967.75"), StatementStatus.OVERDUE)
    assert (april.credited, april.balance) == (Decimal("45000.00"), Decimal("0.00"))
    assert april.status == StatementStatus.VOID


def test_an_end_in_a_month_not_billed_yet_credits_nothing(pseb_staff, worked_example):
    bill()  # March
    ended = terminate(pseb_staff, worked_example, date(2026, 4, 10))
    assert ended.credit_notes_issued == []
    assert not CreditNote.objects.exists()
    # April is then billed for its 10 days only
    april = bill(period=Period(2026, 4), today=date(2026, 5, 1))
    assert april.issued == 1
    statement = Statement.objects.get(period=date(2026, 4, 1))
    assert statement.gross == Decimal("21666.67")  # 20,000.00 + 1,666.67 (10 of 30 days)


def test_a_credit_by_hand_for_another_reason_still_leaves_the_full_termination_credit(
    pseb_staff, worked_example
):
    bill()
    march = Statement.objects.get()
    services.credit_note_issue(
        user=pseb_staff, statement=march, reason="Air conditioning out", amount=Decimal("1000")
    )
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    assert [(n.amount, n.lease_id) for n in ended.credit_notes_issued] == [
        (Decimal("15967.75"), worked_example.pk)
    ]
    assert with_balance(Statement.objects).get().credited == Decimal("16967.75")


def test_a_termination_never_credits_more_than_the_statement_has_left(pseb_staff, worked_example):
    bill()
    march = Statement.objects.get()
    services.credit_note_issue(user=pseb_staff, statement=march, reason="Void: wrong unit.")
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    assert ended.credit_notes_issued == []
    assert CreditNote.objects.count() == 1


def test_a_paid_month_is_credited_too_and_shows_what_is_owed_back(
    pseb_staff, park_manager, worked_example
):
    bill()
    march = Statement.objects.get()
    services.payment_record(
        user=park_manager,
        statement=march,
        amount=Decimal("24677.42"),
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    terminate(pseb_staff, worked_example, date(2026, 3, 20))
    march = with_balance(Statement.objects).get()
    assert (march.status, march.balance) == (StatementStatus.PAID, Decimal("-15967.75"))


def test_two_leases_ending_in_one_month_are_each_credited_for_their_own_days(
    pseb_staff, park, worked_example
):
    unit = UnitFactory(
        park=park, code="B-201", monthly_rent=Decimal("31000.00"), internet_fee=Decimal("3100.00")
    )
    second = LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 1)
    )
    bill()
    first_notes = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    second_notes = terminate(pseb_staff, second, date(2026, 3, 25)).credit_notes_issued
    assert [n.amount for n in first_notes] == [Decimal("15967.75")]
    # B-201 billed 31 days (31,000 + 3,100 - 7,750 - 3,100 = 23,250.00), keeps 25
    # (25,000 + 2,500 - 6,250 - 2,500 = 18,750.00): 4,500.00 credited
    assert [n.amount for n in second_notes] == [Decimal("4500.00")]
    assert {n.lease_id for n in CreditNote.objects.all()} == {worked_example.pk, second.pk}


def test_other_leases_of_the_company_in_the_park_stay_billed(pseb_staff, park, worked_example):
    other_unit = UnitFactory(park=park, code="B-201")
    LeaseFactory(
        park=park, company=worked_example.company, units=[other_unit], start_date=date(2026, 3, 1)
    )
    bill()
    (statement,) = Statement.objects.all()
    ended = terminate(pseb_staff, worked_example, date(2026, 3, 20))
    # only A-101's 11 days are credited; B-201 stays billed in full
    assert [n.amount for n in ended.credit_notes_issued] == [Decimal("15967.75")]
    assert ended.credit_notes_issued[0].statement == statement


def test_the_credit_goes_on_the_statement_that_billed_the_days(pseb_staff, park, worked_example):
    # given March billed, then a unit of a lease entered late billed on a supplement
    bill()
    unit = UnitFactory(
        park=park, code="B-201", monthly_rent=Decimal("31000.00"), internet_fee=Decimal("3100.00")
    )
    late = LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 20)
    )
    bill()
    original, extra = Statement.objects.order_by("pk")
    assert (original.net_payable, extra.net_payable) == (Decimal("24677.42"), Decimal("9000.00"))
    # when the late lease ends on 25 March: 6 of its 12 days billed stay
    ended = terminate(pseb_staff, late, date(2026, 3, 25))
    # then the supplement is credited 6,000 + 600 - 1,500 - 600 = 4,500.00; the original not
    assert [(n.statement_id, n.amount) for n in ended.credit_notes_issued] == [
        (extra.pk, Decimal("4500.00"))
    ]
