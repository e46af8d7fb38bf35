"""The overview's cards read each report's headline figures without its tables: they must
be the very numbers the reports themselves show, for PSEB and for a park manager."""

import pytest
from django.urls import reverse

from accounts.models import User
from core.tables import Kind
from reports.frame import ReportFilters, report_scope
from reports.overview import cards, headlines
from reports.registry import REPORTS
from stp_portal.demo import seed_demo

pytestmark = pytest.mark.django_db

SHOWN = {
    "occupancy": ["parks_open", "occupancy_percent", "tenants"],
    "subsidy-given": ["this_fiscal_year"],
    "subsidy-liability": ["next_12"],
    "collections": ["outstanding", "overdue"],
    "pipeline": ["waiting"],
    "impact": [
        "quarter",
        "in_park",
        "women_percent",
        "exports_last_4_quarters",
        "compliance_percent",
    ],
}


@pytest.fixture
def demo():
    seed_demo()


def test_each_card_is_its_reports_own_figure_for_pseb_and_managers(demo):
    # one demo for the three readers: seeding it is the slow part
    for username in ("pseb", "manager.gilgit", "manager.punjab"):
        user = User.objects.get(username=username)
        filters = ReportFilters.default()
        scope = report_scope(user, filters)
        quick = headlines(scope, filters)
        for name, keys in SHOWN.items():
            full = REPORTS[name].build(scope, filters).figures
            for key in keys:
                assert quick[name][key] == full[key], (username, name, key)
        # the demo's figures are not all zero: the comparison above compares something
        assert quick["subsidy-given"]["this_fiscal_year"] > 0, username
        assert quick["collections"]["outstanding"] > 0, username
        assert quick["subsidy-liability"]["next_12"] > 0, username


def test_the_overview_links_each_card_and_a_managers_dashboard_shows_theirs(demo, client):
    client.force_login(User.objects.get(username="pseb"))
    page = client.get(reverse("reports:overview")).content.decode()
    scope = report_scope(User.objects.get(username="pseb"), ReportFilters.default())
    for card in cards(scope, ReportFilters.default()):
        assert card.url in page
    for spec in REPORTS.values():
        assert reverse("reports:report", args=[spec.name]) in page
    manager = User.objects.get(username="manager.gilgit")
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your parks&#x27; figures" in page or "Your parks' figures" in page
    scope = report_scope(manager, ReportFilters.default())
    outstanding = next(c for c in cards(scope, ReportFilters.default()) if c.title == "Outstanding")
    assert f"{outstanding.value:,.2f}" in page


def test_every_reports_files_hold_the_rows_of_its_page(demo, client):
    """For each report and each of its tables: the CSV's rows are the page's rows (the page
    shows the first ROWS_SHOWN of a table under the main one; all of them here), cell by
    cell as text, and the XLSX has as many rows."""
    import csv
    import io
    import re

    from tests.xlsx import read_xlsx

    client.force_login(User.objects.get(username="pseb"))
    for spec in REPORTS.values():
        url = reverse("reports:report", args=[spec.name])
        page = client.get(url).content.decode()
        report = spec.build(
            report_scope(User.objects.get(username="pseb"), ReportFilters.default()),
            ReportFilters.default(),
        )
        for name, table in [("", report.table), *report.tables.items()]:
            rows = list(table.rows)
            query = {"format": "csv", **({"table": name} if name else {})}
            body = b"".join(client.get(url, query).streaming_content).decode()
            lines = list(csv.reader(io.StringIO(body)))
            header = lines.index([c.label for c in table.columns])
            data = lines[header + 1 : header + 1 + len(rows)]
            assert len(data) == len(rows), (spec.name, name)
            # text columns hold the same text, row by row
            for column_index, column in enumerate(table.columns):
                if column.kind == Kind.TEXT:
                    assert [line[column_index] for line in data] == [
                        str(row.get(column.key) or "") for row in rows
                    ], (spec.name, name, column.key)
            xlsx = client.get(url, {**query, "format": "xlsx"})
            sheet = read_xlsx(b"".join(xlsx.streaming_content))
            labels = [c.label for c in table.columns]
            start = next(i for i, r in enumerate(sheet) if r[: len(labels)] == labels)
            total = 1 if table.totals is not None and rows else 0
            assert len(sheet) - start - 1 - total == len(rows), (spec.name, name)
        # the page lists the main table's rows (up to a page of them)
        shown = min(len(list(report.table.rows)), 100)
        table_html = page.split(
            'class="table table-vcenter card-table responsive-table report-table"'
        )[1].split("</table>")[0]
        body_rows = re.findall(r"<tr>", table_html.split("<tbody>")[1].split("</tbody>")[0])
        assert len(body_rows) == max(shown, 1), spec.name
