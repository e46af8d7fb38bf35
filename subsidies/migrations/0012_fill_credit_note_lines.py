"""Give every credit note issued before notes carried lines (issue 10) the lines that make
up its amount, to the paisa (domain.md §7.2).

- A note issued by hand (no lease): one line of kind ``charge`` crediting its amount.
- A termination note: the lines ``subsidies.calculation.credit_lines`` gives for what the
  statement billed for the lease's units against the month computed again from the lease
  units' current dates and the statement's stored window and scheme, less the lines of
  the lease's earlier notes on the statement. When they do not sum to the note's amount
  (something changed since), the same rule capped at the amount; as the last resort one
  ``charge`` line of the amount.

Reads and writes through the historical models; the rule itself is the pure module's.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations

from core.calendar import Period
from core.vocabulary import WindowAnchor
from subsidies import calculation as calc


def _scheme(scheme):
    return calc.Scheme(
        id=scheme.pk,
        name=scheme.name,
        internet_pct=scheme.internet_pct,
        rent_pct=scheme.rent_pct,
        duration_months=scheme.duration_months,
        valid_from=scheme.valid_from,
        valid_to=scheme.valid_to,
        anchor=WindowAnchor(scheme.anchor),
    )


def _sum(lines):
    return sum((line.amount for line in lines), Decimal("0.00"))


def termination_lines(apps, note, credited):
    """The lines of one termination note (see the module's docstring); ``credited`` holds
    what the lease's earlier notes on the statement credited per line key."""
    StatementLine = apps.get_model("subsidies", "StatementLine")
    LeaseUnit = apps.get_model("tenants", "LeaseUnit")
    statement, lease = note.statement, note.lease
    billed = [
        calc.Line(row.kind, row.description, row.amount, row.unit_code, row.lease_unit_id, None)
        for row in StatementLine.objects.filter(
            statement=statement, lease_unit__lease=lease
        ).order_by("position")
    ]
    lets = [
        calc.Let(
            unit.pk,
            unit.unit.code,
            unit.monthly_rent,
            unit.internet_fee,
            unit.start_date,
            unit.end_date,
        )
        for unit in LeaseUnit.objects.filter(lease=lease).select_related("unit")
    ]
    scheme = _scheme(statement.scheme) if statement.scheme_id else None
    window = None
    if scheme is not None and statement.window_start and statement.window_end:
        window = calc.Window(statement.window_start, statement.window_end, scheme)
    period = Period.of(statement.period)
    now = calc.compute_statement(period, lets, window)
    words = {"period": period, "ended": lease.end_date, "scheme": scheme}
    lines = calc.credit_lines(billed, now, credited, **words)
    if lines and _sum(lines) == note.amount:
        return lines
    try:
        lines = calc.credit_lines(billed, now, credited, amount=note.amount, **words)
    except ValueError:  # the note credited more than the rule now gives
        lines = ()
    if lines and _sum(lines) == note.amount:
        return lines
    return (calc.hand_credit_line(note.reason, note.amount),)


def fill_credit_note_lines(apps, schema_editor):
    CreditNote = apps.get_model("subsidies", "CreditNote")
    CreditNoteLine = apps.get_model("subsidies", "CreditNoteLine")
    notes = (
        CreditNote.objects.filter(lines__isnull=True)
        .select_related("statement__scheme", "lease")
        .order_by("statement_id", "pk")
    )
    # What each lease's notes credited on each statement so far, per line key.
    credited = defaultdict(lambda: defaultdict(Decimal))
    rows = []
    # Listed first: SQLite cannot write while a cursor over the same rows is open.
    for note in list(notes):
        if note.lease_id is None:
            lines = (calc.hand_credit_line(note.reason, note.amount),)
        else:
            so_far = credited[(note.statement_id, note.lease_id)]
            lines = termination_lines(apps, note, so_far)
            for line in lines:
                so_far[calc.line_key(line)] += line.amount
        rows.extend(
            CreditNoteLine(
                credit_note=note,
                position=position,
                kind=line.kind,
                unit_code=line.unit_code,
                lease_unit_id=line.lease_unit_id,
                charge_id=line.charge_id,
                description=line.description[:300],
                amount=line.amount,
            )
            for position, line in enumerate(lines, start=1)
        )
        if len(rows) >= 2000:
            CreditNoteLine.objects.bulk_create(rows)
            rows = []
    CreditNoteLine.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("subsidies", "0011_credit_note_lines"),
        ("tenants", "0007_waiting_index"),
    ]

    operations = [migrations.RunPython(fill_credit_note_lines, migrations.RunPython.noop)]
