"""Subsidy given (domain.md §7.2): the statements' subsidy less credit-note reversals, per
park and period and per fiscal year, as of a date."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.calendar import Period
from core.charts import ChartKind
from reports.selectors.subsidy_given import subsidy_given_report
from subsidies.models import Statement, StatementLine
from tests.factories import CompanyFactory, LeaseFactory, ParkFactory, UnitFactory
from tests.reports.support import make_statement, read
from tests.subsidies.support import bill, terminate

pytestmark = pytest.mark.django_db

MARCH, APRIL, JULY = Period(2026, 3), Period(2026, 4), Period(2026, 7)
BILLED_ON = {m: date(2026, m + 1, 1) for m in range(3, 12)}  # each month billed on the 1st after


def bill_months(*months, park=None):
    for month in months:
        bill(period=Period(2026, month), park=park, today=BILLED_ON[month])


def rows_by_period(report):
    return {(row["park"], row["period"]): row for row in report.table.rows}


def money(*values):
    return tuple(Decimal(v) for v in values)


def cells(row):
    return (row["rent_subsidy"], row["internet_subsidy"], row["reversed"], row["subsidy_given"])


def test_the_worked_example_gives_its_subsidy_lines(pseb_staff, worked_example):
    bill_months(3)
    report = read(
        subsidy_given_report, pseb_staff, date(2026, 4, 1), period_from=MARCH, period_to=MARCH
    )
    row = rows_by_period(report)[("GUJ", MARCH)]
    # §6: rent subsidy -8,225.81, internet subsidy -2,741.94
    assert cells(row) == money("8225.81", "2741.94", "0.00", "10967.75")


def test_a_termination_credit_note_reverses_subsidy_and_the_report_shows_less(
    pseb_staff, worked_example
):
    # given March and April billed, then the lease ended on 20 March (credit notes today)
    bill_months(3, 4)
    terminate(pseb_staff, worked_example, date(2026, 3, 20))
    today = timezone.localdate()
    # when
    after = read(subsidy_given_report, pseb_staff, today, period_from=MARCH, period_to=APRIL)
    yesterday = today - timedelta(days=1)
    before = read(subsidy_given_report, pseb_staff, yesterday, period_from=MARCH, period_to=APRIL)
    # then March keeps the subsidy of its 15th-20th only: 6 of 31 days,
    # rent 15,000.00 x 6/31 = 2,903.23 and internet 5,000.00 x 6/31 = 967.74, so
    # (8,225.81 - 2,903.23) + (2,741.94 - 967.74) = 7,096.78 is reversed
    rows = rows_by_period(after)
    assert cells(rows[("GUJ", MARCH)]) == money("8225.81", "2741.94", "7096.78", "3870.97")
    # April, wholly after the end, is reversed in full
    assert cells(rows[("GUJ", APRIL)]) == money("15000.00", "5000.00", "20000.00", "0.00")
    assert after.figures["in_range"] == Decimal("3870.97")
    # and as of the day before the credit notes, nothing was reversed yet
    assert before.figures["in_range"] == Decimal("30967.75")  # 10,967.75 + 20,000.00


def test_a_supplementary_statement_is_counted_in_its_period(pseb_staff, worked_example, park):
    bill_months(3, 4)
    # a second unit leased by the same company from 1 April, entered after April was billed
    unit = UnitFactory(
        park=park, code="B-102", monthly_rent=Decimal("40000.00"), internet_fee=Decimal("4000.00")
    )
    LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 4, 1)
    )
    bill_months(4)
    assert Statement.objects.filter(supplements__isnull=False, period=APRIL.first).count() == 1
    report = read(
        subsidy_given_report, pseb_staff, date(2026, 6, 1), period_from=APRIL, period_to=APRIL
    )
    # the window opened on 15 March covers all April: 25% of 60,000 + 25% of 40,000 rent,
    # 100% of 5,000 + 4,000 internet
    assert cells(rows_by_period(report)[("GUJ", APRIL)]) == money(
        "25000.00", "9000.00", "0.00", "34000.00"
    )


def test_fiscal_years_split_between_30_june_and_1_july(pseb_staff, worked_example):
    bill_months(3, 4, 5, 6, 7)
    report = read(
        subsidy_given_report, pseb_staff, date(2026, 12, 1), period_from=MARCH, period_to=JULY
    )
    years = {row["fiscal_year"]: row["subsidy_given"] for row in report.tables["fiscal_years"].rows}
    # March 10,967.75, then whole months of 15,000.00 + 5,000.00
    assert years == {"2025-26": Decimal("70967.75"), "2026-27": Decimal("20000.00")}
    assert report.tables["fiscal_years"].totals["subsidy_given"] == Decimal("90967.75")
    months = {row["period"]: row["subsidy_given"] for row in report.tables["months"].rows}
    assert months[Period(2026, 6)] == months[JULY] == Decimal("20000.00")
    assert report.figures["in_range"] == Decimal("90967.75")


def test_this_fiscal_year_is_the_as_of_dates_fiscal_year_whatever_the_range(
    pseb_staff, worked_example
):
    bill_months(3, 4, 5, 6, 7)
    shown_march = {"period_from": MARCH, "period_to": MARCH}
    assert read(subsidy_given_report, pseb_staff, date(2026, 12, 1), **shown_march).figures == {
        "this_fiscal_year": Decimal("20000.00"),  # July 2026, the one period of 2026-27 billed
        "in_range": Decimal("10967.75"),
    }
    # on 31 July July is not billed yet (it is on 1 August): 2026-27 has given nothing
    assert read(subsidy_given_report, pseb_staff, date(2026, 7, 31), **shown_march).figures[
        "this_fiscal_year"
    ] == Decimal("0.00")
    # on 30 June 2026, fiscal year 2025-26: March to May billed by then
    assert read(subsidy_given_report, pseb_staff, date(2026, 6, 30), **shown_march).figures[
        "this_fiscal_year"
    ] == Decimal("50967.75")


def test_statements_issued_after_the_as_of_date_do_not_count(pseb_staff, worked_example):
    bill_months(3, 4)
    report = read(
        subsidy_given_report, pseb_staff, date(2026, 4, 30), period_from=MARCH, period_to=APRIL
    )
    months = {row["period"]: row["subsidy_given"] for row in report.tables["months"].rows}
    assert months == {MARCH: Decimal("10967.75"), APRIL: Decimal("0.00")}  # April issued 1 May
    assert list(rows_by_period(report)) == [("GUJ", MARCH)]  # only cells with any subsidy


def test_the_default_range_is_the_twelve_periods_billed_on_the_as_of_date(pseb_staff, park):
    report = read(subsidy_given_report, pseb_staff, date(2026, 12, 1))
    periods = [row["period"] for row in report.tables["months"].rows]
    assert (periods[0], periods[-1], len(periods)) == (Period(2025, 12), Period(2026, 11), 12)
    assert report.chart.kind == ChartKind.STACKED
    assert report.chart.labels == tuple(str(p) for p in periods)


def _subsidised(park, company, period, rent, internet):
    statement = make_statement(
        park,
        company,
        period=period,
        issue_date=period.next().first,
        due_date=period.next().first,
        net="100.00",
        subsidy=str(-(Decimal(rent) + Decimal(internet))),
    )
    StatementLine.objects.create(
        statement=statement,
        position=1,
        kind="rent",
        description="Rent",
        amount=Decimal("100.00") + Decimal(rent) + Decimal(internet),
    )
    StatementLine.objects.create(
        statement=statement,
        position=2,
        kind="rent_subsidy",
        description="Rent subsidy",
        amount=-Decimal(rent),
    )
    StatementLine.objects.create(
        statement=statement,
        position=3,
        kind="internet_subsidy",
        description="Internet subsidy",
        amount=-Decimal(internet),
    )
    return statement


def test_totals_are_sums_and_a_manager_sees_their_parks_only(park_manager, park, other_park):
    company = CompanyFactory()
    _subsidised(park, company, MARCH, "10.10", "1.01")
    _subsidised(park, company, APRIL, "20.20", "2.02")
    _subsidised(other_park, company, MARCH, "500.00", "50.00")
    report = read(
        subsidy_given_report, park_manager, date(2026, 6, 1), period_from=MARCH, period_to=APRIL
    )
    assert [(r["park"], r["period"]) for r in report.table.rows] == [("GUJ", MARCH), ("GUJ", APRIL)]
    assert cells(report.table.totals) == money("30.30", "3.03", "0.00", "33.33")
    assert report.figures["in_range"] == Decimal("33.33")
    chart = report.chart
    assert [s.name for s in chart.series] == ["Rent subsidy", "Internet subsidy"]
    assert chart.series[0].values == money("10.10", "20.20")


def test_the_number_of_queries_does_not_grow_with_parks_or_statements(
    pseb_staff, django_assert_max_num_queries
):
    company = CompanyFactory()
    _subsidised(ParkFactory(), company, MARCH, "1.00", "1.00")
    _subsidised(ParkFactory(), company, APRIL, "1.00", "1.00")
    with django_assert_max_num_queries(3) as small:  # the scope, statements, credit notes
        read(subsidy_given_report, pseb_staff, date(2026, 6, 1))
    for park in [ParkFactory() for _ in range(3)]:
        for month in (1, 2):
            _subsidised(park, company, Period(2026, month), "1.00", "1.00")
    with django_assert_max_num_queries(len(small.captured_queries)):
        report = read(subsidy_given_report, pseb_staff, date(2026, 6, 1))
    assert report.figures["in_range"] == Decimal("16.00")  # 8 statements of 2.00
