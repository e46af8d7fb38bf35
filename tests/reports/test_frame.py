"""The report frame: filters, scope, the page, the files and the API render one Report.

A fake report (registered for the test) keeps these tests about the frame, not about any
figure: each report's own tests check its numbers.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.tables import Kind, Table, columns
from reports import registry
from reports.frame import Report, ReportFilters, ReportSpec, Scope, report_scope

pytestmark = pytest.mark.django_db

COLUMNS = columns(
    ("park", "Park"),
    ("period", "Period", Kind.PERIOD),
    ("leases", "Leases", Kind.COUNT),
    ("amount", "Amount (PKR)", Kind.MONEY),
    ("share", "Share", Kind.PERCENT),
    ("on", "On", Kind.DATE),
)


def fake_report(scope: Scope, filters: ReportFilters) -> Report:
    from core.calendar import Period

    rows = [
        {
            "park": park.code,
            "period": Period(2026, 3),
            "leases": 2,
            "amount": Decimal("1234.50"),
            "share": Decimal("12.5"),
            "on": date(2026, 3, 15),
        }
        for park in scope.parks
    ]
    return Report(
        name="fake",
        title="Fake report",
        filters=filters,
        scope=scope,
        table=Table(
            COLUMNS,
            rows,
            totals={"leases": 2 * len(rows), "amount": Decimal("1234.50") * len(rows)},
        ),
        tables={"other": Table(COLUMNS[:1], [{"park": "X"}], title="Other table")},
        figures={"total": Decimal("1234.50") * len(rows), "parks": len(rows)},
    )


@pytest.fixture(autouse=True)
def fake(monkeypatch):
    spec = ReportSpec("fake", "Fake report", "A report for tests.", fake_report, periods=True)
    monkeypatch.setitem(registry.REPORTS, "fake", spec)


@pytest.fixture
def api(pseb_staff):
    client = APIClient()
    _, token = AuthToken.objects.create(user=pseb_staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_scope_of_pseb_is_every_park_and_of_a_manager_their_parks(
    park, other_park, pseb_staff, park_manager
):
    # given / when
    everyone = report_scope(pseb_staff, ReportFilters(as_of=date(2026, 12, 1)))
    theirs = report_scope(park_manager, ReportFilters(as_of=date(2026, 12, 1)))
    # then
    assert sorted(p.code for p in everyone.parks) == ["GLT", "GUJ"]
    assert everyone.label == "All parks"
    assert everyone.whole_programme
    assert [p.code for p in theirs.parks] == ["GUJ"]
    assert theirs.label == "Your parks"
    assert not theirs.whole_programme


def test_scope_narrows_by_the_filters(park, other_park, pseb_staff):
    narrowed = report_scope(pseb_staff, ReportFilters(as_of=date(2026, 12, 1), park="GLT"))
    assert [p.code for p in narrowed.parks] == ["GLT"]
    assert narrowed.label == "Parks shown"


def test_a_manager_cannot_pick_a_park_not_theirs(client, park, other_park, park_manager):
    client.force_login(park_manager)
    response = client.get(reverse("reports:report", args=["fake"]), {"park": "GLT"})
    assert response.status_code == 400
    assert "GLT" not in response.content.decode().split("<select")[0]


def test_page_shows_the_rows_and_totals(client, park, pseb_staff):
    client.force_login(pseb_staff)
    response = client.get(reverse("reports:report", args=["fake"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1,234.50" in page
    assert "12.5%" in page
    assert "Mar 2026" in page
    assert "15 Mar 2026" in page
    assert "Other table" in page


def test_bad_filters_answer_a_clear_message_on_the_page_and_in_the_api(client, api, pseb_staff):
    client.force_login(pseb_staff)
    page = client.get(reverse("reports:report", args=["fake"]), {"from": "2026-13"})
    assert page.status_code == 400
    assert "There is no month 13" in page.content.decode()
    answer = api.get(reverse("api:report", args=["fake"]), {"from": "2026-05", "to": "2026-02"})
    assert answer.status_code == 400
    assert answer.json() == {"to": ["The last month must not be before the first."]}
    answer = api.get(reverse("api:report", args=["fake"]), {"as_of": "9999-01-01"})
    assert answer.status_code == 400
    assert "as_of" in answer.json()


def test_api_answers_rows_totals_and_figures_with_money_as_strings(api, park, other_park):
    answer = api.get(reverse("api:report", args=["fake"]), {"as_of": "2026-11-30"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["as_of"] == "2026-11-30"
    assert body["rows"][0] == {  # parks by name: Gujranwala STP, then SCO STP Gilgit
        "park": "GUJ",
        "period": "2026-03",
        "leases": 2,
        "amount": "1234.50",
        "share": "12.5",
        "on": "2026-03-15",
    }
    assert body["totals"] == {"leases": 4, "amount": "2469.00"}
    assert body["figures"] == {"total": "2469.00", "parks": 2}
    assert body["other"] == {"rows": [{"park": "X"}], "totals": None}


def test_api_csv_has_the_filters_in_its_name_and_first_rows(api, park, other_park):
    answer = api.get(
        reverse("api:report", args=["fake"]),
        {"as_of": "2026-11-30", "park": "GUJ", "format": "csv"},
    )
    assert answer.status_code == 200
    assert "fake_asof-2026-11-30_park-GUJ" in answer["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert ["Report", "Fake report"] in lines
    assert ["As of", "2026-11-30"] in lines
    assert ["Park", "GUJ"] in lines
    header = lines.index(["Park", "Period", "Leases", "Amount (PKR)", "Share (%)", "On"])
    assert lines[header + 1][0] == "GUJ"
    assert lines[header + 1][3] == "1234.50"
    assert len(lines) == header + 3  # one row, then the totals


def test_unknown_format_and_unknown_table_are_refused(client, api, park, pseb_staff):
    client.force_login(pseb_staff)
    assert (
        client.get(reverse("reports:report", args=["fake"]), {"format": "pdf"}).status_code == 400
    )
    assert (
        client.get(
            reverse("reports:report", args=["fake"]), {"format": "csv", "table": "nope"}
        ).status_code
        == 404
    )
    assert api.get(reverse("api:report", args=["nope"])).status_code == 404


def test_a_company_user_and_anonymous_get_nothing(client, company_user, park):
    assert APIClient().get(reverse("api:report", args=["fake"])).status_code == 401
    client.force_login(company_user)
    assert client.get(reverse("reports:report", args=["fake"])).status_code == 404
    assert client.get(reverse("reports:overview")).status_code == 404
