"""Credit notes carry lines (domain.md §7.2): a termination credits the rent and internet of
the days after the end and reverses their subsidy; a note by hand credits an amount of
charges. Shown on the note's page, its PDF and the API, to whoever sees its statement."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.vocabulary import LineKind
from subsidies import services
from subsidies.models import CreditNote, Statement
from subsidies.selectors import credit_note_line_mismatches
from tenants.models import Lease, LeaseUnit
from tests.factories import MembershipFactory
from tests.subsidies.pdf_support import pdf_text
from tests.subsidies.support import bill, terminate

pytestmark = pytest.mark.django_db

# domain.md §6's worked example ended on 20 March after March was billed: 11 days credited.
# Each line is what March billed less what its 6 days still let give, both rounded by §6
# (so March then nets to exactly what the month now charges, 8,709.67):
#   rent      32,903.23 - 11,612.90 = 21,290.33   (60,000 x 17/31 and x 6/31)
#   internet   2,741.94 -    967.74 =  1,774.20
#   rent subsidy     -8,225.81 + 2,903.23 = -5,322.58
#   internet subsidy -2,741.94 +   967.74 = -1,774.20
#   note: 21,290.33 + 1,774.20 - 5,322.58 - 1,774.20 = 15,967.75
# (60,000 x 11/31 rounded on its own would be 21,290.32 and the note 15,967.74, a paisa off
# what the statement overbilled.)
TERMINATION_LINES = [
    (LineKind.RENT, "A-101", Decimal("21290.33")),
    (LineKind.INTERNET, "A-101", Decimal("1774.20")),
    (LineKind.RENT_SUBSIDY, "A-101", Decimal("-5322.58")),
    (LineKind.INTERNET_SUBSIDY, "A-101", Decimal("-1774.20")),
]


@pytest.fixture
def ended(pseb_staff, worked_example):
    """March billed, then the lease ended on 20 March: the termination's credit note."""
    bill()
    (note,) = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    return note


@pytest.fixture
def by_hand(pseb_staff, ended):
    return services.credit_note_issue(
        user=pseb_staff,
        statement=ended.statement,
        reason="Air conditioning out",
        amount=Decimal("500"),
    )


@pytest.fixture
def tenant(worked_example):
    return MembershipFactory(company=worked_example.company).user


def test_a_termination_note_credits_the_days_after_the_end_and_reverses_their_subsidy(ended):
    lines = list(ended.lines.all())
    assert [(ln.kind, ln.unit_code, ln.amount) for ln in lines] == TERMINATION_LINES
    assert [ln.position for ln in lines] == [1, 2, 3, 4]
    assert ended.amount == sum(ln.amount for ln in lines) == Decimal("15967.75")
    assert lines[0].description == "Rent of A-101, 11 days after the lease ended (21–31 Mar 2026)"
    assert lines[3].description.startswith("Internet subsidy 100% of A-101 reversed, 11 days")
    assert all(ln.lease_unit.lease_id == ended.lease_id for ln in lines)
    assert list(credit_note_line_mismatches()) == []


def test_a_note_by_hand_has_one_charge_line_and_reverses_no_subsidy(by_hand):
    (line,) = by_hand.lines.all()
    assert (line.kind, line.amount, line.description) == (
        LineKind.CHARGE,
        Decimal("500.00"),
        "Credit: Air conditioning out",
    )


def test_a_termination_capped_by_a_credit_by_hand_takes_the_cut_off_the_rent(
    pseb_staff, worked_example
):
    bill()
    march = Statement.objects.get()
    services.credit_note_issue(
        user=pseb_staff, statement=march, reason="Goodwill", amount=Decimal("20000.00")
    )
    (note,) = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    # 4,677.42 left to credit: 15,967.75 - 4,677.42 = 11,290.33 off the rent, the largest
    assert [(ln.kind, ln.amount) for ln in note.lines.all()] == [
        (LineKind.RENT, Decimal("10000.00")),
        (LineKind.INTERNET, Decimal("1774.20")),
        (LineKind.RENT_SUBSIDY, Decimal("-5322.58")),
        (LineKind.INTERNET_SUBSIDY, Decimal("-1774.20")),
    ]
    assert note.amount == Decimal("4677.42")


def test_a_second_termination_credits_only_the_days_the_first_did_not(pseb_staff, worked_example):
    # given the lease terminated on 25 March, then its end found to be the 20th (a data fix)
    bill()
    terminate(pseb_staff, worked_example, date(2026, 3, 25))
    LeaseUnit.objects.filter(lease=worked_example).update(end_date=date(2026, 3, 20))
    Lease.objects.filter(pk=worked_example.pk).update(end_date=date(2026, 3, 20))
    worked_example.refresh_from_db()
    # when the credit is computed again
    (second,) = services.credit_notes_for_ended_lease(user=pseb_staff, lease=worked_example)
    first = CreditNote.objects.exclude(pk=second.pk).get()
    together: dict = {}
    for line in [*first.lines.all(), *second.lines.all()]:
        together[line.kind] = together.get(line.kind, Decimal("0.00")) + line.amount
    assert list(together.items()) == [(kind, amount) for kind, _, amount in TERMINATION_LINES]
    assert "less" in second.lines.first().description  # says the rest was credited before


# --- The page and the PDF ------------------------------------------------------------------------
def test_the_credit_note_page_shows_its_lines_and_total(client, tenant, ended):
    client.force_login(tenant)
    response = client.get(reverse("subsidies:credit_note_detail", args=[ended.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for expected in (
        ended.number,
        ended.statement.number,
        "ended on 20 March 2026",
        "Rent subsidy",
        "Rent of A-101, 11 days after the lease ended (21–31 Mar 2026)",
        "21,290.33",
        "-5,322.58",
        "PKR 15,967.75",
        reverse("subsidies:statement_detail", args=[ended.statement_id]),
        reverse("subsidies:credit_note_pdf", args=[ended.pk]),
    ):
        assert expected in body


def test_the_statement_page_links_each_credit_note_and_shows_its_lines(client, tenant, by_hand):
    client.force_login(tenant)
    response = client.get(reverse("subsidies:statement_detail", args=[by_hand.statement_id]))
    body = response.content.decode()
    for note in CreditNote.objects.all():
        assert reverse("subsidies:credit_note_detail", args=[note.pk]) in body
    assert "Credit: Air conditioning out: 500.00" in body
    assert "Rent of A-101, 11 days after the lease ended (21–31 Mar 2026): 21,290.33" in body


@pytest.mark.parametrize("who", ["other_company_user", "other_park_manager"])
def test_a_credit_note_out_of_scope_is_not_found(client, request, ended, who):
    client.force_login(request.getfixturevalue(who))
    for name in ("subsidies:credit_note_detail", "subsidies:credit_note_pdf"):
        assert client.get(reverse(name, args=[ended.pk])).status_code == 404


def test_the_park_manager_and_pseb_see_the_note(client, park_manager, pseb_staff, ended):
    for user in (park_manager, pseb_staff):
        client.force_login(user)
        url = reverse("subsidies:credit_note_detail", args=[ended.pk])
        assert client.get(url).status_code == 200


def test_the_credit_note_pdf_shows_its_lines(client, tenant, ended):
    client.force_login(tenant)
    response = client.get(reverse("subsidies:credit_note_pdf", args=[ended.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{ended.number}.pdf"' in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    for expected in (ended.number, ended.statement.number, "21,290.33", "-5,322.58", "15,967.75"):
        assert expected in text


@pytest.mark.parametrize("extra_notes", [0, 4])
def test_the_pages_take_a_bounded_number_of_queries(
    client, tenant, pseb_staff, ended, django_assert_max_num_queries, extra_notes
):
    for n in range(extra_notes):
        services.credit_note_issue(
            user=pseb_staff, statement=ended.statement, reason=f"Goodwill {n}", amount=Decimal("10")
        )
    client.force_login(tenant)
    # the same counts with one note or five: the notes' lines are prefetched
    with django_assert_max_num_queries(7):
        client.get(reverse("subsidies:statement_detail", args=[ended.statement_id]))
    with django_assert_max_num_queries(4):
        client.get(reverse("subsidies:credit_note_detail", args=[ended.pk]))


# --- The API -------------------------------------------------------------------------------------
def test_the_api_gives_credit_notes_with_their_lines(tenant, ended, by_hand):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(tenant)
    listed = api.get("/api/v1/credit-notes/").json()
    assert listed["count"] == 2
    detail = api.get(f"/api/v1/credit-notes/{ended.pk}/").json()
    assert detail["amount"] == "15967.75"
    assert detail["lines"] == [
        {
            "kind": kind,
            "unit": unit,
            "description": line.description,
            "amount": f"{amount:.2f}",
        }
        for (kind, unit, amount), line in zip(TERMINATION_LINES, ended.lines.all(), strict=True)
    ]
    statement = api.get(f"/api/v1/statements/{ended.statement_id}/").json()
    assert [n["lines"] for n in statement["credit_notes"]][1] == [
        {
            "kind": "charge",
            "unit": "",
            "description": "Credit: Air conditioning out",
            "amount": "500.00",
        }
    ]
    pdf = api.get(f"/api/v1/credit-notes/{ended.pk}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_a_credit_note_issued_through_the_api_answers_with_its_line(pseb_staff, statement):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(pseb_staff)
    made = api.post(
        f"/api/v1/statements/{statement.pk}/credit-note/",
        {"reason": "Wrong unit", "amount": "100.00"},
        format="json",
    )
    assert made.status_code == 201
    assert made.json()["lines"] == [
        {"kind": "charge", "unit": "", "description": "Credit: Wrong unit", "amount": "100.00"}
    ]


@pytest.mark.parametrize("who", ["other_company_user", "other_park_manager"])
def test_the_api_hides_credit_notes_out_of_scope(request, ended, who):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(request.getfixturevalue(who))
    assert api.get("/api/v1/credit-notes/").json()["count"] == 0
    assert api.get(f"/api/v1/credit-notes/{ended.pk}/").status_code == 404
    assert api.get(f"/api/v1/credit-notes/{ended.pk}/pdf/").status_code == 404


def test_check_balances_fails_on_a_note_whose_lines_do_not_sum_to_it(ended):
    from django.core.management import CommandError, call_command

    call_command("check_balances")
    ended.lines.filter(position=1).update(amount=Decimal("21290.34"))
    (wrong,) = credit_note_line_mismatches()
    assert (wrong.number, wrong.amount, wrong.lines_total) == (
        ended.number,
        Decimal("15967.75"),
        Decimal("15967.76"),
    )
    with pytest.raises(CommandError, match="1 credit note"):
        call_command("check_balances")
