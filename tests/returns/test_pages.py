"""The returns pages (§4a, issue 11 item 2): the list and its files, a return with every
version, and the company's forms to file and amend it (every error at once, nothing saved;
the second filing refused; PSEB and managers read but never file)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.calendar import FiscalQuarter
from returns.domain import ReturnFigures
from returns.models import ProgressReturn
from returns.selectors import owed_key, quarter_row
from returns.services import progress_return_amend, progress_return_file
from returns.tables import timing
from tests.factories import MembershipFactory
from tests.returns.support import figures, tenant

pytestmark = pytest.mark.django_db


def last_quarter() -> FiscalQuarter:
    """The latest quarter a return is owed for, whatever day the tests run."""
    return FiscalQuarter.of(timezone.localdate()).previous()


def key_of(company, park, quarter=None) -> str:
    return owed_key(company.pk, park.pk, quarter_row(quarter or last_quarter()).pk)


def form_data(**changes) -> dict:
    """The figures as a person types them."""
    data = {name: str(value) for name, value in figures().as_dict().items()}
    return {**data, **changes}


def file_directly(user, company, park, quarter=None, **changes):
    return progress_return_file(
        user=user,
        company=company,
        park=park,
        quarter=quarter or last_quarter(),
        figures=figures(**changes),
    )


# --- The list ------------------------------------------------------------------------------------
def test_a_company_sees_its_due_overdue_and_filed_returns_newest_first(client, park, filer):
    user, company = filer
    file_directly(user, company, park, quarter=last_quarter().previous())
    tenant(park, start=last_quarter().first)  # another company's return: not shown
    client.force_login(user)
    response = client.get(reverse("returns:list"))
    assert response.status_code == 200
    rows = [owed for owed, _ in response.context["rows"]]
    assert [str(r.quarter) for r in rows] == [str(last_quarter()), str(last_quarter().previous())]
    assert [r.company for r in rows] == [company, company]
    assert rows[1].status == "filed"
    text = response.content.decode()
    due = last_quarter().due_date
    assert f"{due.day} {due:%b %Y}" in text
    assert timing(rows[0].status, due, timezone.localdate()) in text
    assert '<th scope="col">Company</th>' not in text  # their own returns only


def test_timing_says_how_many_days_are_left_or_over():
    day = timezone.localdate()
    assert timing("due", day + timedelta(days=5), day) == "5 days left"
    assert timing("due", day + timedelta(days=1), day) == "1 day left"
    assert timing("due", day, day) == "due today"
    assert timing("overdue", day - timedelta(days=12), day) == "12 days overdue"
    assert timing("filed", day - timedelta(days=12), day) == ""


def test_pseb_filters_the_list_by_park_company_quarter_and_status(
    client, pseb_staff, park, other_park, filer
):
    user, company = filer
    file_directly(user, company, park)
    _, other = tenant(other_park, start=last_quarter().first)
    client.force_login(pseb_staff)

    def shown(**query):
        response = client.get(reverse("returns:list"), query)
        assert response.status_code == 200
        return {(owed.company.name, str(owed.quarter)) for owed, _ in response.context["rows"]}

    assert len(shown()) == 3
    assert shown(park=other_park.code) == {(other.name, str(last_quarter()))}
    assert shown(company=company.name.upper()) == {
        (company.name, str(last_quarter())),
        (company.name, str(last_quarter().previous())),
    }
    assert shown(quarter=str(last_quarter().previous())) == {
        (company.name, str(last_quarter().previous()))
    }
    assert shown(status="filed") == {(company.name, str(last_quarter()))}
    assert shown(status="overdue") >= {(company.name, str(last_quarter().previous()))}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"quarter": "2026 Q5"}, "quarter"),
        ({"quarter": "2026-28 Q1"}, "quarter"),
        ({"quarter": "x" * 500}, "quarter"),
        ({"status": "late"}, "status"),
        ({"park": "NOPE"}, "park"),
    ],
)
def test_a_bad_filter_says_what_is_wrong_and_shows_no_rows(client, pseb_staff, filer, query, field):
    client.force_login(pseb_staff)
    response = client.get(reverse("returns:list"), query)
    assert response.status_code == 200
    assert response.context["filter"].errors[field]
    assert response.context["rows"] == []


def test_the_list_reads_as_many_queries_for_many_returns_as_for_two(client, pseb_staff, park):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("returns:list")).status_code == 200
        return len(captured)

    client.force_login(pseb_staff)
    for _ in range(2):
        tenant(park, start=last_quarter().first)
    few = queries()
    for _ in range(12):
        user, company = tenant(park, start=last_quarter().previous().first)
        file_directly(user, company, park)
    many = queries()
    assert many == few


def test_the_list_downloads_as_csv_with_its_filters(client, pseb_staff, park, other_park, filer):
    tenant(other_park, start=last_quarter().first)
    _, company = filer
    client.force_login(pseb_staff)
    response = client.get(reverse("returns:export", kwargs={"fmt": "csv"}), {"park": park.code})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert "Quarter,Company,Park,Due date,Status,When,Version,Filed on" in text
    assert text.count(company.name) == 2
    assert other_park.name not in text.split("Quarter,Company")[1]


def test_a_bad_filter_on_the_download_goes_back_to_the_list(client, pseb_staff):
    client.force_login(pseb_staff)
    url = reverse("returns:export", kwargs={"fmt": "xlsx"})
    response = client.get(url, {"quarter": "soon"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("returns:list"))


# --- A return ------------------------------------------------------------------------------------
def test_a_return_shows_every_version_with_who_filed_it_and_why(client, park, filer):
    user, company = filer
    first = file_directly(user, company, park)
    member = MembershipFactory(company=company, role="member", user__first_name="Ayesha").user
    progress_return_amend(
        user=member,
        previous=first,
        reason="Two interns left",
        figures=figures(interns=0),
    )
    client.force_login(user)
    response = client.get(reverse("returns:detail", kwargs={"key": key_of(company, park)}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Version 2 (counts)" in text
    assert "Version 1 " in text
    assert "Two interns left" in text
    assert "Ayesha" in text
    assert "15,000.00" in text  # export earnings, as money
    assert reverse("returns:amend", kwargs={"key": key_of(company, park)}) in text
    assert reverse("returns:file", kwargs={"key": key_of(company, park)}) not in text


def test_pseb_and_the_parks_manager_read_a_return_without_a_button_to_file_it(
    client, pseb_staff, park_manager, park, filer
):
    _, company = filer
    url = reverse("returns:detail", kwargs={"key": key_of(company, park)})
    for reader in (pseb_staff, park_manager):
        client.force_login(reader)
        response = client.get(url)
        assert response.status_code == 200
        assert b"File this return" not in response.content
        assert b"Not filed yet" in response.content


@pytest.mark.parametrize("path", ["detail", "file", "amend"])
def test_a_return_outside_ones_scope_or_not_owed_is_not_found(
    client, park, other_park, other_park_manager, other_company_user, filer, path
):
    _, company = filer
    keys = [
        key_of(company, park),  # another company's, another park's
        key_of(company, other_park),  # no lease there: not owed
        key_of(company, park, FiscalQuarter.of(timezone.localdate())),  # not over yet
        "999999-1-1",
    ]
    for someone in (other_company_user, other_park_manager):
        client.force_login(someone)
        for key in keys:
            assert client.get(reverse(f"returns:{path}", kwargs={"key": key})).status_code == 404


# --- Filing --------------------------------------------------------------------------------------
def test_the_form_groups_the_figures_from_their_one_statement(client, park, filer):
    user, company = filer
    client.force_login(user)
    response = client.get(reverse("returns:file", kwargs={"key": key_of(company, park)}))
    assert response.status_code == 200
    form = response.context["form"]
    grouped = [field.name for _, fields in form.groups() for field in fields]
    assert sorted(grouped) == sorted(ReturnFigures.names())
    text = response.content.decode()
    assert "<legend>People</legend>" in text
    assert "<legend>Money</legend>" in text
    assert 'inputmode="numeric"' in text
    assert "Of whom women" in text


def test_a_company_files_its_return_on_the_page(client, park, filer):
    user, company = filer
    client.force_login(user)
    key = key_of(company, park)
    response = client.post(
        reverse("returns:file", kwargs={"key": key}),
        form_data(employees="1,200", employees_women="500", export_earnings_usd="12,500.50"),
    )
    assert response.status_code == 302
    assert response.url == reverse("returns:detail", kwargs={"key": key})
    filed = ProgressReturn.objects.get()
    assert (filed.version, filed.employees, filed.employees_women) == (1, 1200, 500)
    assert filed.export_earnings_usd == Decimal("12500.50")
    assert filed.filed_by == user


def test_bad_figures_show_every_error_at_once_and_save_nothing(client, park, filer):
    user, company = filer
    client.force_login(user)
    response = client.post(
        reverse("returns:file", kwargs={"key": key_of(company, park)}),
        form_data(
            employees="ten",
            in_park_women="9",  # more than the women employees (5)
            new_hires_women="4",  # more than the new hires (3)
            interns="-1",
            export_earnings_usd="12.345",
            domestic_revenue_pkr="",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "employees",
        "in_park_women",
        "new_hires_women",
        "interns",
        "export_earnings_usd",
        "domestic_revenue_pkr",
    }
    assert errors["employees"] == ["Enter a whole number."]
    assert errors["interns"] == ["Enter 0 or more."]
    assert errors["export_earnings_usd"] == ["Write the amount with at most 2 decimals."]
    assert not ProgressReturn.objects.exists()


def test_filing_a_filed_return_again_is_refused_with_a_message(client, park, filer):
    user, company = filer
    file_directly(user, company, park)
    client.force_login(user)
    key = key_of(company, park)
    response = client.post(reverse("returns:file", kwargs={"key": key}), form_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("returns:detail", kwargs={"key": key})
    assert b"already been filed: amend it instead" in response.content
    assert ProgressReturn.objects.count() == 1
    # Asking for the form again leads to the amendment instead.
    again = client.get(reverse("returns:file", kwargs={"key": key}))
    assert again.url == reverse("returns:amend", kwargs={"key": key})


def test_pseb_and_managers_may_not_file_or_amend(client, pseb_staff, park_manager, park, filer):
    user, company = filer
    file_directly(user, company, park, quarter=last_quarter().previous())
    for reader in (pseb_staff, park_manager):
        client.force_login(reader)
        for path, quarter in (("file", None), ("amend", last_quarter().previous())):
            url = reverse(f"returns:{path}", kwargs={"key": key_of(company, park, quarter)})
            assert client.get(url).status_code == 403
            assert client.post(url, {**form_data(), "reason": "x"}).status_code == 403
    assert ProgressReturn.objects.count() == 1


# --- Amending ------------------------------------------------------------------------------------
def test_the_amendment_starts_from_the_current_figures_and_asks_why(client, park, filer):
    user, company = filer
    file_directly(user, company, park, employees=40, employees_women=10)
    client.force_login(user)
    key = key_of(company, park)
    form = client.get(reverse("returns:amend", kwargs={"key": key})).context["form"]
    assert (form["employees"].value(), form["version"].value()) == (40, 1)

    missing = client.post(
        reverse("returns:amend", kwargs={"key": key}),
        {**form_data(employees="3"), "version": "1", "reason": " "},
    )
    assert set(missing.context["form"].errors) == {"reason", "employees_women", "in_park"}
    assert ProgressReturn.objects.count() == 1

    done = client.post(
        reverse("returns:amend", kwargs={"key": key}),
        {**form_data(employees="41"), "version": "1", "reason": "Counted one person twice"},
    )
    assert done.status_code == 302
    latest = ProgressReturn.objects.get(version=2)
    assert (latest.employees, latest.reason, latest.amends.employees) == (
        41,
        "Counted one person twice",
        40,
    )


def test_amending_a_version_someone_has_amended_since_is_refused(client, park, filer):
    user, company = filer
    first = file_directly(user, company, park)
    progress_return_amend(user=user, previous=first, reason="First fix", figures=figures())
    client.force_login(user)
    key = key_of(company, park)
    response = client.post(
        reverse("returns:amend", kwargs={"key": key}),
        {**form_data(), "version": "1", "reason": "My fix"},
        follow=True,
    )
    assert b"Version 1 has already been amended" in response.content
    assert ProgressReturn.objects.count() == 2


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("9999", "This return has no version 9999: its latest is 1."),
        ("abc", "This page no longer says which version you amend: open it again."),
        ("0", "This page no longer says which version you amend: open it again."),
        ("99999999999999999999", "This page no longer says which version you amend"),
    ],
)
def test_a_stale_or_altered_version_says_so_above_the_form(client, park, filer, version, message):
    user, company = filer
    file_directly(user, company, park)
    client.force_login(user)
    response = client.post(
        reverse("returns:amend", kwargs={"key": key_of(company, park)}),
        {**form_data(), "version": version, "reason": "My fix"},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].non_field_errors())
    assert message.encode() in response.content
    assert b"Please correct the errors below" not in response.content
    assert ProgressReturn.objects.count() == 1


def test_a_return_not_filed_yet_is_filed_before_it_is_amended(client, park, filer):
    user, company = filer
    client.force_login(user)
    key = key_of(company, park)
    response = client.get(reverse("returns:amend", kwargs={"key": key}))
    assert response.url == reverse("returns:file", kwargs={"key": key})


def test_a_companys_download_holds_its_own_returns_without_a_company_column(client, park, filer):
    user, _ = filer
    tenant(park, start=last_quarter().first)  # another company's
    client.force_login(user)
    response = client.get(reverse("returns:export", kwargs={"fmt": "csv"}))
    text = b"".join(response.streaming_content).decode()
    assert "Quarter,Park,Due date,Status,When,Version,Filed on" in text
    assert text.count(park.name) == 2
