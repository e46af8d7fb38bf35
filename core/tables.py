"""A table as the portal shows it and exports it: typed columns and rows of plain values.

One statement of a table's columns serves its page, its CSV and XLSX files and its API
answer, so the three never disagree (issue 10: "the same rows and columns as the page").
No Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a column holds, which decides how it is shown and written to a file:
    money with 2 decimals, a count as a whole number, a percent with 1 decimal, a date as
    a date, a period (a month, ``YYYY-MM``) as the first day of that month."""

    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    DECIMAL = "decimal"
    PERCENT = "percent"
    DATE = "date"
    PERIOD = "period"


NUMERIC_KINDS = frozenset({Kind.COUNT, Kind.MONEY, Kind.DECIMAL, Kind.PERCENT})


@dataclass(frozen=True)
class Column:
    """One column: the row key it reads, its heading, and its kind."""

    key: str
    label: str
    kind: Kind = Kind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


Row = Mapping[str, Any]


@dataclass(frozen=True)
class Table:
    """Columns, rows (mappings keyed by ``Column.key``) and, optionally, a totals row.

    ``rows`` may be a one-pass iterator (an export streams it); a page or an API answer
    holds a list. ``totals`` holds sums, never averages of percentages (domain.md §7): a
    percent in the totals row is computed from the summed parts.
    """

    columns: tuple[Column, ...]
    rows: Iterable[Row]
    totals: Row | None = None
    title: str = ""
    empty: str = "Nothing to show for these filters."
    # Keys of rows that carry a link on the page (key -> row key of the URL).
    links: Mapping[str, str] = field(default_factory=dict)

    def cells(self, row: Row) -> list[Any]:
        return [row.get(column.key) for column in self.columns]

    def keys(self) -> list[str]:
        return [column.key for column in self.columns]


def columns(*specs: tuple[str, str] | tuple[str, str, Kind]) -> tuple[Column, ...]:
    """``columns(("park", "Park"), ("net", "Net", Kind.MONEY))``: a table's columns."""
    return tuple(Column(*spec) for spec in specs)


def total_of(rows: Sequence[Row], *keys: str) -> dict[str, Any]:
    """The sums of ``keys`` over ``rows`` (None cells count as nothing)."""
    return {key: sum((row[key] for row in rows if row.get(key) is not None), 0) for key in keys}


def json_value(kind: Kind, value: Any) -> Any:
    """A cell as the API writes it (api.md): money as a string with two decimals, percents
    as a string with one, dates ``YYYY-MM-DD``, periods ``YYYY-MM``, counts as numbers."""
    if value is None:
        return None
    if kind == Kind.MONEY:
        return f"{value:.2f}"
    if kind == Kind.PERCENT:
        return f"{value:.1f}"
    if kind == Kind.DECIMAL:
        return str(value)
    if kind == Kind.COUNT:
        return int(value)
    if kind in (Kind.DATE, Kind.PERIOD):
        return str(value) if kind == Kind.PERIOD else value.isoformat()
    return value


def json_rows(table: Table) -> dict[str, Any]:
    """A table as the API answers it: ``{"rows": [...], "totals": {...} | None}``."""
    kinds = {column.key: column.kind for column in table.columns}

    def row(values: Row) -> dict[str, Any]:
        return {key: json_value(kinds.get(key, Kind.TEXT), value) for key, value in values.items()}

    return {
        "rows": [row(values) for values in table.rows],
        "totals": row(table.totals) if table.totals is not None else None,
    }
