"""Charts as data: what a report wants drawn. The geometry and the SVG are made on the
server (``core.chart_svg`` and ``templates/partials/chart.html``): no chart library, nothing
from outside the portal, and every chart has its table as its text alternative.

No Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.tables import Kind


class ChartKind(StrEnum):
    BARS = "bars"  # one bar per label per series, side by side
    STACKED = "stacked"  # one bar per label, the series stacked (e.g. ageing buckets)
    LINE = "line"  # one line per series over the labels (e.g. a 12-month series)


@dataclass(frozen=True)
class Series:
    """One series: a name (shown in the legend) and a value per label (None: no value)."""

    name: str
    values: tuple[Decimal | int | None, ...]


@dataclass(frozen=True)
class Chart:
    """A chart of ``series`` over ``labels`` (months, parks, buckets), in ``unit``.

    ``description`` says in a sentence what it shows (the SVG's <desc>). Series are told
    apart by pattern and marker shape as well as colour, and values are written on the
    chart, so it reads without colour.
    """

    kind: ChartKind
    title: str
    description: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: Kind = Kind.COUNT
