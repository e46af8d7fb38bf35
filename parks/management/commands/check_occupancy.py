"""Prove the stored park figures against the units and lets: ``manage.py check_occupancy``.

Compares each park's stored figures for today (``ParkCounters``) with the figures computed
from its units and lets, lists every park that differs, and exits 1 if any does. A park not
yet refreshed today is reported as such (readers compute it; nothing is wrong). With
``--refresh`` it stores every park's figures first, through the service.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parks.models import Park
from parks.selectors import ParkFigures, park_figures_computed, park_figures_stored
from parks.services import occupancy_refresh_all


class Command(BaseCommand):
    help = "Check the stored park figures (occupancy, vacant units) against the units and lets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--refresh", action="store_true", help="store every park's figures for today first"
        )

    def handle(self, *args: Any, refresh: bool = False, **options: Any) -> None:
        today = timezone.localdate()
        if refresh:
            count = occupancy_refresh_all(today=today)
            self.stdout.write(f"Stored the figures of {count} parks for {today}.")
        parks = dict(Park.objects.values_list("pk", "code"))
        stored = park_figures_stored(today)
        computed = park_figures_computed(list(stored), today)
        differ = [
            f"{parks[pk]}: stored {figures}, computed {computed.get(pk)}"
            for pk, figures in sorted(stored.items())
            if figures != computed.get(pk, ParkFigures.empty(today))
        ]
        missing = sorted(parks[pk] for pk in parks.keys() - stored.keys())
        for line in differ:
            self.stderr.write(line)
        self.stdout.write(
            f"{len(stored)} parks checked for {today}: {len(differ)} differ; "
            f"{len(missing)} not yet stored today"
            + (f" ({', '.join(missing[:10])}{'…' if len(missing) > 10 else ''})" if missing else "")
            + "."
        )
        if differ:
            raise CommandError(f"{len(differ)} parks' stored figures differ from their lets.")
