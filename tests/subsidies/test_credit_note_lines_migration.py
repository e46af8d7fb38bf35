"""Migration 0012 gives every credit note issued before notes had lines the lines that make
up its amount (domain.md §7.2): called with the app registry on notes made by the services,
their lines removed first, as they were before the migration."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from core.vocabulary import LineKind
from subsidies import services
from subsidies.models import CreditNote, CreditNoteLine, Statement
from subsidies.selectors import credit_note_line_mismatches
from tenants.models import LeaseUnit
from tests.subsidies.support import bill, terminate

pytestmark = pytest.mark.django_db

migration = importlib.import_module("subsidies.migrations.0012_fill_credit_note_lines")


def lines_of(note):
    return [(line.kind, line.amount) for line in note.lines.all()]


def as_before_the_migration():
    """The notes as they stood before 0012: no lines."""
    CreditNoteLine.objects.all().delete()
    assert len(list(credit_note_line_mismatches())) == CreditNote.objects.count()


def test_a_termination_note_gets_its_credited_charges_and_reversed_subsidies(
    pseb_staff, worked_example
):
    # given March billed, a termination on 20 March and a note by hand
    bill()
    march = Statement.objects.get()
    (ended,) = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    by_hand = services.credit_note_issue(
        user=pseb_staff, statement=march, reason="Air conditioning out", amount=Decimal("100")
    )
    stored = {note.pk: lines_of(note) for note in (ended, by_hand)}
    as_before_the_migration()

    # when the migration runs
    migration.fill_credit_note_lines(apps, None)

    # then each note gets the lines the services give a new one, summing to its amount
    assert (
        lines_of(ended)
        == stored[ended.pk]
        == [
            (LineKind.RENT, Decimal("21290.33")),
            (LineKind.INTERNET, Decimal("1774.20")),
            (LineKind.RENT_SUBSIDY, Decimal("-5322.58")),
            (LineKind.INTERNET_SUBSIDY, Decimal("-1774.20")),
        ]
    )
    assert lines_of(by_hand) == stored[by_hand.pk] == [(LineKind.CHARGE, Decimal("100.00"))]
    assert by_hand.lines.get().description == "Credit: Air conditioning out"
    assert list(credit_note_line_mismatches()) == []
    # and running it again adds nothing
    migration.fill_credit_note_lines(apps, None)
    assert CreditNoteLine.objects.count() == 5


def test_a_note_capped_by_an_earlier_credit_by_hand_keeps_the_subsidy_reversed(
    pseb_staff, worked_example
):
    # given March mostly credited by hand before the termination (only 4,677.42 left)
    bill()
    march = Statement.objects.get()
    services.credit_note_issue(
        user=pseb_staff, statement=march, reason="Goodwill", amount=Decimal("20000.00")
    )
    (ended,) = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    assert ended.amount == Decimal("4677.42")
    as_before_the_migration()

    migration.fill_credit_note_lines(apps, None)

    kinds = dict(lines_of(ended))
    assert kinds[LineKind.RENT_SUBSIDY] == Decimal("-5322.58")
    assert kinds[LineKind.INTERNET_SUBSIDY] == Decimal("-1774.20")
    assert sum(kinds.values()) == Decimal("4677.42")
    assert list(credit_note_line_mismatches()) == []


def test_a_note_the_lease_no_longer_explains_still_sums_to_its_amount(pseb_staff, worked_example):
    # given a termination note, and the lease's unit end changed since (later data fixes)
    bill()
    (ended,) = terminate(pseb_staff, worked_example, date(2026, 3, 20)).credit_notes_issued
    as_before_the_migration()
    LeaseUnit.objects.filter(lease=worked_example).update(end_date=date(2026, 3, 18))

    migration.fill_credit_note_lines(apps, None)

    # then the rule is capped at the note's amount: still rent, internet and subsidies
    # (the rent subsidy of 13 days reversed: 8,225.81 billed less 1,935.48 for the 4 days left)
    kinds = dict(lines_of(ended))
    assert list(kinds) == [
        LineKind.RENT,
        LineKind.INTERNET,
        LineKind.RENT_SUBSIDY,
        LineKind.INTERNET_SUBSIDY,
    ]
    assert kinds[LineKind.RENT_SUBSIDY] == Decimal("-6290.33")
    assert sum(kinds.values()) == Decimal("15967.75")
    assert list(credit_note_line_mismatches()) == []

    # and when the lease now explains no credit at all: one charge line of the amount
    CreditNoteLine.objects.all().delete()
    LeaseUnit.objects.filter(lease=worked_example).update(end_date=None)
    migration.fill_credit_note_lines(apps, None)
    assert lines_of(ended) == [(LineKind.CHARGE, Decimal("15967.75"))]
