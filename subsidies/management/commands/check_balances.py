"""``manage.py check_balances``: prove every statement's stored balance against its ledger."""

from django.core.management.base import BaseCommand, CommandError

from subsidies.selectors import credit_note_line_mismatches, statement_balance_mismatches


class Command(BaseCommand):
    help = (
        "Check that each statement's stored paid and credited amounts are the sums of its "
        "payments and credit notes, and each credit note's amount the sum of its lines; list "
        "those that differ and fail if any do."
    )

    def handle(self, *args, **options) -> None:
        mismatches = 0
        for row in statement_balance_mismatches():
            mismatches += 1
            self.stdout.write(
                f"{row.number}: paid {row.stored_paid} stored, {row.ledger_paid} in payments; "
                f"credited {row.stored_credited} stored, {row.ledger_credited} in credit notes"
            )
        notes = 0
        for note in credit_note_line_mismatches():
            notes += 1
            self.stdout.write(
                f"{note.number}: amount {note.amount}, its lines sum to {note.lines_total}"
            )
        if mismatches or notes:
            raise CommandError(
                f"{mismatches} statement(s) differ from their ledger; "
                f"{notes} credit note(s) differ from their lines."
            )
        self.stdout.write("Every statement's stored balance equals its payments and credit notes.")
        self.stdout.write("Every credit note's amount is the sum of its lines.")
