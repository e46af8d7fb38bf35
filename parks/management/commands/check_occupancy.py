"""Prove the stored park figures against the units and lets: ``manage.py check_occupancy``.

Compares each park's stored figures for today (``ParkCounters``) with the figures computed
from its units and lets, lists every park that differs, and exits 1 if any does. A park not
yet refreshed today is reported as such (readers compute it; nothing is wrong). With
``--refresh`` it stores every park's figures first, through the service.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parks.models import Park, ParkCounters
from parks.selectors import park_figures_computed
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
        stored = {row.park_id: row for row in ParkCounters.objects.filter(on=today)}
        computed = park_figures_computed(list(stored), today)
        differ = []
        for pk, row in sorted(stored.items()):
            figures = computed.get(pk)
            point = figures.occupancy if figures else None
            expected = (
                (
                    figures.units_total,
                    figures.units_vacant,
                    point.leased_units,
                    point.leasable_units,
                    point.leased_area,
                    point.leasable_area,
                    point.leased_seats,
                    point.leasable_seats,
                )
                if figures and point
                else (0, 0, 0, 0, 0, 0, 0, 0)
            )
            actual = (
                row.units_total,
                row.units_vacant,
                row.leased_units,
                row.leasable_units,
                row.leased_area,
                row.leasable_area,
                row.leased_seats,
                row.leasable_seats,
            )
            if actual != expected:
                differ.append(f"{parks[pk]}: stored {actual}, computed {expected}")
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
