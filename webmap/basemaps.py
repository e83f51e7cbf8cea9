"""The basemap catalogue: data, validated on import (in the manner of xyzservices), and the
services an administrator adds in the settings file (`BASEMAPS`), validated when settings load.

The default basemap is vector data served by this app, so a map is legible with no internet.
Tile basemaps are extras: the online ones (OpenStreetMap, Tianditu, AMap) are offered only when
the `ONLINE_BASEMAPS` setting names them, and a bureau's own XYZ or WMTS services on its intranet
are declared in `BASEMAPS`. Each says which datum its tiles are drawn in, because AMap/Gaode
tiles (and some intranet services) are GCJ-02 and every overlay must be shifted to match them
(the page reloads overlays with `?crs=gcj02`), while WGS-84 and CGCS2000 tiles take the overlays
as they are (the two datums differ by centimetres).

Tiles must use the Web Mercator grid (XYZ, or a WMTS GoogleMapsCompatible matrix set), the only
one Leaflet's default map draws; a WMTS template names its cells with `{TileMatrix}`,
`{TileRow}` and `{TileCol}`, or with `{z}`, `{y}` and `{x}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from geo import crs_names
from geo.errors import BadRequest, DataError

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
        "attribution": "© OpenStreetMap contributors (ODbL)",
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
ONLINE_IDS = tuple(b["id"] for b in BASEMAPS if b["kind"] == "tiles")

# ------------------------------------------------------------------ services from the settings

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_WMTS_NAMES = {"{TileMatrix}": "{z}", "{TileRow}": "{y}", "{TileCol}": "{x}"}
_SERVICE_KEYS = {"id", "title", "kind", "url", "crs", "attribution", "min_zoom", "max_zoom",
                 "subdomains"}
# The datum a service's tiles are drawn in, by the CRS the settings name (any spelling of
# geo.crs_names): WGS-84 and CGCS2000 tiles take the overlays as they are, GCJ-02 shifts them.
_DATUMS = {crs_names.WGS84.id: "wgs84", crs_names.CGCS2000.id: "wgs84",
           crs_names.GCJ02.id: "gcj02"}


def service(raw: Mapping[str, Any], where: str = "setting BASEMAPS") -> dict[str, Any]:
    """One administrator's tile service as a catalogue entry, or DataError naming what is wrong.

    Keys: id, title (a string, or {zh, en}), kind (xyz or wmts), url (http or https template
    with {z}/{x}/{y}, or WMTS {TileMatrix}/{TileRow}/{TileCol}; optional {s} with subdomains),
    crs (WGS-84, CGCS2000 or GCJ-02, any spelling of docs/crs.md), attribution, min_zoom and
    max_zoom (0–22)."""
    if not isinstance(raw, Mapping):
        raise DataError(f"{where}: each basemap is a table of settings, not {raw!r}")
    name = f"{where} {raw.get('id')!r}"
    unknown = sorted(set(raw) - _SERVICE_KEYS)
    missing = [k for k in ("id", "title", "kind", "url", "crs", "attribution") if k not in raw]
    if unknown or missing:
        raise DataError(f"{name}: " + "; ".join(
            ([f"unknown key(s) {', '.join(unknown)}"] if unknown else [])
            + ([f"missing {', '.join(missing)}"] if missing else [])))
    if not isinstance(raw["id"], str) or not _ID.match(raw["id"]) or raw["id"] in IDS:
        raise DataError(f"{name}: id must be new, lower-case letters, digits, - or _")
    title = raw["title"]
    if isinstance(title, str):
        title = {"zh": title, "en": title}
    if not isinstance(title, Mapping) or set(title) != {"zh", "en"} or not all(
            isinstance(v, str) and v.strip() for v in title.values()):
        raise DataError(f"{name}: title is a string or a table with zh and en")
    if raw["kind"] not in ("xyz", "wmts"):
        raise DataError(f"{name}: kind must be xyz or wmts")
    url = str(raw["url"])
    for wmts, xyz in _WMTS_NAMES.items():
        url = url.replace(wmts, xyz)
    if not re.match(r"^https?://[^/\s]+", url) or not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise DataError(f"{name}: url must be an http(s) template with {{z}}, {{x}} and {{y}} "
                        "(or WMTS {TileMatrix}, {TileRow}, {TileCol})")
    try:
        crs = crs_names.parse_crs(str(raw["crs"]))
    except BadRequest:
        crs = None
    if crs is None or crs.id not in _DATUMS:
        raise DataError(f"{name}: crs must be WGS-84, CGCS2000 or GCJ-02, not {raw['crs']!r}")
    low, high = raw.get("min_zoom", 0), raw.get("max_zoom", 18)
    if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high <= 22):
        raise DataError(f"{name}: min_zoom and max_zoom must be whole numbers, 0 ≤ min ≤ max ≤ 22")
    subdomains = str(raw.get("subdomains", ""))
    if ("{s}" in url) != bool(subdomains):
        raise DataError(f"{name}: a url with {{s}} needs subdomains, and subdomains need {{s}}")
    if not str(raw["attribution"]).strip():
        raise DataError(f"{name}: attribution must say whose tiles these are")
    return {"id": raw["id"], "title": dict(title), "kind": "tiles", "crs": _DATUMS[crs.id],
            "tiles": [url], "subdomains": subdomains, "min_zoom": low, "max_native_zoom": high,
            "attribution": str(raw["attribution"]), "custom": True}


def services(raw: Sequence[Any]) -> tuple[dict[str, Any], ...]:
    """Every service of the BASEMAPS setting, validated, ids unique."""
    entries = tuple(service(item) for item in raw)
    ids = [e["id"] for e in entries]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise DataError(f"setting BASEMAPS: duplicate id(s) {', '.join(dupes)}")
    return entries


def check_settings(config: Mapping[str, Any]) -> None:
    """The basemap settings agree with the catalogue: called when settings load."""
    unknown = [b for b in config["ONLINE_BASEMAPS"] if b not in ONLINE_IDS]
    if unknown:
        raise DataError(f"setting ONLINE_BASEMAPS: unknown basemap(s) {', '.join(unknown)} "
                        f"(known: {', '.join(ONLINE_IDS)})")
    ids = all_ids(config)
    if config["DEFAULT_BASEMAP"] not in ids:
        raise DataError(f"setting DEFAULT_BASEMAP: unknown basemap {config['DEFAULT_BASEMAP']!r}"
                        f" (known: {', '.join(ids)})")


def tile_origins(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The plain-http origins of the BASEMAPS services (one per subdomain), which the pages'
    Content-Security-Policy must let images come from (https tiles are allowed already)."""
    origins: dict[str, None] = {}
    for entry in services(config["BASEMAPS"]):
        for template in entry["tiles"]:
            for sub in entry["subdomains"] or [""]:
                match = re.match(r"^http://[^/\s]+", template.replace("{s}", sub))
                if match:
                    origins[match.group(0)] = None
    return tuple(origins)


def all_ids(config: Mapping[str, Any]) -> tuple[str, ...]:
    """Every basemap id a URL may name in this configuration, offered or not."""
    return IDS + tuple(e["id"] for e in services(config["BASEMAPS"]))


def offered(config: Mapping[str, Any], lang: str) -> list[dict[str, Any]]:
    """The basemaps this configuration offers, ready for the page's script (keys filled in)."""
    out = []
    for entry in (*BASEMAPS, *services(config["BASEMAPS"])):
        if (entry["kind"] == "tiles" and not entry.get("custom")
                and entry["id"] not in config["ONLINE_BASEMAPS"]):
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
            item["min_zoom"] = entry.get("min_zoom", 0)
            item["max_native_zoom"] = entry["max_native_zoom"]
        out.append(item)
    return out
