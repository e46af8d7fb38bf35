"""A small TopoJSON decoder (https://github.com/topojson/topojson-specification): enough for
world-atlas' country shapes.

A topology keeps each border once, as an *arc* (a line of points), shared by the countries on
either side. With a ``transform``, arcs are quantized and delta-encoded: each point is the
previous one plus (dx, dy) in whole steps, and a step is ``scale`` degrees from
``translate``. A ring of a polygon names its arcs by index, ``~i`` (that is ``-i - 1``) for
arc ``i`` walked backwards; consecutive arcs share their joining point, which is kept once.

No Django import.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Point = tuple[float, float]  # (longitude, latitude) in degrees
Ring = list[Point]
Polygon = list[Ring]  # the outer ring, then its holes


class TopologyError(ValueError):
    """The data is not a topology this decoder reads."""


def decode_arcs(topology: Mapping[str, Any]) -> list[list[Point]]:
    """Every arc of the topology as absolute (longitude, latitude) points: the deltas summed
    and the transform applied, when the topology has one (without, positions are absolute)."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology.get("arcs", []):
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: Iterable[int], arcs: Sequence[Sequence[Point]]) -> Ring:
    """A closed ring from its arcs, in order (``~i``: arc ``i`` reversed), each arc's first
    point dropped after the first arc (it is the previous arc's last)."""
    points: Ring = []
    for index in indexes:
        try:
            arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        except IndexError as exc:
            raise TopologyError(f"No arc {index if index >= 0 else ~index}.") from exc
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: Mapping[str, Any], arcs: Sequence[Sequence[Point]]) -> list[Polygon]:
    """A geometry's polygons, each a list of rings: a ``Polygon`` gives one, a
    ``MultiPolygon`` several, a ``GeometryCollection`` those of its members, anything else
    (points, lines, a null geometry) none."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return [[ring(r, arcs) for r in geometry["arcs"]]]
    if kind == "MultiPolygon":
        return [[ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
    if kind == "GeometryCollection":
        return [p for member in geometry.get("geometries", []) for p in polygons(member, arcs)]
    return []


def features(topology: Mapping[str, Any], name: str) -> dict[str, list[Polygon]]:
    """The polygons of each geometry of the object ``name`` (``"countries"``), by its id (a
    geometry without one is keyed by its ``properties.name``); geometries with no polygon
    (a null geometry, a point) are left out."""
    if topology.get("type") != "Topology":
        raise TopologyError("Not a TopoJSON topology.")
    try:
        collection = topology["objects"][name]
    except KeyError as exc:
        raise TopologyError(f"The topology has no object {name!r}.") from exc
    arcs = decode_arcs(topology)
    shapes: dict[str, list[Polygon]] = {}
    for geometry in collection.get("geometries", [collection]):
        found = polygons(geometry, arcs)
        if not found:
            continue
        key = geometry.get("id") or (geometry.get("properties") or {}).get("name") or ""
        shapes.setdefault(str(key), []).extend(found)
    return shapes
