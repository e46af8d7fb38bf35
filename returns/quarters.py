"""The stored fiscal calendar: one ``Quarter`` row per quarter of every fiscal year the
programme knows (``core.calendar``'s FIRST_YEAR..LAST_YEAR), so the database can join leases
to quarters. Written by migration 0002 and made whole again after every ``migrate`` and
``flush`` (post_migrate), so the calendar is never missing a quarter."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.calendar import FIRST_YEAR, LAST_YEAR, FiscalQuarter


def programme_quarters() -> Iterator[FiscalQuarter]:
    """From the fiscal year holding FIRST_YEAR's first day to the one holding LAST_YEAR's
    last."""
    for start_year in range(FIRST_YEAR - 1, LAST_YEAR + 1):
        for number in (1, 2, 3, 4):
            yield FiscalQuarter(start_year, number)


def add_missing_quarters(model: Any, using: str = "default") -> int:
    """Stores the quarters ``model`` (the Quarter model, current or historical) lacks;
    answers how many."""
    have = set(model.objects.using(using).values_list("start_year", "number"))
    rows = [
        model(
            start_year=q.start_year,
            number=q.number,
            first_day=q.first,
            last_day=q.last,
            due_date=q.due_date,
        )
        for q in programme_quarters()
        if (q.start_year, q.number) not in have
    ]
    model.objects.using(using).bulk_create(rows, batch_size=1000)
    return len(rows)
