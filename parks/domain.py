"""Pure rules about parks and units (no Django import): the default rent, a unit's derived
status, and the reading of a CSV import file as a whole (its size, encoding and header).

Occupancy over time is in ``parks.occupancy``; the validation of each imported row is the
unit form's (``parks.unit_import``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import quantize_money
from core.vocabulary import UnitStatus


def default_monthly_rent(area_sqft: Decimal, rent_per_sqft: Decimal) -> Decimal:
    """domain.md §2: a unit's monthly rent defaults to its area × the park's rate."""
    return quantize_money(area_sqft * rent_per_sqft)


@dataclass(frozen=True)
class Occupation:
    """One period a unit is let: start and inclusive end (None = open)."""

    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def unit_status_on(
    day: date, *, under_maintenance: bool, occupations: Sequence[Occupation]
) -> UnitStatus:
    """domain.md §2: a unit is leased on a day a lease covers, reserved when a lease starts
    later, under maintenance when flagged and not let, otherwise vacant."""
    if any(o.covers(day) for o in occupations):
        return UnitStatus.LEASED
    if under_maintenance:
        return UnitStatus.MAINTENANCE
    if any(o.start > day for o in occupations):
        return UnitStatus.RESERVED
    return UnitStatus.VACANT


# --- An import file as a whole (issue 3) -------------------------------------------------------
MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 1024 * 1024  # 2,000 rows of units fit in a tenth of this


@dataclass(frozen=True)
class RowError:
    """A problem with one value of one row. Rows are numbered as a spreadsheet shows them:
    the header is row 1, the first unit row 2. ``column`` is empty for the row as a whole."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class CsvTable:
    """An import file read as a whole: its rows, each with its number and its values by
    column (header names in lower case), or ``problem``, why it cannot be read at all."""

    rows: tuple[tuple[int, dict[str, str]], ...] = ()
    errors: tuple[RowError, ...] = ()
    problem: str | None = None


def _size(n: int) -> str:
    return f"{n // 1_048_576} MB" if n >= 1_048_576 else f"{n // 1024} KB"


def _records(data: bytes, max_rows: int, max_bytes: int) -> list[tuple[int, list[str]]] | str:
    """The file's non-blank records, numbered from 1 as a spreadsheet shows them, or why the
    file cannot be read (size, encoding, not text, not CSV)."""
    if len(data) > max_bytes:
        return (
            f"The file is larger than {_size(max_bytes)}; "
            f"import at most {max_rows:,} units at a time."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return (
            "The file is not UTF-8 text. In a spreadsheet, save it as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        )
    if "\x00" in text:
        return "This is not a CSV text file."
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return f"The file could not be read as CSV: {exc}."
    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(v.strip() for v in r)]
    return numbered or "The file is empty."


def _header_problem(
    header: list[str], columns: Sequence[str], optional: frozenset[str]
) -> str | None:
    """Why the first row is not the import's header, in plain sentences, or None."""
    names = [h.strip().lower() for h in header]
    missing = [c for c in columns if c not in names and c not in optional]
    unknown = [h for h in names if h not in columns]
    repeated = sorted({h for h in names if names.count(h) > 1})
    if not (missing or unknown or repeated):
        return None
    sentences = []
    if missing:
        sentences.append(f"The header row lacks these columns: {', '.join(missing)}.")
    if unknown:
        shown = ", ".join(repr(u) if u else "a column without a name" for u in unknown)
        sentences.append(f"It has columns the import does not know: {shown}.")
    if repeated:
        sentences.append(f"These columns appear more than once: {', '.join(repeated)}.")
    sentences.append(
        f"The first row must name the columns {', '.join(columns)} "
        f"({', '.join(sorted(optional))} may be left out). Download the template to start from."
    )
    return " ".join(sentences)


def read_csv_table(
    data: bytes,
    *,
    columns: Sequence[str],
    optional: frozenset[str] = frozenset(),
    max_rows: int = MAX_IMPORT_ROWS,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> CsvTable:
    """Read an import file as a whole (issue 3): UTF-8 CSV (a byte-order mark, as Excel
    writes, is fine) whose first row names ``columns`` in any order (``optional`` ones may be
    left out), at most ``max_rows`` rows and ``max_bytes``. Blank lines are skipped; a row
    with more or fewer values than the header is an error of that row. Validating the values
    is the caller's."""
    records = _records(data, max_rows, max_bytes)
    if isinstance(records, str):
        return CsvTable(problem=records)
    (_, header), body = records[0], records[1:]
    problem = _header_problem(header, columns, optional)
    if problem:
        return CsvTable(problem=problem)
    if not body:
        return CsvTable(problem="The file has a header but no units.")
    if len(body) > max_rows:
        return CsvTable(
            problem=f"The file has {len(body):,} units; import at most {max_rows:,} at a time."
        )
    names = [h.strip().lower() for h in header]
    rows = tuple((n, dict(zip(names, r, strict=True))) for n, r in body if len(r) == len(names))
    errors = tuple(
        RowError(n, "", f"Expected {len(names)} values, found {len(r)}.")
        for n, r in body
        if len(r) != len(names)
    )
    return CsvTable(rows=rows, errors=errors)
