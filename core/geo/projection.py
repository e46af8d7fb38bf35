"""The map's projection: equirectangular, with longitudes scaled by the cosine of the frame's
middle latitude, so that shapes near that latitude keep their proportions (at Pakistan's
30° a degree of longitude is 0.87 of a degree of latitude on the ground).

No Django import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """A rectangle of the earth, ``west``..``east`` and ``south``..``north`` in degrees,
    drawn ``width`` units wide; its height follows from the projection."""

    west: float
    east: float
    south: float
    north: float
    width: float

    def __post_init__(self) -> None:
        if not (self.west < self.east and self.south < self.north and self.width > 0):
            raise ValueError("A frame needs west < east, south < north and a width.")

    @property
    def x_scale(self) -> float:
        """How much narrower a degree of longitude is than one of latitude here."""
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def units_per_degree(self) -> float:
        return self.width / ((self.east - self.west) * self.x_scale)

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.units_per_degree

    def project(self, longitude: float, latitude: float) -> tuple[float, float]:
        """(x, y) in the drawing: x grows east, y grows south (SVG), (0, 0) the north-west
        corner."""
        k = self.units_per_degree
        return ((longitude - self.west) * self.x_scale * k, (self.north - latitude) * k)

    def contains(self, longitude: float, latitude: float) -> bool:
        return self.west <= longitude <= self.east and self.south <= latitude <= self.north
