"""The statements list, its filters and its CSV export (domain.md §6): each user sees
the statements of their scope only.
"""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import Period
from subsidies import services
from tests.factories import (
    LeaseFactory,
    MembershipFactory,
)
from tests.subsidies.pages.support import (
    assert_sign_in_redirect,
    signed_in,
    text,
)
from tests.subsidies.support import bill
from tests.xlsx import read_csv, table_part

pytestmark = pytest.mark.django_db


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
        assert wrapper < page.index(
            '<table class="table table-vcenter card-table responsive-table statement-table">'
        ), url


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


def csv_rows(response) -> list[dict]:
    """The export's rows keyed by their column labels (after its heading rows)."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    _, labels, rows = table_part(read_csv(response))
    return [dict(zip(labels, row, strict=True)) for row in rows]


def export_url(fmt="csv"):
    return reverse("subsidies:statement_export", args=[fmt])


def test_the_csv_export_holds_the_users_own_statements_with_the_pages_columns(
    client, company_user, statement, other_statement
):
    rows = csv_rows(signed_in(client, company_user).get(export_url()))
    # A company's list has no Company column: neither has its file.
    assert rows == [
        {
            "Number": statement.number,
            "Park": "Gujranwala STP",
            "Period": "2026-03",
            "Issued": "2026-04-01",
            "Due": "2026-04-16",
            "Net payable": "24677.42",
            "Credited": "0.00",
            "Paid": "0.00",
            "Balance": "24677.42",
            "Status": "Overdue",
        }
    ]


def test_the_older_csv_address_still_answers(client, pseb_staff, statement):
    response = signed_in(client, pseb_staff).get("/statements/export.csv")
    assert statement.number in [r["Number"] for r in csv_rows(response)]


def test_the_csv_export_applies_the_page_filters(client, pseb_staff, statement, other_statement):
    signed_in(client, pseb_staff)
    everything = csv_rows(client.get(export_url()))
    assert {r["Number"] for r in everything} == {statement.number, other_statement.number}
    one_park = csv_rows(client.get(export_url(), {"park": "GLT"}))
    assert [r["Number"] for r in one_park] == [other_statement.number]


def test_the_list_links_to_both_files_with_the_same_filters(client, pseb_staff, statement):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"park": "GUJ", "page": "1"}
    )
    assert f"{export_url('csv')}?park=GUJ" in text(response)
    assert f"{export_url('xlsx')}?park=GUJ" in text(response)
    assert "Download CSV" in text(response)


def test_an_empty_list_offers_no_download(client, pseb_staff, statement):
    response = signed_in(client, pseb_staff).get(
        reverse("subsidies:statement_list"), {"period": "2025-01"}
    )
    assert "0 statements" in text(response)
    assert "Download" not in text(response)


def test_the_csv_export_defuses_names_a_spreadsheet_would_run(client, pseb_staff, park, scheme):
    company = MembershipFactory(company__name='=HYPERLINK("http://x")').company
    LeaseFactory(park=park, company=company, start_date=date(2026, 3, 1))
    bill()
    rows = csv_rows(signed_in(client, pseb_staff).get(export_url()))
    assert rows[0]["Company"] == '\'=HYPERLINK("http://x")'


def test_the_csv_export_with_a_bad_filter_goes_back_to_the_list(client, pseb_staff):
    response = signed_in(client, pseb_staff).get(export_url(), {"period": "13-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("subsidies:statement_list") + "?period=13-2026"


def test_the_csv_export_asks_visitors_to_sign_in(client, statement):
    assert_sign_in_redirect(client.get(export_url()))
