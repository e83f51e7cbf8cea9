"""The basemap catalogue: data, validated on import (in the manner of xyzservices).

The default basemap is vector data served by this app, so a map is legible with no internet.
Tile basemaps are online extras: each says which datum its tiles are drawn in, because AMap/Gaode
tiles are GCJ-02 and every overlay must be shifted to match them (the page reloads overlays with
`?crs=gcj02`), while OpenStreetMap and Tianditu are WGS-84/CGCS2000-aligned.
"""

from __future__ import annotations

from typing import Any

TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)

BASEMAPS: tuple[dict[str, Any], ...] = (
    {
        "id": "vector",
        "title": {"zh": "规划底图（离线）", "en": "Planning basemap (offline)"},
        "kind": "vector",
        "crs": "wgs84",
        "attribution": "planmap data",
    },
    {
        "id": "osm",
        "title": {"zh": "OpenStreetMap（在线）", "en": "OpenStreetMap (online)"},
        "kind": "tiles",
        "crs": "wgs84",
        "tiles": ["https://tile.openstreetmap.org/{z}/{x}/{y}.png"],
        "subdomains": "",
        "max_native_zoom": 19,
        "attribution": "© OpenStreetMap contributors",
    },
    {
        "id": "tianditu-vec",
        "title": {"zh": "天地图矢量（在线）", "en": "Tianditu vector (online)"},
        "kind": "tiles",
        "crs": "wgs84",
        "tiles": [TIANDITU.replace("{layer}", "vec"), TIANDITU.replace("{layer}", "cva")],
        "subdomains": "01234567",
        "max_native_zoom": 18,
        "requires_key": "TIANDITU_KEY",
        "attribution": "© 天地图 Tianditu",
    },
    {
        "id": "tianditu-img",
        "title": {"zh": "天地图影像（在线）", "en": "Tianditu imagery (online)"},
        "kind": "tiles",
        "crs": "wgs84",
        "tiles": [TIANDITU.replace("{layer}", "img"), TIANDITU.replace("{layer}", "cia")],
        "subdomains": "01234567",
        "max_native_zoom": 18,
        "requires_key": "TIANDITU_KEY",
        "attribution": "© 天地图 Tianditu",
    },
    {
        "id": "amap",
        "title": {"zh": "高德地图（在线，GCJ-02）", "en": "AMap/Gaode (online, GCJ-02)"},
        "kind": "tiles",
        "crs": "gcj02",
        "tiles": [
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}"
        ],
        "subdomains": "1234",
        "max_native_zoom": 18,
        "attribution": "© 高德地图 AMap (GCJ-02; overlays shifted to match)",
    },
)

_REQUIRED = ("id", "title", "kind", "crs", "attribution")


def _validate(catalogue: tuple[dict[str, Any], ...]) -> None:
    seen = set()
    for entry in catalogue:
        missing = [k for k in _REQUIRED if k not in entry]
        if missing:
            raise ValueError(f"basemap {entry.get('id')!r}: missing {', '.join(missing)}")
        if entry["id"] in seen:
            raise ValueError(f"basemap {entry['id']!r}: duplicate id")
        seen.add(entry["id"])
        if entry["kind"] not in {"vector", "tiles"} or entry["crs"] not in {"wgs84", "gcj02"}:
            raise ValueError(f"basemap {entry['id']!r}: bad kind or crs")
        if set(entry["title"]) != {"zh", "en"}:
            raise ValueError(f"basemap {entry['id']!r}: title needs zh and en")
        if entry["kind"] == "tiles" and not all(u.startswith("https://") for u in entry["tiles"]):
            raise ValueError(f"basemap {entry['id']!r}: tile URLs must be https")


_validate(BASEMAPS)
IDS = tuple(b["id"] for b in BASEMAPS)


def offered(config: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The basemaps this configuration offers, ready for the page's script (keys filled in)."""
    out = []
    for entry in BASEMAPS:
        if entry["kind"] == "tiles" and entry["id"] not in config["ONLINE_BASEMAPS"]:
            continue
        key = ""
        if entry.get("requires_key"):
            key = config.get(entry["requires_key"]) or ""
            if not key:
                continue
        item = {
            "id": entry["id"],
            "title": entry["title"][lang],
            "kind": entry["kind"],
            "crs": entry["crs"],
            "attribution": entry["attribution"],
        }
        if entry["kind"] == "tiles":
            item["tiles"] = [u.replace("{key}", key) for u in entry["tiles"]]
            item["subdomains"] = entry["subdomains"]
            item["max_native_zoom"] = entry["max_native_zoom"]
        out.append(item)
    return out
