"""The permalink: the URL parameters that reopen the same view of a map.

Shared by the atlas and the embed page (the same link works in both). Parameters:
`layers` (comma-separated layer ids; an empty value means none), `center` ("lat,lon"), `zoom`,
`basemap`, `place` (the place whose popup is open) and `lang`. Malformed values are a 400 with a
message rather than a silently different map: a planner who shares a view must get that view.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from geo.errors import BadRequest
from webmap import basemaps

PARAMS = ("layers", "center", "zoom", "basemap", "place", "lang")


@dataclass(frozen=True)
class View:
    layers: list[str] | None   # None: the layers' defaults
    center: list[float] | None
    zoom: int | None
    basemap: str | None
    place: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_view(args: Mapping[str, str], layer_ids: set[str], max_zoom: int = 18,
               basemap_ids: tuple[str, ...] = basemaps.IDS) -> View:
    layers = None
    if "layers" in args:
        layers = [x for x in args["layers"].split(",") if x]
        unknown = [x for x in layers if x not in layer_ids]
        if unknown:
            raise BadRequest(f"unknown layer id(s) in layers=: {', '.join(unknown)}")
    center = None
    if "center" in args:
        try:
            lat, lon = (float(x) for x in args["center"].split(","))
        except ValueError:
            raise BadRequest("center must be 'lat,lon' in degrees, e.g. 39.99,116.30") from None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
                and -180 <= lon <= 180):
            raise BadRequest("center is outside the range of latitude/longitude")
        center = [lat, lon]
    zoom = None
    if "zoom" in args:
        try:
            zoom = int(args["zoom"])
        except ValueError:
            raise BadRequest("zoom must be an integer") from None
        if not 0 <= zoom <= max_zoom:
            raise BadRequest(f"zoom must be between 0 and {max_zoom}")
    basemap = args.get("basemap") or None
    if basemap is not None and basemap not in basemap_ids:
        raise BadRequest(f"unknown basemap {basemap!r} (known: {', '.join(basemap_ids)})")
    place = args.get("place") or None
    if place is not None and (len(place) > 200 or not place.replace("-", "").replace("_", "")
                              .isalnum()):
        raise BadRequest("place must be a place id")
    return View(layers, center, zoom, basemap, place)


def with_query(url: str, params: Mapping[str, str]) -> str:
    """`url` with `params` as its query string. Query names are never passed to `url_for` as
    keywords: a visitor's `?endpoint=` or `?_external=` would collide with its own arguments."""
    return url + ("?" + urlencode(params) if params else "")
