from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from core.calendar import add_months
from core.vocabulary import ApplicationStatus, ParkStatus, UnitKind, UnitStatus
from parks.models import Park
from parks.selectors import with_unit_status
from stp_portal.demo import seed_demo
from tenants.models import Application, Lease

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 24)
BROCHURE_PARKS = [
    "UltraSoft STP Quetta",
    "SCO Software Technology Park Gilgit",
    "Amazon Software Technology Park",
    "Gujranwala STP",
    "Sapphire STP Jamshoro",
]


def _row_counts() -> dict[str, int]:
    ours = ("accounts", "parks", "tenants", "returns", "subsidies")
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in ours
    }


def test_seeding_twice_gives_the_same_row_counts():
    first = seed_demo(TODAY)
    counts = _row_counts()
    second = seed_demo(TODAY)
    assert _row_counts() == counts
    assert sum(first.created.values()) > 0
    assert sum(second.created.values()) == 0


def test_seeding_again_on_a_later_day_adds_nothing():
    seed_demo(TODAY)
    counts = _row_counts()
    seed_demo(date(2027, 2, 3))
    assert _row_counts() == counts


def test_demo_has_the_brochure_parks_open_and_a_25_park_plan_with_karachi_planned():
    seed_demo(TODAY)
    existing = set(Park.objects.filter(status=ParkStatus.EXISTING).values_list("name", flat=True))
    assert set(BROCHURE_PARKS) <= existing
    assert Park.objects.count() == 25
    assert Park.objects.get(name="Karachi IT Park").status == ParkStatus.PLANNED
    assert Park.objects.filter(status=ParkStatus.UPCOMING).exists()
    assert {"Faisalabad", "Gilgit", "Quetta", "Sukkur"} <= set(
        Park.objects.values_list("city", flat=True)
    )


def test_demo_has_units_of_both_kinds_in_every_state_today():
    seed_demo(TODAY)
    units = with_unit_status(Park.objects.get(code="GUJ").units.all(), TODAY)
    assert set(units.values_list("kind", flat=True)) == set(UnitKind.values)
    assert set(units.values_list("status", flat=True)) == set(UnitStatus.values)


def test_demo_has_applications_in_every_state_including_a_returned_one():
    seed_demo(TODAY)
    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values
    )
    returned = Application.objects.get(transitions__action="return")
    assert returned.status == ApplicationStatus.DRAFT
    for application in Application.objects.exclude(status=ApplicationStatus.DRAFT):
        last = application.transitions.order_by("created_at", "pk").last()
        assert last.to_status == application.status
    approved = Application.objects.filter(status=ApplicationStatus.APPROVED)
    assert approved.exists()
    assert all(a.lease_id for a in approved)


def test_demo_leases_include_tenants_past_and_inside_their_subsidy_window():
    seed_demo(TODAY)
    starts = list(Lease.objects.values_list("start_date", flat=True))
    assert any(s <= add_months(TODAY, -12) for s in starts)  # started over a year ago
    assert any(add_months(TODAY, -12) < s <= TODAY for s in starts)  # inside the window
    assert any(s > TODAY for s in starts)  # scheduled
    assert Lease.objects.filter(terminated_at__isnull=False).exists()


def test_command_prints_one_login_per_role_and_refuses_without_debug(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    for username in ("pseb", "manager.gilgit", "owner.karakoram"):
        assert username in out
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


def test_demo_application_histories_run_forward_and_end_before_their_leases_began():
    seed_demo(TODAY)
    for application in Application.objects.prefetch_related("transitions"):
        stamps = [t.created_at for t in application.transitions.all()]
        assert stamps == sorted(stamps), application
        assert all(application.created_at <= stamp for stamp in stamps), application
        if application.lease_id and application.lease.start_date < TODAY:
            assert application.decided_at.date() < application.lease.start_date, application
            assert application.submitted_at < application.decided_at, application


def test_demo_statements_show_every_status_on_the_day_it_is_loaded():
    from core.vocabulary import StatementStatus
    from subsidies.models import Statement
    from subsidies.selectors import with_balance

    seed_demo(TODAY)
    statuses = set(with_balance(Statement.objects.all(), TODAY).values_list("status", flat=True))
    assert statuses == set(StatementStatus.values)


def test_demo_parks_publish_where_to_pay_and_one_payment_settles_several_statements():
    from subsidies.models import PaymentInstruction, Receipt, StatementSnapshot

    seed_demo(TODAY)
    assert PaymentInstruction.objects.count() == Park.objects.count()
    assert StatementSnapshot.objects.exclude(iban="").exists()
    assert any(receipt.payments.count() > 1 for receipt in Receipt.objects.all())


# --- figures for the reports (issue 10, point 6) ----------------------------------------------
def test_demo_bills_twelve_months_each_giving_subsidy():
    from django.db.models import Sum

    from subsidies.models import Statement

    seed_demo(TODAY)
    given = dict(
        Statement.objects.values_list("period").annotate(s=Sum("subsidy_total")).order_by()
    )
    first = add_months(TODAY.replace(day=1), -12)
    assert sorted(given) == [add_months(first, i) for i in range(12)]
    assert all(amount < 0 for amount in given.values())  # subsidy lines are negative
    assert len(set(given.values())) > 6  # it changes month by month


def test_demo_windows_close_one_after_another_over_the_coming_year():
    from subsidies.models import SubsidyWindow

    seed_demo(TODAY)
    ends = SubsidyWindow.objects.filter(end__gt=TODAY).values_list("end", flat=True)
    months = {(end.year, end.month) for end in ends if end <= add_months(TODAY, 12)}
    assert len(months) >= 10  # the liability falls as each closes
    assert SubsidyWindow.objects.filter(end__lte=TODAY).count() >= 4  # and some have closed


@pytest.mark.parametrize("today", [TODAY, date(2026, 12, 31), date(2027, 3, 1)])
def test_demo_has_balances_in_every_ageing_bucket_whatever_the_day(today):
    from subsidies.models import Statement
    from subsidies.selectors import with_balance

    seed_demo(today)
    buckets = set()
    for statement in with_balance(Statement.objects.all(), today):
        if statement.balance > 0:
            late = (today - statement.due_date).days
            buckets.add(
                "not due"
                if late <= 0
                else "1-30"
                if late <= 30
                else "31-60"
                if late <= 60
                else "61-90"
                if late <= 90
                else "over 90"
            )
    assert buckets == {"not due", "1-30", "31-60", "61-90", "over 90"}


def test_demo_has_a_termination_credit_note_beside_the_hand_issued_ones():
    from subsidies.models import CreditNote

    seed_demo(TODAY)
    terminated = Lease.objects.get(company__name="Sukkur Bridge Technologies", park__code="JAM")
    assert terminated.terminated_at is not None
    assert terminated.end_date == date(2026, 9, 15)  # back into a billed month
    notes = CreditNote.objects.filter(lease=terminated)
    assert notes.count() == 2  # September from the 16th, and October
    assert {note.issue_date for note in notes} == {TODAY}
    assert CreditNote.objects.filter(lease__isnull=True).count() == 2  # by hand


def test_demo_decisions_took_different_times_and_some_are_still_waiting():
    seed_demo(TODAY)
    decided = Application.objects.filter(decided_at__isnull=False)
    waits = {(a.decided_at - a.submitted_at).days for a in decided}
    assert len(waits) >= 6
    assert {a.decided_at.date() for a in decided} <= {TODAY - timedelta(days=n) for n in range(400)}
    waiting = Application.objects.filter(
        status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW]
    )
    assert sorted((TODAY - a.submitted_at.date()).days for a in waiting) == [3, 12, 40]


@pytest.mark.parametrize("today", [TODAY, date(2027, 1, 5)])
def test_demo_returns_tell_the_story_with_one_company_overdue(today):
    from core.calendar import FiscalQuarter
    from returns.selectors import current_returns, owed_returns

    seed_demo(today)
    latest = FiscalQuarter.of(today).previous()
    quarters = [latest.previous().previous().previous(), latest.previous().previous()]
    quarters += [latest.previous(), latest]

    def employees(name, field="employees"):
        rows = current_returns().filter(company__name__startswith=name)
        by_quarter = {str(r.quarter): getattr(r, field) for r in rows.select_related("quarter")}
        return [by_quarter.get(str(q)) for q in quarters]

    # the Gilgit freelancer grows into a team of five
    assert employees("Wajid Hussain") == [1, 2, 3, 5]
    # the women-led company: most of its people are women, every quarter
    women, total = employees("Zarghun", "employees_women"), employees("Zarghun")
    assert all(w * 2 > t for w, t in zip(women, total, strict=True))
    # exports rising, quarter on quarter, across the programme and for every company
    exports = [
        sum(
            r.export_earnings_usd
            for r in current_returns().filter(
                quarter__start_year=q.start_year, quarter__number=q.number
            )
        )
        for q in quarters
    ]
    if today == TODAY:  # (on another day a big exporter's lease may have ended)
        assert exports == sorted(exports)
        assert exports[0] < exports[-1]
    for company in {r.company for r in current_returns().select_related("company")}:
        series = [
            r.export_earnings_usd
            for r in current_returns()
            .filter(company=company, quarter__first_day__gte=quarters[0].first)
            .order_by("quarter__first_day")
        ]
        assert series == sorted(series), company
    # one company has not filed, and shows as overdue
    overdue = owed_returns(today).filter(status="overdue")
    assert {r.company.name for r in overdue.select_related("company")} == {"Sariab Soft (Pvt) Ltd"}
    # an amendment: two versions, the latest counting
    assert current_returns().filter(version=2).count() == 1
