"""``manage.py check_balances``: prove every statement's stored balance against its ledger."""

from django.core.management.base import BaseCommand, CommandError

from subsidies.selectors import statement_balance_mismatches


class Command(BaseCommand):
    help = (
        "Check that each statement's stored paid and credited amounts are the sums of its "
        "payments and credit notes; list those that differ and fail if any do."
    )

    def handle(self, *args, **options) -> None:
        mismatches = 0
        for row in statement_balance_mismatches():
            mismatches += 1
            self.stdout.write(
                f"{row.number}: paid {row.stored_paid} stored, {row.ledger_paid} in payments; "
                f"credited {row.stored_credited} stored, {row.ledger_credited} in credit notes"
            )
        if mismatches:
            raise CommandError(f"{mismatches} statement(s) differ from their ledger.")
        self.stdout.write("Every statement's stored balance equals its payments and credit notes.")
