"""The reports' background work: the programme's subsidy liability kept ready (issue 10)."""

from celery import shared_task

from .selectors.liability import programme_liability_warm


@shared_task(ignore_result=True)
def warm_programme_liability() -> bool:
    """Project the whole programme's subsidy liability (PSEB's overview and report, every
    park) into the cache when a lease, scheme or billing change has made the cached one
    stale, so the first reader after the change does not wait for the projection (about
    300 ms at national scale). Answers whether it had to project; a cached one costs a
    read of the parks and a cache lookup."""
    return programme_liability_warm()
