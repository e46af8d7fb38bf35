"""Pure rules about parks and units (no Django import): the default rent, a unit's derived
status, a park's status in a visitor's words, its amenities and contact phone, what a unit of
a kind and size would cost before any subsidy (the price estimator's quote), and the reading
of a CSV import file as a whole (its size, encoding and header).

Occupancy over time is in ``parks.occupancy``; the validation of each imported row is the
unit form's (``parks.unit_import``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.geo.pakistan import BOUNDS
from core.money import format_pkr, quantize_money
from core.vocabulary import Amenity, ParkStatus, UnitKind, UnitStatus


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


# --- A park for its visitors (issue 12 §5) ---------------------------------------------------
def park_status_word(status: str, opening_date: date | None, today: date) -> str:
    """A park's status as a visitor reads it, on every page: "Open" (existing), "Opening
    2027" (upcoming, from the year of its expected opening date; "Opening soon" when it has
    none, or when that date has passed and the park is still not open), "Planned". The API
    keeps the stored ``status`` and adds this as ``status_label``."""
    if status == ParkStatus.EXISTING:
        return "Open"
    if status == ParkStatus.UPCOMING:
        if opening_date is None or opening_date <= today:
            return "Opening soon"
        return f"Opening {opening_date.year}"
    return "Planned"


def opening_date_problem(status: str, opening_date: date | None) -> str | None:
    """domain.md §2: an existing or upcoming park has its opening date (actual or expected);
    only a planned one may have none."""
    if status != ParkStatus.PLANNED and opening_date is None:
        return "An existing or upcoming park needs its opening date (or the expected one)."
    return None


def coordinates_problem(
    latitude: Decimal | None, longitude: Decimal | None
) -> dict[str, str] | None:
    """Why a park's coordinates cannot be right, by field, or None: both or neither are
    given, and the point lies inside Pakistan (``core.geo.pakistan.BOUNDS``), where the map
    can show it."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        return {missing: "Give both the latitude and the longitude, or neither."}
    problems = {}
    if not BOUNDS.south <= latitude <= BOUNDS.north:
        problems["latitude"] = (
            f"A park in Pakistan lies between {BOUNDS.south}° and {BOUNDS.north}° north "
            "(e.g. Gilgit 35.92)."
        )
    if not BOUNDS.west <= longitude <= BOUNDS.east:
        problems["longitude"] = (
            f"A park in Pakistan lies between {BOUNDS.west}° and {BOUNDS.east}° east "
            "(e.g. Quetta 66.99)."
        )
    return problems or None


def amenities_problem(values: object) -> str | None:
    """Why ``values`` is not a park's amenities: a list of known amenity codes
    (``core.vocabulary.Amenity``), each once. None when it is."""
    if not isinstance(values, list | tuple):
        return "Amenities are a list of amenity codes."
    unknown = [str(v) for v in values if v not in Amenity.values]
    if unknown:
        return f"Unknown amenities: {', '.join(unknown)}. Choose from: {', '.join(Amenity.values)}."
    if len(set(values)) != len(values):
        return "Each amenity is listed once."
    return None


def amenities_in_order(values: Iterable[str]) -> list[str]:
    """The amenities in the vocabulary's order, each once: how a park stores and shows them."""
    chosen = set(values)
    return [code for code in Amenity.values if code in chosen]


# A phone number as Pakistanis write it: +92 51 111 222 333, 051-9204567, (058) 1234567.
PHONE_PATTERN = re.compile(r"\+?\(?[0-9][0-9 ()-]*[0-9]")
PHONE_DIGITS = (7, 15)  # a local line without its area code .. the longest E.164 number


def phone_problem(text: str) -> str | None:
    """Why ``text`` is not a phone number to print on a park's page, or None."""
    digits = sum(c.isdigit() for c in text)
    low, high = PHONE_DIGITS
    if not PHONE_PATTERN.fullmatch(text) or not low <= digits <= high:
        return (
            f"Enter a phone number of {low} to {high} digits, e.g. +92 51 9204567 or "
            "051-9204567 (digits, spaces, dashes, brackets and a leading +)."
        )
    return None


# --- The price estimator's quote (issue 12 §5) -------------------------------------------------
@dataclass(frozen=True)
class ListedUnit:
    """A unit a park lists, as the quote reads it: its kind, size and prices."""

    kind: str
    area_sqft: Decimal
    seats: int
    monthly_rent: Decimal
    internet_fee: Decimal


@dataclass(frozen=True)
class Quote:
    """What a unit of a kind and size would cost a month before any subsidy: one let per
    unit, each ``(monthly rent, internet fee)``, as billing would bill them (domain.md §6),
    and how the prices were found (``basis``, a sentence for the visitor)."""

    kind: UnitKind
    size: int
    lets: tuple[tuple[Decimal, Decimal], ...]
    basis: str

    @property
    def monthly_rent(self) -> Decimal:
        return sum((rent for rent, _ in self.lets), Decimal(0))

    @property
    def internet_fee(self) -> Decimal:
        return sum((fee for _, fee in self.lets), Decimal(0))


class QuoteError(ValueError):
    """A quote that cannot be made, with the reason for the visitor (field, message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


OFFICE_AREA = (100, 50_000)  # sq ft a private office may be asked for
DESKS = (1, 100)  # coworking desks at once


def unit_quote(
    kind: str, size: int, *, rent_per_sqft: Decimal, listed: Sequence[ListedUnit]
) -> Quote:
    """The monthly prices of ``size`` of a kind of unit in a park (domain.md §2).

    - A private office of ``size`` sq ft: its rent is the default rent, area × the park's
      rate; its internet package that of the park's listed office nearest in area (the
      cheaper of two as near), or none when the park lists no office yet.
    - ``size`` coworking desks: each priced as the park's cheapest listed desk (a desk is
      one seat, leased whole); none listed: no quote.
    Raises ``QuoteError`` for a size outside the limits or a kind the park does not list.
    """
    if kind == UnitKind.OFFICE:
        low, high = OFFICE_AREA
        if not low <= size <= high:
            raise QuoteError("size", f"Enter an office area from {low:,} to {high:,} sq ft.")
        area = Decimal(size)
        rent = default_monthly_rent(area, rent_per_sqft)
        offices = [u for u in listed if u.kind == UnitKind.OFFICE]
        if not offices:
            return Quote(
                UnitKind.OFFICE,
                size,
                ((rent, Decimal("0.00")),),
                f"Rent: {size:,} sq ft × {format_pkr(rent_per_sqft)} per sq ft. The park lists no "
                "office yet, so its internet package is not included.",
            )
        nearest = min(offices, key=lambda u: (abs(u.area_sqft - area), u.internet_fee))
        return Quote(
            UnitKind.OFFICE,
            size,
            ((rent, nearest.internet_fee),),
            f"Rent: {size:,} sq ft × {format_pkr(rent_per_sqft)} per sq ft. Internet: the package "
            f"of the park's office nearest in size ({nearest.area_sqft:,.0f} sq ft).",
        )
    if kind == UnitKind.DESK:
        low, high = DESKS
        if not low <= size <= high:
            raise QuoteError("size", f"Enter from {low} to {high} desks.")
        desks = [u for u in listed if u.kind == UnitKind.DESK]
        if not desks:
            raise QuoteError(
                "kind", "This park lists no coworking desks yet: estimate a private office."
            )
        cheapest = min(desks, key=lambda u: (u.monthly_rent, u.internet_fee))
        return Quote(
            UnitKind.DESK,
            size,
            ((cheapest.monthly_rent, cheapest.internet_fee),) * size,
            f"Each desk at the park's listed price: {format_pkr(cheapest.monthly_rent)} rent and "
            f"{format_pkr(cheapest.internet_fee)} internet a month.",
        )
    raise QuoteError("kind", f"Choose one of: {', '.join(UnitKind.labels)}.")


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
