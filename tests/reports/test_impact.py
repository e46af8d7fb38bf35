"""Jobs and impact (domain.md §7.6) against a hand-worked example, its scope, files, API and
query count.

The example, as of D = 1 December 2026, quarter Q = 2026-27 Q1 (July–September 2026, due 10
October 2026, so a return not filed by D is overdue). Two parks: GUJ (Gujranwala, Punjab) and
GLT (Gilgit, Gilgit-Baltistan), both secondary. Four companies:

- **Alpha**, GUJ from 1 April 2026: 2025-26 Q4 with 2 in the park (1 woman), exports 1,000;
  Q with 5 in the park (2 women), 3 hires (1 woman), exports 3,000, revenue 100,000.
  Jobs since joining: 5 − 2 = **3**.
- **Beta**, GUJ and GLT from 1 July 2026. GUJ Q: 10 in the park (6 women), 4 hires (3 women),
  exports 5,000, revenue 200,000. GLT Q: filed with 4 (1 woman), then **amended** to 6
  (3 women), 2 hires (1 woman), exports 2,000.50, revenue 0: the amendment counts. Its first
  return in each park is Q's: jobs since joining 0 and 0.
- **Gamma**, GLT from 10 January 2026: 2025-26 Q3 with 1 in the park, exports 100; Q4 with 4
  (2 women), exports 400; **Q not filed** (overdue). Jobs since joining: its latest return up
  to Q (Q4: 4) less its first (Q3: 1) = **3**.
- **Delta**, GUJ from 1 April to 30 June 2026 only: Q4 with 7 in the park (3 women), exports
  700. Not a tenant in Q: in no Q figure, only in the series.

Q per park (tenants, owed, filed, overdue, compliance %; in the park, women, share %; hires
and women hired; exports USD; revenue PKR; jobs since joining):

- GUJ: 2 (Alpha, Beta), 2, 2, 0, 100.0; 5 + 10 = 15, 2 + 6 = 8, 53.3; 7 (4); 8,000.00;
  300,000.00; 3 + 0 = 3.
- GLT: 2 (Beta, Gamma), 2, 1, 1, 50.0; 6, 3, 50.0; 2 (1); 2,000.50; 0.00; 0 + 3 = 3.
- total: 3 (Beta once), 4, 3, 1, 75.0; 21, 11, 52.4 (11 / 21); 9 (5); 10,000.50;
  300,000.00; 6.

Per tier (both secondary): one row equal to the total, 3 tenants (not 2 + 2). Series: 2025-26
Q3 1 in the parks, exports 100; Q4 2+4+7 = 13 (6 women), exports 2,100; Q 21 (11), 10,000.50.
Exports over the last four quarters: 100 + 2,100 + 10,000.50 = 12,200.50.

When each was filed (in Pakistan): a return on the 3rd day after its quarter's end (Q's on
3 October), except Beta's GUJ return for Q on 8 October, its GLT amendment on 20 October, and
Gamma's Q4 return late, on 1 November. So as of 5 October Q's filed returns are Alpha's and
Beta's GLT first version (below, ``test_as_of_a_day_only_the_returns_filed_by_it_count``).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.calendar import KARACHI, FiscalQuarter
from core.vocabulary import Province, Tier
from reports.frame import ReportFilters, report_scope
from reports.overview import headlines
from reports.quarters import quarters_up_to
from reports.selectors.impact import impact_report
from returns.services import progress_return_amend, progress_return_file
from tenants.models import Lease
from tenants.services import lease_terminate
from tests import factories
from tests.returns.support import figures, tenant
from tests.xlsx import read_xlsx

pytestmark = pytest.mark.django_db

D = date(2026, 12, 1)
Q = FiscalQuarter(2026, 1)
Q3, Q4 = FiscalQuarter(2025, 3), FiscalQuarter(2025, 4)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11, 30), tzinfo=KARACHI)


def _file(
    user, company, park, quarter, *, in_park, women=0, hires=0, hires_women=0, on=None, **money
):
    """Files a return on ``on`` (by default the 3rd day after its quarter's end)."""
    return progress_return_file(
        user=user,
        company=company,
        park=park,
        quarter=quarter,
        figures=figures(
            employees=in_park + 1,
            employees_women=women,
            in_park=in_park,
            in_park_women=women,
            new_hires=hires,
            new_hires_women=hires_women,
            export_earnings_usd=Decimal(money.get("exports", "0.00")),
            domestic_revenue_pkr=Decimal(money.get("revenue", "0.00")),
        ),
        today=D,
        filed_at=_at(on or quarter.last + timedelta(days=3)),
    )


@pytest.fixture
def example():
    guj = factories.ParkFactory(
        code="GUJ", name="Gujranwala STP", city="Gujranwala", province=Province.PUNJAB
    )
    glt = factories.ParkFactory(
        code="GLT",
        name="SCO STP Gilgit",
        city="Gilgit",
        province=Province.GILGIT_BALTISTAN,
        tier=Tier.SECONDARY,
    )
    alpha, a = tenant(guj, start=date(2026, 4, 1))
    _file(alpha, a, guj, Q4, in_park=2, women=1, exports="1000.00")
    _file(alpha, a, guj, Q, in_park=5, women=2, hires=3, hires_women=1, exports="3000.00",
          revenue="100000.00")  # fmt: skip
    beta, b = tenant(guj, start=date(2026, 7, 1))
    tenant(glt, start=date(2026, 7, 1), user=beta)
    _file(beta, b, guj, Q, in_park=10, women=6, hires=4, hires_women=3, exports="5000.00",
          revenue="200000.00", on=date(2026, 10, 8))  # fmt: skip
    first = _file(beta, b, glt, Q, in_park=4, women=1, exports="9999.00")
    progress_return_amend(
        user=beta,
        previous=first,
        reason="Two more engineers moved into the park.",
        figures=figures(
            employees=6,
            employees_women=3,
            in_park=6,
            in_park_women=3,
            new_hires=2,
            new_hires_women=1,
            export_earnings_usd=Decimal("2000.50"),
            domestic_revenue_pkr=Decimal("0.00"),
        ),
        filed_at=_at(date(2026, 10, 20)),
    )
    gamma, c = tenant(glt, start=date(2026, 1, 10))
    _file(gamma, c, glt, Q3, in_park=1, exports="100.00")
    _file(gamma, c, glt, Q4, in_park=4, women=2, exports="400.00", on=date(2026, 11, 1))
    delta, d = tenant(guj, start=date(2026, 4, 1), end=date(2026, 6, 30))
    _file(delta, d, guj, Q4, in_park=7, women=3, exports="700.00")
    return guj, glt


def _read(user, **filters):
    chosen = ReportFilters(as_of=D, quarter=Q, **filters)
    return impact_report(report_scope(user, chosen), chosen)


def _figures(row, *keys):
    return {key: row[key] for key in keys}


KEYS = (
    "tenants",
    "owed",
    "due",
    "filed",
    "overdue",
    "compliance_percent",
    "in_park",
    "in_park_women",
    "women_percent",
    "new_hires",
    "new_hires_women",
    "export_earnings_usd",
    "domestic_revenue_pkr",
    "jobs_since_joining",
)


def _expected(*values):
    return dict(zip(KEYS, values, strict=True))


GUJ = _expected(2, 2, 0, 2, 0, Decimal("100.0"), 15, 8, Decimal("53.3"), 7, 4,
                Decimal("8000.00"), Decimal("300000.00"), 3)  # fmt: skip
GLT = _expected(2, 2, 0, 1, 1, Decimal("50.0"), 6, 3, Decimal("50.0"), 2, 1,
                Decimal("2000.50"), Decimal("0.00"), 3)  # fmt: skip
TOTAL = _expected(3, 4, 0, 3, 1, Decimal("75.0"), 21, 11, Decimal("52.4"), 9, 5,
                  Decimal("10000.50"), Decimal("300000.00"), 6)  # fmt: skip


def test_the_impact_figures_equal_the_hand_worked_example(example, pseb_staff):
    report = _read(pseb_staff)
    rows = {row["park"]: row for row in report.table.rows}
    assert _figures(rows["GUJ"], *KEYS) == GUJ
    assert _figures(rows["GLT"], *KEYS) == GLT
    assert _figures(report.table.totals, *KEYS) == TOTAL
    assert rows["GLT"]["province"] == "Gilgit-Baltistan"
    # per city and province: one park each; per tier: both, Beta one tenant
    cities = {row["city"]: row for row in report.tables["cities"].rows}
    assert _figures(cities["Gilgit"], *KEYS) == GLT
    assert _figures(cities["Gujranwala"], *KEYS) == GUJ
    provinces = {row["province"]: row for row in report.tables["provinces"].rows}
    assert _figures(provinces["Punjab"], *KEYS) == GUJ
    (tier,) = report.tables["tiers"].rows
    assert tier["tier"] == "Secondary"
    assert _figures(tier, *KEYS) == TOTAL
    # the series of the 8 quarters up to Q
    series = {row["quarter"]: row for row in report.tables["series"].rows}
    assert list(series) == [str(q) for q in quarters_up_to(Q, 8)]
    assert list(series)[-1] == "2026-27 Q1"
    assert _figures(series["2025-26 Q3"], "in_park", "export_earnings_usd") == {
        "in_park": 1,
        "export_earnings_usd": Decimal("100.00"),
    }
    assert _figures(series["2025-26 Q4"], "in_park", "in_park_women", "returns") == {
        "in_park": 13,
        "in_park_women": 6,
        "returns": 3,
    }
    assert series["2026-27 Q1"]["in_park"] == 21
    assert series["2026-27 Q1"]["export_earnings_usd"] == Decimal("10000.50")
    assert series["2024-25 Q2"]["in_park"] == 0
    assert report.figures["exports_last_4_quarters"] == Decimal("12200.50")
    assert report.figures["jobs_since_joining"] == 6
    assert report.chart is not None
    assert len(report.charts) == 2
    assert report.chart.series[0].values[-2:] == (13, 21)


def test_before_the_due_date_a_return_not_filed_is_due_not_overdue(example, pseb_staff):
    chosen = ReportFilters(as_of=date(2026, 10, 10), quarter=Q)
    totals = impact_report(report_scope(pseb_staff, chosen), chosen).table.totals
    assert _figures(totals, "owed", "due", "filed", "overdue") == {
        "owed": 4,
        "due": 1,
        "filed": 3,
        "overdue": 0,
    }


def test_as_of_a_day_only_the_returns_filed_by_it_count(example, pseb_staff):
    """As of 5 October: Q's returns filed are Alpha's (3 October) and Beta's GLT first
    version (3 October, 4 in the park, exports 9,999); Beta's GUJ return (8 October) is due,
    its amendment (20 October) not yet filed, Gamma's Q4 return (1 November) not yet filed.
    Jobs since joining: Alpha 5 − 2 = 3, Beta's GLT 4 − 4 = 0, Gamma Q3's 1 − 1 = 0."""
    chosen = ReportFilters(as_of=date(2026, 10, 5), quarter=Q)
    report = impact_report(report_scope(pseb_staff, chosen), chosen)
    keys = ("owed", "due", "filed", "overdue", "in_park", "export_earnings_usd")
    assert _figures(report.table.totals, *keys) == {
        "owed": 4,
        "due": 2,
        "filed": 2,
        "overdue": 0,
        "in_park": 5 + 4,
        "export_earnings_usd": Decimal("12999.00"),
    }
    assert report.table.totals["jobs_since_joining"] == 3
    series = {row["quarter"]: row for row in report.tables["series"].rows}
    assert (series["2025-26 Q4"]["in_park"], series["2025-26 Q4"]["returns"]) == (2 + 7, 2)
    assert series["2026-27 Q1"]["in_park"] == 9
    # exports over the four quarters: Q3 100, Q4 1,000 + 700, Q 12,999
    assert report.figures["exports_last_4_quarters"] == Decimal("14799.00")
    assert "filed by 05 October 2026" in report.notes[1]
    # the day before Beta's amendment it does not count yet; on its day it does
    rows = {day: _read_on(pseb_staff, date(2026, 10, day)) for day in (19, 20)}
    assert rows[19]["in_park"] == 5 + 10 + 4
    assert rows[20]["in_park"] == 5 + 10 + 6


def _read_on(user, as_of):
    chosen = ReportFilters(as_of=as_of, quarter=Q)
    return impact_report(report_scope(user, chosen), chosen).table.totals


def test_a_return_no_longer_owed_counts_in_no_figure(example, pseb_staff):
    """Alpha's GUJ lease terminated back to 30 June 2026: it no longer owes Q (its filed
    return stays filed), so GUJ's only tenant in Q is Beta. Q: tenants Beta and Gamma, owed
    3, filed 2 (Beta's), overdue 1 (Gamma); 10 + 6 in the parks; jobs since joining Gamma's
    3. Its Q4 return is still owed and counts in the series."""
    guj, _ = example
    lease = Lease.objects.get(park=guj, start_date=date(2026, 4, 1), end_date__isnull=True)
    lease_terminate(user=pseb_staff, lease=lease, end_date=date(2026, 6, 30), today=D)
    report = _read(pseb_staff)
    rows = {row["park"]: row for row in report.table.rows}
    keys = ("tenants", "owed", "filed", "due", "overdue", "in_park", "export_earnings_usd")
    assert _figures(rows["GUJ"], *keys) == {
        "tenants": 1,
        "owed": 1,
        "filed": 1,
        "due": 0,
        "overdue": 0,
        "in_park": 10,
        "export_earnings_usd": Decimal("5000.00"),
    }
    assert _figures(report.table.totals, *keys) == {
        "tenants": 2,
        "owed": 3,
        "filed": 2,
        "due": 0,
        "overdue": 1,
        "in_park": 16,
        "export_earnings_usd": Decimal("7000.50"),
    }
    assert report.table.totals["compliance_percent"] == Decimal("66.7")
    assert report.table.totals["jobs_since_joining"] == 3
    series = {row["quarter"]: row for row in report.tables["series"].rows}
    assert series["2026-27 Q1"]["in_park"] == 16
    assert series["2025-26 Q4"]["in_park"] == 13
    assert report.figures["exports_last_4_quarters"] == Decimal("9200.50")  # 12,200.50 − 3,000
    overview = headlines(report_scope(pseb_staff, ReportFilters(as_of=D)), ReportFilters(as_of=D))
    assert overview["impact"]["in_park"] == 16
    assert overview["impact"]["compliance_percent"] == Decimal("66.7")


def test_an_earlier_quarter_counts_its_own_tenants_and_returns(example, pseb_staff):
    """2025-26 Q4: Alpha and Delta in GUJ (both filed), Gamma in GLT (filed); Beta had no
    lease yet. Jobs since joining: Alpha 2 − 2, Delta 7 − 7, Gamma 4 − 1 = 3."""
    chosen = ReportFilters(as_of=D, quarter=Q4)
    report = impact_report(report_scope(pseb_staff, chosen), chosen)
    assert _figures(report.table.totals, "tenants", "owed", "filed", "in_park") == {
        "tenants": 3,
        "owed": 3,
        "filed": 3,
        "in_park": 13,
    }
    assert report.table.totals["jobs_since_joining"] == 3


def test_a_manager_sees_their_park_and_a_company_user_gets_404(
    example, client, company_user, pseb_staff
):
    guj, _ = example
    manager = factories.ParkManagerAssignmentFactory(park=guj).user
    report = _read(manager)
    assert [row["park"] for row in report.table.rows] == ["GUJ"]
    # Beta is a tenant of GUJ only, in the manager's totals
    assert _figures(report.table.totals, *KEYS) == GUJ
    client.force_login(company_user)
    assert client.get(reverse("reports:report", args=["impact"])).status_code == 404
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=company_user)[1]}")
    assert api.get("/api/v1/reports/impact/").status_code == 404


def _api(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return api


def test_the_api_answers_the_quarter_asked_with_money_as_strings(example, pseb_staff):
    answer = _api(pseb_staff).get(
        "/api/v1/reports/impact/", {"quarter": "2026-27 Q1", "as_of": "2026-12-01"}
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["filters"]["Quarter"] == "2026-27 Q1"
    assert body["totals"]["export_earnings_usd"] == "10000.50"
    assert body["totals"]["compliance_percent"] == "75.0"
    assert body["totals"]["jobs_since_joining"] == 6
    assert {row["park"] for row in body["rows"]} == {"GUJ", "GLT"}
    assert len(body["series"]["rows"]) == 8
    assert body["figures"]["exports_last_4_quarters"] == "12200.50"


def test_without_a_quarter_the_report_takes_the_latest_one_over(example, pseb_staff):
    answer = _api(pseb_staff).get("/api/v1/reports/impact/", {"as_of": "2027-01-05"})
    assert answer.json()["filters"]["Quarter"] == "2026-27 Q2"
    answer = _api(pseb_staff).get("/api/v1/reports/impact/", {"as_of": "2026-12-01"})
    assert answer.json()["totals"]["in_park"] == 21


def test_a_series_reaching_before_the_calendar_is_empty_there(pseb_staff, park):
    answer = _api(pseb_staff).get(
        "/api/v1/reports/impact/", {"quarter": "1990-91 Q1", "as_of": "1991-01-01"}
    )
    assert answer.status_code == 200
    assert [row["quarter"] for row in answer.json()["series"]["rows"]][:2] == [
        "1988-89 Q2",
        "1988-89 Q3",
    ]
    assert answer.json()["totals"]["owed"] == 0


@pytest.mark.parametrize(
    ("quarter", "message"),
    [
        ("2026-27 Q2", "2026-27 Q2 is not over on 1 December 2026"),
        ("2026-28 Q1", "Write the fiscal year as YYYY-YY"),
        ("2026-27 Q5", "Write the quarter as YYYY-YY Qn"),
        ("2026-27  Q1", "Write the quarter as YYYY-YY Qn"),
        (" 2026-27 Q1", "Write the quarter as YYYY-YY Qn"),
        ("1989-90 Q1", "Write a fiscal year between 1990 and 2999"),
    ],
)
def test_a_bad_quarter_is_refused_with_a_message(pseb_staff, client, quarter, message):
    answer = _api(pseb_staff).get(
        "/api/v1/reports/impact/", {"quarter": quarter, "as_of": "2026-12-01"}
    )
    assert answer.status_code == 400
    assert list(answer.json()) == ["quarter"]
    assert message in answer.json()["quarter"][0]
    client.force_login(pseb_staff)
    page = client.get(
        reverse("reports:report", args=["impact"]), {"quarter": quarter, "as_of": "2026-12-01"}
    )
    assert page.status_code == 400


@pytest.mark.parametrize(
    ("report", "query", "message"),
    [
        ("occupancy", {"quarter": "2026-99 Q1"}, "Quarter (not used by this report): Write"),
        ("impact", {"months": "99"}, "Months of history (not used by this report): Ensure"),
        ("impact", {"from": "2026-13"}, "From (YYYY-MM) (not used by this report): There is"),
    ],
)
def test_a_bad_filter_the_report_does_not_read_is_refused_and_said_on_the_page(
    client, pseb_staff, report, query, message
):
    """The API's schema states every filter for every report, so a value it refuses is a 400
    whichever report is asked for (schemathesis checks it: tests/api/test_fuzz.py); the page
    hides the filters its report does not read, and says what is wrong with one above them."""
    field = next(iter(query))
    answer = _api(pseb_staff).get(f"/api/v1/reports/{report}/", query)
    assert (answer.status_code, list(answer.json())) == (400, [field])
    client.force_login(pseb_staff)
    page = client.get(reverse("reports:report", args=[report]), query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert f'type="hidden" name="{field}"' in page.content.decode()


def test_the_page_shows_the_quarter_filter_and_three_charts(example, client, pseb_staff):
    client.force_login(pseb_staff)
    page = client.get(
        reverse("reports:report", args=["impact"]), {"quarter": "2026-27 Q1", "as_of": "2026-12-01"}
    ).content.decode()
    assert 'name="quarter"' in page
    assert 'type="hidden" name="quarter"' not in page
    assert page.count('<figure class="chart') == 3
    assert "Jobs since joining" in page
    occupancy = client.get(reverse("reports:report", args=["occupancy"])).content.decode()
    assert 'type="hidden" name="quarter"' in occupancy


def test_the_files_hold_the_rows_of_the_page_and_name_the_quarter(example, client, pseb_staff):
    client.force_login(pseb_staff)
    url = reverse("reports:report", args=["impact"])
    query = {"quarter": "2026-27 Q1", "as_of": "2026-12-01"}
    response = client.get(url, {**query, "format": "csv"})
    assert "quarter-2026-27-Q1" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["Quarter", "2026-27 Q1"] in lines
    header = next(i for i, line in enumerate(lines) if line[:2] == ["Park code", "Park"])
    assert [line[0] for line in lines[header + 1 : header + 3]] == ["GUJ", "GLT"]  # by name
    assert lines[header + 3][1] == "All parks"  # the totals row
    sheet = read_xlsx(
        b"".join(client.get(url, {**query, "format": "xlsx", "table": "tiers"}).streaming_content)
    )
    start = next(i for i, row in enumerate(sheet) if row and row[0] == "Tier")
    assert sheet[start + 1][0] == "Secondary"
    assert len(sheet) - start - 1 == 2  # the row and its totals


def test_the_overview_cards_equal_the_reports_figures(example, pseb_staff):
    # as of 5 October only some of Q's returns are filed: the cards read them as the report
    for as_of in (date(2026, 10, 5), date(2026, 10, 19)):
        filters = ReportFilters(as_of=as_of)
        scope = report_scope(pseb_staff, filters)
        quick, full = headlines(scope, filters)["impact"], impact_report(scope, filters).figures
        for key in (
            "quarter",
            "in_park",
            "women_percent",
            "exports_last_4_quarters",
            "compliance_percent",
        ):
            assert quick[key] == full[key], (as_of, key)
    assert quick["compliance_percent"] == Decimal("75.0")
    filters = ReportFilters(as_of=D)
    scope = report_scope(pseb_staff, filters)
    quick = headlines(scope, filters)["impact"]
    full = impact_report(scope, filters).figures
    for key in ("quarter", "in_park", "women_percent", "exports_last_4_quarters"):
        assert quick[key] == full[key], key
    assert quick["compliance_percent"] == full["compliance_percent"]
    assert quick["in_park"] == 21
    assert quick["women_percent"] == Decimal("52.4")
    assert quick["exports_last_4_quarters"] == Decimal("12200.50")
    assert quick["compliance_percent"] == Decimal("75.0")


def _queries(user):
    with CaptureQueriesContext(connection) as queries:
        _read(user)
    return len(queries)


def test_the_report_reads_the_same_number_of_queries_for_2_or_many_parks_and_tenants(
    example, pseb_staff
):
    few = _queries(pseb_staff)
    for n in range(6):
        park = factories.ParkFactory(city=f"City {n}", province=Province.SINDH, tier=Tier.METRO)
        for _ in range(3):
            user, company = tenant(park, start=date(2026, 1, 1))
            _file(user, company, park, Q4, in_park=3)
            _file(user, company, park, Q, in_park=4)
    many = _queries(pseb_staff)
    assert many == few <= 5  # the scope, then the report's four
    assert _read(pseb_staff).table.totals["jobs_since_joining"] == 6 + 18
