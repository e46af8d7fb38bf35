"""A billing run's preview and its confirmation (issue 12 §7): computed without writing
anything, equal to what the run then issues to the paisa, in a fixed number of queries, and a
confirmation refused when what it would issue changed since the preview."""

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from core.calendar import Period
from subsidies import services
from subsidies.models import BillingRun, DocumentCounter, Statement, SubsidyWindow
from subsidies.services.preview import CHANGED
from tests.factories import (
    LeaseFactory,
    ParkFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.support import ISSUED, MARCH

pytestmark = pytest.mark.django_db


def preview(user, period=MARCH, park=None):
    return services.billing_preview(user=user, period=period, park=park, today=ISSUED)


def run_confirmed(user, previewed, park=None):
    """Confirm a preview and execute the run in-process, as the worker would."""
    run = services.billing_run_confirm(
        user=user,
        period=previewed.period,
        park=park,
        fingerprint=previewed.fingerprint,
        today=ISSUED,
    )
    for chunk_id in services.billing_run_plan(run.pk):
        services.billing_chunk_bill(chunk_id, today=ISSUED, render=False)
    run.refresh_from_db()
    return run


def issued_by_park(run):
    return {
        row["park_id"]: (row["n"], row["gross"], row["subsidy"], row["net"])
        for row in Statement.objects.filter(billing_run=run)
        .values("park_id")
        .annotate(
            n=Count("pk"),
            gross=Sum("gross"),
            subsidy=Sum("subsidy_total"),
            net=Sum("net_payable"),
        )
    }


def previewed_by_park(previewed):
    return {p.park_id: (p.statements, p.gross, p.subsidy, p.net) for p in previewed.parks}


def unit(park, code, rent="60000.00", internet="5000.00"):
    return UnitFactory(
        park=park, code=code, monthly_rent=Decimal(rent), internet_fee=Decimal(internet)
    )


@pytest.fixture
def portfolio(park, other_park, scheme, park_manager):
    """Two parks with a scheme and one without, leases starting mid-month, before the
    window, ending in the month, an open one, a company with two leases, and a charge."""
    no_scheme_park = ParkFactory(code="NSP", name="No scheme STP")
    SubsidySchemeFactory(
        name="GUJ only",
        valid_from=date(2026, 1, 1),
        rent_pct=Decimal("10.00"),
        internet_pct=Decimal("50.00"),
        duration_months=3,
    ).parks.set([park])
    worked = LeaseFactory(park=park, units=[unit(park, "A-101")], start_date=date(2026, 3, 15))
    LeaseFactory(
        park=park,
        units=[unit(park, "A-102", "45000.00", "4000.00"), unit(park, "A-103", "33333.33", "0")],
        start_date=date(2025, 2, 1),
        end_date=date(2026, 3, 20),
    )
    LeaseFactory(park=park, company=worked.company, units=[unit(park, "A-104", "12345.67")],
                 start_date=date(2026, 3, 1))  # fmt: skip
    LeaseFactory(park=other_park, units=[unit(other_park, "G-1", "70001.01")],
                 start_date=date(2026, 3, 31))  # fmt: skip
    LeaseFactory(park=no_scheme_park, units=[unit(no_scheme_park, "N-1")],
                 start_date=date(2025, 1, 1))  # fmt: skip
    LeaseFactory(park=park, units=[unit(park, "F-1")], start_date=date(2026, 4, 1))  # future
    services.charge_record(
        user=park_manager,
        lease=worked,
        period="2026-03",
        description="Power backup",
        amount=Decimal("1500.00"),
    )
    return {"worked": worked, "no_scheme_park": no_scheme_park}


def test_the_preview_equals_what_the_run_then_issues_to_the_paisa(pseb_staff, portfolio):
    # given a portfolio across three parks
    # when PSEB previews March and then confirms it
    previewed = preview(pseb_staff)
    run = run_confirmed(pseb_staff, previewed)
    # then every park's statements, gross, subsidy and net are what the preview said
    assert previewed.statements == 4
    assert previewed_by_park(previewed) == issued_by_park(run)
    issued = Statement.objects.filter(billing_run=run).aggregate(
        gross=Sum("gross"), subsidy=Sum("subsidy_total"), net=Sum("net_payable")
    )
    assert (previewed.gross, previewed.subsidy, previewed.net) == (
        issued["gross"],
        issued["subsidy"],
        issued["net"],
    )
    assert previewed.subsidy < 0  # as statements carry it


def test_the_worked_example_is_previewed_to_the_paisa(pseb_staff, park, worked_example):
    previewed = preview(pseb_staff)
    [row] = previewed.parks
    assert (row.code, row.statements, row.gross, row.subsidy, row.net) == (
        "GUJ",
        1,
        Decimal("35645.17"),
        Decimal("-10967.75"),
        Decimal("24677.42"),
    )


def test_the_preview_writes_nothing(pseb_staff, portfolio):
    before = (
        SubsidyWindow.objects.count(),
        Statement.objects.count(),
        BillingRun.objects.count(),
        DocumentCounter.objects.count(),
        LogEntry.objects.count(),
    )
    previewed = preview(pseb_staff)
    assert previewed.statements
    assert before[0] == 0  # no window fixed yet: the preview computes them, stores none
    assert (
        SubsidyWindow.objects.count(),
        Statement.objects.count(),
        BillingRun.objects.count(),
        DocumentCounter.objects.count(),
        LogEntry.objects.count(),
    ) == before


def test_a_month_billed_again_previews_only_the_supplementary_statements(
    pseb_staff, park, portfolio
):
    # given March billed, then a lease entered late in it
    run_confirmed(pseb_staff, preview(pseb_staff))
    assert preview(pseb_staff).statements == 0
    company = portfolio["worked"].company
    late = LeaseFactory(park=park, company=company, units=[unit(park, "L-1", "9999.99")],
                        start_date=date(2026, 3, 10))  # fmt: skip
    # when it is previewed again and confirmed
    previewed = preview(pseb_staff)
    run = run_confirmed(pseb_staff, previewed)
    # then only the supplement is previewed and issued, equal to the paisa
    assert (previewed.statements, previewed.supplementary) == (1, 1)
    assert previewed_by_park(previewed) == issued_by_park(run)
    assert Statement.objects.get(billing_run=run).supplements is not None
    assert late.company == portfolio["worked"].company


def test_one_park_previews_that_park_only(pseb_staff, park, other_park, portfolio):
    previewed = preview(pseb_staff, park=other_park)
    assert [p.code for p in previewed.parks] == ["GLT"]
    run = run_confirmed(pseb_staff, previewed, park=other_park)
    assert previewed_by_park(previewed) == issued_by_park(run)


def test_a_confirmation_is_refused_when_the_run_would_issue_something_else(
    pseb_staff, park, portfolio
):
    # given a preview
    previewed = preview(pseb_staff)
    # when a lease is recorded before the confirmation
    LeaseFactory(park=park, units=[unit(park, "Z-1")], start_date=date(2026, 3, 2))
    # then the confirmation is refused and nothing is issued
    with pytest.raises(ValidationError) as refused:
        run_confirmed(pseb_staff, previewed)
    assert refused.value.messages == [CHANGED]
    assert not BillingRun.objects.exists()
    assert not Statement.objects.exists()
    # and a fresh preview can be confirmed
    assert run_confirmed(pseb_staff, preview(pseb_staff)).issued == 5


def test_a_changed_amount_changes_the_fingerprint(pseb_staff, portfolio, park_manager):
    first = preview(pseb_staff)
    services.charge_record(
        user=park_manager,
        lease=portfolio["worked"],
        period="2026-03",
        description="Parking",
        amount=Decimal("0.01"),
    )
    assert preview(pseb_staff).fingerprint != first.fingerprint
    assert preview(pseb_staff, period=Period(2026, 2)).fingerprint != first.fingerprint


def test_a_month_not_ended_is_refused(pseb_staff, portfolio):
    with pytest.raises(ValidationError) as refused:
        services.billing_preview(user=pseb_staff, period="2026-04", today=date(2026, 4, 30))
    assert "has not ended yet" in str(refused.value)


@pytest.mark.parametrize("role", ["park_manager", "company_user"])
def test_only_pseb_staff_preview_a_run(request, role):
    with pytest.raises(PermissionDenied):
        preview(request.getfixturevalue(role))


def test_a_preview_takes_as_many_queries_for_30_leases_in_6_parks_as_for_3_in_2(pseb_staff, scheme):
    def portfolio(parks: int, leases: int) -> None:
        made = [ParkFactory() for _ in range(parks)]
        for n in range(leases):
            where = made[n % parks]
            LeaseFactory(park=where, units=[UnitFactory(park=where)],
                         start_date=date(2026, 1 + n % 3, 1 + n % 28))  # fmt: skip

    portfolio(2, 3)
    with CaptureQueriesContext(connection) as small:
        assert preview(pseb_staff).statements == 3
    portfolio(4, 27)
    with CaptureQueriesContext(connection) as large:
        assert preview(pseb_staff).statements == 30
    assert len(large) == len(small)
