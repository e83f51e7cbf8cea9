"""Every coordinate system planmap speaks, and every way a user may spell one.

One table, read by the CLI (`--crs`), the JSON API (`?crs=`), the downloads (`?crs=`) and the OGC
API (`crs=`/`bbox-crs=`), so `EPSG:4548`, `4548` and the OGC URI mean the same thing everywhere
and an error lists the same choices everywhere. The arithmetic lives in `geo.crs`; this module
only names things.

The OGC API is stricter than our own interfaces: OGC API – Features Part 2 takes URIs only, so
`/ogcapi` accepts `CrsDef.uri` (and the safe-CURIE form `[EPSG:4548]`), never the short
spellings; see `parse_crs(..., uri_only=True)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.errors import BadRequest

OGC_CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"


@dataclass(frozen=True)
class CrsDef:
    """One coordinate system as planmap offers it.

    `id` is the canonical name used in code and file metadata; `param` is the short form used in
    URLs and file names; `engine` says how coordinates get there: `pyproj` (an EPSG code), or
    `offset`, the obfuscations of Chinese web maps (GCJ-02, BD-09) that no EPSG code describes.
    An offset system is only for overlays on the maps named in `overlay_for`: files in it carry
    `wkt`, a named custom CRS no GIS takes for WGS-84, and say in their names what they are for.
    """

    id: str
    param: str
    title: dict[str, str]
    spellings: tuple[str, ...]
    uri: str | None
    engine: str = "pyproj"
    geographic: bool = True
    # The authority's axis order is latitude first (EPSG:4326/4490) or northing first
    # (EPSG:4548). Files and our own API always write x = longitude/easting; the OGC API writes
    # the authority's order, as Part 2 requires.
    authority_axes_swapped: bool = False
    # Decimal places written: 7 for degrees (about 1 cm), 3 for metres.
    decimals: int = 7
    # (west, south, east, north) in WGS-84 where the system is meant to be used, or None.
    area_of_use: tuple[float, float, float, float] | None = None
    # Offset systems: the web maps whose basemaps they fit ("AMap/Gaode", "Baidu Maps").
    overlay_for: str | None = None

    @property
    def offset(self) -> bool:
        return self.engine == "offset"

    @property
    def file_tag(self) -> str:
        """What a file name says about its coordinates: the short form, and for an offset
        system what it is for (`gcj02-amap-overlay`), so a renamed copy still says it."""
        if self.overlay_for is None:
            return self.param
        return f"{self.param}-{self.overlay_for.split('/')[0].split()[0].lower()}-overlay"

    @property
    def wkt(self) -> str | None:
        """A named custom CRS (OGC WKT 1) for an offset system: a datum of its own, so neither
        GDAL nor QGIS identify it with WGS-84 and place it 500 m off without a word; None for
        EPSG systems, which GIS software knows by code."""
        if not self.offset:
            return None
        name = f"{self.id} ({self.overlay_for} overlay; not WGS-84)"
        return (
            f'GEOGCS["{name}",DATUM["{self.id} obfuscated datum (not WGS 84)",'
            'SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
            'UNIT["degree",0.0174532925199433],AXIS["Longitude",EAST],AXIS["Latitude",NORTH]]'
        )

    @property
    def pyproj(self) -> str:
        """The CRS as pyproj takes it (CRS84 and EPSG:4326 are one datum)."""
        return "EPSG:4326" if self.id == "OGC:CRS84" else self.id


CRS84 = CrsDef(
    id="OGC:CRS84",
    param="crs84",
    title={"zh": "WGS-84 经纬度（经度在前）", "en": "WGS-84 longitude/latitude (CRS84)"},
    spellings=("crs84", "ogc:crs84"),
    uri=OGC_CRS84,
)
WGS84 = CrsDef(
    id="EPSG:4326",
    param="4326",
    title={"zh": "WGS-84 经纬度（GPS、OpenStreetMap、GeoJSON）",
           "en": "WGS-84 longitude/latitude (GPS, OpenStreetMap, GeoJSON)"},
    spellings=("4326", "epsg:4326", "wgs84", "wgs-84", "wgs 84"),
    uri=EPSG_URI + "4326",
    authority_axes_swapped=True,
)
CGCS2000 = CrsDef(
    id="EPSG:4490",
    param="4490",
    title={"zh": "CGCS2000 经纬度（国家大地坐标系，与 WGS-84 相差厘米级）",
           "en": "CGCS2000 longitude/latitude (China's national datum; within centimetres of "
                 "WGS-84)"},
    spellings=("4490", "epsg:4490", "cgcs2000", "cgcs-2000"),
    uri=EPSG_URI + "4490",
    authority_axes_swapped=True,
    area_of_use=(73.62, 16.7, 134.77, 53.56),
)
GK117 = CrsDef(
    id="EPSG:4548",
    param="4548",
    title={"zh": "CGCS2000 / 3 度带高斯-克吕格 中央经线 117°E（米，北京量算用）",
           "en": "CGCS2000 / 3-degree Gauss-Kruger CM 117E, metres (for measuring in Beijing)"},
    spellings=("4548", "epsg:4548"),
    uri=EPSG_URI + "4548",
    geographic=False,
    authority_axes_swapped=True,
    decimals=3,
    area_of_use=(115.5, 18.11, 118.5, 55.33),
)
# The zone of EPSG:4548 as Chinese survey data writes it: the zone number 39 before the easting
# (39 500 000 m on 117°E), northing first in the EPSG definition.
GK39 = CrsDef(
    id="EPSG:4527",
    param="4527",
    title={"zh": "CGCS2000 / 3 度带高斯-克吕格 第 39 带（米，东坐标带带号，测绘数据常用）",
           "en": "CGCS2000 / 3-degree Gauss-Kruger zone 39 (CM 117E), metres, easting with the "
                 "zone prefix 39 (survey data)"},
    spellings=("4527", "epsg:4527"),
    uri=EPSG_URI + "4527",
    geographic=False,
    authority_axes_swapped=True,
    decimals=3,
    area_of_use=(115.5, 18.11, 118.5, 55.33),
)
WEB_MERCATOR = CrsDef(
    id="EPSG:3857",
    param="3857",
    title={"zh": "Web 墨卡托（米，网络瓦片地图用，不可用于量算）",
           "en": "WGS 84 / Pseudo-Mercator, metres (web tile maps; not for measuring)"},
    spellings=("3857", "epsg:3857", "web-mercator", "webmercator", "pseudo-mercator"),
    uri=EPSG_URI + "3857",
    geographic=False,
    decimals=3,
    area_of_use=(-180.0, -85.06, 180.0, 85.06),
)
GCJ02 = CrsDef(
    id="GCJ-02",
    param="gcj02",
    title={"zh": "GCJ-02 经纬度（高德、腾讯地图叠加专用，非 EPSG 坐标系）",
           "en": "GCJ-02 longitude/latitude (for overlays on AMap/Gaode or Tencent only; "
                 "not an EPSG CRS)"},
    spellings=("gcj02", "gcj-02", "gcj"),
    uri=None,
    engine="offset",
    overlay_for="AMap/Gaode",
)
BD09 = CrsDef(
    id="BD-09",
    param="bd09",
    title={"zh": "BD-09 经纬度（百度地图叠加专用，非 EPSG 坐标系）",
           "en": "BD-09 longitude/latitude (for overlays on Baidu Maps only; not an EPSG CRS)"},
    spellings=("bd09", "bd-09", "bd09ll", "baidu"),
    uri=None,
    engine="offset",
    overlay_for="Baidu Maps",
)

# Offered everywhere (CLI, /api, downloads), in the order shown to users.
CRSES: tuple[CrsDef, ...] = (WGS84, CGCS2000, GK117, GK39, WEB_MERCATOR, GCJ02, BD09)
# CRS84 is the OGC API's default; our file formats write it as EPSG:4326 with lon/lat axes.
_ALL: tuple[CrsDef, ...] = (CRS84, *CRSES)
_BY_SPELLING: dict[str, CrsDef] = {}
for _crs in _ALL:
    for _s in (*_crs.spellings, _crs.id.lower(), _crs.param):
        _BY_SPELLING.setdefault(_s, _crs)
    if _crs.uri:
        _BY_SPELLING[_crs.uri.lower()] = _crs


def by_id(crs_id: str) -> CrsDef:
    """The CrsDef of a canonical id (`EPSG:4548`, `GCJ-02`, `OGC:CRS84`)."""
    for crs in _ALL:
        if crs.id == crs_id:
            return crs
    raise KeyError(crs_id)


_EPSG_CODE = re.compile(r"(epsg:)?\d{4,5}")


def parse_crs(value: str | None, *, default: CrsDef = WGS84, uri_only: bool = False,
              offered: tuple[CrsDef, ...] | None = None) -> CrsDef:
    """The CrsDef a user's spelling names; BadRequest (one line, listing the choices) if none.

    `uri_only` is the OGC API's rule: URIs, `[EPSG:n]` safe CURIEs, and the EPSG code as a GIS
    user types it (`EPSG:4548`, `4548`), which names the same system as its URI, with the URI's
    axis order; other short names (`wgs84`, `CRS84`) are refused there, since they would leave
    the axis order in doubt. `offered` narrows the choice (KML is lon/lat only, for example).
    """
    choices = offered or (_ALL if uri_only else CRSES)
    if value is None or not value.strip():
        return default
    text = value.strip()
    key = text.lower()
    if uri_only:
        if key.startswith("[") and key.endswith("]"):
            key = key[1:-1]
            crs = _BY_SPELLING.get(key) if ":" in key else None
        elif _EPSG_CODE.fullmatch(key):
            code = key.removeprefix("epsg:")
            crs = next((c for c in _ALL if (c.uri or "").endswith(f"/EPSG/0/{code}")), None)
        else:
            if key.startswith("https://"):
                key = "http://" + key[len("https://"):]
            crs = _BY_SPELLING.get(key) if key.startswith("http://") else None
    else:
        crs = _BY_SPELLING.get(key)
        if crs is CRS84:  # in files and our own API, CRS84 is written as EPSG:4326 lon/lat
            crs = WGS84
    if crs is None or crs not in choices:
        names = [c.uri for c in choices if c.uri] if uri_only else [c.param for c in choices]
        raise BadRequest(f"crs {value!r} is not offered here; use one of: {', '.join(names)}")
    return crs


def spellings_table() -> list[tuple[str, str, str]]:
    """(canonical id, accepted spellings, English title) rows, for docs and `--help`."""
    rows = []
    for crs in _ALL:
        spelled = [crs.param, crs.id, *(s for s in crs.spellings if s not in
                                        (crs.param, crs.id.lower()))]
        if crs.uri:
            spelled.append(crs.uri)
        rows.append((crs.id, ", ".join(dict.fromkeys(spelled)), crs.title["en"]))
    return rows
