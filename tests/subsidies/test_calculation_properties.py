"""Property tests of the money rules (domain.md §5–6), with hypothesis: each compares
against an independent oracle (exact fractions, day-by-day counting) rather than against
the module's own formulas.
"""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.calendar import Period, add_months, date_problem, overlap_days
from subsidies.calculation import (
    Let,
    OtherCharge,
    Scheme,
    Window,
    compute_statement,
    credit_lines,
    hand_credit_line,
    let_lines,
    line_key,
    overbilled,
    subsidy_window,
    supplement,
)
from tests.subsidies.calculation_support import (
    CHARGE,
    INTERNET,
    INTERNET_SUBSIDY,
    PARK,
    PROGRAMME,
    RENT,
    RENT_SUBSIDY,
    a101,
    window_from,
)

FIRST_DAY = date(2020, 1, 1)
LAST_DAY = date(2035, 12, 31)


# The autouse media fixture of tests/conftest.py is function-scoped; these pure tests ignore it.
PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
money = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)


percentages = st.decimals(
    min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False
)


periods = days.map(Period.of)


@st.composite
def lets(draw, lease_unit_id: int = 1) -> Let:
    start = draw(days)
    end = draw(st.none() | st.dates(min_value=start, max_value=LAST_DAY))
    return Let(lease_unit_id, f"U-{lease_unit_id}", draw(money), draw(money), start, end)


@st.composite
def schemes(draw, internet_pct=percentages, rent_pct=percentages) -> Scheme:
    return Scheme(
        id=1,
        name="Drawn",
        internet_pct=draw(internet_pct),
        rent_pct=draw(rent_pct),
        duration_months=draw(st.integers(min_value=1, max_value=60)),
        valid_from=date(2019, 1, 1),
    )


@st.composite
def windows(draw, start=days) -> Window:
    return window_from(draw(start), draw(schemes()))


def day_by_day(period: Period, let: Let, window: Window | None) -> tuple[int, int]:
    """(leased, subsidised) days of ``let`` in ``period``, counted one day at a time."""
    leased = subsidised = 0
    day = period.first
    while day <= period.last:
        if let.start <= day and (let.end is None or day <= let.end):
            leased += 1
            if window is not None and window.start <= day < window.end:
                subsidised += 1
        day += timedelta(days=1)
    return leased, subsidised


def half_up(value: Fraction) -> Decimal:
    """The exact value rounded to the paisa, half up (the oracle for §6 rounding)."""
    cents = value * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(Decimal("0.01"))


@PROPERTY
@given(let=lets(), period=periods, window=windows())
def test_subsidised_plus_unsubsidised_days_are_the_leased_days(let, period, window):
    leased = overlap_days(let.start, let.end, period.first, period.last)
    subsidised = window.days_within(let.start, let.end, period.first, period.last)
    counted_leased, counted_subsidised = day_by_day(period, let, window)
    unsubsidised = counted_leased - counted_subsidised

    assert leased == counted_leased
    assert subsidised == counted_subsidised
    assert subsidised + unsubsidised == leased


@PROPERTY
@given(window=windows(), open_ended=st.booleans(), extra=st.integers(min_value=0, max_value=400))
def test_a_let_covering_the_window_is_subsidised_for_exactly_its_length(window, open_ended, extra):
    # given a let from the window's start to its last day or beyond
    end = None if open_ended else window.last_day + timedelta(days=extra)
    let = Let(1, "U-1", Decimal("1"), Decimal("1"), window.start, end)

    # when the subsidised days of every month from the window's start to its end are summed
    total, period = 0, Period.of(window.start)
    while period <= Period.of(window.last_day):
        total += window.days_within(let.start, let.end, period.first, period.last)
        period = period.next()

    # then they are the window's length in days
    assert total == (window.end - window.start).days
    # and no day after the window is subsidised
    after = Period.of(window.end)
    if after.first >= window.end:
        assert window.days_within(let.start, let.end, after.first, after.last) == 0


@PROPERTY
@given(let=lets(), period=periods, window=st.none() | windows())
def test_each_line_is_the_exact_amount_rounded_half_up(let, period, window):
    leased, subsidised = day_by_day(period, let, window)

    lines = {line.kind: line.amount for line in let_lines(let, period, window)}

    if leased == 0:
        assert lines == {}
        return
    share = Fraction(leased, period.days)
    assert lines[RENT] == half_up(Fraction(let.monthly_rent) * share)
    assert lines[INTERNET] == half_up(Fraction(let.internet_fee) * share)
    for kind, pct, price in (
        (RENT_SUBSIDY, window and window.scheme.rent_pct, let.monthly_rent),
        (INTERNET_SUBSIDY, window and window.scheme.internet_pct, let.internet_fee),
    ):
        if subsidised and pct and price:
            exact = Fraction(pct) / 100 * Fraction(price) * Fraction(subsidised, period.days)
            assert lines[kind] == -half_up(exact)
        else:
            assert kind not in lines


@PROPERTY
@given(let=lets(), period=periods, window=windows())
def test_no_subsidy_line_exceeds_the_charge_it_subsidises(let, period, window):
    lines = {line.kind: line.amount for line in let_lines(let, period, window)}

    for charged, subsidy in ((RENT, RENT_SUBSIDY), (INTERNET, INTERNET_SUBSIDY)):
        if subsidy in lines:
            assert lines[subsidy] <= 0
            assert abs(lines[subsidy]) <= lines[charged]


@PROPERTY
@given(
    drawn_lets=st.lists(lets(), max_size=3),
    charge_amounts=st.lists(money, max_size=2),
    period=periods,
    window=st.none() | windows(),
)
def test_statement_totals_add_up_and_net_is_never_negative(
    drawn_lets, charge_amounts, period, window
):
    lets_ = [
        Let(n, f"U-{n}", let.monthly_rent, let.internet_fee, let.start, let.end)
        for n, let in enumerate(drawn_lets, start=1)
    ]
    charges = [OtherCharge(n, f"Charge {n}", a) for n, a in enumerate(charge_amounts, start=1)]

    statement = compute_statement(period, lets_, window, charges)

    if statement is None:
        assert not charges
        assert all(day_by_day(period, let, None)[0] == 0 for let in lets_)
        return
    charged = [line.amount for line in statement.lines if line.kind in (RENT, INTERNET, CHARGE)]
    subsidies = [
        line.amount for line in statement.lines if line.kind in (RENT_SUBSIDY, INTERNET_SUBSIDY)
    ]
    assert statement.gross == sum(charged, Decimal("0.00"))
    assert statement.subsidy_total == sum(subsidies, Decimal("0.00"))
    assert statement.net_payable == statement.gross + statement.subsidy_total
    assert statement.net_payable >= 0
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in statement.lines)
    assert (statement.scheme is not None) == bool(subsidies)


@PROPERTY
@given(
    scheme=schemes(internet_pct=st.just(Decimal("100")) | st.just(Decimal("100.00"))),
    start=days,
    length=st.integers(min_value=0, max_value=2000),
    fee=money,
    month_offset=st.integers(min_value=0, max_value=60),
)
def test_fully_subsidised_internet_nets_to_exactly_zero(scheme, start, length, fee, month_offset):
    # given a let entirely inside the window
    window = window_from(start, scheme)
    end = min(start + timedelta(days=length), window.last_day)
    let = Let(1, "U-1", Decimal("0"), fee, start, end)
    period = Period.of(add_months(start.replace(day=1), month_offset))
    if period > Period.of(end):
        period = Period.of(end)

    # when any month of it is billed
    lines = {line.kind: line.amount for line in let_lines(let, period, window)}

    # then internet and its subsidy cancel to the paisa
    net = lines[INTERNET] + lines.get(INTERNET_SUBSIDY, Decimal("0.00"))
    assert net == Decimal("0.00")
    assert str(net) == "0.00"


def test_a_supplement_bills_only_the_lines_not_billed_yet():
    # given March 2026 billed for one let, and a second let entered late
    window = subsidy_window([PROGRAMME], park_id=PARK, first_lease_start=date(2026, 3, 15))
    first = Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), date(2026, 3, 15))
    late = Let(2, "B-201", Decimal("31000.00"), Decimal("3100.00"), date(2026, 3, 20))
    march = Period(2026, 3)
    issued = compute_statement(march, [first], window)
    # when the month is computed again with both
    extra = supplement(compute_statement(march, [first, late], window), map(line_key, issued.lines))
    # then only B-201 is billed: 31,000 × 12/31 = 12,000.00 and 3,100 × 12/31 = 1,200.00,
    # less 25% (3,000.00) and 100% (1,200.00)
    assert [(ln.unit_code, ln.amount) for ln in extra.lines] == [
        ("B-201", Decimal("12000.00")),
        ("B-201", Decimal("1200.00")),
        ("B-201", Decimal("-3000.00")),
        ("B-201", Decimal("-1200.00")),
    ]
    assert extra.net_payable == Decimal("9000.00")
    assert extra.scheme == PROGRAMME


def test_nothing_new_to_bill_gives_no_supplement():
    window = subsidy_window([PROGRAMME], park_id=PARK, first_lease_start=date(2026, 3, 15))
    let = Let(1, "A-101", Decimal("60000.00"), Decimal("5000.00"), date(2026, 3, 15))
    issued = compute_statement(Period(2026, 3), [let], window)
    ended_earlier = Let(
        1, "A-101", let.monthly_rent, let.internet_fee, let.start, date(2026, 3, 20)
    )
    again = compute_statement(Period(2026, 3), [ended_earlier], window)
    assert supplement(again, map(line_key, issued.lines)) is None


def billed_lines(statement) -> list:
    return list(statement.lines)


def test_a_lease_ended_earlier_is_overbilled_by_the_days_after_its_end():
    # given March 2026 of the worked example billed (17 days: net 24,677.42)
    window = window_from(date(2026, 3, 15))
    march = Period(2026, 3)
    issued = compute_statement(march, [a101(date(2026, 3, 15))], window)
    assert issued.net_payable == Decimal("24677.42")
    # when the lease is found to have ended on the 20th (6 days: 11,612.90 + 967.74
    # - 2,903.23 - 967.74 = 8,709.67)
    again = compute_statement(march, [a101(date(2026, 3, 15), date(2026, 3, 20))], window)
    assert again.net_payable == Decimal("8709.67")
    # then the month was overbilled by the difference, line by line
    assert overbilled(billed_lines(issued), again) == Decimal("15967.75")


def test_a_month_that_charges_nothing_any_more_is_overbilled_by_all_it_billed():
    window = window_from(date(2026, 3, 15))
    april = compute_statement(Period(2026, 4), [a101(date(2026, 3, 15))], window)
    assert april.net_payable == Decimal("45000.00")  # 65,000 less 15,000 and 5,000
    assert overbilled(billed_lines(april), None) == Decimal("45000.00")


def test_credit_notes_already_issued_count_and_nothing_goes_below_zero():
    window = window_from(date(2026, 3, 15))
    april = compute_statement(Period(2026, 4), [a101(date(2026, 3, 15))], window)
    # given an earlier note of the lease that credited 40,000.00 of April's rent
    rent = line_key(april.lines[0])
    assert overbilled(billed_lines(april), None, {rent: Decimal("40000.00")}) == Decimal("5000.00")
    # all of it credited already: nothing more
    everything = {line_key(line): line.amount for line in april.lines}
    assert overbilled(billed_lines(april), None, everything) == Decimal("0.00")
    # the whole rent credited, the subsidy not: what is left nets below zero, so nothing
    assert overbilled(billed_lines(april), None, {rent: Decimal("60000.00")}) == Decimal("0.00")


def test_lines_not_billed_yet_are_for_a_supplement_not_a_credit():
    # given March billed for A-101 only, and the month now also charging B-201
    window = window_from(date(2026, 3, 15))
    march = Period(2026, 3)
    first = a101(date(2026, 3, 15))
    late = Let(2, "B-201", Decimal("31000.00"), Decimal("3100.00"), date(2026, 3, 20))
    issued = compute_statement(march, [first], window)
    again = compute_statement(march, [first, late], window)
    # then nothing was overbilled: the new lines do not offset anything
    assert overbilled(billed_lines(issued), again) == Decimal("0.00")
    assert overbilled(billed_lines(issued), issued) == Decimal("0.00")


def test_a_scheme_dated_back_after_billing_adds_no_subsidy_to_lines_already_billed():
    # given March billed without a scheme (no window, no subsidy)
    march = Period(2026, 3)
    let = a101(date(2026, 3, 15))
    issued = compute_statement(march, [let], None)
    assert issued.net_payable == Decimal("35645.17")
    # when the month is computed again under a scheme created since, dated back
    again = compute_statement(march, [let], window_from(date(2026, 3, 15)))
    # then nothing is supplemented: a subsidy alone would be a negative statement
    assert supplement(again, map(line_key, issued.lines)) is None
    # but a let entered late comes with its own subsidy
    late = Let(2, "B-201", Decimal("31000.00"), Decimal("3100.00"), date(2026, 3, 20))
    both = compute_statement(march, [let, late], window_from(date(2026, 3, 15)))
    extra = supplement(both, map(line_key, issued.lines))
    assert [ln.unit_code for ln in extra.lines] == ["B-201"] * 4
    assert extra.net_payable == Decimal("9000.00")


# --- Credit note lines (§7.2) ---------------------------------------------------------------
@st.composite
def terminations(draw):
    """A month billed for one let, and the let found to end earlier (the new end on or
    after its start): (period, window, the let as billed, the let as it ends now)."""
    let = draw(lets())
    period = Period.of(draw(st.dates(min_value=let.start, max_value=let.end or LAST_DAY)))
    last = let.end or period.last
    new_end = draw(st.dates(min_value=let.start, max_value=max(let.start, last)))
    window = draw(st.none() | windows())
    return period, window, let, Let(*astuple_let(let)[:-1], new_end)


def astuple_let(let: Let) -> tuple:
    return (
        let.lease_unit_id,
        let.unit_code,
        let.monthly_rent,
        let.internet_fee,
        let.start,
        let.end,
    )


def by_kind(lines) -> dict:
    return {line.kind: line.amount for line in lines}


@PROPERTY
@given(termination=terminations())
def test_credit_lines_are_each_line_of_the_days_no_longer_let_by_the_section_6_rules(termination):
    period, window, before, after = termination
    issued = compute_statement(period, [before], window)
    now = compute_statement(period, [after], window)

    lines = credit_lines(issued.lines, now, period=period, ended=after.end)

    # each charge credit >= 0 and each subsidy reversal <= 0
    assert all(ln.amount > 0 for ln in lines if ln.kind in (RENT, INTERNET))
    assert all(ln.amount < 0 for ln in lines if ln.kind in (RENT_SUBSIDY, INTERNET_SUBSIDY))
    # the note's amount is the sum of its lines, and overbilled() says the same
    total = sum((ln.amount for ln in lines), Decimal("0.00"))
    assert total == overbilled(issued.lines, now)
    if not lines:
        return
    # each line by the §6 rules, counted day by day: billed − what the days still let give
    leased_before, subsidised_before = day_by_day(period, before, window)
    leased_after, subsidised_after = day_by_day(period, after, window)
    share_before = Fraction(leased_before, period.days)
    share_after = Fraction(leased_after, period.days)
    credited = by_kind(lines)
    for kind, price in ((RENT, before.monthly_rent), (INTERNET, before.internet_fee)):
        expected = half_up(Fraction(price) * share_before) - half_up(Fraction(price) * share_after)
        assert credited.get(kind, Decimal("0.00")) == expected
    for kind, pct, price in (
        (RENT_SUBSIDY, window and window.scheme.rent_pct, before.monthly_rent),
        (INTERNET_SUBSIDY, window and window.scheme.internet_pct, before.internet_fee),
    ):
        if not (pct and price):
            assert kind not in credited
            continue
        rate = Fraction(pct) / 100 * Fraction(price)
        expected = half_up(rate * Fraction(subsidised_before, period.days)) - half_up(
            rate * Fraction(subsidised_after, period.days)
        )
        assert credited.get(kind, Decimal("0.00")) == -expected
    # and the statement less the note is what the month now charges
    assert issued.net_payable - total == (now.net_payable if now else Decimal("0.00"))


@PROPERTY
@given(termination=terminations(), share=st.fractions(min_value=0, max_value=1))
def test_capped_credit_lines_sum_to_the_amount_and_keep_the_subsidy_reversed(termination, share):
    period, window, before, after = termination
    issued = compute_statement(period, [before], window)
    now = compute_statement(period, [after], window)
    full = credit_lines(issued.lines, now)
    total = sum((ln.amount for ln in full), Decimal("0.00"))
    amount = half_up(Fraction(total) * share)
    if amount <= 0:
        return

    capped = credit_lines(issued.lines, now, amount=amount)

    assert sum((ln.amount for ln in capped), Decimal("0.00")) == amount
    subsidies = (RENT_SUBSIDY, INTERNET_SUBSIDY)
    assert [ln for ln in capped if ln.kind in subsidies] == [
        ln for ln in full if ln.kind in subsidies
    ]
    whole = {line_key(ln): ln.amount for ln in full}
    assert all(0 < ln.amount <= whole[line_key(ln)] for ln in capped if ln.kind not in subsidies)


@PROPERTY
@given(termination=terminations(), between=st.fractions(min_value=0, max_value=1))
def test_a_second_termination_credits_only_what_the_first_did_not(termination, between):
    # given a lease ended first on a middle day, then on the day drawn
    period, window, before, after = termination
    last = before.end or period.last
    middle = after.end + timedelta(days=int((last - after.end).days * between))
    first_end = Let(*astuple_let(before)[:-1], middle)
    issued = compute_statement(period, [before], window)
    first = credit_lines(issued.lines, compute_statement(period, [first_end], window))
    credited = {line_key(ln): ln.amount for ln in first}

    # when the second end is credited, less the first note
    now = compute_statement(period, [after], window)
    second = credit_lines(issued.lines, now, credited)

    # then the two notes together credit what one note would have
    together = dict(credited)
    for ln in second:
        together[line_key(ln)] = together.get(line_key(ln), Decimal("0.00")) + ln.amount
    at_once = {line_key(ln): ln.amount for ln in credit_lines(issued.lines, now)}
    if first:
        assert {k: v for k, v in together.items() if v} == at_once


def test_the_worked_example_ended_on_the_20th_credits_11_days_line_by_line():
    # given March 2026 of the worked example billed (17 days: net 24,677.42)
    window = window_from(date(2026, 3, 15))
    march = Period(2026, 3)
    issued = compute_statement(march, [a101(date(2026, 3, 15))], window)
    now = compute_statement(march, [a101(date(2026, 3, 15), date(2026, 3, 20))], window)

    lines = credit_lines(issued.lines, now, ended=date(2026, 3, 20), scheme=PROGRAMME)

    # then 17 days billed less the 6 still let, each line rounded as billed (§6):
    # rent 32,903.23 - 11,612.90; internet 2,741.94 - 967.74; subsidies likewise
    assert [(ln.kind, ln.amount) for ln in lines] == [
        (RENT, Decimal("21290.33")),
        (INTERNET, Decimal("1774.20")),
        (RENT_SUBSIDY, Decimal("-5322.58")),
        (INTERNET_SUBSIDY, Decimal("-1774.20")),
    ]
    assert sum(ln.amount for ln in lines) == Decimal("15967.75")
    assert (
        lines[0].description == "Rent of A-101, 11 days after the lease ended (21\u201331 Mar 2026)"
    )
    assert lines[2].description == (
        "Rent subsidy 25% of A-101 reversed, 11 days after the lease ended (21\u201331 Mar 2026)"
    )


def test_a_capped_credit_takes_the_cut_off_the_largest_charge_first():
    window = window_from(date(2026, 3, 15))
    march = Period(2026, 3)
    issued = compute_statement(march, [a101(date(2026, 3, 15))], window)
    now = compute_statement(march, [a101(date(2026, 3, 15), date(2026, 3, 20))], window)

    lines = credit_lines(issued.lines, now, amount=Decimal("5000.00"))

    # 15,967.75 - 5,000.00 = 10,967.75 comes off the rent (21,290.33), the largest
    assert [ln.amount for ln in lines] == [
        Decimal("10322.58"),
        Decimal("1774.20"),
        Decimal("-5322.58"),
        Decimal("-1774.20"),
    ]
    with pytest.raises(ValueError, match="more than"):
        credit_lines(issued.lines, now, amount=Decimal("15967.76"))


def test_a_credit_by_hand_is_one_charge_line_of_its_amount():
    line = hand_credit_line(" Air conditioning out ", Decimal("1000.00"))
    assert (line.kind, line.amount, line.description) == (
        CHARGE,
        Decimal("1000.00"),
        "Credit: Air conditioning out",
    )


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (date(1990, 1, 1), False),
        (date(2999, 12, 31), False),
        (date(1989, 12, 31), True),
        (date(3000, 1, 1), True),
        (date(9999, 12, 31), True),
    ],
)
def test_a_programme_date_must_fall_in_a_month_that_can_be_billed(day, refused):
    problem = date_problem(day)
    assert (problem is not None) == refused
    if refused:
        assert "between 1990-01-01 and 2999-12-31" in problem
