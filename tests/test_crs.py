"""geo.crs: the GCJ-02 shift, its inverse, and measuring in EPSG:4548."""

from __future__ import annotations

import math

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box

from geo.crs import (
    GCJ02,
    GK117,
    WGS84,
    area_km2,
    gcj02_to_wgs84,
    geodesic_area_km2,
    length_km,
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
