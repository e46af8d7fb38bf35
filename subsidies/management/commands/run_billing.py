"""``manage.py run_billing --period YYYY-MM [--park CODE] [--sync]`` (api.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parks.models import Park
from subsidies import services


class Command(BaseCommand):
    help = "Bill a month that has ended: through the worker, or in this process with --sync."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="The month to bill, YYYY-MM.")
        parser.add_argument("--park", help="Only this park (its code, e.g. GUJ).")
        parser.add_argument(
            "--sync", action="store_true", help="Bill in this process instead of the worker."
        )

    def handle(self, *args, period: str, park: str | None, sync: bool, **options) -> None:
        chosen = None
        if park:
            chosen = Park.objects.filter(code__iexact=park.strip()).first()
            if chosen is None:
                raise CommandError(f"No park with the code {park!r}.")
        try:
            run = services.billing_run_start(user=None, period=period, park=chosen, queue=not sync)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not sync:
            self.stdout.write(f"Billing run #{run.pk} for {period} queued for the worker.")
            return
        run = services.billing_run_execute(run)
        self.stdout.write(
            f"Billing run #{run.pk} for {period}: {run.issued} statement(s) issued, "
            f"{run.done} of {run.total} company-park pairs done, status {run.status}."
        )
        for error in run.errors:
            self.stderr.write(f"park {error['park']}: {error['error']}")
        if run.errors:
            raise CommandError("Some statements could not be issued; see the errors above.")
