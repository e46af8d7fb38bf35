"""An offline map of Pakistan (issue 12 §4): Natural Earth 1:50m country shapes from the
vendored world-atlas TopoJSON (``data/countries-50m.json``, public domain), decoded and drawn
as inline SVG on the server. No tile server, no script, nothing fetched.

- ``topojson``: a small decoder (delta-encoded, quantized arcs; polygons, multipolygons).
- ``projection``: an equirectangular frame scaled by the cosine of its middle latitude.
- ``shapes``: clipping to the frame, thinning to whole pixels, SVG path data.
- ``pakistan``: the base map (Pakistan and the land around it), drawn once per process,
  and markers placed on it.

No Django import.
"""
