"""The version of what the subsidy liability (domain.md §7.3) is projected from: leases,
subsidy windows and schemes. The report keeps its projection in the cache under this
version; whatever changes those data bumps it once its transaction commits (a lease
recorded or ended, a scheme created or changed, billing fixing windows and issuing
statements), so the next report projects again. A version lost from the cache is a new
one: nothing stale can be read back.

A report that read the version before a change committed stores its result under the old
version, which nobody reads any more; the bump follows the commit, so a result computed
from the new data is never stored under a version older than it.
"""

from __future__ import annotations

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction

KEY = "subsidies:liability-version"


def liability_version() -> str:
    """The current version (a new one if the cache has none)."""
    return str(cache.get_or_set(KEY, lambda: uuid4().hex, timeout=None))


def liability_changed() -> None:
    """Say that the data of the liability changed: a new version once the current
    transaction commits (at once outside one)."""
    transaction.on_commit(lambda: cache.set(KEY, uuid4().hex, timeout=None))
