"""The rules of progress returns (domain.md §4a), in plain Python (no Django import).

- Which returns are owed: a company owes one per park and fiscal quarter in which it held a
  lease there on any day; a return is owed once its quarter is over.
- A return's status on a day: ``filed`` once a version exists, otherwise ``due`` until its
  due date (the 10th after the quarter) and ``overdue`` after it.
- What a return states, and the checks its figures pass.
- When the owners are reminded: 5 days before the due date, and the day after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Self

from core.calendar import FiscalQuarter
from core.money import LARGEST_AMOUNT, quantize_money
from core.vocabulary import ReminderKind, ReturnStatus

LARGEST_COUNT = 1_000_000  # more people than this in one company is a typo
MARKETS_MAX_LENGTH = 500
REASON_MAX_LENGTH = 2000  # an amendment's reason: the model, the service and the API's help


def already_filed(what: str = "This return") -> str:
    """The message when a return's first version is filed twice (the service, with the
    quarter and park; the database's constraint, without)."""
    return f"{what} has already been filed: amend it instead."


REMINDER_DAYS_BEFORE = 5
# A reminder missed on its day (the worker was down) is still sent within this many days;
# after that it would be news to nobody, and a lease recorded late for old quarters must not
# bring a flood of e-mails about them.
REMINDER_GRACE_DAYS = 7


# --- Which returns are owed -------------------------------------------------------------------
def quarters_held(start: date, end: date | None, until: date) -> list[FiscalQuarter]:
    """The quarters in which a lease running ``start``..``end`` (inclusive; None = open)
    holds at least one day, up to the quarter of ``until``."""
    last = until if end is None else min(end, until)
    if last < start:
        return []
    quarter, final = FiscalQuarter.of(start), FiscalQuarter.of(last)
    held = [quarter]
    while quarter < final:
        quarter = quarter.next()
        held.append(quarter)
    return held


def latest_quarter(today: date) -> FiscalQuarter:
    """The latest quarter over on ``today``: the one before the quarter ``today`` falls in (a
    quarter is over the day after its last day, when its returns become owed). The one
    statement of "over", for the filing rule, the compliance page and the reports."""
    return FiscalQuarter.of(today).previous()


def is_owed(quarter: FiscalQuarter, today: date) -> bool:
    """A return is owed once its quarter is over."""
    return quarter <= latest_quarter(today)


def quarters_up_to(quarter: FiscalQuarter, count: int) -> list[FiscalQuarter]:
    """``count`` quarters ending with ``quarter``, oldest first."""
    quarters = [quarter]
    while len(quarters) < count:
        quarters.insert(0, quarters[0].previous())
    return quarters


def quarters_owed(leases: Iterable[tuple[date, date | None]], today: date) -> list[FiscalQuarter]:
    """§4a: the quarters a company owes a return for in one park, oldest first, given its
    leases there (start, end): every quarter over by ``today`` in which one of them held a
    day. The quarter running today is not owed yet. The database computes this rule (the
    owed-returns view, returns/migrations/0003); this is its oracle, and
    tests/returns/test_owed.py checks the two agree for random leases."""
    owed: set[FiscalQuarter] = set()
    for start, end in leases:
        owed.update(q for q in quarters_held(start, end, today) if is_owed(q, today))
    return sorted(owed)


def return_status(*, due_date: date, filed: bool, today: date) -> ReturnStatus:
    """§4a: ``filed`` once filed; otherwise ``due`` up to and on its due date, then
    ``overdue``."""
    if filed:
        return ReturnStatus.FILED
    return ReturnStatus.DUE if today <= due_date else ReturnStatus.OVERDUE


# --- Reminders --------------------------------------------------------------------------------
def reminder_day(kind: ReminderKind, due_date: date) -> date:
    """The day a reminder of ``kind`` is sent: 5 days before the due date, or the day after."""
    if kind == ReminderKind.BEFORE_DUE:
        return due_date - timedelta(days=REMINDER_DAYS_BEFORE)
    return due_date + timedelta(days=1)


def reminder_window(kind: ReminderKind, due_date: date) -> tuple[date, date]:
    """The days on which a reminder of ``kind`` not yet sent is sent: from its day; a
    before-due reminder until the due date, an overdue one for ``REMINDER_GRACE_DAYS``."""
    first = reminder_day(kind, due_date)
    if kind == ReminderKind.BEFORE_DUE:
        return first, due_date
    return first, first + timedelta(days=REMINDER_GRACE_DAYS - 1)


def quarters_to_remind(kind: ReminderKind, today: date) -> list[FiscalQuarter]:
    """The quarters whose returns get a reminder of ``kind`` if sent ``today`` (at most two,
    the windows being shorter than a quarter)."""
    candidates = {FiscalQuarter.of(today).previous(), FiscalQuarter.of(today).previous().previous()}
    return sorted(
        q
        for q in candidates
        if reminder_window(kind, q.due_date)[0] <= today <= reminder_window(kind, q.due_date)[1]
    )


# --- What a return states ---------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ReturnFigures:
    """What a progress return states (§4a). Counts are whole people; money is Decimal."""

    employees: int
    employees_women: int
    in_park: int
    in_park_women: int
    new_hires: int
    new_hires_women: int
    interns: int
    export_earnings_usd: Decimal
    domestic_revenue_pkr: Decimal
    foreign_clients: int
    export_markets: str = ""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def of(cls, row: Any) -> Self:
        return cls(**{name: getattr(row, name) for name in cls.names()})

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.names()}


COUNT_FIELDS = (
    "employees",
    "employees_women",
    "in_park",
    "in_park_women",
    "new_hires",
    "new_hires_women",
    "interns",
    "foreign_clients",
)
MONEY_FIELDS = ("export_earnings_usd", "domestic_revenue_pkr")
# Each "of whom" figure and the figure it is part of, with the message when it exceeds it.
PARTS = (
    ("employees_women", "employees", "Women employees cannot exceed all employees."),
    ("in_park", "employees", "Employees working from the park cannot exceed all employees."),
    (
        "in_park_women",
        "in_park",
        "Women working from the park cannot exceed all who work from the park.",
    ),
    (
        "in_park_women",
        "employees_women",
        "Women working from the park cannot exceed all women employees.",
    ),
    ("new_hires_women", "new_hires", "Women hired cannot exceed all new hires."),
)


def count_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return "Enter a whole number."
    if value < 0:
        return "Enter 0 or more."
    if value > LARGEST_COUNT:
        return f"Enter at most {LARGEST_COUNT:,}."
    return None


def money_problem(value: Any) -> str | None:
    """A money figure of a return: 0.00 or more, at most 2 decimals."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return "Enter an amount, e.g. 12500.00."
    if value.is_signed():  # -0.00 too
        return "Enter 0.00 or more."
    if value.adjusted() >= len(str(int(LARGEST_AMOUNT))):
        return f"The amount can be at most {LARGEST_AMOUNT:,.2f}."
    if value != quantize_money(value):
        return "Write the amount with at most 2 decimals."
    return None


def normalise_markets(text: str) -> str:
    """Countries as a person lists them, tidied: comma-separated, each once, in order."""
    seen: dict[str, str] = {}
    for part in (text or "").replace(";", ",").replace("\n", ",").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return ", ".join(seen.values())


def figure_problems(figures: ReturnFigures) -> dict[str, str]:
    """Every problem with ``figures`` at once, by field (§4a): counts whole and not
    negative, money Decimal and not negative, women never more than the total, those in the
    park never more than all employees. Empty when the return can be filed."""
    problems: dict[str, str] = {}
    for name in COUNT_FIELDS:
        if problem := count_problem(getattr(figures, name)):
            problems[name] = problem
    for name in MONEY_FIELDS:
        if problem := money_problem(getattr(figures, name)):
            problems[name] = problem
    for part, whole, message in PARTS:
        if part in problems or whole in problems:
            continue
        if getattr(figures, part) > getattr(figures, whole):
            problems.setdefault(part, message)
    if len(figures.export_markets or "") > MARKETS_MAX_LENGTH:
        problems["export_markets"] = (
            f"List the main markets in at most {MARKETS_MAX_LENGTH} characters."
        )
    return problems
