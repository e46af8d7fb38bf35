"""``{% park_map parks %}`` / ``{% park_map parks highlight=park %}``: the offline map of
Pakistan with the parks as markers (``parks.maps``), drawn by ``partials/map.html``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from parks.maps import park_map as build
from parks.models import Park

register = template.Library()


@register.inclusion_tag("partials/map.html")
def park_map(
    parks: Iterable[Park], highlight: Park | None = None, caption: str = ""
) -> dict[str, Any]:
    return {"map": build(parks, highlight=highlight), "caption": caption}
