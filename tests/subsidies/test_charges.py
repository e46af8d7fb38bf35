"""Other charges and supplementary statements (domain.md §6): a charge is billed with its
month, or at once on a supplementary statement when the month is billed already.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from subsidies import services
from subsidies.models import Statement
from tests.factories import (
    LeaseFactory,
    SubsidySchemeFactory,
    UnitFactory,
)
from tests.subsidies.support import MARCH, bill

pytestmark = pytest.mark.django_db


def test_other_charges_are_billed_and_never_subsidised(park, park_manager, worked_example):
    services.charge_record(
        user=park_manager,
        lease=worked_example,
        period="2026-03",
        description="Power backup",
        amount=Decimal("1500.00"),
    )
    bill()
    statement = Statement.objects.get()
    charge = statement.lines.get(kind="charge")
    assert (charge.description, charge.amount) == ("Power backup", Decimal("1500.00"))
    assert statement.net_payable == Decimal("24677.42") + Decimal("1500.00")
    assert statement.subsidy_total == Decimal("-10967.75")


def test_a_charge_for_a_month_already_billed_goes_on_a_supplementary_statement(
    park, park_manager, worked_example
):
    # given March billed
    bill()
    original = Statement.objects.get()
    # when the park's manager records a forgotten parking charge on 5 April
    recorded = services.charge_record(
        user=park_manager,
        lease=worked_example,
        period=MARCH,
        description="Parking",
        amount=Decimal("500.00"),
        today=date(2026, 4, 5),
    )
    # then it is billed at once, on a statement of its own that refers to the month's
    charge, extra = recorded.charge, recorded.supplementary_statement
    assert (extra.number, extra.supplements_id) == ("GUJ-2025-26-00002", original.pk)
    assert (extra.issue_date, extra.due_date) == (date(2026, 4, 5), date(2026, 4, 20))
    assert [(ln.kind, ln.charge_id, ln.amount) for ln in extra.lines.all()] == [
        ("charge", charge.pk, Decimal("500.00"))
    ]
    assert (extra.gross, extra.subsidy_total, extra.net_payable) == (
        Decimal("500.00"),
        Decimal("0.00"),
        Decimal("500.00"),
    )
    original.refresh_from_db()
    assert original.net_payable == Decimal("24677.42")  # unchanged
    # and billing March again adds nothing
    assert bill().issued == 0


def test_a_charges_supplementary_statement_holds_the_charge_alone(pseb_staff, park, park_manager):
    # given March billed without any scheme, then a scheme dated back, and a lease entered late
    unit = UnitFactory(
        park=park, code="A-101", monthly_rent=Decimal("60000.00"), internet_fee=Decimal("5000.00")
    )
    lease = LeaseFactory(park=park, units=[unit], start_date=date(2026, 3, 15))
    bill()
    SubsidySchemeFactory(name="Backdated programme", valid_from=date(2022, 7, 1))
    LeaseFactory(park=park, company=lease.company, start_date=date(2026, 3, 20))
    # when a charge is recorded for March
    recorded = services.charge_record(
        user=park_manager, lease=lease, period=MARCH, description="Parking", amount=Decimal("500")
    )
    # then its statement bills the charge and nothing else (no subsidy, no other lease)
    extra = recorded.supplementary_statement
    assert [(ln.kind, ln.amount) for ln in extra.lines.all()] == [("charge", Decimal("500.00"))]
    assert (extra.net_payable, extra.scheme_id) == (Decimal("500.00"), None)
    # and a re-run adds the late lease with its subsidy, never a subsidy on its own
    assert bill().issued == 1
    late = Statement.objects.order_by("pk").last()
    assert {ln.kind for ln in late.lines.all()} == {
        "rent",
        "internet",
        "rent_subsidy",
        "internet_subsidy",
    }
    assert late.net_payable > 0


def test_a_charge_for_a_month_not_billed_yet_waits_for_the_run(park_manager, worked_example):
    recorded = services.charge_record(
        user=park_manager,
        lease=worked_example,
        period=MARCH,
        description="Parking",
        amount=Decimal("500.00"),
    )
    assert recorded.supplementary_statement is None
    assert recorded.charge.period == date(2026, 3, 1)
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("period", "description", "amount", "field"),
    [
        ("2026-02", "Parking", Decimal("500.00"), "period"),  # the lease starts in March
        ("2026-03", "  ", Decimal("500.00"), "description"),
        ("2026-03", "Parking", Decimal("0.00"), "amount"),
        ("2026-03", "Parking", Decimal("-5.00"), "amount"),
        ("2026-03", "Parking", Decimal("5.001"), "amount"),
    ],
)
def test_a_bad_charge_says_which_field_is_wrong(
    park_manager, worked_example, period, description, amount, field
):
    with pytest.raises(ValidationError) as caught:
        services.charge_record(
            user=park_manager,
            lease=worked_example,
            period=period,
            description=description,
            amount=amount,
        )
    assert field in caught.value.message_dict


def test_only_pseb_and_the_parks_managers_record_charges(
    other_park_manager, company_user, worked_example
):
    for user in (other_park_manager, company_user):
        with pytest.raises(PermissionDenied):
            services.charge_record(
                user=user,
                lease=worked_example,
                period=MARCH,
                description="Parking",
                amount=Decimal("500.00"),
            )


def test_a_unit_leased_late_for_a_month_already_billed_gets_a_supplementary_statement(
    park, worked_example, scheme
):
    # given March billed for unit A-101 (from 15 March)
    bill()
    original = Statement.objects.get()
    # when a second unit's lease, from 20 March, is entered afterwards and March is re-run
    unit = UnitFactory(
        park=park, code="B-201", monthly_rent=Decimal("31000.00"), internet_fee=Decimal("3100.00")
    )
    LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 20)
    )
    run = bill()
    # then only B-201's 12 days are billed, on a statement of its own that refers to March's
    assert run.issued == 1
    extra = Statement.objects.exclude(pk=original.pk).get()
    assert extra.supplements == original
    assert extra.number == "GUJ-2025-26-00002"
    # 31,000 × 12/31 = 12,000.00; 3,100 × 12/31 = 1,200.00; 25% and 100% of them inside the
    # window opened on 15 March: −3,000.00 and −1,200.00
    assert [(ln.kind, ln.unit_code, ln.amount) for ln in extra.lines.all()] == [
        ("rent", "B-201", Decimal("12000.00")),
        ("internet", "B-201", Decimal("1200.00")),
        ("rent_subsidy", "B-201", Decimal("-3000.00")),
        ("internet_subsidy", "B-201", Decimal("-1200.00")),
    ]
    assert extra.net_payable == Decimal("9000.00")
    original.refresh_from_db()
    assert original.net_payable == Decimal("24677.42")  # unchanged
    assert bill().issued == 0  # and again: nothing more


def test_a_supplementary_statement_shows_what_it_supplements(
    client, park, worked_example, scheme, company_user, pseb_staff
):
    from subsidies import pdf

    bill()
    unit = UnitFactory(park=park, code="B-201")
    LeaseFactory(
        park=park, company=worked_example.company, units=[unit], start_date=date(2026, 3, 20)
    )
    bill()
    original, extra = Statement.objects.order_by("pk")
    client.force_login(pseb_staff)
    page = client.get(f"/statements/{extra.pk}/").content.decode()
    assert "Supplementary to" in page
    assert original.number in page
    loaded = Statement.objects.select_related("company", "park", "scheme", "supplements").get(
        pk=extra.pk
    )
    assert f"<dt>Supplements</dt><dd>{original.number}</dd>" in pdf.statement_html(loaded)
