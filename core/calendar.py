"""The programme's calendar: months (billing periods), Pakistan's fiscal years and their
quarters, and how dates are written and bounded (domain.md §4a, §5, §6).

No Django import. Periods are calendar months in Asia/Karachi (``KARACHI``); the fiscal year
runs 1 July – 30 June and is written ``2026-27``; its quarters are Q1 July–September, Q2
October–December, Q3 January–March and Q4 April–June, written ``2026-27 Q2``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

KARACHI = ZoneInfo("Asia/Karachi")
FIRST_YEAR, LAST_YEAR = 1990, 2999  # the years a person may ask for
# A period as the API schema states it: YYYY-MM, month 01-12, a year FIRST_YEAR..LAST_YEAR
# (tests check it agrees with Period.parse).
PERIOD_PATTERN = r"^(199[0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$"


def _fiscal_years(first: int, last: int) -> str:
    """The fiscal years ``19{first}-{first+1}``..``19{last}-{last+1}`` of a century, as an
    alternation of their last two digits: "90-91|91-92|…|99-00"."""
    return "|".join(f"{n:02d}-{(n + 1) % 100:02d}" for n in range(first, last + 1))


# A fiscal quarter as the API schema states it, ``2026-27 Q2``: one space, no padding, a
# fiscal year from 1990-91 to 2999-00 (FIRST_YEAR..LAST_YEAR, its two years consecutive) and
# Q1..Q4. Exactly the quarters ``FiscalQuarter.parse`` takes written as it writes them (tests
# check it), so any quarter the schema allows names a stored one.
QUARTER_PATTERN = rf"^(19({_fiscal_years(90, 99)})|2[0-9]({_fiscal_years(0, 99)})) Q[1-4]$"
QUARTER_MESSAGE = "Write the quarter as YYYY-YY Qn, e.g. 2026-27 Q2."
FISCAL_YEAR_START_MONTH = 7
RETURN_DUE_DAY = 10  # §4a: a progress return is due on the 10th after its quarter


def local_date(moment: datetime) -> date:
    """The day ``moment`` falls on in Pakistan (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("A moment must carry its time zone.")
    return moment.astimezone(KARACHI).date()


def add_months(day: date, months: int) -> date:
    """``day`` moved by calendar months, the day clipped to the month's end (§5 rule 1)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def long_date(day: date) -> str:
    """A date as people read it here: "1 December 2026"."""
    return f"{day.day} {day:%B %Y}"


def days_past_due(due_date: date, as_of: date) -> int:
    """§7.4: D − the due date, in days (negative before it is due). The ageing buckets
    (``reports.ageing``) and a company's account (days overdue) both count by it."""
    return (as_of - due_date).days


def year_problem(year: int) -> str | None:
    """Why ``year`` is outside the years the programme knows (a typo like 9999), or None."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"Choose a year between {FIRST_YEAR} and {LAST_YEAR}."
    return None


def date_problem(day: date) -> str | None:
    """Why ``day`` cannot be a date of the programme (a lease's start or end, a park's
    opening, a scheme's validity, a desired start), or None: only days of months that can be
    billed, so every such date has a billing period, and a typo like 9999 is caught."""
    if year_problem(day.year):
        return f"Choose a date between {FIRST_YEAR}-01-01 and {LAST_YEAR}-12-31."
    return None


def overlap_days(start: date, end: date | None, first: date, last: date) -> int:
    """Days of ``[start, end]`` (end inclusive, None = open) inside ``[first, last]``."""
    lo = max(start, first)
    hi = last if end is None else min(end, last)
    return max(0, (hi - lo).days + 1)


def month_ends(today: date, months: int = 12) -> list[date]:
    """The days a monthly series is measured on, oldest first: the last day of each of the
    ``months - 1`` months before ``today``'s, then ``today`` itself for the current month."""
    days = [today]
    first = today.replace(day=1)
    for _ in range(months - 1):
        last_of_previous = first - timedelta(days=1)
        days.append(last_of_previous)
        first = last_of_previous.replace(day=1)
    return days[::-1]


@dataclass(frozen=True, order=True)
class Period:
    """A billing period: one calendar month (api.md writes it ``YYYY-MM``)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise ValueError(f"No such month: {self.year}-{self.month}.")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", (text or "").strip())
        if not match:
            raise ValueError("Write the period as YYYY-MM, e.g. 2026-03.")
        if not 1 <= int(match[2]) <= 12:
            raise ValueError(
                f"There is no month {match[2]}: write the period as YYYY-MM, e.g. 2026-03."
            )
        if year_problem(int(match[1])):
            raise ValueError(f"Write a month between {FIRST_YEAR}-01 and {LAST_YEAR}-12.")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Period:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    def next(self) -> Period:
        return Period.of(self.last + timedelta(days=1))

    def previous(self) -> Period:
        return Period.of(self.first - timedelta(days=1))

    def has_ended(self, today: date) -> bool:
        """A month can be billed only once it is over (§6: in arrears)."""
        return today > self.last

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


# --- Fiscal years and quarters ------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class FiscalYear:
    """Pakistan's fiscal year, 1 July – 30 June, named by the year it starts in."""

    start_year: int

    @classmethod
    def of(cls, day: date) -> FiscalYear:
        start = day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1
        return cls(start)

    @classmethod
    def parse(cls, text: str) -> FiscalYear:
        """``2026-27`` → FiscalYear(2026); the second year must follow the first."""
        match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", (text or "").strip())
        if not match or (int(match[1]) + 1) % 100 != int(match[2]):
            raise ValueError("Write the fiscal year as YYYY-YY, e.g. 2026-27.")
        if year_problem(int(match[1])):
            raise ValueError(f"Write a fiscal year between {FIRST_YEAR} and {LAST_YEAR}.")
        return cls(int(match[1]))

    @property
    def first(self) -> date:
        return date(self.start_year, FISCAL_YEAR_START_MONTH, 1)

    @property
    def last(self) -> date:
        return date(self.start_year + 1, FISCAL_YEAR_START_MONTH, 1) - timedelta(days=1)

    def quarters(self) -> list[FiscalQuarter]:
        return [FiscalQuarter(self.start_year, number) for number in (1, 2, 3, 4)]

    def __str__(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"


def fiscal_year(day: date) -> str:
    """Pakistan's fiscal year (1 July – 30 June) of ``day``, written ``2026-27``."""
    return str(FiscalYear.of(day))


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    """A quarter of Pakistan's fiscal year (§4a): Q1 July–September … Q4 April–June."""

    start_year: int  # the fiscal year's first calendar year
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"No such quarter: Q{self.number}.")

    @classmethod
    def of(cls, day: date) -> FiscalQuarter:
        year = FiscalYear.of(day)
        months_in = (day.month - FISCAL_YEAR_START_MONTH) % 12
        return cls(year.start_year, months_in // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> FiscalQuarter:
        """``2026-27 Q2`` → FiscalQuarter(2026, 2)."""
        match = re.fullmatch(r"(\S+)\s+Q([0-9])", (text or "").strip())
        if not match or match[2] not in "1234":
            raise ValueError(QUARTER_MESSAGE)
        return cls(FiscalYear.parse(match[1]).start_year, int(match[2]))

    @property
    def fiscal_year(self) -> FiscalYear:
        return FiscalYear(self.start_year)

    @property
    def first(self) -> date:
        return add_months(self.fiscal_year.first, 3 * (self.number - 1))

    @property
    def last(self) -> date:
        return add_months(self.first, 3) - timedelta(days=1)

    @property
    def due_date(self) -> date:
        """§4a: a progress return is due on the 10th of the month after the quarter."""
        return (self.last + timedelta(days=1)).replace(day=RETURN_DUE_DAY)

    def next(self) -> FiscalQuarter:
        return FiscalQuarter.of(self.last + timedelta(days=1))

    def previous(self) -> FiscalQuarter:
        return FiscalQuarter.of(self.first - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.fiscal_year} Q{self.number}"


def quarter_from_text(text: object, *, exact: bool = False) -> FiscalQuarter:
    """The quarter ``text`` names (``FiscalQuarter.parse``); ``exact`` (an API): only as its
    schema writes it (``QUARTER_PATTERN``: no padding, one space). ValueError with the
    calendar's message otherwise: the most precise one it has."""
    if not isinstance(text, str) or "\x00" in text:
        raise ValueError(QUARTER_MESSAGE)
    quarter = FiscalQuarter.parse(text)  # its message says what is wrong, if it can
    if exact and not re.fullmatch(QUARTER_PATTERN, text):
        raise ValueError(QUARTER_MESSAGE)
    return quarter
