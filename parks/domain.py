"""Pure rules about parks and units (no Django import): defaults, derived status, the
unit import file and occupancy over time."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.figures import percent, rate
from core.money import quantize_money


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


def unit_status_on(day: date, *, under_maintenance: bool, occupations: list[Occupation]) -> str:
    """domain.md §2: a unit is leased on a day a lease covers, reserved when a lease starts
    later, under maintenance when flagged and not let, otherwise vacant."""
    if any(o.covers(day) for o in occupations):
        return "leased"
    if under_maintenance:
        return "maintenance"
    if any(o.start > day for o in occupations):
        return "reserved"
    return "vacant"


# --- Bulk import of units from CSV (issue 3) --------------------------------------------------
UNIT_KINDS = ("office", "desk")
CSV_COLUMNS = (
    "code",
    "floor",
    "kind",
    "area_sqft",
    "seats",
    "monthly_rent",
    "internet_fee",
    "under_maintenance",
)
CSV_OPTIONAL_COLUMNS = frozenset({"under_maintenance"})
MAX_IMPORT_ROWS = 2000
MAX_IMPORT_BYTES = 1024 * 1024  # 2,000 rows of units fit in a tenth of this
MAX_CODE_LENGTH = MAX_FLOOR_LENGTH = 20
MAX_SEATS = 100_000
TRUE_WORDS = frozenset({"yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", ""})


@dataclass(frozen=True)
class UnitRow:
    """One valid row of an import file. ``monthly_rent`` None means: the park's default."""

    row: int
    code: str
    floor: str
    kind: str
    area_sqft: Decimal
    seats: int
    monthly_rent: Decimal | None
    internet_fee: Decimal
    under_maintenance: bool


@dataclass(frozen=True)
class RowError:
    """A problem with one value of one row. Rows are numbered as a spreadsheet shows them:
    the header is row 1, the first unit row 2. ``column`` is empty for the row as a whole."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ParsedUnits:
    """The outcome of reading an import file: the rows, or why it cannot be imported.

    ``problem`` is a fault of the file as a whole (encoding, header, size), in which case no
    row was read; otherwise ``errors`` lists every bad value of every row.
    """

    rows: tuple[UnitRow, ...] = ()
    errors: tuple[RowError, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors


@dataclass(frozen=True)
class ImportReport:
    """What a bulk import did: the codes created, or nothing and the reasons why."""

    created: tuple[str, ...] = ()
    errors: tuple[RowError, ...] = ()
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.errors

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})


def _decimal(
    text: str, *, places: int, max_digits: int, positive: bool
) -> tuple[Decimal | None, str | None]:
    """A non-negative (or positive) amount with at most ``places`` decimals, or why not.

    Thousands separators are tolerated (spreadsheets add them); exponents, NaN, infinities
    and signs are not.
    """
    cleaned = text.replace(",", "").replace(" ", "")
    digits_and_point = cleaned.replace(".", "", 1)
    if not cleaned or not digits_and_point.isdigit() or not digits_and_point.isascii():
        if cleaned.startswith("-") and cleaned[1:].replace(".", "", 1).isdigit():
            return None, "Must not be negative."
        return None, f"Enter a number such as 1200 or 1200.50, not {text!r}."
    value = Decimal(cleaned)
    step = Decimal(1).scaleb(-places)
    if value != value.quantize(step):
        return None, f"Use at most {places} decimal places."
    value = value.quantize(step)
    if positive and value <= 0:
        return None, "Must be more than zero."
    if value >= Decimal(10) ** (max_digits - places):
        return None, "This number is too large."
    return value, None


def _unit_row(number: int, values: dict[str, str]) -> tuple[UnitRow | None, list[RowError]]:
    """Validate one row's values (domain.md §2: what an office unit has)."""
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    code = values["code"].strip()
    if not code:
        fail("code", "A unit code is required, e.g. A-101.")
    elif len(code) > MAX_CODE_LENGTH:
        fail("code", f"At most {MAX_CODE_LENGTH} characters.")
    floor = values["floor"].strip()
    if len(floor) > MAX_FLOOR_LENGTH:
        fail("floor", f"At most {MAX_FLOOR_LENGTH} characters.")
    kind = values["kind"].strip().lower()
    if kind not in UNIT_KINDS:
        fail("kind", f"Must be one of: {', '.join(UNIT_KINDS)}.")

    area, problem = _decimal(values["area_sqft"].strip(), places=2, max_digits=10, positive=True)
    if problem:
        fail("area_sqft", problem if values["area_sqft"].strip() else "The area is required.")

    seats_text = values["seats"].strip().replace(",", "")
    seats = 0
    if not seats_text:
        fail("seats", "The number of seats is required.")
    elif not (seats_text.isascii() and seats_text.isdigit()):
        fail("seats", f"Enter a whole number of seats, not {values['seats'].strip()!r}.")
    else:
        seats = int(seats_text)
        if seats < 1:
            fail("seats", "A unit has at least one seat.")
        elif seats > MAX_SEATS:
            fail("seats", f"At most {MAX_SEATS:,} seats.")

    rent: Decimal | None = None
    if values["monthly_rent"].strip():
        rent, problem = _decimal(
            values["monthly_rent"].strip(), places=2, max_digits=12, positive=False
        )
        if problem:
            fail("monthly_rent", problem)

    internet = Decimal("0.00")
    if values["internet_fee"].strip():
        fee, problem = _decimal(
            values["internet_fee"].strip(), places=2, max_digits=12, positive=False
        )
        if problem:
            fail("internet_fee", problem)
        elif fee is not None:
            internet = fee

    flag = values.get("under_maintenance", "").strip().lower()
    if flag not in TRUE_WORDS | FALSE_WORDS:
        fail("under_maintenance", "Use yes or no (or true/false, 1/0), or leave it blank.")

    if errors or area is None:
        return None, errors
    return (
        UnitRow(
            row=number,
            code=code,
            floor=floor,
            kind=kind,
            area_sqft=area,
            seats=seats,
            monthly_rent=rent,
            internet_fee=internet,
            under_maintenance=flag in TRUE_WORDS,
        ),
        [],
    )


def _header_problem(header: list[str]) -> str | None:
    """Why the first row is not the import's header, in plain sentences, or None."""
    names = [h.strip().lower() for h in header]
    missing = [c for c in CSV_COLUMNS if c not in names and c not in CSV_OPTIONAL_COLUMNS]
    unknown = [h for h in names if h not in CSV_COLUMNS]
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
    optional = ", ".join(sorted(CSV_OPTIONAL_COLUMNS))
    sentences.append(
        f"The first row must name the columns {', '.join(CSV_COLUMNS)} ({optional} may be "
        "left out). Download the template to start from."
    )
    return " ".join(sentences)


def _size(n: int) -> str:
    return f"{n // 1_048_576} MB" if n >= 1_048_576 else f"{n // 1024} KB"


def parse_units_csv(
    data: bytes,
    *,
    existing_codes: Iterable[str] = (),
    max_rows: int = MAX_IMPORT_ROWS,
    max_bytes: int = MAX_IMPORT_BYTES,
) -> ParsedUnits:
    """Read an import file of units and validate every row (issue 3: all or nothing).

    The file is UTF-8 CSV (a byte-order mark, as Excel writes, is fine) with the header
    ``CSV_COLUMNS`` in any order; ``under_maintenance`` may be left out. Blank lines are
    skipped. A unit code must be unique in the park (domain.md §2), compared without regard
    to case: against ``existing_codes`` and against the other rows of the file.
    """
    if len(data) > max_bytes:
        return ParsedUnits(
            problem=f"The file is larger than {_size(max_bytes)}; "
            f"import at most {max_rows:,} units at a time."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ParsedUnits(
            problem="The file is not UTF-8 text. In a spreadsheet, save it as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        )
    if not text.strip():
        return ParsedUnits(problem="The file is empty.")
    if "\x00" in text:
        return ParsedUnits(problem="This is not a CSV text file.")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return ParsedUnits(problem=f"The file could not be read as CSV: {exc}.")

    numbered = [(n, r) for n, r in enumerate(records, start=1) if any(v.strip() for v in r)]
    if not numbered:
        return ParsedUnits(problem="The file is empty.")
    header = numbered[0][1]
    problem = _header_problem(header)
    if problem:
        return ParsedUnits(problem=problem)
    body = numbered[1:]
    if not body:
        return ParsedUnits(problem="The file has a header but no units.")
    if len(body) > max_rows:
        return ParsedUnits(
            problem=f"The file has {len(body):,} units; import at most {max_rows:,} at a time."
        )

    columns = [h.strip().lower() for h in header]
    taken = {c.casefold() for c in existing_codes}
    first_row: dict[str, int] = {}
    rows: list[UnitRow] = []
    errors: list[RowError] = []
    for number, record in body:
        if len(record) != len(columns):
            errors.append(
                RowError(number, "", f"Expected {len(columns)} values, found {len(record)}.")
            )
            continue
        unit, problems = _unit_row(number, dict(zip(columns, record, strict=True)))
        errors.extend(problems)
        code = record[columns.index("code")].strip()
        key = code.casefold()
        if code and key in taken:
            errors.append(RowError(number, "code", f"Unit {code} already exists in this park."))
        elif code and key in first_row:
            errors.append(
                RowError(number, "code", f"Code {code} is already used on row {first_row[key]}.")
            )
        elif code:
            first_row[key] = number
        if unit is not None:
            rows.append(unit)
    if errors:
        return ParsedUnits(errors=tuple(errors))
    return ParsedUnits(rows=tuple(rows))


def units_csv_template() -> str:
    """The import template: the header and two example rows (rent blank = park default)."""
    return (
        ",".join(CSV_COLUMNS)
        + "\r\nA-101,1,office,1200,15,,5000,no\r\nD-01,Ground,desk,60,1,4500,1000,no\r\n"
    )


# --- Occupancy over time (domain.md §2) --------------------------------------------------------
@dataclass(frozen=True)
class UnitSpace:
    """What a unit contributes to occupancy: its area, its seats, and today's flag."""

    id: int
    area_sqft: Decimal
    seats: int
    under_maintenance: bool = False


@dataclass(frozen=True)
class UnitLet:
    """One let of one unit: start and inclusive end (None = open)."""

    unit_id: int
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class OccupancyPoint:
    """Occupancy of a park on one day, by area, units and seats."""

    day: date
    leased_area: Decimal
    leasable_area: Decimal
    leased_units: int
    leasable_units: int
    leased_seats: int
    leasable_seats: int

    @property
    def by_area(self) -> Decimal | None:
        """Leased ÷ leasable area, a fraction with 4 decimals; None when nothing is leasable."""
        return rate(self.leased_area, self.leasable_area)

    @property
    def by_units(self) -> Decimal | None:
        return rate(self.leased_units, self.leasable_units)

    @property
    def by_seats(self) -> Decimal | None:
        return rate(self.leased_seats, self.leasable_seats)

    @property
    def percent(self) -> Decimal | None:
        """By area, in percent with one decimal (the figure the chart shows)."""
        return percent(self.leased_area, self.leasable_area)

    @property
    def units_percent(self) -> Decimal | None:
        return percent(self.leased_units, self.leasable_units)

    @property
    def seats_percent(self) -> Decimal | None:
        return percent(self.leased_seats, self.leasable_seats)


def occupancy_series(
    lets: Iterable[UnitLet], units: Iterable[UnitSpace], dates: Iterable[date]
) -> list[OccupancyPoint]:
    """domain.md §2: occupancy of a park on each date = leased area ÷ leasable area.

    A unit is leased on a day a let covers; it is leasable unless it is under maintenance
    and not let that day (the rule of ``unit_status_on``, so a flagged unit a tenant still
    occupies counts as leased). Units are today's inventory with today's maintenance flag:
    no history of those is kept, only of leases.
    """
    spaces = list(units)
    by_unit: dict[int, list[UnitLet]] = {}
    for let in lets:
        by_unit.setdefault(let.unit_id, []).append(let)
    points = []
    for day in dates:
        leased_area = leasable_area = Decimal(0)
        leased_units = leasable_units = leased_seats = leasable_seats = 0
        for unit in spaces:
            let_today = any(let.covers(day) for let in by_unit.get(unit.id, ()))
            if not let_today and unit.under_maintenance:
                continue
            leasable_area += unit.area_sqft
            leasable_units += 1
            leasable_seats += unit.seats
            if let_today:
                leased_area += unit.area_sqft
                leased_units += 1
                leased_seats += unit.seats
        points.append(
            OccupancyPoint(
                day=day,
                leased_area=leased_area,
                leasable_area=leasable_area,
                leased_units=leased_units,
                leasable_units=leasable_units,
                leased_seats=leased_seats,
                leasable_seats=leasable_seats,
            )
        )
    return points
