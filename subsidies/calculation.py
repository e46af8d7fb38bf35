"""The money rules of the programme, as plain Python (domain.md §5–6).

No Django import: frozen dataclasses in, ``Decimal`` out, one rounding helper. Services load
the data from the ORM, call these functions and save what they return; tests check the rules
without a database.

Vocabulary: a *let* is one unit of one lease, with the prices agreed at approval and the days
it is let (start and end inclusive, end open when the lease has none). A *period* is a
calendar month in Asia/Karachi. A *subsidy window* is the half-open range of days
``[start, end)`` in which a company's lets in a park are subsidised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from core.calendar import Period, add_months, long_date, overlap_days
from core.money import HUNDRED, ZERO, quantize_money
from core.vocabulary import CHARGED_KINDS, SUBSIDISES, SUBSIDY_KINDS, LineKind, WindowAnchor

DUE_DAYS = 15


@dataclass(frozen=True)
class Span:
    """Days from ``start`` to ``end``, exclusive: a subsidy window as stored."""

    start: date
    end: date


def no_subsidy_reason(period: Period, *, window: Span | None, fixed_after_issue: bool) -> str:
    """Why a month's statement carries no subsidy line (§5), given the company's subsidy
    window in the park: none at all (no scheme covered the park when its first lease began),
    one fixed only after the statement was issued (a scheme created since), one that ended
    before the month or opens after it, or one overlapping the month while the statement
    bills nothing subsidisable inside it (other charges only, days leased outside it)."""
    if window is None:
        return "No subsidy scheme covered this park when the company's first lease here began."
    if fixed_after_issue:
        return "No subsidy scheme covered this park when this statement was issued."
    span = f"{long_date(window.start)} to {long_date(window.end - timedelta(days=1))}"
    if window.end <= period.first:
        return f"The subsidy window ({span}) ended before this month."
    if window.start > period.last:
        return f"The subsidy window ({span}) opens after this month."
    return (
        f"Only rent and internet for days leased inside the subsidy window ({span}) are "
        "subsidised; this statement bills none of those."
    )


# --- Fiscal year and numbers ---------------------------------------------------------------------
def document_number(park_code: str, fiscal_year_label: str, sequence: int, prefix: str = "") -> str:
    """``CODE-FY-NNNNN`` (§6), e.g. ``GUJ-2026-27-00001``; credit notes carry a prefix."""
    if sequence < 1:
        raise ValueError("Numbers start at 1.")
    series = f"{prefix}-" if prefix else ""
    return f"{park_code}-{series}{fiscal_year_label}-{sequence:05d}"


def due_date(issue_date: date) -> date:
    """A statement is due 15 days after it is issued (§6)."""
    return issue_date + timedelta(days=DUE_DAYS)


# --- Schemes and the subsidy window ---------------------------------------------------------------
@dataclass(frozen=True)
class Scheme:
    """A subsidy scheme as the rules need it. ``park_ids`` empty means every park."""

    id: int
    name: str
    internet_pct: Decimal
    rent_pct: Decimal
    duration_months: int
    valid_from: date
    valid_to: date | None = None
    park_ids: frozenset[int] = frozenset()
    anchor: WindowAnchor = WindowAnchor.LEASE_START

    def covers(self, park_id: int) -> bool:
        return not self.park_ids or park_id in self.park_ids

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Window:
    """A company's subsidy window in a park: ``[start, end)`` under ``scheme`` (§5)."""

    start: date
    end: date  # exclusive
    scheme: Scheme

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def days_within(self, start: date, end: date | None, first: date, last: date) -> int:
        """Days of a let ``[start, end]`` inside both ``[first, last]`` and the window."""
        return overlap_days(max(start, self.start), end, first, min(last, self.last_day))


def window_start(scheme: Scheme, *, first_lease_start: date, park_opening: date | None) -> date:
    """The day the window opens under ``scheme``'s anchor (§5 rules 1 and 4)."""
    if scheme.anchor == WindowAnchor.PARK_OPENING and park_opening is not None:
        return park_opening
    return first_lease_start


def subsidy_window(
    schemes: Iterable[Scheme],
    *,
    park_id: int,
    first_lease_start: date,
    park_opening: date | None = None,
) -> Window | None:
    """The window of a company in a park, or None when no scheme applies (§5 rules 1–4).

    The scheme is one covering the park and valid on the window's start date (the first
    lease's start, or the park's opening with the ``park_opening`` anchor). A scheme naming
    the park wins over one for every park; then the latest ``valid_from``; then the highest
    id, so the choice never depends on the order schemes are read in. Later leases and later
    schemes never move it: it depends only on the *first* lease (rule 3, grandfathering).
    """
    candidates = []
    for scheme in schemes:
        if not scheme.covers(park_id):
            continue
        start = window_start(scheme, first_lease_start=first_lease_start, park_opening=park_opening)
        if scheme.valid_on(start):
            candidates.append((bool(scheme.park_ids), scheme.valid_from, scheme.id, start, scheme))
    if not candidates:
        return None
    *_, start, scheme = max(candidates, key=lambda c: c[:3])
    return Window(start=start, end=add_months(start, scheme.duration_months), scheme=scheme)


# --- Statements ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Let:
    """One unit of one lease, at its agreed prices, let from ``start`` to ``end`` inclusive."""

    lease_unit_id: int
    unit_code: str
    monthly_rent: Decimal
    internet_fee: Decimal
    start: date
    end: date | None = None


@dataclass(frozen=True)
class OtherCharge:
    """A charge a park manager records for a lease and month; never subsidised (§5 rule 5)."""

    charge_id: int
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Line:
    """One line of a statement: a charge (positive) or a subsidy (negative), for one let
    (``unit_code``, ``lease_unit_id``) or one other charge (``charge_id``)."""

    kind: LineKind
    description: str
    amount: Decimal
    unit_code: str = ""
    lease_unit_id: int | None = None
    charge_id: int | None = None


@dataclass(frozen=True)
class Statement:
    """What one company owes for one park and month, before it has a number."""

    period: Period
    lines: tuple[Line, ...]
    window: Window | None = None
    gross: Decimal = field(init=False)
    subsidy_total: Decimal = field(init=False)
    net_payable: Decimal = field(init=False)

    def __post_init__(self) -> None:
        # Totals are sums of rounded lines (§6); subsidy_total is negative or zero.
        gross = sum((ln.amount for ln in self.lines if ln.kind in CHARGED_KINDS), ZERO)
        subsidy = sum((ln.amount for ln in self.lines if ln.kind in SUBSIDY_KINDS), ZERO)
        object.__setattr__(self, "gross", gross)
        object.__setattr__(self, "subsidy_total", subsidy)
        object.__setattr__(self, "net_payable", gross + subsidy)

    @property
    def scheme(self) -> Scheme | None:
        return self.window.scheme if self.window else None


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _days(n: int, of: int) -> str:
    return f"{n} of {of} day{'s' if of != 1 else ''}"


def let_lines(let: Let, period: Period, window: Window | None) -> list[Line]:
    """Rent and internet of one let for one month, and their subsidies (§6).

    Charge = monthly price × days let in the month ÷ days in the month; subsidy = percentage
    × monthly price × days both let and in the window ÷ days in the month. Each rounded half
    up to the paisa from its unrounded base; subsidies are negative lines.
    """
    days = period.days
    leased = overlap_days(let.start, let.end, period.first, period.last)
    if leased == 0:
        return []
    subsidised = window.days_within(let.start, let.end, period.first, period.last) if window else 0

    def line(kind: LineKind, description: str, amount: Decimal) -> Line:
        return Line(kind, description, amount, let.unit_code, let.lease_unit_id)

    lines = [
        line(
            LineKind.RENT,
            f"Rent of {let.unit_code}, {_days(leased, days)}",
            quantize_money(let.monthly_rent * leased / days),
        ),
        line(
            LineKind.INTERNET,
            f"Internet of {let.unit_code}, {_days(leased, days)}",
            quantize_money(let.internet_fee * leased / days),
        ),
    ]
    if window is None or subsidised == 0:
        return lines
    scheme = window.scheme
    explained = (
        f"{scheme.name}, window {window.start:%d %b %Y} to {window.last_day:%d %b %Y}, "
        f"{_days(subsidised, days)}"
    )
    for kind, pct, price in (
        (LineKind.RENT_SUBSIDY, scheme.rent_pct, let.monthly_rent),
        (LineKind.INTERNET_SUBSIDY, scheme.internet_pct, let.internet_fee),
    ):
        if subsidy_billed(pct, price):
            amount = subsidy_amount(pct, price, subsidised, days)
            described = f"{kind.label} {_pct(pct)} of {let.unit_code} ({explained})"
            lines.append(line(kind, described, -amount))
    return lines


def subsidy_billed(pct: Decimal, price: Decimal) -> bool:
    """Whether a let's rent or internet carries a subsidy line at all (§6): only a positive
    percentage of a positive price does."""
    return pct > 0 and price > 0


def subsidy_amount(pct: Decimal, price: Decimal, subsidised: int, days: int) -> Decimal:
    """One subsidy line's amount, as a positive number (§6): percentage × monthly price ×
    days both let and in the window ÷ days in the month, rounded half up to the paisa from
    that unrounded base. ``let_lines`` bills it (negated) and the liability projection
    (``subsidies.projection``) adds it up, so the two cannot differ."""
    return quantize_money(pct / HUNDRED * price * subsidised / days)


def compute_statement(
    period: Period,
    lets: Sequence[Let],
    window: Window | None,
    charges: Sequence[OtherCharge] = (),
) -> Statement | None:
    """One company's statement for one park and month, or None when nothing was charged.

    Lines come per let in a stable order (unit, then start), rent, internet and their
    subsidies together, then the other charges (never subsidised).
    """
    lines: list[Line] = []
    for let in sorted(lets, key=lambda x: (x.unit_code, x.start, x.lease_unit_id)):
        lines.extend(let_lines(let, period, window))
    for charge in sorted(charges, key=lambda c: c.charge_id):
        lines.append(
            Line(
                LineKind.CHARGE,
                charge.description,
                quantize_money(charge.amount),
                charge_id=charge.charge_id,
            )
        )
    if not lines:
        return None
    # The scheme is shown as applied only when it subsidised something this month.
    applied = window if any(ln.kind in SUBSIDY_KINDS for ln in lines) else None
    return Statement(period=period, lines=tuple(lines), window=applied)


LineKey = tuple[str, int | None, int | None]


def line_key(line: Line) -> LineKey:
    """What a line bills: its kind, for one let or one other charge."""
    return (line.kind, line.lease_unit_id, line.charge_id)


def supplement(statement: Statement, billed: Iterable[LineKey]) -> Statement | None:
    """The supplementary statement for a month already billed: the lines of ``statement``
    (the month computed again) that no issued statement has billed yet, e.g. a unit of a
    lease entered late (§6). None when nothing is missing.

    Lines already billed are never billed again, even if their amount would now differ
    (an earlier end of a lease): such corrections are credit notes. A subsidy comes only
    with the charge it subsidises: a scheme dated back after the month was billed adds no
    subsidy to lines already billed, so a supplement's net is never negative.
    """
    done = set(billed)
    unbilled = [line for line in statement.lines if line_key(line) not in done]
    charged = {line_key(line) for line in unbilled if line.kind in CHARGED_KINDS}
    missing = tuple(
        line
        for line in unbilled
        if line.kind not in SUBSIDY_KINDS
        or (SUBSIDISES[line.kind], line.lease_unit_id, None) in charged
    )
    if not missing:
        return None
    applied = statement.window if any(ln.kind in SUBSIDY_KINDS for ln in missing) else None
    return Statement(period=statement.period, lines=missing, window=applied)


# --- Credit notes ---------------------------------------------------------------------------------
def _day_span(first: date, last: date) -> str:
    """``21–31 Mar 2026`` (one month), or ``31 Mar 2026`` for one day."""
    if first == last:
        return f"{last.day} {last:%b %Y}"
    return f"{first.day}\u2013{last.day} {last:%b %Y}"


def _credit_description(
    billed: Line,
    period: Period | None,
    ended: date | None,
    scheme: Scheme | None,
    earlier: Decimal,
) -> str:
    """A credit line in words: what it credits or reverses, for which days after the end."""
    days = ""
    if period is not None and ended is not None and ended < period.last:
        first = max(ended + timedelta(days=1), period.first)
        n = (period.last - first).days + 1
        days = f"{n} day{'s' if n != 1 else ''}"
        if earlier:
            days += f" after the lease ended ({_day_span(first, period.last)}), less "
            days += f"{earlier:,.2f} credited before"
        else:
            days += f" after the lease ended ({_day_span(first, period.last)})"
    unit, kind = billed.unit_code, LineKind(billed.kind)
    if kind in SUBSIDY_KINDS and unit:
        pct = ""
        if scheme is not None:
            pct = " " + _pct(
                scheme.rent_pct if kind == LineKind.RENT_SUBSIDY else scheme.internet_pct
            )
        return f"{kind.label}{pct} of {unit} reversed" + (f", {days}" if days else "")
    if kind in (LineKind.RENT, LineKind.INTERNET) and unit:
        return f"{kind.label} of {unit}, " + (days or "credited")
    return f"Credit: {billed.description}"


def credit_lines(
    billed: Iterable[Line],
    now: Statement | None,
    credited: Mapping[LineKey, Decimal] | None = None,
    *,
    period: Period | None = None,
    ended: date | None = None,
    scheme: Scheme | None = None,
    amount: Decimal | None = None,
) -> tuple[Line, ...]:
    """The lines of the credit note that corrects a month already billed (§6 and §7.2), e.g.
    for a lease ended earlier after its month was billed.

    ``billed`` holds the issued lines concerned (for one lease's units); ``now`` is the month
    computed again (None when it charges nothing any more); ``credited`` what earlier notes
    (for this lease) credited per line key. Each billed line gives: billed amount − amount
    now − credited before. So a charge (rent, internet, other charge) gives a positive
    credit for the days no longer let, and a subsidy line a negative reversal of the subsidy
    of the same days, each the §6 line billed less the §6 line of the days still let. That
    can differ by a paisa from rounding the credited days' amount on its own (60,000 × 11 ÷
    31 = 21,290.32, but 32,903.23 − 11,612.90 = 21,290.33): chosen so that the statement less
    its notes nets exactly to what the month now charges, and subsidy given (§7.2) equals
    what billing the month again would give.
    Zero lines are dropped, and so is a line that moved the other way (a charge now higher,
    a subsidy now larger): that is billing's business (a supplementary statement), never a
    credit. Lines not billed yet never count. When the lines sum to 0.00 or less, there is
    nothing to credit: no lines.

    ``amount``: the note's amount when the statement cannot take the whole credit (it was
    partly credited by hand: ``amount = min(due, creditable)``). The charge credits are then
    reduced, **largest first** (ties in billed order), each at most to zero, until the lines
    sum exactly to ``amount``; subsidy reversals stay as computed (the subsidy of those days
    was still not given). An ``amount`` above the full credit is an error (ValueError).

    ``period``/``ended``/``scheme`` only word the descriptions (the days after ``ended`` in
    ``period``; the scheme's percentages).
    """
    earlier = credited or {}
    current = {line_key(line): line.amount for line in now.lines} if now else {}
    if period is None and now is not None:
        period = now.period
    lines: list[Line] = []
    for line in billed:
        key = line_key(line)
        before = earlier.get(key, ZERO)
        change = line.amount - current.get(key, ZERO) - before
        charged = line.kind not in SUBSIDY_KINDS
        if (charged and change <= 0) or (not charged and change >= 0):
            continue
        lines.append(
            Line(
                line.kind,
                _credit_description(line, period, ended, scheme, before),
                change,
                line.unit_code,
                line.lease_unit_id,
                line.charge_id,
            )
        )
    total = sum((line.amount for line in lines), ZERO)
    if total <= 0:
        return ()
    if amount is None or amount == total:
        return tuple(lines)
    if amount > total:
        raise ValueError(f"A credit of {amount} is more than the {total} overbilled.")
    if amount <= 0:
        return ()
    return _capped(lines, total - amount)


def _capped(lines: Sequence[Line], cut: Decimal) -> tuple[Line, ...]:
    """``lines`` with ``cut`` taken off the charge credits, largest first (ties in order)."""
    order = sorted(
        (i for i, line in enumerate(lines) if line.kind not in SUBSIDY_KINDS),
        key=lambda i: -lines[i].amount,
    )
    reduced = {i: lines[i].amount for i in order}
    for i in order:
        if cut <= 0:
            break
        take = min(cut, reduced[i])
        reduced[i] -= take
        cut -= take
    out = []
    for i, line in enumerate(lines):
        if i not in reduced:
            out.append(line)
        elif reduced[i] > 0:
            if reduced[i] == line.amount:
                out.append(line)
            else:
                described = (
                    f"{line.description} (reduced from {line.amount:,.2f}: the statement had "
                    "no more left to credit)"
                )
                out.append(replace(line, description=described, amount=reduced[i]))
    return tuple(out)


def hand_credit_line(reason: str, amount: Decimal) -> Line:
    """The one line of a credit note issued by hand (§7.2): an amount of charges credited,
    no subsidy reversed."""
    return Line(LineKind.CHARGE, f"Credit: {reason.strip()}", amount)


def overbilled(
    billed: Iterable[Line],
    now: Statement | None,
    credited: Mapping[LineKey, Decimal] | None = None,
) -> Decimal:
    """What a month's issued statements billed beyond what the month now charges, less what
    credit notes already gave back: the credit note a correction downwards needs (§6: an
    issued statement never changes; a credit note corrects it). The sum of ``credit_lines``
    (the rule lives there): never negative.
    """
    return sum((line.amount for line in credit_lines(billed, now, credited)), ZERO)
