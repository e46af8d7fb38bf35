"""The returns list as a table: its columns stated once, for the page's header and the CSV
and XLSX files (``stp_portal.exports``), and the words for how near a due date is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.db.models import QuerySet
from django.utils import timezone

from core.calendar import FiscalQuarter, days_past_due
from core.tables import Kind, Row, Table, columns
from core.vocabulary import ReturnStatus

from .models import OwedReturn

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class Status(TypedDict):
    """What ``returns.selectors.owed_returns`` adds to an owed return: its §4a status."""

    status: str


if TYPE_CHECKING:
    # An owed return as the selectors give it, with its status.
    OwedWithStatus = WithAnnotations[OwedReturn, Status]

RETURN_COLUMNS = columns(
    ("quarter", "Quarter"),
    ("company", "Company"),
    ("park", "Park"),
    ("due_date", "Due date", Kind.DATE),
    ("status", "Status"),
    ("timing", "When"),
    ("version", "Version", Kind.COUNT),
    ("filed_on", "Filed on", Kind.DATE),
)
CHUNK = 2000


def timing(status: str, due_date: date, today: date) -> str:
    """How near a return not yet filed is to its due date: "5 days left", "due today",
    "12 days overdue"; nothing once filed."""
    if status == ReturnStatus.FILED:
        return ""
    days = -days_past_due(due_date, today)
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def owed_return_table(
    returns: QuerySet[OwedWithStatus], *, today: date, company_user: bool = False
) -> Table:
    """The returns list's rows (already scoped, annotated with ``status`` and filtered), read
    as plain values in chunks: one query per 2,000 rows, no model instances. A company
    user's file has no Company column, as their page has none (their own company only)."""
    shown = tuple(c for c in RETURN_COLUMNS if not (company_user and c.key == "company"))

    def rows() -> Iterator[Row]:
        values = returns.values_list(
            "quarter__start_year", "quarter__number", "company__name", "park__name",
            "quarter__due_date", "status", "current__version", "current__filed_at",
        )  # fmt: skip
        for year, number, company, park, due, status, version, filed_at in values.iterator(
            chunk_size=CHUNK
        ):
            yield {
                "quarter": str(FiscalQuarter(year, number)),
                "company": company,
                "park": park,
                "due_date": due,
                "status": ReturnStatus(status).label,
                "timing": timing(status, due, today),
                "version": version,
                "filed_on": timezone.localtime(filed_at).date() if filed_at else None,
            }

    return Table(shown, rows(), title="Progress returns")
