"""``{% load charts %}{% chart report.chart %}``: a ``core.charts.Chart`` drawn as inline SVG
through ``core.chart_svg.layout`` and ``templates/partials/chart.html`` (one way for every
chart in the portal). ``caption="..."`` adds a sentence to the figure's caption. Nothing is
drawn for no chart (``None``)."""

from __future__ import annotations

from typing import Any

from django import template

from core.chart_svg import layout
from core.charts import Chart

register = template.Library()


@register.inclusion_tag("partials/chart.html")
def chart(chart: Chart | None, caption: str = "") -> dict[str, Any]:
    return {"layout": layout(chart) if chart is not None else None, "caption": caption}
