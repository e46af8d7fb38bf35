"""Charts as server-rendered SVG (issue 10, point 3): the geometry of core.chart_svg.layout and
the partial that writes it out. Expected positions are worked out by hand from the frame's
constants (plot 200 units tall, its bottom at y=224, 52 units of axis on the left)."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template

from core import chart_svg
from core.chart_svg import PLOT_BOTTOM, PLOT_HEIGHT, compact, layout, nice_step, value_axis
from core.charts import Chart, ChartKind, Series
from core.tables import Kind

MONTHS = ("Jan", "Feb", "Mar", "Apr")


def bars(*series, labels=MONTHS, unit=Kind.COUNT, kind=ChartKind.BARS):
    return Chart(
        kind=kind,
        title="A chart",
        description="What it shows.",
        labels=labels,
        series=tuple(Series(name, tuple(values)) for name, values in series),
        unit=unit,
    )


# --- numbers on the chart --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (Decimal("12.5"), "12.5"),
        (1000, "1k"),
        (350_000, "350k"),
        (Decimal("45600.00"), "45.6k"),
        (1_200_000, "1.2M"),
        (1_250_000, "1.25M"),
        (Decimal("1234567.89"), "1.23M"),
        (999_999, "1M"),  # not "1000k"
        (3_000_000_000, "3B"),
        (-1500, "-1.5k"),
    ],
)
def test_money_and_counts_are_written_compactly(value, text):
    assert compact(value) == text


@pytest.mark.parametrize(
    ("maximum", "whole", "step"),
    [
        (Decimal(100), False, Decimal(25)),
        (Decimal(1_000_000), False, Decimal(250_000)),
        (Decimal(1_300_000), False, Decimal(500_000)),
        (Decimal(7), True, Decimal(2)),
        (Decimal(3), True, Decimal(1)),  # never 0.75 or 2.5 for counts
        (Decimal(10), True, Decimal(5)),  # 2.5 skipped: counts are whole
        (Decimal("0.8"), False, Decimal("0.2")),
    ],
)
def test_axis_steps_are_round(maximum, whole, step):
    assert nice_step(maximum, whole=whole) == step


def test_the_axis_reaches_past_the_largest_value_in_whole_steps():
    assert value_axis(Decimal(1_300_000), Kind.MONEY) == (Decimal(500_000), Decimal(1_500_000))
    assert value_axis(Decimal("81.3"), Kind.PERCENT) == (Decimal(25), Decimal(100))
    assert value_axis(Decimal(0), Kind.COUNT) == (Decimal(1), Decimal(4))


def test_gridlines_are_labelled_in_the_unit():
    money = layout(bars(("Given", [0, 400_000, 1_300_000, 900_000]), unit=Kind.MONEY))
    assert [g.text for g in money.gridlines] == ["0", "500k", "1M", "1.5M"]
    assert [g.y for g in money.gridlines] == [224, 157, 91, 24]
    percent = layout(bars(("Occupied", [10, 20, 30, 40]), unit=Kind.PERCENT))
    assert [g.text for g in percent.gridlines] == ["0%", "25%", "50%", "75%", "100%"]
    assert [g.y for g in percent.gridlines] == [224, 174, 124, 74, 24]


# --- bars --------------------------------------------------------------------------------------
def test_bar_heights_are_proportional_to_the_values_and_sit_on_the_axis():
    chart = layout(bars(("Units", [20, 40, 10, 0])))  # axis 0..40 in steps of 10
    heights = [bar.height for bar in chart.series[0].bars]
    assert heights == [100, 200, 50, 0]
    assert all(bar.y + bar.height == PLOT_BOTTOM for bar in chart.series[0].bars)
    assert [bar.value for bar in chart.series[0].bars] == ["20", "40", "10", "0"]


def test_a_zero_draws_no_bar_but_says_0_and_no_value_says_a_dash():
    chart = layout(bars(("Units", [5, 0, None, 3])))
    zero, none = chart.series[0].bars[1], chart.series[0].bars[2]
    assert zero.height == 0
    assert zero.value == "0"
    assert zero.show_value
    assert none.height == 0
    assert none.value == "–"
    assert none.show_value
    assert "no value" in none.tooltip


def test_negative_values_are_clamped_to_no_bar_but_keep_their_number():
    bar = layout(bars(("Net", [-1500, 1000, 2000, 3000]), unit=Kind.MONEY)).series[0].bars[0]
    assert bar.height == 0
    assert bar.value == "-1.5k"
    assert "PKR -1,500.00" in bar.tooltip


def test_grouped_bars_stand_side_by_side_within_their_label():
    chart = layout(bars(("Billed", [4, 4, 4, 4]), ("Received", [2, 2, 2, 2])))
    billed, received = chart.series[0].bars[0], chart.series[1].bars[0]
    assert received.x == billed.x + billed.width
    assert received.height * 2 == billed.height
    slot = (chart.right - chart.left) // 4
    assert billed.x >= chart.left
    assert received.x + received.width <= chart.left + slot


def test_each_series_has_its_own_pattern_dash_and_marker():
    chart = layout(bars(*[(f"S{i}", [1, 2, 3, 4]) for i in range(4)]))
    assert len({s.pattern for s in chart.series}) == 4
    assert len({s.pattern_id for s in chart.series}) == 4
    assert chart.series[0].pattern == "solid"
    assert chart.series[1].pattern == "hatch"
    lines = layout(bars(*[(f"S{i}", [1, 2, 3, 4]) for i in range(4)], kind=ChartKind.LINE))
    assert len({s.dash for s in lines.series}) == 4
    assert len({s.marker_shape for s in lines.series}) == 4


def test_two_charts_on_a_page_have_different_ids():
    one = layout(bars(("A", [1, 2, 3, 4])))
    other = layout(Chart(ChartKind.BARS, "Another", "", MONTHS, (Series("A", (1, 2, 3, 4)),)))
    assert one.id != other.id
    assert one.series[0].pattern_id.startswith(one.id)


def test_many_labels_are_thinned_and_bars_stay_at_least_4_units_wide():
    months = tuple(f"Month {i:02d} 2025" for i in range(24))
    chart = layout(
        bars(
            ("Billed", [i * 1000 for i in range(24)]),
            ("Paid", [i * 900 for i in range(24)]),
            labels=months,
            unit=Kind.MONEY,
        )
    )
    assert chart.label_step > 1
    assert len(chart.axis_labels) == -(-24 // chart.label_step)
    assert [label.full for label in chart.axis_labels][:2] == [months[0], months[chart.label_step]]
    assert min(bar.width for s in chart.series for bar in s.bars) >= 4
    spacing = chart.axis_labels[1].x - chart.axis_labels[0].x
    assert spacing >= len(chart.axis_labels[0].text) * 5  # labels do not overlap

    parks = tuple(f"Park {i}" for i in range(120))
    crowded = layout(bars(*[(f"S{i}", [1] * 120) for i in range(3)], labels=parks))
    assert min(bar.width for s in crowded.series for bar in s.bars) >= 4
    assert crowded.width > chart_svg.WIDTH  # grew wider; the viewBox scales it down


def test_few_labels_are_all_written():
    chart = layout(bars(("Units", [1, 2, 3, 4])))
    assert chart.label_step == 1
    assert [label.text for label in chart.axis_labels] == list(MONTHS)


def test_a_series_must_have_a_value_per_label():
    with pytest.raises(ValueError, match="3 values for 4 labels"):
        layout(bars(("Units", [1, 2, 3])))


# --- stacked -----------------------------------------------------------------------------------
def test_stacked_segments_sum_to_the_stack_and_the_total_is_written_above():
    chart = layout(
        bars(
            ("Not due", [10, 0, 0, 0]),
            ("1–30 days", [20, 0, 0, 0]),
            ("Over 90", [10, 0, 0, 40]),
            kind=ChartKind.STACKED,
        )
    )  # axis 0..40
    first = [s.bars[0] for s in chart.series]
    assert [b.height for b in first] == [50, 100, 50]
    assert first[0].y + first[0].height == PLOT_BOTTOM
    assert first[1].y + first[1].height == first[0].y
    assert first[2].y + first[2].height == first[1].y
    assert first[2].y == PLOT_BOTTOM - PLOT_HEIGHT
    assert [t.text for t in chart.totals] == ["40", "0", "0", "40"]
    assert chart.totals[0].y < first[2].y


# --- lines -------------------------------------------------------------------------------------
def test_a_line_breaks_where_a_value_is_missing_and_marks_each_point():
    chart = layout(bars(("Liability", [40, 20, None, 10]), kind=ChartKind.LINE))
    line = chart.series[0]
    assert len(line.segments) == 2
    assert [p.y for p in line.points] == [24, 124, 174]
    assert len(line.points) == 3
    assert line.points[0].marker.startswith("M")
    first, second = (tuple(map(int, xy.split(","))) for xy in line.segments[0].split())
    assert second[0] - first[0] == (chart.right - chart.left) // 4


# --- the partial -------------------------------------------------------------------------------
def render(chart, caption=""):
    template = Template("{% load charts %}{% chart chart caption=caption %}")
    return template.render(Context({"chart": chart, "caption": caption}))


def test_the_partial_writes_an_accessible_svg_with_names_values_and_tooltips():
    chart = Chart(
        ChartKind.BARS,
        "Billed and received",
        "Billed and received by month.",
        ("Jan 2026", "Feb 2026"),
        (
            Series("Billed", (Decimal("1200000.00"), Decimal("0.00"))),
            Series("Received", (Decimal("350000.00"), None)),
        ),
        Kind.MONEY,
    )
    html = render(chart, caption="Net of credit notes.")
    ident = layout(chart).id
    assert 'role="img"' in html
    assert f'aria-labelledby="{ident}-title {ident}-desc"' in html
    assert f'<title id="{ident}-title">Billed and received</title>' in html
    assert f'<desc id="{ident}-desc">Billed and received by month.</desc>' in html
    assert html.count('<rect class="chart-bar"') == 4
    for name in ("Billed", "Received"):
        assert f">{name}</text>" in html  # the legend
    for value in ("1.2M", "350k", ">0<", ">–<"):
        assert value in html
    assert "<title>Jan 2026 · Billed: PKR 1,200,000.00</title>" in html
    assert f'<pattern id="{ident}-p0"' in html
    assert f'<pattern id="{ident}-p1"' in html
    assert f'fill="url(#{ident}-p1)"' in html
    assert "Net of credit notes. Amounts in PKR." in html
    assert "<figcaption" in html
    assert "style" not in html
    assert "<script" not in html
    assert "http" not in html
    assert not re.search(r'="[^"]*\d,\d', html.replace("points=", "p="))  # no decimal commas


def test_the_partial_draws_lines_with_dashes_and_markers():
    html = render(bars(("Plan", [1, 2, 3, 4]), ("Actual", [2, 3, None, 1]), kind=ChartKind.LINE))
    assert html.count('<polyline class="chart-line"') == 3  # Actual breaks at the gap
    assert 'stroke-dasharray="6 3"' in html
    assert html.count('<path class="chart-marker"') == 4 + 3 + 2  # points + legend


def test_no_chart_draws_nothing():
    assert render(None).strip() == ""
