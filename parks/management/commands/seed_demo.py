from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stp_portal.demo import PDF_MONTHS, render_demo_pdfs, seed_demo


class Command(BaseCommand):
    help = "Load the demo country: parks, units, companies, applications, leases, logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (the demo logins share a published password).",
        )
        parser.add_argument(
            "--all-pdfs",
            action="store_true",
            help="Render the PDF of every demo statement (by default those of the latest "
            "two months; about a second each).",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off: demo accounts have a published password. "
                "Pass --allow-production if this really is a demo server."
            )
        report = seed_demo()
        rendered = render_demo_pdfs(None if options["all_pdfs"] else PDF_MONTHS)
        if rendered:
            self.stdout.write(f"Rendered {rendered} statement PDFs.")
        created = ", ".join(f"{n} {what}" for what, n in report.created.items() if n)
        self.stdout.write(
            f"Created: {created}." if created else "Nothing to do: demo data is already loaded."
        )
        self.stdout.write("\nDemo logins:")
        width = max(len(label) for label, _, _ in report.logins)
        for label, username, password in report.logins:
            self.stdout.write(f"  {label.ljust(width)}  {username:<20} {password}")
