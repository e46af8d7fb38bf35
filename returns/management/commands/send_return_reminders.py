"""``manage.py send_return_reminders [--date YYYY-MM-DD]``: what beat does each day (the
reminders of domain.md §4a, ``returns.reminders``), for today or the day given."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.calendar import date_problem
from returns.reminders import return_reminders_queue


class Command(BaseCommand):
    help = (
        "E-mail the owners of companies whose progress return is due in 5 days or overdue "
        "since yesterday (each reminder once), through the worker."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", dest="day", help="The day to send for, YYYY-MM-DD (default: today)."
        )

    def handle(self, *args, day: str | None, **options) -> None:
        chosen = _day(day) if day else timezone.localdate()
        ids = return_reminders_queue(today=chosen)
        self.stdout.write(f"{len(ids)} reminder(s) to send for {chosen:%Y-%m-%d} queued.")


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"Write the date as YYYY-MM-DD, not {text!r}.") from None
    if problem := date_problem(day):
        raise CommandError(problem)
    return day
