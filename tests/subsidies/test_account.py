"""A company's account, payments received and receipts (issue 12 §6): the selector, the
service that allocates one payment oldest first, receipt numbers and e-mail, the statement
PDF's snapshot, and scope."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.calendar import Period
from stp_portal.errors import Conflict
from subsidies import pdf, services
from subsidies.iban import pk_iban
from subsidies.models import Payment, Receipt, Statement, StatementSnapshot
from subsidies.selectors import company_account, receipts_visible_to
from tests import factories
from tests.subsidies.pdf_support import laid_out_text, loaded
from tests.subsidies.support import bill

pytestmark = pytest.mark.django_db

IBAN = pk_iban("HABB", "0012345678901234")
APRIL, MAY = Period(2026, 4), Period(2026, 5)
# March (net 24,677.42) issued 1 April, due 16 April; April issued 1 May; May issued 1 June.
TODAY = date(2026, 6, 5)


@pytest.fixture
def three_months(worked_example):
    bill()
    bill(APRIL, today=date(2026, 5, 1))
    bill(MAY, today=date(2026, 6, 1))
    return list(Statement.objects.order_by("period"))


@pytest.fixture
def company(worked_example):
    company = worked_example.company
    factories.MembershipFactory(company=company, user__username="tenant.owner")
    return company


def receive(user, company, park, amount, **kw):
    kw.setdefault("paid_on", TODAY)
    kw.setdefault("reference", "HBL-77")
    kw.setdefault("today", TODAY)
    return services.payment_receive(
        user=user, company=company, park=park, amount=Decimal(amount), **kw
    )


# --- The selector ---------------------------------------------------------------------------------
def test_account_lists_what_each_statement_owes_oldest_first_with_running_totals(
    pseb_staff, company, park, three_months, django_assert_max_num_queries
):
    # given: March part paid, April part credited, May untouched
    march, april, may = three_months
    services.payment_record(
        user=pseb_staff,
        statement=march,
        amount=Decimal("10000.00"),
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
        today=TODAY,
    )
    services.credit_note_issue(
        user=pseb_staff, statement=april, reason="Goodwill", amount=Decimal("100.00"), today=TODAY
    )
    # when
    with django_assert_max_num_queries(5):
        account = company_account(company, TODAY)
        rows = [
            (r.statement.number, r.statement.outstanding, r.running_total) for r in account.arrears
        ]
    # then: the one rule of outstanding (net less credit notes and payments)
    march_left = march.net_payable - Decimal("10000.00")
    april_left = april.net_payable - Decimal("100.00")
    assert rows == [
        (march.number, march_left, march_left),
        (april.number, april_left, march_left + april_left),
        (may.number, may.net_payable, march_left + april_left + may.net_payable),
    ]
    assert account.outstanding == march_left + april_left + may.net_payable
    # March was due 16 April, April 16 May: overdue on 5 June; May (due 16 June) is not
    assert [r.days_overdue for r in account.arrears] == [50, 20, 0]
    assert account.overdue == march_left + april_left
    assert account.pay_by == TODAY
    assert account.next_due_date == date(2026, 6, 16)


def _account_queries(company) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        account = company_account(company, TODAY)
        [r.statement.park.name for r in account.arrears]
        [p.instruction for p in account.paying]
        [list(r.payments.all()) for r in account.receipts]
    return len(captured)


def test_account_query_count_does_not_grow_with_statements(pseb_staff, company, park, three_months):
    # three statements and one receipt, then a fourth statement and two more receipts
    receive(pseb_staff, company, park, "1.00")
    few = _account_queries(company)
    receive(pseb_staff, company, park, "2.00")
    receive(pseb_staff, company, park, "3.00")
    bill(Period(2026, 6), today=date(2026, 7, 1))
    assert Statement.objects.filter(company=company).count() > len(three_months)
    assert _account_queries(company) == few <= 5


# --- Payments received ----------------------------------------------------------------------------
def test_one_payment_settles_the_oldest_statements_first_with_one_receipt(
    park_manager, company, park, three_months, django_capture_on_commit_callbacks, mailoutbox
):
    march, april, may = three_months
    amount = march.net_payable + Decimal("1000.00")
    with django_capture_on_commit_callbacks(execute=True):
        received = receive(park_manager, company, park, str(amount))
    receipt = received.receipt
    assert receipt.number == "GUJ-RC-2025-26-00001"  # issued 5 June 2026: FY 2025-26
    assert [(p.statement_id, p.amount) for p in receipt.payments.order_by("pk")] == [
        (march.pk, march.net_payable),
        (april.pk, Decimal("1000.00")),
    ]
    for statement in three_months:
        statement.refresh_from_db()
    assert (march.outstanding, april.amount_paid, may.amount_paid) == (
        Decimal("0.00"),
        Decimal("1000.00"),
        Decimal("0.00"),
    )
    # the receipt is e-mailed to the owners, its PDF attached, once
    (message,) = mailoutbox
    assert message.to == [company.memberships.get().user.email]
    assert receipt.number in message.subject
    assert message.attachments[0][0] == f"{receipt.number}.pdf"
    assert services.receipt_email(receipt.pk) == 0


def test_receipt_numbers_run_without_gaps_per_park_and_fiscal_year(
    pseb_staff, company, park, three_months
):
    numbers = [receive(pseb_staff, company, park, "100.00").receipt.number for _ in range(3)]
    assert numbers == [f"GUJ-RC-2025-26-0000{n}" for n in (1, 2, 3)]
    july = receive(pseb_staff, company, park, "100.00", today=date(2026, 7, 1)).receipt
    assert july.number == "GUJ-RC-2026-27-00001"


def test_more_than_is_outstanding_is_refused_and_nothing_changes(
    pseb_staff, company, park, three_months
):
    total = sum(s.net_payable for s in three_months)
    with pytest.raises(ValidationError) as caught:
        receive(pseb_staff, company, park, str(total + Decimal("0.01")))
    assert "outstanding" in caught.value.message_dict["amount"][0]
    assert (Receipt.objects.count(), Payment.objects.count()) == (0, 0)


def test_a_stale_preview_is_refused(pseb_staff, company, park, three_months):
    preview = services.payment_allocation_preview(
        user=pseb_staff, company=company, park=park, amount=Decimal("5000.00")
    )
    assert [s.owed.statement_id for s in preview.shares] == [three_months[0].pk]
    receive(pseb_staff, company, park, "1.00")  # someone else records a payment meanwhile
    with pytest.raises(Conflict):
        receive(pseb_staff, company, park, "5000.00", expected=preview.fingerprint)
    assert Receipt.objects.count() == 1
    fresh = services.payment_allocation_preview(
        user=pseb_staff, company=company, park=park, amount=Decimal("5000.00")
    )
    assert receive(pseb_staff, company, park, "5000.00", expected=fresh.fingerprint)


def test_a_confirmation_of_another_amount_than_previewed_is_refused(
    pseb_staff, company, park, three_months
):
    # review: the preview of 5.00 must not confirm a payment of the whole balance unseen
    preview = services.payment_allocation_preview(
        user=pseb_staff, company=company, park=park, amount=Decimal("5.00")
    )
    with pytest.raises(Conflict):
        receive(pseb_staff, company, park, "60000.00", expected=preview.fingerprint)
    assert not Receipt.objects.exists()
    assert receive(pseb_staff, company, park, "5.00", expected=preview.fingerprint)


def test_the_one_statement_payment_issues_a_receipt_too(pseb_staff, company, park, three_months):
    may = three_months[2]
    payment = services.payment_record(
        user=pseb_staff,
        statement=may,
        amount=Decimal("50.00"),
        paid_on=TODAY,
        reference="CHQ-9",
        today=TODAY,
    )
    assert payment.statement_id == may.pk  # not the oldest: the one asked for
    assert payment.receipt.payments.get() == payment


def test_another_parks_manager_may_not_record_a_payment(
    other_park_manager, company, park, three_months
):
    with pytest.raises(PermissionDenied):
        receive(other_park_manager, company, park, "10.00")


# --- The statement PDF: snapshot at issue, legacy as issued ---------------------------------------
def test_a_statement_issued_now_shows_previous_balance_payments_and_where_to_pay(
    pseb_staff, company, park, worked_example
):
    services.payment_instruction_save(
        user=pseb_staff,
        park=park,
        data=services.InstructionInput(
            bank_name="Habib Bank", account_title="PSEB STP Gujranwala", iban=IBAN
        ),
    )
    bill()
    march = Statement.objects.get()
    receive(
        pseb_staff, company, park, "10000.00", paid_on=date(2026, 4, 20), today=date(2026, 4, 20)
    )
    bill(APRIL, today=date(2026, 5, 1))
    april = Statement.objects.get(period=APRIL.first)
    snapshot = april.snapshot
    assert snapshot.previous_balance == march.net_payable
    assert snapshot.payments_since == Decimal("10000.00")
    assert snapshot.total_due == march.net_payable - Decimal("10000.00") + april.net_payable
    assert snapshot.reference == april.number
    text = laid_out_text(pdf.renderer().document(loaded(april.pk)))
    assert "Previous balance" in text
    assert f"PKR {snapshot.total_due:,.2f}" in text
    assert IBAN in text.replace(" ", "")
    # a payment recorded later does not change what the issued statement says
    receive(pseb_staff, company, park, "100.00", today=date(2026, 5, 2), paid_on=date(2026, 5, 2))
    assert StatementSnapshot.objects.get(pk=april.pk).total_due == snapshot.total_due


def test_a_statement_issued_before_snapshots_renders_as_it_was_issued(statement):
    StatementSnapshot.objects.filter(statement=statement).delete()  # as issued before issue 12
    text = laid_out_text(pdf.renderer().document(loaded(statement.pk)))
    assert "Previous balance" not in text
    assert "Total now due" not in text
    assert "Please pay the net payable by" in text


def test_instructions_refuse_a_bad_iban(pseb_staff, park):
    with pytest.raises(ValidationError) as caught:
        services.payment_instruction_save(
            user=pseb_staff,
            park=park,
            data=services.InstructionInput(bank_name="HBL", account_title="PSEB", iban="PK00X"),
        )
    assert "iban" in caught.value.message_dict


def test_only_pseb_sets_instructions(park_manager, park):
    with pytest.raises(PermissionDenied):
        services.payment_instruction_save(
            user=park_manager,
            park=park,
            data=services.InstructionInput(bank_name="HBL", account_title="PSEB", iban=IBAN),
        )


# --- Scope ----------------------------------------------------------------------------------------
def test_a_company_sees_only_its_own_receipts_and_account(
    client, pseb_staff, company, park, three_months, other_company_user, other_park_manager
):
    receipt = receive(pseb_staff, company, park, "10.00").receipt
    owner = company.memberships.get().user
    assert list(receipts_visible_to(owner)) == [receipt]
    assert list(receipts_visible_to(other_company_user)) == []
    assert list(receipts_visible_to(other_park_manager)) == []
    client.force_login(other_company_user)
    assert client.get(reference("subsidies:receipt_detail", receipt)).status_code == 404
    page = client.get(reverse("accounts:account"))
    assert three_months[0].number not in page.content.decode()
    client.force_login(owner)
    page = client.get(reverse("accounts:account")).content.decode()
    assert three_months[0].number in page
    assert receipt.number in page


def reference(name, obj):
    return reverse(name, kwargs={"pk": obj.pk})


def test_the_payment_page_previews_then_records(client, park_manager, company, park, three_months):
    client.force_login(park_manager)
    url = reverse("subsidies:payment_receive")
    form = {
        "company": company.pk,
        "park": park.pk,
        "amount": "30000.00",
        "paid_on": (TODAY - timedelta(days=1)).isoformat(),
        "reference": "HBL-5",
    }
    preview = client.post(url, {**form, "action": "preview"})
    assert preview.status_code == 200
    assert Receipt.objects.count() == 0
    plan = preview.context["preview"]
    assert [s.owed.statement_id for s in plan.shares] == [s.pk for s in three_months[:2]]
    done = client.post(url, {**form, "action": "confirm", "expected": plan.fingerprint})
    receipt = Receipt.objects.get()
    assert done.status_code == 302
    assert done.url == reverse("subsidies:receipt_detail", kwargs={"pk": receipt.pk})


def test_a_receipt_says_what_was_left_when_it_was_issued_whatever_is_paid_later(
    pseb_staff, company, park, three_months
):
    from subsidies.selectors import receipt_detail_rows

    march = three_months[0]
    owed = march.outstanding
    first = receive(pseb_staff, company, park, "1.00")
    first_lines = pdf.receipt_context(receipt_detail_rows().get(pk=first.receipt.pk))["lines"]
    assert [(line["settled"], line["left_to_pay"]) for line in first_lines] == [
        (False, owed - Decimal("1.00"))
    ]
    receive(pseb_staff, company, park, str(owed - Decimal("1.00")))  # March paid off
    again = pdf.receipt_context(receipt_detail_rows().get(pk=first.receipt.pk))["lines"]
    assert again == first_lines  # the first receipt does not change
