"""The geometry of a chart, made on the server: ``layout(chart)`` turns a ``core.charts.Chart``
into whole-number positions that ``templates/partials/chart.html`` writes out as inline SVG.

One way for every chart in the portal (issue 10, point 3): no chart library, nothing fetched,
no script, no inline style (the CSP forbids them; colours are classes in the stylesheet).

Readable without colour alone: every series has a pattern (solid, diagonal hatch, dots,
cross-hatch, ...) for its bars and a dash style and a marker shape for its line; each bar and
point carries its value written out (when it fits) and a tooltip with label, series and
value; and the chart's table under it is its text alternative.

Whole numbers only, so no locale ever writes a decimal comma into the markup; the SVG has a
``viewBox`` and scales to its box (width 100 % in CSS). Many labels (24 months, 30 parks): the
axis labels are thinned to those that fit, bars stay at least ``MIN_BAR`` units wide (the
chart grows wider and scales down), and value labels that would not fit are left to the
tooltip and the table.

No Django import.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.charts import Chart, ChartKind
from core.tables import Kind

# --- the frame, in SVG user units ---------------------------------------------------------------
WIDTH = 640  # the default width; a chart with many bars grows wider (and scales down)
PLOT_TOP = 24  # room above the tallest bar for its value
PLOT_HEIGHT = 200
PLOT_LEFT = 52  # room for the axis labels ("1.25M")
PLOT_RIGHT = 12
PLOT_BOTTOM = PLOT_TOP + PLOT_HEIGHT
AXIS_LABEL_GAP = 16  # baseline of the labels under the plot
LEGEND_GAP = 34  # first legend row under the plot
LEGEND_ROW = 18
CHAR_WIDTH = Decimal("5.4")  # an estimate of one character at the chart's 9-unit font size
MIN_BAR = 4  # a bar is never thinner than this
MAX_BAR = 56  # nor wider than this (three parks should not make three slabs)
GROUP_SHARE = Decimal("0.8")  # the bars of one label take this share of its slot
MIN_SEGMENT_LABEL = 12  # a stacked segment shows its value inside when at least this tall
MARKER = 4  # half the size of a line's point marker
TICKS = 4  # about this many steps on the value axis
MAX_AXIS_LABEL = 14  # characters of a label under the axis (the tooltip has it all)

# How series are told apart without colour: a pattern for bars, a dash and a marker for lines.
PATTERNS = ("solid", "hatch", "dots", "crosshatch", "vertical", "horizontal")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
PALETTE_SIZE = 6  # colour classes chart-s0 .. chart-s5 in the stylesheet

NONE_TEXT = "–"  # a value that does not exist (not 0)

Value = Decimal | int | None


# --- formatting -----------------------------------------------------------------------------------
def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def compact(value: Decimal | int) -> str:
    """A number in at most about three significant figures with k, M or B: 350000 → "350k",
    1200000 → "1.2M", 1250000 → "1.25M", 999 → "999", 12.5 → "12.5"."""
    number = Decimal(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    units = ((1, ""), (10**3, "k"), (10**6, "M"), (10**9, "B"))
    index = max(i for i, (size, _) in enumerate(units) if number >= size or size == 1)
    while True:
        size, suffix = units[index]
        scaled = number / size
        places = 0 if scaled >= 100 else 1 if scaled >= 10 else 2
        rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if rounded >= 1000 and index + 1 < len(units):
            index += 1  # 999,999 is "1M", not "1000k"
            continue
        if rounded == 0:
            return "0"
        return f"{sign}{_strip(f'{rounded:f}')}{suffix}"


def short_value(value: Value, unit: Kind) -> str:
    """The value written on a bar or point: compact, so it fits; "–" for no value."""
    if value is None:
        return NONE_TEXT
    if unit == Kind.PERCENT:
        number = Decimal(value)
        places = Decimal("0.1") if abs(number) < 10 else Decimal(1)
        return f"{_strip(f'{number.quantize(places, rounding=ROUND_HALF_UP):f}')}%"
    return compact(value)


def full_value(value: Value, unit: Kind) -> str:
    """The value in full, for the tooltip: "PKR 1,234,567.50", "81.3%", "1,204"."""
    if value is None:
        return "no value"
    if unit == Kind.MONEY:
        return f"PKR {Decimal(value):,.2f}"
    if unit == Kind.PERCENT:
        return f"{Decimal(value):,.1f}%"
    if unit == Kind.COUNT:
        return f"{int(value):,}"
    return f"{Decimal(value):,f}"


def axis_value(value: Decimal, unit: Kind) -> str:
    """A gridline's label: "75%", "1.5M", "250k", "40"."""
    if unit == Kind.PERCENT:
        return f"{_strip(f'{value:f}')}%"
    return compact(value)


def _text_width(text: str) -> int:
    return int(len(text) * CHAR_WIDTH) + 1


def _short_label(label: str) -> str:
    return label if len(label) <= MAX_AXIS_LABEL else label[: MAX_AXIS_LABEL - 1] + "…"


# --- the value axis -------------------------------------------------------------------------------
def nice_step(maximum: Decimal, *, whole: bool, ticks: int = TICKS) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) so about ``ticks`` steps reach
    ``maximum``; at least 1 (and never 2.5) when the values are whole numbers (counts)."""
    if maximum <= 0:
        return Decimal(1)
    raw = maximum / ticks
    magnitude = Decimal(1).scaleb(raw.adjusted())
    for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        step = multiple * magnitude
        if whole and step != step.to_integral_value():
            continue
        if step >= raw:
            return max(step, Decimal(1)) if whole else step
    return Decimal(10) * magnitude  # pragma: no cover (10 × magnitude is always ≥ raw)


def value_axis(maximum: Decimal, unit: Kind) -> tuple[Decimal, Decimal]:
    """(step, top of the axis) for values up to ``maximum``. Percentages up to 100 run on a
    0–100 axis in steps of 25."""
    if unit == Kind.PERCENT and maximum <= 100:
        return Decimal(25), Decimal(100)
    step = nice_step(maximum, whole=unit == Kind.COUNT)
    steps = max(1, math.ceil(maximum / step)) if maximum > 0 else TICKS
    return step, step * steps


def _height(value: Decimal, top: Decimal) -> int:
    """The height of ``value`` on an axis running to ``top``; negative values are clamped to
    0 (no chart in the portal has negatives; their label still says the value)."""
    if value <= 0:
        return 0
    return int((value * PLOT_HEIGHT / top).to_integral_value(rounding=ROUND_HALF_UP))


# --- the layout -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Gridline:
    y: int
    text: str


@dataclass(frozen=True)
class AxisLabel:
    x: int
    text: str
    full: str


@dataclass(frozen=True)
class Bar:
    """One bar (or stacked segment): its box, the value written at (text_x, text_y) when
    ``show_value``, and the tooltip."""

    x: int
    y: int
    width: int
    height: int
    value: str
    tooltip: str
    text_x: int
    text_y: int
    show_value: bool
    inside: bool = False  # a stacked segment's value is written inside it


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    marker: str  # the SVG path of its marker shape
    value: str
    tooltip: str
    text_y: int
    show_value: bool


@dataclass(frozen=True)
class SeriesLayout:
    """A series' bars or line, and what tells it apart: a colour class, a pattern (bars) and
    a dash and marker (lines)."""

    index: int
    name: str
    css: str
    pattern: str
    pattern_id: str
    dash: str
    marker_shape: str
    bars: tuple[Bar, ...] = ()
    segments: tuple[str, ...] = ()  # polyline points, one per unbroken run of values
    points: tuple[Point, ...] = ()


@dataclass(frozen=True)
class StackTotal:
    x: int
    y: int
    text: str
    show: bool


@dataclass(frozen=True)
class LegendItem:
    index: int
    name: str
    css: str
    pattern_id: str
    dash: str
    x: int
    y: int
    marker: str


@dataclass(frozen=True)
class ChartLayout:
    id: str
    kind: ChartKind
    title: str
    description: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    label_y: int
    gridlines: tuple[Gridline, ...]
    axis_labels: tuple[AxisLabel, ...]
    label_step: int  # every n-th label is written under the axis
    series: tuple[SeriesLayout, ...]
    totals: tuple[StackTotal, ...]
    legend: tuple[LegendItem, ...]
    unit: Kind
    values_hidden: bool  # some values did not fit and are only in the tooltips and table

    @property
    def is_line(self) -> bool:
        return self.kind == ChartKind.LINE

    @property
    def unit_note(self) -> str:
        return {Kind.MONEY: "Amounts in PKR.", Kind.PERCENT: "Values in percent."}.get(
            self.unit, ""
        )


def chart_id(chart: Chart) -> str:
    """An id for the SVG's title, description and patterns, the same for the same chart (two
    different charts on one page get different ids)."""
    digest = hashlib.sha256(
        "\x1f".join(
            (chart.kind, chart.title, *chart.labels, *(s.name for s in chart.series))
        ).encode()
    ).hexdigest()
    return f"chart-{digest[:10]}"


def marker_path(shape: str, x: int, y: int, size: int = MARKER) -> str:
    """The SVG path of a point marker centred on (x, y)."""
    r = size
    if shape == "square":
        return f"M{x - r} {y - r}h{2 * r}v{2 * r}h{-2 * r}Z"
    if shape == "triangle":
        return f"M{x} {y - r - 1}L{x + r + 1} {y + r}L{x - r - 1} {y + r}Z"
    if shape == "diamond":
        return f"M{x} {y - r - 1}L{x + r + 1} {y}L{x} {y + r + 1}L{x - r - 1} {y}Z"
    return f"M{x - r} {y}a{r} {r} 0 1 0 {2 * r} 0a{r} {r} 0 1 0 {-2 * r} 0Z"


def _numbers(values: Sequence[Value]) -> list[Decimal | None]:
    return [None if v is None else Decimal(v) for v in values]


def _slot_width(chart: Chart) -> int:
    """The width of one label's slot: the default plot width shared out, but wide enough for
    bars of at least ``MIN_BAR`` units with a gap."""
    count = max(len(chart.labels), 1)
    per_slot = max(len(chart.series), 1) if chart.kind == ChartKind.BARS else 1
    minimum = math.ceil(per_slot * MIN_BAR / GROUP_SHARE) + 1
    if chart.kind == ChartKind.LINE:
        minimum = 2 * MARKER + 4
    return max((WIDTH - PLOT_LEFT - PLOT_RIGHT) // count, minimum)


def _label_step(labels: Sequence[str], slot: int) -> int:
    """Write every n-th label under the axis, n as small as keeps them from overlapping."""
    if not labels:
        return 1
    widest = max(_text_width(_short_label(label)) for label in labels) + 6
    return max(1, math.ceil(widest / slot))


def layout(chart: Chart) -> ChartLayout:
    """The whole-number geometry of ``chart`` (see the module docstring)."""
    ident = chart_id(chart)
    labels = chart.labels
    series_values = [_numbers(s.values) for s in chart.series]
    for s, values in zip(chart.series, series_values, strict=True):
        if len(values) != len(labels):
            raise ValueError(f"series {s.name!r} has {len(values)} values for {len(labels)} labels")

    slot = _slot_width(chart)
    plot_width = slot * max(len(labels), 1)
    width = PLOT_LEFT + plot_width + PLOT_RIGHT

    if chart.kind == ChartKind.STACKED:
        peak = max(
            (
                sum((v for v in column if v is not None and v > 0), Decimal(0))
                for column in zip(*series_values, strict=True)
            ),
            default=Decimal(0),
        )
    else:
        peak = max(
            (v for values in series_values for v in values if v is not None), default=Decimal(0)
        )
    step, top = value_axis(peak, chart.unit)
    gridlines = []
    tick = Decimal(0)
    while tick <= top:
        gridlines.append(Gridline(PLOT_BOTTOM - _height(tick, top), axis_value(tick, chart.unit)))
        tick += step

    label_step = _label_step(labels, slot)
    axis_labels = tuple(
        AxisLabel(PLOT_LEFT + i * slot + slot // 2, _short_label(label), label)
        for i, label in enumerate(labels)
        if i % label_step == 0
    )

    def styled(
        index: int,
        name: str,
        bars: tuple[Bar, ...] = (),
        segments: tuple[str, ...] = (),
        points: tuple[Point, ...] = (),
    ) -> SeriesLayout:
        return SeriesLayout(
            index=index,
            name=name,
            css=f"chart-s{index % PALETTE_SIZE}",
            pattern=PATTERNS[index % len(PATTERNS)],
            pattern_id=f"{ident}-p{index}",
            dash=DASHES[index % len(DASHES)],
            marker_shape=MARKERS[index % len(MARKERS)],
            bars=bars,
            segments=segments,
            points=points,
        )

    hidden = False
    layouts: list[SeriesLayout] = []
    totals: list[StackTotal] = []
    count = max(len(chart.series), 1)

    if chart.kind == ChartKind.BARS:
        group = int(slot * GROUP_SHARE)
        bar_width = max(MIN_BAR, min(MAX_BAR, group // count))
        room = slot - 2 if count == 1 else bar_width + 1
        offset = (slot - bar_width * count) // 2
        for index, (s, values) in enumerate(zip(chart.series, series_values, strict=True)):
            bars = []
            for i, value in enumerate(values):
                height = 0 if value is None else _height(value, top)
                x = PLOT_LEFT + i * slot + offset + index * bar_width
                text = short_value(value, chart.unit)
                fits = _text_width(text) <= room
                hidden = hidden or not fits
                bars.append(
                    Bar(
                        x=x,
                        y=PLOT_BOTTOM - height,
                        width=bar_width,
                        height=height,
                        value=text,
                        tooltip=f"{labels[i]} · {s.name}: {full_value(value, chart.unit)}",
                        text_x=x + bar_width // 2,
                        text_y=PLOT_BOTTOM - height - 4,
                        show_value=fits,
                    )
                )
            layouts.append(styled(index, s.name, bars=tuple(bars)))

    elif chart.kind == ChartKind.STACKED:
        bar_width = max(MIN_BAR, min(MAX_BAR, int(slot * GROUP_SHARE)))
        offset = (slot - bar_width) // 2
        bases = [0] * len(labels)
        raw_sums = [Decimal(0)] * len(labels)
        for index, (s, values) in enumerate(zip(chart.series, series_values, strict=True)):
            bars = []
            for i, value in enumerate(values):
                if value is not None and value > 0:
                    raw_sums[i] += value
                # Each segment's top is placed from the running sum, so the stack's height is
                # the sum's height (no rounding drift from adding rounded segments).
                height = _height(raw_sums[i], top) - bases[i] if value is not None else 0
                x = PLOT_LEFT + i * slot + offset
                y = PLOT_BOTTOM - bases[i] - height
                text = short_value(value, chart.unit)
                fits = height >= MIN_SEGMENT_LABEL and _text_width(text) <= bar_width
                if value not in (None, 0) and not fits:
                    hidden = True
                bars.append(
                    Bar(
                        x=x,
                        y=y,
                        width=bar_width,
                        height=height,
                        value=text,
                        tooltip=f"{labels[i]} · {s.name}: {full_value(value, chart.unit)}",
                        text_x=x + bar_width // 2,
                        text_y=y + height // 2 + 3,
                        show_value=fits,
                        inside=True,
                    )
                )
                bases[i] += height
            layouts.append(styled(index, s.name, bars=tuple(bars)))
        for i, total in enumerate(raw_sums):
            text = short_value(total, chart.unit)
            fits = _text_width(text) <= slot - 2
            hidden = hidden or not fits
            totals.append(
                StackTotal(PLOT_LEFT + i * slot + slot // 2, PLOT_BOTTOM - bases[i] - 4, text, fits)
            )

    else:  # LINE
        for index, (s, values) in enumerate(zip(chart.series, series_values, strict=True)):
            shape = MARKERS[index % len(MARKERS)]
            points: list[Point] = []
            segments: list[str] = []
            run: list[str] = []
            for i, value in enumerate(values):
                x = PLOT_LEFT + i * slot + slot // 2
                if value is None:
                    if run:
                        segments.append(" ".join(run))
                    run = []
                    continue
                y = PLOT_BOTTOM - _height(value, top)
                run.append(f"{x},{y}")
                text = short_value(value, chart.unit)
                # Labels of several lines would collide: the first is written above its
                # points, the second below, the rest only in tooltips.
                fits = _text_width(text) <= slot - 2 and index < 2
                hidden = hidden or not fits
                points.append(
                    Point(
                        x=x,
                        y=y,
                        marker=marker_path(shape, x, y),
                        value=text,
                        tooltip=f"{labels[i]} · {s.name}: {full_value(value, chart.unit)}",
                        text_y=y - MARKER - 4 if index == 0 else y + MARKER + 12,
                        show_value=fits,
                    )
                )
            if run:
                segments.append(" ".join(run))
            layouts.append(styled(index, s.name, segments=tuple(segments), points=tuple(points)))

    # The legend: one row of swatches and names, wrapped when it is wider than the chart.
    legend: list[LegendItem] = []
    x, y = PLOT_LEFT, PLOT_BOTTOM + LEGEND_GAP
    for layout_ in layouts:
        item_width = 22 + _text_width(layout_.name) + 14
        if x + item_width > width and x > PLOT_LEFT:
            x, y = PLOT_LEFT, y + LEGEND_ROW
        legend.append(
            LegendItem(
                index=layout_.index,
                name=layout_.name,
                css=layout_.css,
                pattern_id=layout_.pattern_id,
                dash=layout_.dash,
                x=x,
                y=y,
                marker=marker_path(layout_.marker_shape, x + 9, y - 4, MARKER - 1),
            )
        )
        x += item_width
    height = (y + 8) if legend else PLOT_BOTTOM + AXIS_LABEL_GAP + 8

    return ChartLayout(
        id=ident,
        kind=chart.kind,
        title=chart.title,
        description=chart.description,
        width=width,
        height=height,
        left=PLOT_LEFT,
        right=PLOT_LEFT + plot_width,
        top=PLOT_TOP,
        bottom=PLOT_BOTTOM,
        label_y=PLOT_BOTTOM + AXIS_LABEL_GAP,
        gridlines=tuple(gridlines),
        axis_labels=axis_labels,
        label_step=label_step,
        series=tuple(layouts),
        totals=tuple(totals),
        legend=tuple(legend),
        unit=chart.unit,
        values_hidden=hidden,
    )
