"""The billing lists as CSV and XLSX files (issue 10 §4): statements, payments and subsidy
schemes, with the pages' columns and rows, filters and scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidies import services
from tests.factories import LeaseFactory, SubsidySchemeFactory
from tests.subsidies.pages.support import signed_in, text
from tests.subsidies.support import bill
from tests.xlsx import (
    body_of,
    export_queries,
    page_headers,
    read_csv,
    read_xlsx,
    read_xlsx_cells,
    table_part,
)

pytestmark = pytest.mark.django_db


def today() -> str:
    return f"{timezone.localdate():%Y-%m-%d}"


# --- Statements ------------------------------------------------------------------------------
def test_the_statements_workbook_has_the_pages_columns_with_money_as_numbers(
    client, pseb_staff, statement, other_statement
):
    signed_in(client, pseb_staff)
    page = client.get(reverse("subsidies:statement_list"), {"park": "GUJ"})
    response = client.get(reverse("subsidies:statement_export", args=["xlsx"]), {"park": "GUJ"})
    assert f'filename="statements_asof-{today()}_park-GUJ.xlsx"' in response["Content-Disposition"]
    data = body_of(response)
    heading, labels, rows = table_part(read_xlsx(data))
    assert heading == [["Report", "Statements"], ["As of", today()], ["Park", "GUJ"]]
    assert labels == page_headers(page)
    # domain.md §6's worked example: 35,645.17 gross less 10,967.75 subsidy.
    assert rows == [
        [statement.number, "First Company (Pvt) Ltd", "Gujranwala STP", date(2026, 3, 1),
         date(2026, 4, 1), date(2026, 4, 16), 24677.42, 0, 0, 24677.42, "Overdue"],
    ]  # fmt: skip
    cells = read_xlsx_cells(data)[len(heading) + 2]
    assert cells[3].format == "yyyy-mm"
    assert cells[4].format == "yyyy-mm-dd"
    assert [c.format for c in cells[6:10]] == ["#,##0.00"] * 4


def test_a_companys_statements_file_has_no_company_column_like_its_page(
    client, company_user, statement, other_statement
):
    signed_in(client, company_user)
    page = client.get(reverse("subsidies:statement_list"))
    _, labels, rows = table_part(
        read_csv(client.get(reverse("subsidies:statement_export", args=["csv"])))
    )
    assert labels == page_headers(page)
    assert "Company" not in labels
    assert [r[0] for r in rows] == [statement.number]


# --- Payments --------------------------------------------------------------------------------
@pytest.fixture
def payments(pseb_staff, statement, other_statement):
    mine = services.payment_record(
        user=pseb_staff, statement=statement, amount=Decimal("4677.42"),
        paid_on=date(2026, 4, 10), reference="=cmd|' /C calc'!A0",
    )  # fmt: skip
    theirs = services.payment_record(
        user=pseb_staff, statement=other_statement, amount=Decimal("100.00"),
        paid_on=date(2026, 4, 12), reference="HBL-2",
    )  # fmt: skip
    return mine, theirs


def test_the_payments_page_lists_the_payments_a_user_may_see(client, park_manager, payments):
    mine, _theirs = payments
    response = signed_in(client, park_manager).get(reverse("subsidies:payment_list"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mine]
    assert "4,677.42" in text(response)
    assert "HBL-2" not in text(response)


def test_the_payments_file_has_the_pages_columns_and_rows(client, pseb_staff, payments):
    mine, _theirs = payments
    signed_in(client, pseb_staff)
    page = client.get(reverse("subsidies:payment_list"))
    response = client.get(reverse("subsidies:payment_export", args=["csv"]))
    _, labels, rows = table_part(read_csv(response))
    assert labels == page_headers(page)
    assert len(rows) == page.context["page"].paginator.count == 2
    # Latest first; the reference a spreadsheet would run is defused.
    assert rows[1] == [
        "2026-04-10", mine.statement.number, "First Company (Pvt) Ltd", "Gujranwala STP",
        "2026-03", "'=cmd|' /C calc'!A0", "4677.42",
    ]  # fmt: skip
    workbook = read_xlsx(body_of(client.get(reverse("subsidies:payment_export", args=["xlsx"]))))
    assert table_part(workbook)[2][1][5] == "=cmd|' /C calc'!A0"  # a string cell, no formula


def test_a_company_downloads_its_own_payments_only(client, company_user, payments):
    mine, _theirs = payments
    signed_in(client, company_user)
    response = client.get(reverse("subsidies:payment_export", args=["csv"]), {"park": "GUJ"})
    heading, labels, rows = table_part(read_csv(response))
    assert ["Park", "GUJ"] in heading
    assert "Company" not in labels
    assert [r[1] for r in rows] == [mine.statement.number]
    # A park not among theirs is no valid choice: back to the list with the form's error.
    other = client.get(reverse("subsidies:payment_export", args=["csv"]), {"park": "GLT"})
    assert other.status_code == 302


def test_the_payments_file_takes_as_many_queries_for_30_payments_as_for_3(
    client, pseb_staff, statement
):
    signed_in(client, pseb_staff)

    def pay(n):
        for i in range(n):
            services.payment_record(
                user=pseb_staff, statement=statement, amount=Decimal("10.00"),
                paid_on=date(2026, 4, 10), reference=f"R-{i}",
            )  # fmt: skip

    pay(3)
    few, rows = export_queries(client, reverse("subsidies:payment_export", args=["csv"]))
    assert len(rows) == 3
    pay(27)
    many, rows = export_queries(client, reverse("subsidies:payment_export", args=["csv"]))
    assert len(rows) == 30
    assert many == few


# --- Subsidy schemes -------------------------------------------------------------------------
def test_the_schemes_file_has_the_pages_columns_and_rows(client, pseb_staff, park, statement):
    scheme = SubsidySchemeFactory(
        name="GUJ only", internet_pct=Decimal("50.00"), rent_pct=Decimal("12.50"),
        duration_months=24, valid_from=date(2026, 7, 1), valid_to=date(2027, 6, 30),
    )  # fmt: skip
    scheme.parks.add(park)
    signed_in(client, pseb_staff)
    page = client.get(reverse("subsidies:scheme_list"))
    response = client.get(reverse("subsidies:scheme_export", args=["xlsx"]))
    assert f'filename="schemes_asof-{today()}.xlsx"' in response["Content-Disposition"]
    _, labels, rows = table_part(read_xlsx(body_of(response)))
    assert labels == page_headers(page)
    assert rows == [
        ["GUJ only", 50, 12.5, 24, date(2026, 7, 1), date(2027, 6, 30), "GUJ",
         "First lease start in the park", 0],
        ["Default programme", 100, 25, 12, date(2022, 7, 1), None, "All parks",
         "First lease start in the park", 2],
    ]  # fmt: skip


def test_companies_get_no_schemes_file(client, company_user):
    response = signed_in(client, company_user).get(reverse("subsidies:scheme_export", args=["csv"]))
    assert response.status_code == 404


def test_the_statements_file_of_a_month_with_30_statements_takes_the_queries_of_3(
    client, pseb_staff, park, scheme
):
    signed_in(client, pseb_staff)
    for _ in range(3):
        LeaseFactory(park=park, start_date=date(2026, 3, 1))
    bill()
    url = reverse("subsidies:statement_export", args=["xlsx"])
    with_3 = export_queries_xlsx(client, url)
    for _ in range(27):
        LeaseFactory(park=park, start_date=date(2026, 4, 1))
    bill(period="2026-04", today=date(2026, 5, 1))
    with_30 = export_queries_xlsx(client, url)
    assert with_3[1] == 3
    assert with_3[1] + 27 * 1 + 3 == with_30[1]  # March's 3, April's 27 new and 3 again
    assert with_30[0] == with_3[0]


def export_queries_xlsx(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        data = body_of(client.get(url))
    return len(queries), len(table_part(read_xlsx(data))[2])
