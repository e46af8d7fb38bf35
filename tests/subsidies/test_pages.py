"""The billing pages with the Django test client: statements, their PDF and public check,
billing runs, subsidy schemes and other charges (domain.md §1, §5, §6).

Objects outside a user's scope answer 404; a role that may see but not act gets 403; bad
input comes back on the form and changes nothing; a state conflict comes back as a message.
"""

import csv
import html
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period
from core.vocabulary import RunStatus
from subsidies import services
from subsidies.models import BillingRun, Charge, CreditNote, Payment, Statement, SubsidyScheme
from tenants.selectors import company_of
from tests.factories import (
    LeaseFactory,
    MembershipFactory,
    SubsidySchemeFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

MARCH = "2026-03"
ISSUED = date(2026, 4, 1)  # due 16 April 2026: unpaid, it is overdue from then on
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def text(response) -> str:
    return html.unescape(response.content.decode())


def bill(period=MARCH, today=ISSUED, park=None) -> BillingRun:
    """A run executed in-process, as the worker's tasks would do it (no PDFs)."""
    run = services.billing_run_start(user=None, period=period, park=park, today=today, queue=False)
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=today)
    run.refresh_from_db()
    return run


def signed_in(client, user):
    client.force_login(user)
    return client


def assert_sign_in_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Fixtures ------------------------------------------------------------------------------------
@pytest.fixture
def scheme():
    return SubsidySchemeFactory(name="Default programme", valid_from=date(2022, 7, 1))


@pytest.fixture
def company(company_user):
    return company_of(company_user)


@pytest.fixture
def other_company(other_company_user):
    return company_of(other_company_user)


@pytest.fixture
def lease(park, company, scheme):
    """domain.md §6's worked example: A-101 (60,000.00 rent, 5,000.00 internet) from 15 March."""
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    return LeaseFactory(park=park, company=company, units=[unit], start_date=date(2026, 3, 15))


@pytest.fixture
def other_lease(other_park, other_company, scheme):
    return LeaseFactory(park=other_park, company=other_company, start_date=date(2026, 3, 15))


@pytest.fixture
def run(lease, other_lease):
    return bill()


@pytest.fixture
def statement(run, company):
    return Statement.objects.get(company=company)


@pytest.fixture
def other_statement(run, other_company):
    return Statement.objects.get(company=other_company)


def with_pdf(statement: Statement, content: bytes = PDF) -> Statement:
    statement.pdf.save("statement.pdf", ContentFile(content))
    return statement


def detail_url(statement) -> str:
    return reverse("subsidies:statement_detail", args=[statement.pk])


# --- Statements list -----------------------------------------------------------------------------
def test_the_statements_list_asks_visitors_to_sign_in(client):
    assert_sign_in_redirect(client.get(reverse("subsidies:statement_list")))


def test_a_company_sees_only_its_own_statements(client, company_user, statement, other_statement):
    response = signed_in(client, company_user).get(reverse("subsidies:statement_list"))
    assert response.status_code == 200
    body = text(response)
    assert statement.number in body
    assert other_statement.number not in body
    assert "1 statement" in body


def test_a_park_manager_sees_the_statements_of_their_parks_only(
    client, park_manager, statement, other_statement
):
    body = text(signed_in(client, park_manager).get(reverse("subsidies:statement_list")))
    assert statement.number in body
    assert other_statement.number not in body


def test_pseb_staff_see_every_statement(client, pseb_staff, statement, other_statement):
    body = text(signed_in(client, pseb_staff).get(reverse("subsidies:statement_list")))
    assert statement.number in body
    assert other_statement.number in body


def test_the_list_shows_net_paid_balance_and_status(client, pseb_staff, statement):
    services.payment_record(
        user=pseb_staff,
        statement=statement,
        amount=Decimal("4677.42"),
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"park": "GUJ"}
    )
    (row,) = response.context["page"].object_list
    assert (row.net_payable, row.paid, row.balance) == (
        Decimal("24677.42"),
        Decimal("4677.42"),
        Decimal("20000.00"),
    )
    body = text(response)
    assert "24,677.42" in body
    assert "4,677.42" in body
    assert "20,000.00" in body
    # The status is the selector's derived one: some paid, the rest owed past the due date.
    assert row.status == "overdue"
    assert 'badge-statement-overdue">Overdue<' in response.content.decode()


def test_the_list_shows_credited_so_net_less_credited_less_paid_is_the_balance(
    client, pseb_staff, statement
):
    services.credit_note_issue(
        user=pseb_staff, statement=statement, reason="Rent overcharged", amount=Decimal("677.42")
    )
    services.payment_record(
        user=pseb_staff,
        statement=statement,
        amount=Decimal("4000.00"),
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"park": "GUJ"}
    )
    page = response.content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', page)
    # 24,677.42 − 677.42 − 4,000.00 = 20,000.00, in that order across the row
    assert headers[headers.index("Net payable") :] == [
        "Net payable",
        "Credited",
        "Paid",
        "Balance",
        "Status",
    ]
    cells = re.findall(
        r'<td data-label="(Net payable|Credited|Paid|Balance)" class="num">([^<]+)<', page
    )
    assert cells == [
        ("Net payable", "24,677.42"),
        ("Credited", "677.42"),
        ("Paid", "4,000.00"),
        ("Balance", "20,000.00"),
    ]


@pytest.mark.parametrize(
    ("role", "company_column"),
    [("company_user", False), ("park_manager", True), ("pseb_staff", True)],
)
def test_only_users_who_see_several_companies_get_a_company_column(
    client, request, statement, role, company_column
):
    response = signed_in(client, request.getfixturevalue(role)).get(
        reverse("subsidies:statement_list")
    )
    page = response.content.decode()
    assert ('<th scope="col">Company</th>' in page) is company_column
    assert ('data-label="Company"' in page) is company_column


def test_the_statements_table_scrolls_inside_its_wrapper(client, pseb_staff, statement):
    for url in (
        reverse("subsidies:statement_list"),
        reverse("subsidies:billing_run_detail", args=[statement.billing_run_id]),
    ):
        page = signed_in(client, pseb_staff).get(url).content.decode()
        wrapper = page.index('<div class="table-scroll" role="region" aria-label="Statements"')
        assert wrapper < page.index('<table class="responsive-table statement-table">'), url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"period": "2026-03"}, {"first", "second"}),
        ({"period": "2026-04"}, set()),
        ({"park": "GUJ"}, {"first"}),
        ({"park": "GLT"}, {"second"}),
        ({"company": "second company"}, {"second"}),
        ({"status": "paid"}, {"first"}),
        ({"status": "overdue"}, {"second"}),
        ({"status": "void"}, set()),
        ({"status": "paid", "park": "GLT"}, set()),
    ],
)
def test_pseb_staff_filter_statements_by_period_park_company_and_status(
    client, pseb_staff, statement, other_statement, query, expected
):
    services.payment_record(
        user=pseb_staff,
        statement=statement,
        amount=statement.net_payable,
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    names = {statement.number: "first", other_statement.number: "second"}
    response = signed_in(client, pseb_staff).get(reverse("subsidies:statement_list"), query)
    assert response.status_code == 200
    assert {names[s.number] for s in response.context["page"].object_list} == expected


def test_the_void_status_filter_finds_fully_credited_statements(
    client, pseb_staff, statement, other_statement
):
    services.credit_note_issue(user=pseb_staff, statement=statement, reason="Billed in error")
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"status": "void"}
    )
    assert [s.number for s in response.context["page"].object_list] == [statement.number]
    assert "Void" in text(response)


def test_a_statement_issued_this_month_is_issued_not_overdue(client, company_user, park, company):
    """Billed today for last month, it is due in 15 days: plain 'issued'."""
    today = timezone.localdate()
    last_month = Period.of(today).previous()
    LeaseFactory(park=park, company=company, start_date=last_month.first)
    bill(period=str(last_month), today=today)
    response = signed_in(client, company_user).get(
        reverse("subsidies:statement_list"), {"status": "issued"}
    )
    assert len(response.context["page"].object_list) == 1
    assert 'badge-statement-issued">Issued<' in response.content.decode()


@pytest.mark.parametrize("period", ["2026-13", "March", "2026-3"])
def test_a_badly_written_period_filter_says_so_and_lists_nothing(
    client, pseb_staff, statement, period
):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"period": period}
    )
    assert response.status_code == 200
    assert response.context["filter"].errors["period"]
    assert list(response.context["page"].object_list) == []


def test_company_users_get_no_company_filter(client, company_user, pseb_staff, statement):
    mine = signed_in(client, company_user).get(reverse("subsidies:statement_list"))
    assert "company" not in mine.context["filter"].form.fields
    client.force_login(pseb_staff)
    staff = client.get(reverse("subsidies:statement_list"))
    assert "company" in staff.context["filter"].form.fields


def test_the_park_filter_offers_only_parks_of_the_users_statements(
    client, park_manager, statement, other_statement
):
    response = signed_in(client, park_manager).get(reverse("subsidies:statement_list"))
    choices = [code for code, _ in response.context["filter"].form.fields["park"].choices if code]
    assert [str(c) for c in choices] == ["GUJ"]


def test_the_statements_list_is_paginated(client, pseb_staff, park, scheme):
    for _ in range(26):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    first = signed_in(client, pseb_staff).get(reverse("subsidies:statement_list"))
    assert len(first.context["page"].object_list) == 25
    assert "26 statements" in text(first)
    second = client.get(reverse("subsidies:statement_list"), {"page": 2})
    assert len(second.context["page"].object_list) == 1


# --- CSV export ----------------------------------------------------------------------------------
def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def test_the_csv_export_holds_the_users_own_statements_with_their_figures(
    client, company_user, statement, other_statement
):
    rows = csv_rows(signed_in(client, company_user).get(reverse("subsidies:statement_export")))
    assert rows == [
        {
            "number": statement.number,
            "company": "First Company (Pvt) Ltd",
            "park": "Gujranwala STP",
            "period": "2026-03",
            "issue_date": "2026-04-01",
            "due_date": "2026-04-16",
            "gross": "35645.17",
            "subsidy": "-10967.75",
            "net_payable": "24677.42",
            "paid": "0.00",
            "credited": "0.00",
            "balance": "24677.42",
            "status": "overdue",
        }
    ]


def test_the_csv_export_applies_the_page_filters(client, pseb_staff, statement, other_statement):
    signed_in(client, pseb_staff)
    everything = csv_rows(client.get(reverse("subsidies:statement_export")))
    assert {r["number"] for r in everything} == {statement.number, other_statement.number}
    one_park = csv_rows(client.get(reverse("subsidies:statement_export"), {"park": "GLT"}))
    assert [r["number"] for r in one_park] == [other_statement.number]


def test_the_list_links_to_the_export_with_the_same_filters(client, pseb_staff, statement):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"park": "GUJ", "page": "1"}
    )
    assert f"{reverse('subsidies:statement_export')}?park=GUJ" in text(response)


def test_the_csv_export_defuses_names_a_spreadsheet_would_run(client, pseb_staff, park, scheme):
    company = MembershipFactory(company__name='=HYPERLINK("http://x")').company
    LeaseFactory(park=park, company=company, start_date=date(2026, 3, 1))
    bill()
    rows = csv_rows(signed_in(client, pseb_staff).get(reverse("subsidies:statement_export")))
    assert rows[0]["company"] == '\'=HYPERLINK("http://x")'


def test_the_csv_export_with_a_bad_filter_goes_back_to_the_list(client, pseb_staff):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_export"), {"period": "13-2026"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidies:statement_list") + "?period=13-2026"


def test_the_csv_export_asks_visitors_to_sign_in(client, statement):
    assert_sign_in_redirect(client.get(reverse("subsidies:statement_export")))


# --- Statement page ------------------------------------------------------------------------------
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


# --- Payments ------------------------------------------------------------------------------------
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


# --- Credit notes --------------------------------------------------------------------------------
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


# --- PDF download --------------------------------------------------------------------------------
def pdf_url(statement) -> str:
    return reverse("subsidies:statement_pdf", args=[statement.pk])


@pytest.mark.parametrize("role", ["company_user", "park_manager", "pseb_staff"])
def test_the_pdf_downloads_for_those_in_scope(client, request, role, statement):
    with_pdf(statement)
    response = signed_in(client, request.getfixturevalue(role)).get(pdf_url(statement))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{statement.number}.pdf"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("role", ["other_company_user", "other_park_manager"])
def test_the_pdf_is_404_outside_the_users_scope(client, request, role, statement):
    with_pdf(statement)
    response = signed_in(client, request.getfixturevalue(role)).get(pdf_url(statement))
    assert response.status_code == 404


def test_the_pdf_asks_visitors_to_sign_in(client, statement):
    with_pdf(statement)
    assert_sign_in_redirect(client.get(pdf_url(statement)))


def test_a_pdf_not_rendered_yet_is_404_and_the_page_says_it_is_coming(
    client, company_user, statement
):
    signed_in(client, company_user)
    assert client.get(pdf_url(statement)).status_code == 404
    body = text(client.get(detail_url(statement)))
    assert "being prepared" in body
    assert pdf_url(statement) not in body


def test_a_pdf_missing_from_storage_is_404_not_500(client, company_user, statement):
    with_pdf(statement)
    statement.pdf.storage.delete(statement.pdf.name)
    response = signed_in(client, company_user).get(pdf_url(statement))
    assert response.status_code == 404


def test_the_statement_page_links_to_its_pdf(client, company_user, statement):
    with_pdf(statement)
    body = text(signed_in(client, company_user).get(detail_url(statement)))
    assert pdf_url(statement) in body
    assert "Download PDF" in body


# --- Public verification page --------------------------------------------------------------------
def verify_url(statement) -> str:
    return reverse("subsidies:statement_verify", args=[statement.verification_token])


def test_the_verification_page_shows_only_number_company_period_and_net(client, statement):
    response = client.get(verify_url(statement))
    assert response.status_code == 200
    body = text(response)
    assert statement.number in body
    assert "First Company (Pvt) Ltd" in body
    assert "March 2026" in body
    assert "PKR 24,677.42" in body
    assert '<meta name="robots" content="noindex' in body
    assert "noindex" in response["X-Robots-Tag"]
    # Nothing else of the statement: no park, unit, lines, totals, dates or payments.
    for hidden in (
        "Gujranwala",
        "A-101",
        "32,903.23",
        "35,645.17",
        "-10,967.75",
        "April 2026",
        "Default programme",
        "Overdue",
        "Balance",
    ):
        assert hidden not in body, hidden
    for fact in ("number", "company_name", "period", "net_payable"):
        assert fact in response.context
    assert "statement" not in response.context


def test_the_verification_page_says_when_a_statement_is_void(client, pseb_staff, statement):
    services.credit_note_issue(user=pseb_staff, statement=statement, reason="Billed in error")
    body = text(client.get(verify_url(statement)))
    assert "void" in body
    assert "genuine statement" not in body


@pytest.mark.parametrize("token", ["nope", "x" * 32, "x" * 300])
def test_an_unknown_verification_token_is_404_with_its_own_message(client, statement, token):
    response = client.get(reverse("subsidies:statement_verify", args=[token]))
    assert response.status_code == 404
    assert "subsidies/statement_verify_not_found.html" in [t.name for t in response.templates]
    body = text(response)
    assert (
        "No statement matches this verification code. Check the code on the statement, "
        "or contact PSEB." in body
    )
    assert "Page not found" not in body  # not the generic 404 page
    assert statement.number not in body
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Cache-Control"] == "private, no-store"


# --- Billing runs --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["company_user", "park_manager"])
def test_billing_pages_are_404_for_anyone_but_pseb_staff(client, request, role, run):
    signed_in(client, request.getfixturevalue(role))
    assert client.get(reverse("subsidies:billing_run_list")).status_code == 404
    assert client.post(reverse("subsidies:billing_run_list"), {"period": MARCH}).status_code == 404
    assert client.get(reverse("subsidies:billing_run_detail", args=[run.pk])).status_code == 404
    assert BillingRun.objects.count() == 1


def test_pseb_staff_see_the_runs_and_a_form_for_last_month(client, pseb_staff, run):
    response = signed_in(client, pseb_staff).get(reverse("subsidies:billing_run_list"))
    assert response.status_code == 200
    last_month = Period.of(timezone.localdate()).previous()
    assert response.context["form"]["period"].value() == str(last_month)
    body = text(response)
    assert f"#{run.pk}" in body
    assert "2026-03" in body
    assert "Start a run" in body


def test_pseb_staff_start_a_run_and_land_on_its_page(
    client, pseb_staff, park, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = signed_in(client, pseb_staff).post(
            reverse("subsidies:billing_run_list"), {"period": MARCH, "park": park.pk}
        )
    run = BillingRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidies:billing_run_detail", args=[run.pk])
    assert (run.period, run.park, run.requested_by) == (date(2026, 3, 1), park, pseb_staff)
    assert len(queued) == 1  # the worker is asked once the run is saved


def test_a_month_not_ended_shows_the_services_message_and_starts_nothing(client, pseb_staff):
    this_month = str(Period.of(timezone.localdate()))
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": this_month}
    )
    assert response.status_code == 200
    (error,) = response.context["form"].errors["period"]
    assert "has not ended yet" in error
    assert "has not ended yet" in text(response)
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("period", ["", "2026-13", "03/2026", "2026-03-01"])
def test_a_badly_written_run_period_is_a_field_error(client, pseb_staff, period):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": period}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period"]
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("park", ["99999999999999999999999", "-99999999999999999999", "abc"])
def test_a_park_that_is_no_park_is_a_field_error_on_a_run(client, pseb_staff, park):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:billing_run_list"), {"period": MARCH, "park": park}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["park"][0]
    assert not BillingRun.objects.exists()


def test_the_run_page_refreshes_itself_only_while_the_run_is_queued_or_running(
    client, pseb_staff, lease
):
    queued = services.billing_run_start(user=pseb_staff, period=MARCH, today=ISSUED, queue=False)
    url = reverse("subsidies:billing_run_detail", args=[queued.pk])
    refresh = '<meta http-equiv="refresh" content="3">'
    signed_in(client, pseb_staff)

    assert refresh in client.get(url).content.decode()  # queued

    chunk_ids = services.billing_run_plan(queued.pk)
    running = client.get(url).content.decode()
    assert refresh in running
    assert '<progress id="run-progress" max="1" value="0">' in running

    for chunk_id in chunk_ids:
        services.billing_chunk_bill(chunk_id, today=ISSUED)
    done = client.get(url)
    assert done.context["run"].status == RunStatus.DONE
    page = done.content.decode()
    assert refresh not in page
    assert '<progress id="run-progress" max="1" value="1">' in page
    assert Statement.objects.get().number in page


def test_the_run_page_shows_counts_times_and_errors(client, pseb_staff, park, run):
    run.errors = [{"park": park.pk, "error": "RuntimeError: the printer is on fire"}]
    run.status = RunStatus.FAILED
    run.save()
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:billing_run_detail", args=[run.pk])
    )
    body = text(response)
    assert "Failed" in body
    assert "Gujranwala STP" in body
    assert "RuntimeError: the printer is on fire" in body
    assert "Statements issued" in body
    assert len(response.context["page"].object_list) == 2
    assert run.started_at is not None
    assert "not yet" not in body


def test_an_unknown_run_is_404(client, pseb_staff):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:billing_run_detail", args=[424242])
    )
    assert response.status_code == 404


# --- Subsidy schemes -----------------------------------------------------------------------------
SCHEME = {
    "name": "Secondary cities 2027",
    "internet_pct": "100",
    "rent_pct": "30",
    "duration_months": "18",
    "valid_from": "2027-01-01",
    "valid_to": "",
    "anchor": "lease_start",
}


@pytest.mark.parametrize(
    ("role", "status"),
    [("company_user", 404), ("park_manager", 200), ("pseb_staff", 200)],
)
def test_the_scheme_list_is_for_pseb_staff_and_park_managers(client, request, scheme, role, status):
    response = signed_in(client, request.getfixturevalue(role)).get(
        reverse("subsidies:scheme_list")
    )
    assert response.status_code == status
    if status == 200:
        body = text(response)
        assert "Default programme" in body
        assert "All parks" in body


def test_park_managers_read_schemes_but_may_not_create_or_edit_them(client, park_manager, scheme):
    signed_in(client, park_manager)
    body = text(client.get(reverse("subsidies:scheme_list")))
    assert reverse("subsidies:scheme_create") not in body
    assert reverse("subsidies:scheme_edit", args=[scheme.pk]) not in body
    assert client.get(reverse("subsidies:scheme_create")).status_code == 403
    assert client.post(reverse("subsidies:scheme_create"), SCHEME).status_code == 403
    edit = reverse("subsidies:scheme_edit", args=[scheme.pk])
    assert client.post(edit, {**SCHEME, "name": "Hijacked"}).status_code == 403
    assert SubsidyScheme.objects.get().name == "Default programme"


def test_a_company_gets_404_on_every_scheme_page(client, company_user, scheme):
    signed_in(client, company_user)
    assert client.get(reverse("subsidies:scheme_create")).status_code == 404
    assert client.get(reverse("subsidies:scheme_edit", args=[scheme.pk])).status_code == 404


def test_pseb_staff_create_a_scheme_for_some_parks(client, pseb_staff, park, other_park):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_create"), {**SCHEME, "parks": [park.pk]}, follow=True
    )
    scheme = SubsidyScheme.objects.get()
    assert (scheme.name, scheme.rent_pct, scheme.duration_months) == (
        "Secondary cities 2027",
        Decimal("30.00"),
        18,
    )
    assert list(scheme.parks.all()) == [park]
    assert "Subsidy scheme “Secondary cities 2027” created." in messages_of(response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"rent_pct": "150"}, "rent_pct", "less than or equal to 100"),
        ({"internet_pct": "-1"}, "internet_pct", "greater than or equal to 0"),
        ({"duration_months": "0"}, "duration_months", "greater than or equal to 1"),
        ({"valid_to": "2026-12-31"}, "valid_to", "cannot end before it starts"),
        ({"name": "Default programme"}, "name", "already exists"),
        ({"name": ""}, "name", "This field is required"),
        ({"anchor": "moon_phase"}, "anchor", "Select a valid choice"),
        ({"parks": ["99999999999999999999999"]}, "parks", "Select a valid choice"),
        ({"parks": ["abc"]}, "parks", "is not a valid value"),
        ({"valid_from": "9999-12-31"}, "valid_from", "between 1990-01-01 and 2999-12-31"),
    ],
)
def test_a_bad_scheme_shows_the_field_error_and_creates_nothing(
    client, pseb_staff, scheme, data, field, message
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_create"), {**SCHEME, **data}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert SubsidyScheme.objects.count() == 1


def scheme_data(scheme, **changes) -> dict:
    return {
        "name": scheme.name,
        "internet_pct": str(scheme.internet_pct),
        "rent_pct": str(scheme.rent_pct),
        "duration_months": str(scheme.duration_months),
        "valid_from": scheme.valid_from.isoformat(),
        "valid_to": scheme.valid_to.isoformat() if scheme.valid_to else "",
        "anchor": scheme.anchor,
        "parks": [p.pk for p in scheme.parks.all()],
        **changes,
    }


def test_pseb_staff_edit_a_scheme_no_statement_uses(client, pseb_staff, scheme, park):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        scheme_data(scheme, rent_pct="30", parks=[park.pk]),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.rent_pct == Decimal("30.00")
    assert list(scheme.parks.all()) == [park]


LOCKED = ("internet_pct", "rent_pct", "duration_months", "valid_from", "anchor", "parks")


def as_a_browser_posts(data: dict) -> dict:
    """A browser sends nothing for a disabled field."""
    return {k: v for k, v in data.items() if k not in LOCKED}


def test_a_scheme_not_applied_yet_can_change_every_field(client, pseb_staff, scheme):
    form = (
        signed_in(client, pseb_staff)
        .get(reverse("subsidies:scheme_edit", args=[scheme.pk]))
        .context["form"]
    )
    assert not any(field.disabled for field in form.fields.values())


def test_a_scheme_applied_to_statements_shows_its_rules_disabled_and_says_why_once(
    client, pseb_staff, scheme, statement
):
    response = signed_in(client, pseb_staff).get(reverse("subsidies:scheme_edit", args=[scheme.pk]))
    form = response.context["form"]
    assert {name for name, field in form.fields.items() if field.disabled} == set(LOCKED)
    page = text(response)
    assert page.count("only its name and the end of its validity can change") == 1
    assert "applied to 2 issued statements" in page
    assert re.search(r'<input[^>]*name="rent_pct"[^>]*disabled', page)
    assert not re.search(r'<input[^>]*name="name"[^>]*disabled', page)
    assert not re.search(r'<input[^>]*name="valid_to"[^>]*disabled', page)
    # and the end of validity says how early it may be: the latest window opened 15 March 2026
    assert "Not before 15 March 2026" in page


def test_a_scheme_applied_to_statements_is_renamed_and_its_end_set_from_its_page(
    client, pseb_staff, scheme, statement
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        as_a_browser_posts(scheme_data(scheme, name="Programme 2022", valid_to="2027-06-30")),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert (scheme.name, scheme.valid_to) == ("Programme 2022", date(2027, 6, 30))
    assert (scheme.rent_pct, scheme.internet_pct) == (Decimal("25.00"), Decimal("100.00"))


def test_a_rule_change_posted_for_an_applied_scheme_saves_nothing_and_says_so_once(
    client, pseb_staff, scheme, statement
):
    """A page opened before the scheme was applied still offers the rules: the change is
    refused out loud rather than dropped silently, and the name change waits too."""
    signed_in(client, pseb_staff)
    url = reverse("subsidies:scheme_edit", args=[scheme.pk])

    response = client.post(url, scheme_data(scheme, name="Renamed", rent_pct="30"))

    assert response.status_code == 200
    assert messages_of(response) == []
    (error,) = response.context["form"].non_field_errors()
    assert "Nothing was saved" in error
    assert "rent subsidy (%)" in error
    page = text(response)
    assert page.count("Nothing was saved") == 1  # the form's error, not also a message
    assert page.count("only its name and the end of its validity can change") == 1
    scheme.refresh_from_db()
    assert (scheme.name, scheme.rent_pct) == ("Default programme", Decimal("25.00"))


def test_an_applied_scheme_may_not_end_before_its_latest_window_said_on_the_field_only(
    client, pseb_staff, scheme, statement
):
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        as_a_browser_posts(scheme_data(scheme, valid_to="2026-01-31")),
    )
    assert response.status_code == 200
    assert messages_of(response) == []
    (error,) = response.context["form"].errors["valid_to"]
    assert "it must stay valid until then" in error
    assert text(response).count("it must stay valid until then") == 1
    scheme.refresh_from_db()
    assert scheme.valid_to is None


def test_a_scheme_applied_to_statements_may_still_be_renamed(client, pseb_staff, scheme, statement):
    # the rules posted unchanged (an old page, or an API-like client) are no change at all
    response = signed_in(client, pseb_staff).post(
        reverse("subsidies:scheme_edit", args=[scheme.pk]),
        scheme_data(scheme, name="Programme 2022"),
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.name == "Programme 2022"


# --- Other charges -------------------------------------------------------------------------------
def charges_url(lease) -> str:
    return reverse("subsidies:lease_charges", args=[lease.pk])


CHARGE = {"period": "2026-04", "description": "Power backup, April", "amount": "3500.00"}


def test_the_lease_page_links_to_its_charges(client, park_manager, lease):
    body = text(
        signed_in(client, park_manager).get(reverse("tenants:lease_detail", args=[lease.pk]))
    )
    assert charges_url(lease) in body


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


# --- Navigation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "billing", "schemes"),
    [
        ("company_user", False, False),
        ("park_manager", False, True),
        ("pseb_staff", True, True),
    ],
)
def test_the_nav_links_billing_pages_by_role(client, request, role, billing, schemes):
    body = text(signed_in(client, request.getfixturevalue(role)).get(reverse("dashboard")))
    assert f'href="{reverse("subsidies:statement_list")}"' in body
    assert (f'href="{reverse("subsidies:billing_run_list")}"' in body) is billing
    assert (f'href="{reverse("subsidies:scheme_list")}"' in body) is schemes


def current_nav_links(response) -> list[str]:
    page = response.content.decode()
    nav = page[page.index('<nav class="site-nav') : page.index("</nav>")]
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("role", "url", "section"),
    [
        ("company_user", "dashboard", "Dashboard"),
        ("company_user", "tenants:application_list", "Applications"),
        ("company_user", "tenants:application_create", "Applications"),
        ("company_user", "tenants:lease_list", "Leases"),
        ("company_user", "tenants:company", "Company"),
        ("company_user", "tenants:company_edit", "Company"),
        ("company_user", "subsidies:statement_list", "Statements"),
        ("company_user", "parks:list", "Parks"),
        ("park_manager", "parks:managed", "My parks"),
        ("park_manager", "parks:units", "My parks"),
        ("park_manager", "parks:occupancy", "My parks"),
        ("park_manager", "parks:detail", "Parks"),
        ("park_manager", "subsidies:scheme_list", "Schemes"),
        ("pseb_staff", "tenants:lease_list", "Leases"),
        ("pseb_staff", "subsidies:billing_run_list", "Billing"),
        ("pseb_staff", "subsidies:scheme_create", "Schemes"),
    ],
)
def test_the_nav_marks_the_section_of_the_current_page(client, request, park, role, url, section):
    args = [park.code] if url in ("parks:units", "parks:occupancy", "parks:detail") else []
    response = signed_in(client, request.getfixturevalue(role)).get(reverse(url, args=args))
    assert response.status_code == 200
    assert current_nav_links(response) == [section]


def test_the_nav_marks_the_section_of_detail_pages_too(
    client, pseb_staff, company_user, statement, lease
):
    signed_in(client, pseb_staff)
    assert current_nav_links(client.get(detail_url(statement))) == ["Statements"]
    assert current_nav_links(client.get(charges_url(lease))) == ["Leases"]
    run = reverse("subsidies:billing_run_detail", args=[statement.billing_run_id])
    assert current_nav_links(client.get(run)) == ["Billing"]
    lease_page = reverse("tenants:lease_detail", args=[lease.pk])
    assert current_nav_links(client.get(lease_page)) == ["Leases"]
    # the public check of a statement is no page of the Statements section
    assert current_nav_links(client.get(verify_url(statement))) == []


@pytest.mark.parametrize(("first_name", "shown"), [("", "manager.guj"), ("Imran", "Imran Ali")])
def test_the_nav_names_the_user_as_the_dashboard_greets_them(
    client, park_manager, first_name, shown
):
    park_manager.first_name, park_manager.last_name = first_name, "Ali" if first_name else ""
    park_manager.save()
    page = text(signed_in(client, park_manager).get(reverse("dashboard")))
    assert f">{shown}</a>" in page
    assert f"Welcome, {shown}" in page


def test_pages_carry_no_inline_style_or_script(client, pseb_staff, statement, lease):
    signed_in(client, pseb_staff)
    for url in (
        reverse("subsidies:statement_list"),
        detail_url(statement),
        reverse("subsidies:billing_run_list"),
        reverse("subsidies:billing_run_detail", args=[statement.billing_run_id]),
        reverse("subsidies:scheme_list"),
        reverse("subsidies:scheme_create"),
        charges_url(lease),
        verify_url(statement),
    ):
        body = client.get(url).content.decode()
        assert "<script" not in body, url
        assert "style=" not in body, url
        assert "<style" not in body, url
