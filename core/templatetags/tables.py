"""Table cells as the pages print them, by column kind (core.tables.Kind)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import template

from core.calendar import Period
from core.tables import Column, Kind, Row

register = template.Library()

DASH = "—"


def show(kind: Kind, value: Any) -> str:
    """A value as the page shows it: money ``1,234.56``, counts ``1,234``, percents
    ``75.3%``, dates ``1 Dec 2026``, periods ``Dec 2026``; nothing is a dash."""
    if value is None or value == "":
        return DASH
    if kind == Kind.MONEY:
        return f"{Decimal(value):,.2f}"
    if kind == Kind.COUNT:
        return f"{int(value):,}"
    if kind == Kind.PERCENT:
        return f"{Decimal(value):.1f}%"
    if kind == Kind.DECIMAL:
        return f"{Decimal(value):,.2f}".rstrip("0").rstrip(".")
    if kind == Kind.DATE and isinstance(value, date):
        return f"{value.day} {value:%b %Y}"
    if kind == Kind.PERIOD and isinstance(value, Period):
        return f"{value.first:%b %Y}"
    return str(value)


@register.filter
def cell(row: Row, column: Column) -> str:
    """``{{ row|cell:column }}``: the row's value under ``column``, shown by its kind."""
    return show(column.kind, row.get(column.key))


@register.filter
def figure(value: Any, kind: str) -> str:
    """``{{ value|figure:"money" }}``: one headline figure shown by its kind."""
    return show(Kind(kind), value)
