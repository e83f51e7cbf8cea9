"""Download links and files for a layer: every export format × CRS that layers.export offers.

The export engine (layers.export) writes the files; this module only lists what it offers and
serves a written file with the right media type. Until that module exists, the GeoJSON the API
serves (WGS-84, and GCJ-02 for AMap users) is the download.
"""

from __future__ import annotations

from typing import Any

from flask import url_for


def links(layer_id: str) -> list[dict[str, Any]]:
    out = [
        {"format": "GeoJSON", "crs": "WGS-84 (EPSG:4326)",
         "url": url_for("api.layer_geojson", layer_id=layer_id)},
        {"format": "GeoJSON", "crs": "GCJ-02 (AMap)",
         "url": url_for("api.layer_geojson", layer_id=layer_id, crs="gcj02")},
    ]
    return out
