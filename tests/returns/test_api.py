"""The progress-returns API (api.md "Progress returns", issue 11 item 6): owed returns with
their status, filed ones with the figures, every version on request; filing and amending
with every error at once, 409 for a second filing or a stale amendment, 403 for readers,
404 outside scope; never a 500 for any input."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returns.domain import ReturnFigures
from returns.models import ProgressReturn
from returns.services import progress_return_amend
from tests.returns.support import figures, tenant
from tests.returns.test_pages import file_directly, key_of, last_quarter

pytestmark = pytest.mark.django_db
URL = "/api/v1/progress-returns/"
FIELDS = [
    "id",
    "company",
    "park",
    "quarter",
    "due_date",
    "status",
    "version",
    "filed_at",
    *ReturnFigures.names(),
    "reason",
]


def body(**changes) -> dict:
    """The figures as a client sends them: counts as numbers, money as strings."""
    values = figures().as_dict()
    data = {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in values.items()}
    return {**data, **changes}


# --- Reading -------------------------------------------------------------------------------------
def test_owed_returns_are_listed_with_their_status_and_filed_ones_with_figures(
    as_user, park, filer
):
    user, company = filer
    file_directly(user, company, park)
    response = as_user(user).get(URL)
    assert response.status_code == 200
    filed, owed = response.json()["results"]
    assert list(filed) == FIELDS
    assert filed["id"] == key_of(company, park)
    assert (filed["quarter"], filed["status"], filed["version"]) == (
        str(last_quarter()),
        "filed",
        1,
    )
    assert filed["due_date"] == last_quarter().due_date.isoformat()
    assert (filed["employees"], filed["export_earnings_usd"]) == (12, "15000.00")
    assert filed["reason"] == ""
    assert owed["quarter"] == str(last_quarter().previous())
    assert owed["status"] == "overdue"
    assert {owed[name] for name in [*ReturnFigures.names(), "version", "filed_at"]} == {None}


def test_one_return_is_read_by_its_key_and_404_outside_scope(
    as_user, park, pseb_staff, other_park_manager, other_company_user, filer
):
    _, company = filer
    url = f"{URL}{key_of(company, park)}/"
    assert as_user(pseb_staff).get(url).json()["status"] in ("due", "overdue")
    for someone in (other_park_manager, other_company_user):
        assert as_user(someone).get(url).status_code == 404
    for key in ("1-1-1", "99999999999999999999-1-1", "12-3", "abc"):
        assert as_user(pseb_staff).get(f"{URL}{key}/").status_code == 404


def test_the_filters_and_every_version(as_user, pseb_staff, park, other_park, filer):
    user, company = filer
    first = file_directly(user, company, park)
    progress_return_amend(user=user, previous=first, reason="Typo", figures=figures(interns=2))
    tenant(other_park, start=last_quarter().first)
    client = as_user(pseb_staff)

    def ids(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [(row["id"], row["version"]) for row in response.json()["results"]]

    assert len(ids()) == 3
    assert ids(park=park.code, status="filed") == [(key_of(company, park), 2)]
    assert ids(company=company.pk, quarter=str(last_quarter().previous())) == [
        (key_of(company, park, last_quarter().previous()), None)
    ]
    assert ids(versions="all") == [(key_of(company, park), 2), (key_of(company, park), 1)]
    assert ids(versions="all", status="due") == []
    versions = client.get(URL, {"versions": "all"}).json()["results"]
    assert [(v["reason"], v["interns"]) for v in versions] == [("Typo", 2), ("", 1)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"quarter": "2026-27"}, "quarter"),
        ({"quarter": "2026-28 Q1"}, "quarter"),
        ({"quarter": " 2026-27 Q1"}, "quarter"),
        ({"quarter": ""}, "quarter"),
        ({"status": "late"}, "status"),
        ({"company": "x"}, "company"),
        ({"company": "99999999999999999999"}, "company"),
        ({"versions": "some"}, "versions"),
        ({"versions": ""}, "versions"),
    ],
)
def test_a_bad_filter_is_a_400_on_that_filter(as_user, pseb_staff, query, field):
    response = as_user(pseb_staff).get(URL, query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("query", [{}, {"versions": "all"}])
def test_the_list_reads_as_many_queries_for_many_returns_as_for_two(
    as_user, pseb_staff, park, query
):
    client = as_user(pseb_staff)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, query).status_code == 200
        return len(captured)

    for _ in range(2):
        user, company = tenant(park, start=last_quarter().first)
        file_directly(user, company, park)
    few = queries()
    for _ in range(12):
        user, company = tenant(park, start=last_quarter().previous().first)
        first = file_directly(user, company, park)
        progress_return_amend(user=user, previous=first, reason="Fix", figures=figures())
    assert queries() == few


def test_the_cursor_links_walk_every_return_once(as_user, pseb_staff, park):
    for _ in range(5):
        tenant(park, start=last_quarter().previous().first)
    client = as_user(pseb_staff)
    seen, url = [], f"{URL}?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 10


# --- Filing --------------------------------------------------------------------------------------
def test_a_company_files_its_return(as_user, park, filer):
    user, company = filer
    response = as_user(user).post(
        URL, {"park": park.pk, "quarter": str(last_quarter()), **body()}, format="json"
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert (answer["id"], answer["status"], answer["version"]) == (
        key_of(company, park),
        "filed",
        1,
    )
    assert answer["domestic_revenue_pkr"] == "850000.00"
    assert ProgressReturn.objects.get().filed_by == user


def test_every_error_at_once_and_nothing_saved(as_user, park, filer):
    user, _ = filer
    response = as_user(user).post(
        URL,
        {
            "park": "GUJ",
            "quarter": "2026 Q2",
            **body(
                employees="12",
                employees_women=True,
                in_park=13,
                new_hires_women=9,
                interns=10**30,
                export_earnings_usd="1.005",
                domestic_revenue_pkr="-5",
                foreign_clients=2.5,
                export_markets=7,
            ),
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {
        "park",
        "quarter",
        "employees",
        "employees_women",
        "new_hires_women",
        "interns",
        "export_earnings_usd",
        "domestic_revenue_pkr",
        "foreign_clients",
        "export_markets",
    }
    assert errors["interns"] == ["Enter at most 1,000,000."]
    assert errors["quarter"] == ["Write the fiscal year as YYYY-YY, e.g. 2026-27."]
    assert not ProgressReturn.objects.exists()


def test_the_figures_rules_alone_answer_with_every_problem(as_user, park, filer):
    user, _ = filer
    response = as_user(user).post(
        URL,
        {"park": park.pk, "quarter": str(last_quarter()), **body(in_park=13, interns=-1)},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"in_park", "interns"}


def test_filing_twice_or_a_return_not_owed_is_a_409(as_user, park, other_park, filer):
    user, _ = filer
    client = as_user(user)
    first = {"park": park.pk, "quarter": str(last_quarter()), **body()}
    assert client.post(URL, first, format="json").status_code == 201
    again = client.post(URL, first, format="json")
    assert again.status_code == 409
    assert "already been filed" in again.json()["detail"]
    elsewhere = client.post(URL, {**first, "park": other_park.pk}, format="json")
    assert (elsewhere.status_code, "no return is owed" in elsewhere.json()["detail"]) == (409, True)
    running = str(last_quarter().next())
    assert client.post(URL, {**first, "quarter": running}, format="json").status_code == 409
    assert ProgressReturn.objects.count() == 1


def test_readers_may_not_file(as_user, pseb_staff, park_manager, park, filer):
    for reader in (pseb_staff, park_manager):
        response = as_user(reader).post(
            URL, {"park": park.pk, "quarter": str(last_quarter()), **body()}, format="json"
        )
        assert response.status_code == 403
    assert not ProgressReturn.objects.exists()


# --- Amending ------------------------------------------------------------------------------------
def test_an_amendment_is_a_new_version_and_the_latest_counts(as_user, pseb_staff, park, filer):
    user, company = filer
    file_directly(user, company, park)
    url = f"{URL}{key_of(company, park)}/amend/"
    response = as_user(user).post(
        url, {"reason": "Late invoice", "version": 1, **body(employees=13)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["employees"]) == (2, 13)
    assert response.json()["reason"] == "Late invoice"
    shown = as_user(pseb_staff).get(f"{URL}{key_of(company, park)}/").json()
    assert (shown["version"], shown["employees"]) == (2, 13)
    versions = as_user(pseb_staff).get(URL, {"versions": "all"}).json()["results"]
    assert [(v["version"], v["employees"]) for v in versions] == [(2, 13), (1, 12)]


def test_amending_needs_a_filed_return_and_the_latest_version(as_user, park, filer):
    user, company = filer
    client = as_user(user)
    url = f"{URL}{key_of(company, park)}/amend/"
    not_filed = client.post(url, {"reason": "Fix", **body()}, format="json")
    assert not_filed.status_code == 409
    assert "not filed yet" in not_filed.json()["detail"]
    file_directly(user, company, park)
    assert client.post(url, {"reason": "Fix", **body()}, format="json").status_code == 201
    stale = client.post(url, {"reason": "Mine", "version": 1, **body()}, format="json")
    assert stale.status_code == 409
    assert "already been amended" in stale.json()["detail"]
    unknown = client.post(url, {"reason": "Mine", "version": 9, **body()}, format="json")
    assert (unknown.status_code, list(unknown.json())) == (400, ["version"])
    assert ProgressReturn.objects.count() == 2


def test_an_amendment_without_a_reason_names_it_with_the_figures_problems(as_user, park, filer):
    user, company = filer
    file_directly(user, company, park)
    url = f"{URL}{key_of(company, park)}/amend/"
    response = as_user(user).post(url, body(new_hires_women=4), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"reason", "new_hires_women"}


def test_readers_may_not_amend_and_others_do_not_see_the_return(
    as_user, pseb_staff, park_manager, other_company_user, park, filer
):
    user, company = filer
    file_directly(user, company, park)
    url = f"{URL}{key_of(company, park)}/amend/"
    data = {"reason": "Fix", **body()}
    for reader in (pseb_staff, park_manager):
        assert as_user(reader).post(url, data, format="json").status_code == 403
    assert as_user(other_company_user).post(url, data, format="json").status_code == 404
    assert ProgressReturn.objects.count() == 1


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (1e16, "The amount can be at most 999,999,999,999.99."),
        (" 12", "Enter an amount, e.g. 12500.00."),
        ("12.", "Enter an amount, e.g. 12500.00."),
        ("-0.00", "Enter 0.00 or more."),
    ],
)
def test_an_amount_outside_the_documented_pattern_is_refused_with_its_message(
    as_user, park, filer, sent, message
):
    user, _ = filer
    data = {"park": park.pk, "quarter": str(last_quarter()), **body(export_earnings_usd=sent)}
    response = as_user(user).post(URL, data, format="json")
    assert (response.status_code, response.json()) == (400, {"export_earnings_usd": [message]})
    assert not ProgressReturn.objects.exists()


# --- Never a 500 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sent",
    [
        [],
        [1, 2],
        "text",
        None,
        {"park": None, "quarter": None},
        {"employees": "1" * 5000},
        {"export_earnings_usd": "9" * 5000},
        {"export_earnings_usd": "1e999999"},
        {"export_earnings_usd": "NaN"},
        {"export_earnings_usd": 1e308},
        {"export_earnings_usd": "0." + "1" * 400},
        {"export_markets": "a\x00b"},
        {"export_markets": "x" * 10_000},
        {"park": 2**70, "quarter": "9999-00 Q1"},
        {"quarter": ["2026-27 Q1"]},
        {"employees": {"n": 1}},
    ],
)
def test_odd_input_is_a_400_never_a_500(as_user, park, filer, sent):
    user, company = filer
    client = as_user(user)
    if isinstance(sent, dict):
        sent = {"park": park.pk, "quarter": str(last_quarter()), **body(), **sent}
    for url in (URL, f"{URL}{key_of(company, park)}/amend/"):
        response = client.post(url, sent, format="json")
        assert response.status_code in (400, 409), (url, response.content[:300])
    assert not ProgressReturn.objects.exists()


def test_a_form_body_is_refused_for_json_only(as_user, park, filer):
    user, _ = filer
    response = as_user(user).post(URL, {"park": park.pk, "quarter": str(last_quarter())})
    assert response.status_code == 415
