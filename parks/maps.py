"""Parks as markers on the offline map (issue 12 §4; the map itself: ``core.geo``).

A marker's shape and colour both say the park's status, and the legend names them, so the
map never relies on colour alone: open parks are green circles, upcoming ones amber
triangles, planned ones hollow grey squares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from core.geo.pakistan import base_map, place
from core.geo.shapes import marker_path
from core.vocabulary import ParkStatus

if TYPE_CHECKING:
    from core.geo.pakistan import BaseMap

    from .models import Park


@dataclass(frozen=True)
class MarkerStyle:
    status: str
    shape: str
    fill: str
    stroke: str
    legend: str


STYLES = {
    ParkStatus.EXISTING: MarkerStyle(ParkStatus.EXISTING, "circle", "#2fb344", "#ffffff", "Open"),
    ParkStatus.UPCOMING: MarkerStyle(
        ParkStatus.UPCOMING, "triangle", "#f59f00", "#ffffff", "Opening (upcoming)"
    ),
    ParkStatus.PLANNED: MarkerStyle(ParkStatus.PLANNED, "square", "#ffffff", "#667382", "Planned"),
}
SIZE = 6.5
HIGHLIGHT_SIZE = 10


@dataclass(frozen=True)
class Marker:
    code: str
    href: str
    title: str
    path: str
    style: MarkerStyle
    x: float
    y: float
    highlighted: bool = False
    faint: bool = False

    @property
    def label_y(self) -> float:
        """Where the highlighted park's code is written: above its ring, or below it near
        the top edge."""
        return round(self.y - 22 if self.y > 30 else self.y + 32, 1)


@dataclass(frozen=True)
class LegendEntry:
    label: str
    path: str
    style: MarkerStyle
    count: int


@dataclass(frozen=True)
class ParkMap:
    """What ``templates/partials/map.html`` draws: the base map, the markers (the highlighted
    one last, on top), the legend, a description for assistive technology, and the parks
    that have no place on it."""

    base: BaseMap
    markers: list[Marker]
    legend: list[LegendEntry]
    label: str
    unplaced: int
    highlighted: Marker | None


def park_map(parks: Iterable[Park], *, highlight: Park | None = None) -> ParkMap:
    """The map of ``parks`` (no queries: the parks as given), ``highlight`` drawn larger and
    the others faint."""
    markers: list[Marker] = []
    unplaced = 0
    counts = dict.fromkeys(STYLES, 0)
    for park in parks:
        style = STYLES.get(ParkStatus(park.status))
        spot = (
            place(float(park.longitude), float(park.latitude))
            if park.latitude is not None and park.longitude is not None
            else None
        )
        if style is None or spot is None:
            unplaced += 1
            continue
        counts[ParkStatus(park.status)] += 1
        chosen = highlight is not None and park.pk == highlight.pk
        markers.append(
            Marker(
                code=park.code,
                href=reverse("parks:detail", args=[park.code]),
                title=f"{park.name}, {park.city}: {park.status_word}",
                path=marker_path(style.shape, *spot, HIGHLIGHT_SIZE if chosen else SIZE),
                style=style,
                x=spot[0],
                y=spot[1],
                highlighted=chosen,
                faint=highlight is not None and not chosen,
            )
        )
    markers.sort(key=lambda m: m.highlighted)
    chosen_marker = next((m for m in markers if m.highlighted), None)
    legend = [
        LegendEntry(style.legend, marker_path(style.shape, 8, 8, 5.5), style, counts[status])
        for status, style in STYLES.items()
    ]
    placed = ", ".join(f"{e.count} {e.label.split(' ')[0].lower()}" for e in legend if e.count)
    if chosen_marker is not None and highlight is not None:
        label = f"Map of Pakistan showing where {highlight.name} is, in {highlight.city}."
    elif markers:
        label = (
            f"Map of Pakistan with {len(markers)} park{'s' if len(markers) != 1 else ''}: {placed}."
        )
    else:
        label = "Map of Pakistan."
    return ParkMap(
        base=base_map(),
        markers=markers,
        legend=legend,
        label=label,
        unplaced=unplaced,
        highlighted=chosen_marker,
    )
