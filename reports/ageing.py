"""The ageing of what is owed (domain.md §7.4): a statement's outstanding amount falls in a
bucket by its days past the due date on the as-of date D.

Days past due = D − due date. 0 or fewer (due today or later) → ``not_due``; 1–30 → ``d1_30``;
31–60 → ``d31_60``; 61–90 → ``d61_90``; more than 90 → ``d90_plus`` (api.md's names). So a
statement due on D is not yet due, and one due the day before D is 1 day overdue, as
``statement_status`` says (``overdue`` is ``due_date < today``).

No Django import: the rule is stated once here, and the selectors build their SQL date
bounds from ``BUCKETS`` and ``due_dates_of``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.calendar import days_past_due as days_past_due  # the rule's home: core


@dataclass(frozen=True)
class Bucket:
    """A bucket: its key (the API's field name), its heading, and the days past due it
    holds, ``low``..``high`` inclusive (None: unbounded on that side)."""

    key: str
    label: str
    low: int | None
    high: int | None

    def holds(self, days_past_due: int) -> bool:
        return (self.low is None or days_past_due >= self.low) and (
            self.high is None or days_past_due <= self.high
        )


BUCKETS: tuple[Bucket, ...] = (
    Bucket("not_due", "Not yet due", None, 0),
    Bucket("d1_30", "1–30 days", 1, 30),
    Bucket("d31_60", "31–60 days", 31, 60),
    Bucket("d61_90", "61–90 days", 61, 90),
    Bucket("d90_plus", "Over 90 days", 91, None),
)
BUCKET_KEYS: tuple[str, ...] = tuple(bucket.key for bucket in BUCKETS)
OVERDUE_KEYS: tuple[str, ...] = BUCKET_KEYS[1:]


def ageing_bucket(days_past_due: int) -> str:
    """The bucket (§7.4) of an amount ``days_past_due`` days past its due date."""
    for bucket in BUCKETS:
        if bucket.holds(days_past_due):
            return bucket.key
    raise AssertionError("The buckets cover every number of days.")  # pragma: no cover


def due_dates_of(bucket: Bucket, as_of: date) -> tuple[date | None, date | None]:
    """The due dates whose amounts fall in ``bucket`` on ``as_of``: (earliest, latest),
    inclusive, None when unbounded. More days past due is an earlier due date."""
    earliest = None if bucket.high is None else as_of - timedelta(days=bucket.high)
    latest = None if bucket.low is None else as_of - timedelta(days=bucket.low)
    return earliest, latest
