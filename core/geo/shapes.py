"""Polygons made small for the page: clipped to the drawing, thinned to points at least a
pixel apart, written as SVG path data with one decimal.

No Django import.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

XY = tuple[float, float]


def _clip_edge(
    points: Sequence[XY], inside: Callable[[XY], bool], cross: Callable[[XY, XY], XY]
) -> list[XY]:
    """One step of Sutherland–Hodgman: the closed ring cut by one edge of the rectangle."""
    out: list[XY] = []
    for i, current in enumerate(points):
        previous = points[i - 1]
        if inside(current):
            if not inside(previous):
                out.append(cross(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(cross(previous, current))
    return out


def clip_ring(points: Sequence[XY], width: float, height: float) -> list[XY]:
    """The closed ring cut to the rectangle 0..``width`` × 0..``height`` (Sutherland–Hodgman:
    a ring stays one ring, running along the rectangle's edge where it left it). Empty when
    the ring lies wholly outside."""

    def at_x(x: float) -> Callable[[XY, XY], XY]:
        def cross(a: XY, b: XY) -> XY:
            t = (x - a[0]) / (b[0] - a[0])
            return (x, a[1] + t * (b[1] - a[1]))

        return cross

    def at_y(y: float) -> Callable[[XY, XY], XY]:
        def cross(a: XY, b: XY) -> XY:
            t = (y - a[1]) / (b[1] - a[1])
            return (a[0] + t * (b[0] - a[0]), y)

        return cross

    ring = list(points)
    for inside, cross in (
        (lambda p: p[0] >= 0, at_x(0)),
        (lambda p: p[0] <= width, at_x(width)),
        (lambda p: p[1] >= 0, at_y(0)),
        (lambda p: p[1] <= height, at_y(height)),
    ):
        if not ring:
            break
        ring = _clip_edge(ring, inside, cross)
    return ring


def thin(points: Sequence[XY], tolerance: float = 1.0) -> list[XY]:
    """The ring with each point closer than ``tolerance`` to the last point kept dropped (the
    first is always kept): at a pixel's tolerance the eye sees the same line."""
    kept: list[XY] = []
    for point in points:
        if not kept or math.dist(point, kept[-1]) >= tolerance:
            kept.append(point)
    return kept


def _number(value: float) -> str:
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def path_data(rings: Iterable[Sequence[XY]]) -> str:
    """SVG path data for closed rings (``M x y L … Z`` each), coordinates to one decimal;
    rings of fewer than three points (nothing left to see) are left out."""
    parts = []
    for ring in rings:
        if len(ring) < 3:
            continue
        head, *rest = ring
        parts.append(
            f"M{_number(head[0])} {_number(head[1])}"
            + "L"
            + " ".join(f"{_number(x)} {_number(y)}" for x, y in rest)
            + "Z"
        )
    return "".join(parts)


# --- Markers ---------------------------------------------------------------------------------
MARKER_SHAPES = ("circle", "triangle", "square", "diamond")


def marker_path(shape: str, x: float, y: float, size: float) -> str:
    """Path data of a marker centred on (x, y), about ``2 × size`` across: a circle, a
    triangle (point up), a square or a diamond, so markers differ by shape, not only colour."""
    n = _number
    if shape == "circle":
        return (
            f"M{n(x - size)} {n(y)}a{n(size)} {n(size)} 0 1 0 {n(2 * size)} 0"
            f"a{n(size)} {n(size)} 0 1 0 {n(-2 * size)} 0Z"
        )
    if shape == "triangle":
        h = size * 1.15
        return f"M{n(x)} {n(y - h)}L{n(x + h)} {n(y + h * 0.8)}L{n(x - h)} {n(y + h * 0.8)}Z"
    if shape == "square":
        s = size * 0.9
        return f"M{n(x - s)} {n(y - s)}h{n(2 * s)}v{n(2 * s)}h{n(-2 * s)}Z"
    if shape == "diamond":
        d = size * 1.25
        return f"M{n(x)} {n(y - d)}L{n(x + d)} {n(y)}L{n(x)} {n(y + d)}L{n(x - d)} {n(y)}Z"
    raise ValueError(f"No marker shape {shape!r}; one of {', '.join(MARKER_SHAPES)}.")
