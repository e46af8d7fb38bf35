"""Compliance (domain.md §4a, §7.6): returns owed, filed, due and overdue per park and quarter,
the overdue ones, the page at /returns/compliance/ with its files, and the dashboards.

The world, on 5 January 2027 (2026-27 Q2 is due on the 10th, Q1 was due on 10 October):
- Alpha in GUJ since July 2026: Q1 filed and amended (counts once), Q2 due;
- Bravo in GUJ since July 2026: Q1 overdue (87 days), Q2 due;
- Delta in GUJ from October 2025 to March 2026: 2025-26 Q2 and Q3 overdue (360 and 270 days);
- Charlie in GLT since 15 August 2026: Q1 filed, Q2 due.
"""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import FiscalQuarter
from returns.compliance import compliance, last_quarters, overdue_returns, overdue_rows
from returns.services import progress_return_amend, progress_return_file
from tests import factories
from tests.returns.support import figures, tenant
from tests.xlsx import read_csv, read_xlsx, table_part

pytestmark = pytest.mark.django_db

TODAY = date(2027, 1, 5)
Q1, Q2 = FiscalQuarter(2026, 1), FiscalQuarter(2026, 2)
DEFAULT_QUARTERS = ["2026-27 Q2", "2026-27 Q1", "2025-26 Q4", "2025-26 Q3"]


def company(park, name, start, end=None):
    user, made = tenant(park, start=start, end=end)
    made.name = name
    made.save()
    return user, made


def file(user, made, park, quarter):
    return progress_return_file(
        user=user, company=made, park=park, quarter=quarter, figures=figures(), today=TODAY
    )


@pytest.fixture
def world(park, other_park):
    alpha_user, alpha = company(park, "Alpha", date(2026, 7, 1))
    first = file(alpha_user, alpha, park, Q1)
    progress_return_amend(
        user=alpha_user, previous=first, reason="Typo in hires", figures=figures(new_hires=4)
    )
    company(park, "Bravo", date(2026, 7, 1))
    company(park, "Delta", date(2025, 10, 1), date(2026, 3, 31))
    charlie_user, charlie = company(other_park, "Charlie", date(2026, 8, 15))
    file(charlie_user, charlie, other_park, Q1)
    return {"park": park, "other_park": other_park}


def figures_of(rows, parks):
    codes = {park.pk: park.code for park in parks}
    return [(str(r.quarter), codes[r.park_id], r.owed, r.filed, r.due, r.overdue) for r in rows]


@pytest.fixture
def today():
    with mock.patch.object(timezone, "localdate", return_value=TODAY):
        yield TODAY


# --- the selector -------------------------------------------------------------------------------
def test_the_last_four_quarters_are_those_over_newest_first():
    assert [str(q) for q in last_quarters(TODAY)] == DEFAULT_QUARTERS
    assert [str(q) for q in last_quarters(date(2026, 7, 1), 2)] == ["2025-26 Q4", "2025-26 Q3"]


def test_compliance_counts_each_return_once_by_status_per_park_and_quarter(world, park, other_park):
    rows = compliance(None, last_quarters(TODAY), TODAY)
    # (quarter, park, owed, filed, due, overdue): newest quarter first, then by park
    assert figures_of(rows, [park, other_park]) == [
        ("2026-27 Q2", "GUJ", 2, 0, 2, 0),
        ("2026-27 Q2", "GLT", 1, 0, 1, 0),
        ("2026-27 Q1", "GUJ", 2, 1, 0, 1),  # Alpha's amendment counts once
        ("2026-27 Q1", "GLT", 1, 1, 0, 0),
        ("2025-26 Q3", "GUJ", 1, 0, 0, 1),  # Delta's 2025-26 Q2 is older than 4 quarters
    ]
    assert all(r.owed == r.filed + r.due + r.overdue for r in rows)
    assert sum(r.owed for r in rows) == 7


def test_compliance_of_one_park_and_quarter(world, park):
    rows = compliance([park.pk], [Q1], TODAY)
    assert figures_of(rows, [park]) == [("2026-27 Q1", "GUJ", 2, 1, 0, 1)]
    assert compliance([park.pk], [], TODAY) == []


def test_the_overdue_returns_longest_overdue_first(world, park):
    overdue = overdue_rows(overdue_returns(None, None, TODAY), TODAY)
    assert [
        (r.company, r.park_code, str(r.quarter), r.due_date, r.days_overdue) for r in overdue
    ] == [
        ("Delta", "GUJ", "2025-26 Q2", date(2026, 1, 10), 360),
        ("Delta", "GUJ", "2025-26 Q3", date(2026, 4, 10), 270),
        ("Bravo", "GUJ", "2026-27 Q1", date(2026, 10, 10), 87),
    ]
    assert overdue_returns(None, last_quarters(TODAY), TODAY).count() == 2
    assert overdue_returns([], None, TODAY).count() == 0


def test_a_return_filed_late_is_no_longer_overdue(world, park):
    bravo = park.leases.get(company__name="Bravo")
    user = bravo.company.memberships.get().user
    file(user, bravo.company, park, Q1)
    assert [r.company for r in overdue_rows(overdue_returns(None, [Q1], TODAY), TODAY)] == []
    (row,) = list(compliance([park.pk], [Q1], TODAY))
    assert (row.filed, row.overdue) == (2, 0)


def test_compliance_reads_a_bounded_number_of_queries(park, other_park, django_assert_num_queries):
    company(park, "One", date(2026, 7, 1))
    with django_assert_num_queries(1):
        few = compliance(None, last_quarters(TODAY), TODAY)
    for n in range(20):
        company(park if n % 2 else other_park, f"Many {n}", date(2025, 7, 1))
    with django_assert_num_queries(1):
        many = compliance(None, last_quarters(TODAY), TODAY)
    with django_assert_num_queries(1):
        overdue_rows(overdue_returns(None, None, TODAY), TODAY)
    assert (len(few), len(many)) == (2, 8)


# --- the page and its files ---------------------------------------------------------------------
def page(client, user, **query):
    client.force_login(user)
    return client.get(reverse("compliance:table"), query)


def test_pseb_sees_every_park_and_the_overdue_returns(client, world, pseb_staff, today):
    response = page(client, pseb_staff)
    assert response.status_code == 200
    rows = [
        (r["quarter"], r["park_code"], r["owed"], r["overdue"])
        for r in response.context["table"].rows
    ]
    assert ("2026-27 Q1", "GLT", 1, 0) in rows
    assert len(rows) == 5
    assert response.context["scope_label"] == "All parks"
    assert response.context["overdue_count"] == 2
    assert [r["company"] for r in response.context["overdue"].rows] == ["Delta", "Bravo"]
    assert "Bravo" in response.content.decode()


def test_a_manager_sees_only_their_parks(client, world, park_manager, today):
    response = page(client, park_manager)
    assert {r["park_code"] for r in response.context["table"].rows} == {"GUJ"}
    assert response.context["scope_label"] == "Your parks"
    assert "Charlie" not in response.content.decode()
    assert page(client, park_manager, park="GLT").status_code == 400  # not theirs to choose


def test_a_company_user_gets_404(client, world, company_user, today):
    assert page(client, company_user).status_code == 404


def test_a_manager_of_no_park_sees_an_empty_table(client, world, today):
    response = page(client, factories.ParkManagerFactory())
    assert response.status_code == 200
    assert list(response.context["table"].rows) == []
    assert response.context["overdue_count"] == 0


def test_a_quarter_and_a_park_can_be_chosen(client, world, pseb_staff, today):
    response = page(client, pseb_staff, quarter="2026-27 Q1", park="GUJ")
    assert [
        (r["quarter"], r["park_code"], r["filed"], r["overdue"])
        for r in response.context["table"].rows
    ] == [("2026-27 Q1", "GUJ", 1, 1)]
    assert [r["company"] for r in response.context["overdue"].rows] == ["Bravo"]


@pytest.mark.parametrize("quarter", ["2026 Q2", "2026-27 Q5", "9999-00 Q1", "x" * 300])
def test_a_quarter_it_cannot_read_is_a_clear_400(client, pseb_staff, quarter, today):
    response = page(client, pseb_staff, quarter=quarter)
    assert response.status_code == 400
    assert response.context["form"].errors["quarter"]


def test_the_files_hold_the_rows_shown(client, world, pseb_staff, today):
    shown = page(client, pseb_staff, park="GUJ")
    table = shown.context["table"]
    expected = [
        [str(v) if not isinstance(v, date) else v.isoformat() for v in table.cells(row)]
        for row in table.rows
    ]
    heading, labels, rows = table_part(read_csv(page(client, pseb_staff, park="GUJ", format="csv")))
    assert labels == [c.label for c in table.columns]
    assert rows[:-1] == expected
    assert rows[-1][0] == "Total"
    assert rows[-1][4:] == ["5", "1", "2", "2"]
    assert ["Park", "GUJ"] in heading
    xlsx = page(client, pseb_staff, park="GUJ", format="xlsx")
    assert xlsx["Content-Disposition"].endswith('compliance_asof-2027-01-05_park-GUJ.xlsx"')
    _, _, xlsx_rows = table_part(read_xlsx(b"".join(xlsx.streaming_content)))
    assert [row[2] for row in xlsx_rows[:-1]] == [row[2] for row in expected]
    assert [row[4] for row in xlsx_rows[:-1]] == [int(row[4]) for row in expected]


def test_the_overdue_file_holds_every_overdue_return(client, world, pseb_staff, today):
    heading, labels, rows = table_part(
        read_csv(page(client, pseb_staff, format="csv", table="overdue"))
    )
    assert labels == ["Company", "Park code", "Park", "Quarter", "Due date", "Days overdue"]
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("Delta", "2025-26 Q3", "270"),
        ("Bravo", "2026-27 Q1", "87"),
    ]
    assert ["Table", "Overdue returns"] in heading


def test_an_unknown_format_or_table_is_refused(client, world, pseb_staff, today):
    assert page(client, pseb_staff, format="pdf").status_code == 400
    assert page(client, pseb_staff, format="csv", table="nope").status_code == 404


def test_the_page_reads_a_bounded_number_of_queries(
    client, park, other_park, pseb_staff, django_assert_max_num_queries, today
):
    company(park, "One", date(2026, 7, 1))
    client.force_login(pseb_staff)
    url = reverse("compliance:table")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(20):
        company(park if n % 2 else other_park, f"Many {n}", date(2025, 7, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- the dashboards -----------------------------------------------------------------------------
def test_pseb_s_dashboard_shows_the_overdue_returns(client, world, pseb_staff, today):
    client.force_login(pseb_staff)
    response = client.get(reverse("dashboard"))
    assert response.context["overdue_count"] == 3
    assert [r.company for r in response.context["overdue_top"]] == ["Delta", "Delta", "Bravo"]
    assert reverse("compliance:table") in response.content.decode()


def test_a_manager_s_dashboard_shows_their_parks_overdue_returns(
    client, world, other_park_manager, today
):
    client.force_login(other_park_manager)
    response = client.get(reverse("dashboard"))
    assert response.context["overdue_count"] == 0
    assert "No return is overdue." in response.content.decode()
