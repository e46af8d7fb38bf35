"""Collections and ageing (domain.md §7.4): billed, received, outstanding as of a date, the
ageing buckets' exact boundaries, credit notes and payments up to the date only."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.calendar import Period
from core.charts import ChartKind
from reports.ageing import BUCKETS, ageing_bucket, due_dates_of
from reports.selectors.collections import MOST_BARS, ageing_chart, collections_report
from subsidies import services
from subsidies.models import Statement
from tests.factories import CompanyFactory, ParkFactory
from tests.reports.support import by_park, make_statement, read
from tests.subsidies.support import bill

D = date(2026, 6, 30)
MAY = Period(2026, 5)

pytestmark = pytest.mark.django_db


# --- the pure rule ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
        (4000, "d90_plus"),
    ],
)
def test_ageing_bucket_boundaries(days, bucket):
    assert ageing_bucket(days) == bucket


def test_the_sql_due_date_bounds_agree_with_the_bucket_of_each_day():
    for days in range(-40, 200):
        due = D - timedelta(days=days)
        holding = [
            bucket.key
            for bucket in BUCKETS
            if (due_dates_of(bucket, D)[0] or date.min)
            <= due
            <= (due_dates_of(bucket, D)[1] or date.max)
        ]
        assert holding == [ageing_bucket(days)], days


# --- the report ------------------------------------------------------------------------------
def test_buckets_are_exact_at_each_boundary_day(pseb_staff, park):
    # given statements due D-0, D-1, D-30, D-31, D-60, D-61, D-90, D-91, each owing a power of
    # two, so each bucket's sum names the statements in it
    for power, days in enumerate((0, 1, 30, 31, 60, 61, 90, 91)):
        make_statement(
            park,
            CompanyFactory(),
            period=MAY,
            issue_date=date(2026, 1, 1),
            due_date=D - timedelta(days=days),
            net=str(2**power),
        )
    # when
    row = by_park(read(collections_report, pseb_staff, D))["GUJ"]
    # then
    assert row["not_due"] == Decimal("1.00")  # due on D
    assert row["d1_30"] == Decimal("6.00")  # D-1, D-30
    assert row["d31_60"] == Decimal("24.00")  # D-31, D-60
    assert row["d61_90"] == Decimal("96.00")  # D-61, D-90
    assert row["d90_plus"] == Decimal("128.00")  # D-91
    assert row["outstanding"] == Decimal("255.00")
    assert row["overdue"] == Decimal("254.00")
    assert row["billed"] == Decimal("255.00")
    assert row["received"] == Decimal("0.00")


@pytest.fixture
def march(pseb_staff, worked_example):
    """The worked example's March 2026 statement (net 24,677.42, issued 1 April, due 16
    April), 10,000.00 paid on 10 April and 677.42 credited on 20 April."""
    bill()
    statement = Statement.objects.get()
    assert (statement.net_payable, statement.due_date) == (Decimal("24677.42"), date(2026, 4, 16))
    services.payment_record(
        user=pseb_staff,
        statement=statement,
        amount=Decimal("10000.00"),
        paid_on=date(2026, 4, 10),
        reference="HBL-1",
    )
    services.credit_note_issue(
        user=pseb_staff,
        statement=statement,
        reason="Partition wall never built.",
        amount=Decimal("677.42"),
        today=date(2026, 4, 20),
    )
    return statement


def test_partial_payment_and_credit_note_count_from_their_own_dates(pseb_staff, march):
    def row_on(day):
        return by_park(read(collections_report, pseb_staff, day))["GUJ"]

    # before the statement is issued: nothing billed
    assert row_on(date(2026, 3, 31))["billed"] == Decimal("0.00")
    # issued, nothing paid yet
    early = row_on(date(2026, 4, 5))
    assert (early["billed"], early["received"], early["outstanding"], early["not_due"]) == (
        Decimal("24677.42"),
        Decimal("0.00"),
        Decimal("24677.42"),
        Decimal("24677.42"),
    )
    # paid in part, the credit note not issued yet; due date D: not yet due
    due_day = row_on(date(2026, 4, 16))
    assert (due_day["billed"], due_day["received"], due_day["not_due"]) == (
        Decimal("24677.42"),
        Decimal("10000.00"),
        Decimal("14677.42"),
    )
    assert due_day["overdue"] == Decimal("0.00")
    # after the credit note, 15 days past due
    later = row_on(date(2026, 5, 1))
    assert (later["billed"], later["received"], later["outstanding"], later["d1_30"]) == (
        Decimal("24000.00"),
        Decimal("10000.00"),
        Decimal("14000.00"),
        Decimal("14000.00"),
    )
    assert later["not_due"] == Decimal("0.00")


def test_as_of_today_reads_the_stored_balance_and_agrees_with_the_ledger(pseb_staff, march):
    # today (the fast path, stored columns) and yesterday (the sums up to D) agree: nothing
    # happened in between
    from django.utils import timezone

    today = timezone.localdate()
    stored = by_park(read(collections_report, pseb_staff, today))["GUJ"]
    summed = by_park(read(collections_report, pseb_staff, today - timedelta(days=1)))["GUJ"]
    assert stored["outstanding"] == summed["outstanding"] == Decimal("14000.00")
    assert stored["billed"] == summed["billed"] == Decimal("24000.00")
    assert stored["received"] == summed["received"] == Decimal("10000.00")


def test_a_past_as_of_date_ignores_later_payments_and_credit_notes(pseb_staff, march):
    services.payment_record(
        user=pseb_staff,
        statement=march,
        amount=Decimal("14000.00"),
        paid_on=date(2026, 7, 1),
        reference="HBL-2",
    )
    june = by_park(read(collections_report, pseb_staff, date(2026, 6, 30)))["GUJ"]
    july = by_park(read(collections_report, pseb_staff, date(2026, 7, 1)))["GUJ"]
    assert (june["received"], june["outstanding"], june["d61_90"]) == (
        Decimal("10000.00"),
        Decimal("14000.00"),
        Decimal("14000.00"),  # 75 days past 16 April
    )
    assert (july["received"], july["outstanding"], july["overdue"]) == (
        Decimal("24000.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )


def test_a_void_statement_owes_nothing_even_when_it_was_paid_before_the_credit(pseb_staff, park):
    company = CompanyFactory()
    paid_then_voided = make_statement(
        park,
        company,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="500.00",
    )
    voided = make_statement(
        park,
        company,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="300.00",
        supplements=paid_then_voided,
    )
    owing = make_statement(
        park,
        CompanyFactory(),
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="70.00",
    )
    services.payment_record(
        user=pseb_staff,
        statement=paid_then_voided,
        amount=Decimal("200.00"),
        paid_on=date(2026, 6, 5),
        reference="R1",
    )
    for statement in (paid_then_voided, voided):
        services.credit_note_issue(
            user=pseb_staff,
            statement=statement,
            reason="Billed in error.",
            today=date(2026, 6, 10),
        )
    row = by_park(read(collections_report, pseb_staff, D))["GUJ"]
    # void statements bill 0.00 and owe nothing (not -200.00); the payment was received
    assert row["billed"] == owing.net_payable
    assert row["outstanding"] == row["d1_30"] == Decimal("70.00")
    assert row["received"] == Decimal("200.00")


def test_totals_and_figures_are_the_sums_of_the_park_rows(pseb_staff, park, other_park):
    company = CompanyFactory()
    make_statement(
        park,
        company,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="100.25",
    )
    make_statement(
        park,
        company,
        period=Period(2026, 1),
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 2, 16),
        net="40.00",
    )
    make_statement(
        other_park,
        company,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 7, 16),
        net="9.50",
    )
    report = read(collections_report, pseb_staff, D)
    totals = report.table.totals
    assert totals["billed"] == totals["outstanding"] == Decimal("149.75")
    assert totals["d1_30"] == Decimal("100.25")
    assert totals["d90_plus"] == Decimal("40.00")  # 134 days past 16 February
    assert totals["not_due"] == Decimal("9.50")
    assert totals["overdue"] == Decimal("140.25")
    assert report.figures == {
        "billed": Decimal("149.75"),
        "received": Decimal("0.00"),
        "outstanding": Decimal("149.75"),
        "overdue": Decimal("140.25"),
    }
    assert [row["park"] for row in report.table.rows] == ["GUJ", "GLT"]  # by name


def test_periods_table_bills_by_period_and_receives_by_payment_month(pseb_staff, march):
    report = read(
        collections_report, pseb_staff, D, period_from=Period(2026, 3), period_to=Period(2026, 5)
    )
    rows = {row["period"]: row for row in report.tables["periods"].rows}
    assert list(rows) == [Period(2026, 3), Period(2026, 4), Period(2026, 5)]
    assert (rows[Period(2026, 3)]["billed"], rows[Period(2026, 3)]["statements"]) == (
        Decimal("24000.00"),
        1,
    )
    assert rows[Period(2026, 3)]["received"] == Decimal("0.00")
    assert rows[Period(2026, 4)]["received"] == Decimal("10000.00")  # paid on 10 April
    assert rows[Period(2026, 4)]["billed"] == Decimal("0.00")
    totals = report.tables["periods"].totals
    assert (totals["billed"], totals["received"], totals["statements"]) == (
        Decimal("24000.00"),
        Decimal("10000.00"),
        1,
    )


def test_the_default_periods_are_the_twelve_months_up_to_the_as_of_date(pseb_staff, park):
    # the as-of month itself is shown: what was received in it so far counts
    report = read(collections_report, pseb_staff, date(2026, 12, 1))
    periods = [row["period"] for row in report.tables["periods"].rows]
    assert periods[0] == Period(2026, 1)
    assert periods[-1] == Period(2026, 12)
    assert len(periods) == 12


def test_owing_lists_the_companies_that_owe_most_with_their_parks(pseb_staff, park, other_park):
    big = CompanyFactory(name="Big Owner (Pvt) Ltd")
    small = CompanyFactory(name="Small Owner (Pvt) Ltd")
    settled = CompanyFactory(name="Settled (Pvt) Ltd")
    make_statement(
        park,
        big,
        period=Period(2026, 3),
        issue_date=date(2026, 4, 1),
        due_date=date(2026, 4, 16),
        net="1000.00",
    )
    make_statement(
        other_park,
        big,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 7, 16),
        net="500.00",
    )
    make_statement(
        park,
        small,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="20.00",
    )
    paid = make_statement(
        park,
        settled,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="99.00",
    )
    services.payment_record(
        user=pseb_staff,
        statement=paid,
        amount=Decimal("99.00"),
        paid_on=date(2026, 6, 2),
        reference="R",
    )
    rows = list(read(collections_report, pseb_staff, D).tables["owing"].rows)
    assert rows == [
        {
            "company": "Big Owner (Pvt) Ltd",
            "parks": "GLT, GUJ",
            "outstanding": Decimal("1500.00"),
            "overdue": Decimal("1000.00"),
            "oldest_due_date": date(2026, 4, 16),
        },
        {
            "company": "Small Owner (Pvt) Ltd",
            "parks": "GUJ",
            "outstanding": Decimal("20.00"),
            "overdue": Decimal("20.00"),
            "oldest_due_date": date(2026, 6, 16),
        },
    ]


def test_a_manager_sees_only_their_parks(park_manager, park, other_park):
    company = CompanyFactory()
    make_statement(
        park,
        company,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="10.00",
    )
    make_statement(
        other_park,
        company,
        period=MAY,
        issue_date=date(2026, 6, 1),
        due_date=date(2026, 6, 16),
        net="999.00",
    )
    report = read(collections_report, park_manager, D)
    assert list(by_park(report)) == ["GUJ"]
    assert report.figures["billed"] == Decimal("10.00")
    (owing,) = report.tables["owing"].rows
    assert (owing["parks"], owing["outstanding"]) == ("GUJ", Decimal("10.00"))


def _statements(parks, per_park, pseb_staff):
    company = CompanyFactory()
    for park in parks:
        for month in range(1, per_park + 1):
            statement = make_statement(
                park,
                company,
                period=Period(2026, month),
                issue_date=date(2026, month + 1, 1),
                due_date=date(2026, month + 1, 16),
                net="100.00",
            )
            services.payment_record(
                user=pseb_staff,
                statement=statement,
                amount=Decimal("30.00"),
                paid_on=date(2026, month + 1, 5),
                reference="R",
            )
            services.credit_note_issue(
                user=pseb_staff,
                statement=statement,
                reason="x",
                amount=Decimal("10.00"),
                today=date(2026, month + 1, 6),
            )


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), None], ids=["past", "today"])
def test_the_number_of_queries_does_not_grow_with_parks_or_statements(
    pseb_staff, django_assert_max_num_queries, as_of
):
    from django.utils import timezone

    as_of = as_of or timezone.localdate()
    _statements([ParkFactory()], 2, pseb_staff)
    with django_assert_max_num_queries(8) as small:
        read(collections_report, pseb_staff, as_of)
    _statements([ParkFactory() for _ in range(3)], 4, pseb_staff)  # 8 more per... 12 in all
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        report = read(collections_report, pseb_staff, as_of)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert report.figures["billed"] == Decimal("90.00") * 14
    assert report.figures["received"] == Decimal("30.00") * 14


def test_the_chart_stacks_the_buckets_per_park_and_folds_many_parks_into_other():
    def row(n):
        values = {b.key: Decimal(n) for b in BUCKETS}
        return {"park_name": f"Park {n:02d}", "outstanding": Decimal(5 * n), **values}

    few = ageing_chart([row(n) for n in range(1, 4)])
    assert few.kind == ChartKind.STACKED
    assert few.labels == ("Park 01", "Park 02", "Park 03")
    assert [s.name for s in few.series] == [b.label for b in BUCKETS]
    many = ageing_chart([row(n) for n in range(1, 21)])
    assert len(many.labels) == MOST_BARS
    assert many.labels[0] == "Park 20"  # owed most first
    assert many.labels[-1] == "Other parks"
    # parks 1..6 folded: 1+2+...+6 in each bucket
    assert all(series.values[-1] == Decimal(21) for series in many.series)
