"""The park's background work: each night, the day's stored occupancy (issue 9)."""

from celery import shared_task

from . import services


@shared_task
def refresh_occupancy() -> int:
    """Store every park's figures for the new day: lets that start or end today change them
    with no write. Readers compute any park not yet refreshed, so a late or lost run only
    makes the first pages of the day slower, never wrong."""
    return services.occupancy_refresh_all()
