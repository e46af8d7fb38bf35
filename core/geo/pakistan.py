"""The base map of Pakistan, drawn once per process, and the place of a point on it.

Pakistan (ISO 3166 numeric 586) is drawn over the land around it (Afghanistan, Iran, India,
China, and whatever else the frame takes in), greyed and cut at the frame's edge. The frame
holds Pakistan's extent (about 60.9–77.8° E, 23.7–37.1° N) with a margin.

Boundaries are Natural Earth's (world-atlas 2.0.2, 1:50m, public domain), as drawn there;
the map places parks, it does not settle borders.

No Django import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .projection import Frame
from .shapes import XY, clip_ring, path_data, thin
from .topojson import Polygon, features

DATA = Path(__file__).resolve().parent / "data" / "countries-50m.json"
PAKISTAN = "586"
NEIGHBOURS = {"004": "Afghanistan", "364": "Iran", "356": "India", "156": "China"}
# Pakistan's extent with a little room (Natural Earth's Pakistan: 60.9–77.8° E, 23.7–37.1° N):
# a park's coordinates must fall inside it (``parks.domain.coordinates_problem``).
BOUNDS = Frame(west=60.5, east=78.0, south=23.5, north=37.2, width=1)
FRAME = Frame(west=60.3, east=78.2, south=23.3, north=37.4, width=560)
TOLERANCE = 1.0  # drawing units (a pixel at the map's natural size)


@dataclass(frozen=True)
class BaseMap:
    """The drawing: its size and two paths, Pakistan and the land around it."""

    width: float
    height: float
    country: str
    context: str

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def _rings(shapes: Iterable[Polygon], frame: Frame) -> list[list[XY]]:
    """Every ring of the polygons, projected, cut to the frame and thinned."""
    rings = []
    for polygon in shapes:
        for ring in polygon:
            projected = [frame.project(lon, lat) for lon, lat in ring]
            clipped = clip_ring(projected, frame.width, frame.height)
            rings.append(thin(clipped, TOLERANCE))
    return rings


def _touches(shapes: Sequence[Polygon], frame: Frame) -> bool:
    return any(frame.contains(lon, lat) for p in shapes for ring in p for lon, lat in ring)


def draw(topology: Mapping[str, Any], frame: Frame = FRAME, country: str = PAKISTAN) -> BaseMap:
    """The base map from a topology's ``countries``: ``country`` and, as context, every other
    country with land inside the frame."""
    shapes = features(topology, "countries")
    around = [p for key, s in shapes.items() if key != country and _touches(s, frame) for p in s]
    return BaseMap(
        width=round(frame.width, 1),
        height=round(frame.height, 1),
        country=path_data(_rings(shapes.get(country, []), frame)),
        context=path_data(_rings(around, frame)),
    )


@lru_cache(maxsize=1)
def base_map() -> BaseMap:
    """Pakistan's base map from the vendored Natural Earth data: decoded and drawn once per
    process (a few tens of milliseconds), then reused by every page."""
    with DATA.open(encoding="utf-8") as file:
        return draw(json.load(file))


def place(longitude: float, latitude: float, frame: Frame = FRAME) -> XY | None:
    """Where a point falls on the map, rounded to one decimal, or None outside the frame."""
    if not frame.contains(longitude, latitude):
        return None
    x, y = frame.project(longitude, latitude)
    return (round(x, 1), round(y, 1))
