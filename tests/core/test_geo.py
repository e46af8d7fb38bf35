"""The offline map (issue 12 §4): the TopoJSON decoder, the projection, the base map."""

import math

import pytest

from core.geo import pakistan
from core.geo.pakistan import FRAME, base_map, draw, place
from core.geo.projection import Frame
from core.geo.shapes import clip_ring, marker_path, path_data, thin
from core.geo.topojson import TopologyError, decode_arcs, features, polygons, ring

# A hand-made topology: two unit squares side by side sharing the arc x=1 (arc 1), quantized
# with a transform (a step is 0.5 degree, from (10, 20)) and delta-encoded.
#   arc 0: (1,0) → (0,0) → (0,1) → (1,1)   the left square's outer part
#   arc 1: (1,1) → (1,0)                   the shared border
#   arc 2: (1,1) → (2,1) → (2,0) → (1,0)   the right square's outer part
# The left square walks the border down (1), the right one up (~1, written -2).
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    "arcs": [
        [[2, 0], [-2, 0], [0, 2], [2, 0]],
        [[2, 2], [0, -2]],
        [[2, 2], [2, 0], [0, -2], [-2, 0]],
    ],
    "objects": {
        "countries": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "id": "001"},
                {"type": "MultiPolygon", "arcs": [[[-2, 2]]], "id": "002"},
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "Nameless"}},
                {"type": None},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_transformed():
    arcs = decode_arcs(TOPOLOGY)
    assert arcs[0] == [(11.0, 20.0), (10.0, 20.0), (10.0, 21.0), (11.0, 21.0)]
    assert arcs[1] == [(11.0, 21.0), (11.0, 20.0)]


def test_arcs_without_a_transform_are_absolute():
    assert decode_arcs({"arcs": [[[1, 2], [3, 4]]]}) == [[(1.0, 2.0), (3.0, 4.0)]]


def test_a_ring_joins_its_arcs_keeping_each_shared_point_once():
    arcs = decode_arcs(TOPOLOGY)
    assert ring([0, 1], arcs) == [(11, 20), (10, 20), (10, 21), (11, 21), (11, 20)]


def test_a_negative_index_walks_the_arc_backwards():
    arcs = decode_arcs(TOPOLOGY)
    # ~1 == -2: the shared border from (11, 20) up to (11, 21).
    assert ring([-2, 2], arcs) == [(11, 20), (11, 21), (12, 21), (12, 20), (11, 20)]


def test_polygons_and_multipolygons_by_id_or_name():
    shapes = features(TOPOLOGY, "countries")
    assert set(shapes) == {"001", "002", "Nameless"}
    assert len(shapes["001"]) == 1
    assert len(shapes["001"][0]) == 1
    assert shapes["002"][0][0][1] == (11, 21)
    assert polygons({"type": "Point", "coordinates": [0, 0]}, []) == []


def test_bad_data_is_refused_with_a_reason():
    with pytest.raises(TopologyError, match="Not a TopoJSON"):
        features({"type": "FeatureCollection"}, "countries")
    with pytest.raises(TopologyError, match="no object"):
        features(TOPOLOGY, "land")
    with pytest.raises(TopologyError, match="No arc 7"):
        ring([7], decode_arcs(TOPOLOGY))


# --- The projection ------------------------------------------------------------------------
LAHORE, QUETTA = (74.3436, 31.5497), (66.9750, 30.1798)
GILGIT, KARACHI = (74.3089, 35.9208), (67.0011, 24.8607)


def test_quetta_lands_west_of_lahore_and_gilgit_north_of_karachi():
    quetta, lahore = place(*QUETTA), place(*LAHORE)
    gilgit, karachi = place(*GILGIT), place(*KARACHI)
    assert quetta[0] < lahore[0]  # x grows east
    assert gilgit[1] < karachi[1]  # y grows south


def test_longitude_is_scaled_by_the_cosine_of_the_middle_latitude():
    frame = Frame(west=60, east=80, south=20, north=40, width=1000)
    x0, y0 = frame.project(60, 30)
    x1, y1 = frame.project(61, 31)
    assert (x1 - x0) / (y0 - y1) == pytest.approx(math.cos(math.radians(30)))
    assert frame.project(60, 40) == (0, 0)
    assert frame.project(80, 20) == pytest.approx((1000, frame.height))


def test_points_outside_the_frame_are_not_placed():
    assert place(55.0, 30.0) is None  # Oman's side of the Gulf
    assert place(74.3, 40.0) is None
    with pytest.raises(ValueError, match="west < east"):
        Frame(west=70, east=60, south=20, north=30, width=10)


def test_the_frame_holds_pakistan():
    assert FRAME.west <= 60.5
    assert FRAME.east >= 77.5
    assert FRAME.south <= 23.5
    assert FRAME.north >= 37.2


# --- Shapes --------------------------------------------------------------------------------
def test_a_ring_is_clipped_to_the_drawing():
    square = [(-5, -5), (5, -5), (5, 5), (-5, 5)]
    assert sorted(clip_ring(square, 10, 10)) == [(0, 0), (0, 5), (5, 0), (5, 5)]
    assert clip_ring([(20, 20), (30, 20), (30, 30)], 10, 10) == []


def test_points_closer_than_a_pixel_are_dropped():
    assert thin([(0, 0), (0.3, 0), (0.9, 0.2), (1.5, 0), (3, 0)]) == [(0, 0), (1.5, 0), (3, 0)]


def test_path_data_has_one_decimal_and_skips_rings_too_small_to_see():
    assert path_data([[(0, 0), (10.04, 0), (10, 5.25)], [(1, 1), (2, 2)]]) == "M0 0L10 0 10 5.2Z"


@pytest.mark.parametrize("shape", ["circle", "triangle", "square", "diamond"])
def test_each_marker_shape_is_a_closed_path(shape):
    assert marker_path(shape, 10, 10, 5).endswith("Z")
    with pytest.raises(ValueError, match="No marker shape"):
        marker_path("star", 0, 0, 1)


# --- The base map --------------------------------------------------------------------------
def _inside(path: str, x: float, y: float) -> bool:
    """Even-odd test of a point against the rings of path data (M…L…Z)."""
    inside = False
    for ring_text in path.split("Z"):
        if not ring_text:
            continue
        numbers = [float(v) for v in ring_text.replace("M", " ").replace("L", " ").split()]
        pts = list(zip(numbers[::2], numbers[1::2], strict=True))
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def test_the_base_map_is_small_and_drawn_once():
    pakistan.base_map.cache_clear()
    drawn = base_map()
    assert base_map() is drawn  # lru_cache: once per process
    assert 3_000 < len(drawn.country) < 12_000
    assert len(drawn.country) + len(drawn.context) < 30_000
    assert drawn.width == 560
    assert 450 < drawn.height < 560


def test_the_cities_of_the_parks_are_inside_pakistan_and_kabul_is_not():
    drawn = base_map()
    for city in (LAHORE, QUETTA, GILGIT, KARACHI):
        assert _inside(drawn.country, *place(*city)), city
    kabul = place(69.2075, 34.5553)
    assert not _inside(drawn.country, *kabul)
    assert _inside(drawn.context, *kabul)  # Afghanistan is drawn around it


def test_drawing_a_hand_made_topology():
    frame = Frame(west=9.5, east=12.5, south=19.5, north=21.5, width=300)
    drawn = draw(TOPOLOGY, frame, country="001")
    assert drawn.country.startswith("M")
    assert drawn.context.startswith("M")
