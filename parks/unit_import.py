"""Bulk import of units from a CSV file (issue 3): all rows or none, with a report by row.

The file as a whole (size, encoding, header) is read by the pure ``parks.domain``; each row
is validated by ``UnitRowForm``, the unit form the pages use, so a row is refused for the
same reasons, with the same messages, as a unit added by hand. What only a file can get
wrong is checked here: a code repeated in the file, or one the park already has. No query:
the service passes the park's codes in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from .domain import MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, RowError, read_csv_table
from .forms import UnitRowForm
from .models import UNIT_FIELDS, UnitFields

CSV_COLUMNS = UNIT_FIELDS
CSV_OPTIONAL_COLUMNS = frozenset({"under_maintenance"})

__all__ = [
    "CSV_COLUMNS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "ImportReport",
    "ParsedUnits",
    "RowError",
    "UnitRow",
    "parse_units_csv",
    "units_csv_template",
]


@dataclass(frozen=True)
class UnitRow:
    """One valid row of an import file: its number and the unit's fields, which read as
    attributes too (``row.code``). ``monthly_rent`` None means: the park's default."""

    row: int
    fields: UnitFields

    def __getattr__(self, name: str) -> Any:
        fields = self.__dict__.get("fields", {})
        if name in fields:
            return fields[name]
        raise AttributeError(name)


@dataclass(frozen=True)
class _Outcome:
    """Nothing, and the reasons why: ``problem``, a fault of the file as a whole (encoding,
    header, size), in which case no row was read; otherwise ``errors``, every bad value of
    every row."""

    errors: tuple[RowError, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors


@dataclass(frozen=True)
class ParsedUnits(_Outcome):
    """The outcome of reading an import file: its rows, or why it cannot be imported."""

    rows: tuple[UnitRow, ...] = ()


@dataclass(frozen=True)
class ImportReport(_Outcome):
    """What a bulk import did: the codes created, or nothing and the reasons why."""

    created: tuple[str, ...] = ()

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})


def _validated(number: int, values: dict[str, str]) -> UnitRow | list[RowError]:
    """One row through the unit form: the unit's fields, or every problem of the row."""
    form = UnitRowForm(values)
    if form.is_valid():
        return UnitRow(number, cast(UnitFields, form.cleaned_data))
    return [
        RowError(number, "" if column == "__all__" else column, str(message))
        for column, messages in form.errors.items()
        for message in messages
    ]


class _Codes:
    """domain.md §2: a unit code is unique in its park, whatever its case: against the
    park's units and against the file's other rows."""

    def __init__(self, existing: Iterable[str]) -> None:
        self.taken = {code.casefold() for code in existing}
        self.first_row: dict[str, int] = {}

    def problem(self, number: int, code: str) -> RowError | None:
        key = code.casefold()
        if not code:
            return None
        if key in self.taken:
            return RowError(number, "code", f"Unit {code} already exists in this park.")
        if key in self.first_row:
            return RowError(
                number, "code", f"Code {code} is already used on row {self.first_row[key]}."
            )
        self.first_row[key] = number
        return None


def parse_units_csv(
    data: bytes,
    *,
    existing_codes: Iterable[str] = (),
    max_rows: int = MAX_IMPORT_ROWS,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ParsedUnits:
    """Read an import file of units and validate every row (issue 3: all or nothing).

    The header names ``CSV_COLUMNS`` in any order; ``under_maintenance`` may be left out.
    A unit code must be unique in the park, compared without regard to case: against
    ``existing_codes`` and against the other rows of the file.
    """
    table = read_csv_table(
        data,
        columns=CSV_COLUMNS,
        optional=CSV_OPTIONAL_COLUMNS,
        max_rows=max_rows,
        max_bytes=max_bytes,
    )
    if table.problem is not None:
        return ParsedUnits(problem=table.problem)
    codes = _Codes(existing_codes)
    rows: list[UnitRow] = []
    errors = list(table.errors)
    for number, values in table.rows:
        outcome = _validated(number, values)
        if isinstance(outcome, UnitRow):
            rows.append(outcome)
        else:
            errors.extend(outcome)
        code_problem = codes.problem(number, values["code"].strip())
        if code_problem is not None:
            errors.append(code_problem)
    if errors:
        return ParsedUnits(errors=tuple(sorted(errors, key=lambda e: e.row)))
    return ParsedUnits(rows=tuple(rows))


def units_csv_template() -> str:
    """The import template: the header and two example rows (rent blank = park default)."""
    return (
        ",".join(CSV_COLUMNS)
        + "\r\nA-101,1,office,1200,15,,5000,no\r\nD-01,Ground,desk,60,1,4500,1000,no\r\n"
    )
