"""Reading an uploaded correction: every file kind GDAL writes for us here (GeoJSON, GeoPackage,
zipped shapefile, KML, KMZ), every way of knowing the CRS (chosen, declared, none), GCJ-02 and
BD-09 shifted back about 550 m onto the true position, and every refusal as one line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, mapping, shape

from geo import crs as crs_math
from geo.errors import BadRequest
from layers.edits import sketch, upload
from layers.edits.upload import TooLarge, read_geometry

# a block north of 中关村软件园, in WGS-84
TRUTH = shape({"type": "Polygon", "coordinates": [[[116.27, 40.046], [116.293, 40.046],
                                                   [116.293, 40.06], [116.27, 40.06],
                                                   [116.27, 40.046]]]})


def _geojson(geom, **props) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": mapping(geom)}]}).encode()


def _written(tmp_path: Path, frame: gpd.GeoDataFrame, name: str, driver: str) -> bytes:
    path = tmp_path / name
    frame.to_file(path, driver=driver)
    return path.read_bytes()


def _zipped(folder: Path, stem: str, arcname: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(folder.glob(f"{stem}.*")):
            archive.write(part, (arcname or stem) + part.suffix)
    return buffer.getvalue()


def _close(geometry: dict, truth=TRUTH) -> float:
    """Largest distance in metres between the read geometry and the truth."""
    a = crs_math.project(shape(geometry), crs_math.GK117)
    b = crs_math.project(truth, crs_math.GK117)
    return a.hausdorff_distance(b)


@pytest.mark.parametrize(("offset", "metres"), [("GCJ-02", (450, 700)), ("BD-09", (1100, 1600))])
def test_offset_coordinates_are_shifted_back(offset: str, metres: tuple[int, int]) -> None:
    shifted = crs_math.offset(TRUTH, offset)
    assert _close(mapping(shifted)) > 400  # the file is really ~500 m off
    got = read_geometry(_geojson(shifted), offset.lower().replace("-", ""))
    assert got.crs == offset and got.crs_from == "chosen" and got.format == "GeoJSON"
    assert _close(got.geometry) < 0.05
    assert metres[0] < got.moved_m < metres[1]
    # without the choice, GeoJSON is WGS-84 and the shape stays where the file put it
    plain = read_geometry(_geojson(shifted))
    assert plain.crs == "EPSG:4326" and plain.crs_from == "file" and plain.moved_m == 0
    assert _close(plain.geometry) > 400


def test_geopackage_and_zipped_shapefile_in_projected_crs(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[TRUTH], crs="EPSG:4326")
    gpkg = _written(tmp_path, frame.to_crs("EPSG:4548"), "survey.gpkg", "GPKG")
    got = read_geometry(gpkg)
    assert (got.format, got.crs, got.crs_from) == ("GeoPackage", "EPSG:4548", "file")
    assert _close(got.geometry) < 0.05 and got.moved_m == 0
    (tmp_path / "shp").mkdir()
    frame.to_crs("EPSG:4527").to_file(tmp_path / "shp" / "survey.shp")
    got = read_geometry(_zipped(tmp_path / "shp", "survey"))
    assert (got.format, got.crs) == ("zipped shapefile", "EPSG:4527")
    assert _close(got.geometry) < 0.05
    # a choice that contradicts the file's own CRS is refused, not guessed
    with pytest.raises(BadRequest, match="EPSG:4548, but GCJ-02 was chosen"):
        read_geometry(gpkg, "gcj02")
    # the same choice as the file's is fine
    assert read_geometry(gpkg, "EPSG:4548").crs_from == "chosen"


def test_a_crs_outside_the_table_is_read_from_the_file(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"id": ["a"]}, geometry=[TRUTH], crs="EPSG:4326")
    got = read_geometry(_written(tmp_path, frame.to_crs("EPSG:32650"), "utm.gpkg", "GPKG"))
    assert "UTM zone 50N" in got.crs and _close(got.geometry) < 0.05


def test_kml_and_kmz(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[TRUTH], crs="EPSG:4326")
    kml = _written(tmp_path, frame, "place.kml", "KML")
    got = read_geometry(kml)
    assert got.format == "KML" and _close(got.geometry) < 0.05
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", kml)
    assert read_geometry(buffer.getvalue()).format == "KMZ"
    # KML says WGS-84; coordinates copied from AMap are GCJ-02 all the same
    shifted = _written(tmp_path, frame.set_geometry([crs_math.offset(TRUTH, "GCJ-02")]),
                       "amap.kml", "KML")
    assert _close(read_geometry(shifted, "gcj02").geometry) < 0.05


def test_several_features_pick_the_place_or_join() -> None:
    other = Point(116.30, 40.0).buffer(0.002)
    both = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "elsewhere"}, "geometry": mapping(other)},
        {"type": "Feature", "properties": {"id": "the-park"}, "geometry": mapping(TRUTH)},
    ]}).encode()
    got = read_geometry(both, place_id="the-park")
    assert got.features == 2 and got.used == 1 and _close(got.geometry) < 0.05
    by_name = read_geometry(both.replace(b'"id": "the-park"', b'"name": "\\u8f6f\\u4ef6\\u56ed"'),
                            names=("软件园",))
    assert by_name.used == 1
    joined = read_geometry(both)
    assert joined.used == 2 and joined.geometry["type"] == "MultiPolygon"
    mixed = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": mapping(TRUTH)},
        {"type": "Feature", "properties": {}, "geometry": mapping(Point(116.28, 40.05))},
    ]}).encode()
    with pytest.raises(BadRequest, match="mixes points, lines and areas"):
        read_geometry(mixed)


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"hello, world", "not GeoJSON, GeoPackage"),
    (b"{not json at all", "cannot be read as GIS data"),
    (b"PK\x03\x04broken", "zip file cannot be read"),
    (_geojson(Point(500000, 4430000)), "metres, not degrees"),
    (_geojson(Point(121.47, 31.23)), "outside Beijing"),
    (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "no feature"),
])
def test_refusals_are_one_line(data: bytes, words: str) -> None:
    with pytest.raises(BadRequest) as caught:
        read_geometry(data)
    assert words in caught.value.message and "\n" not in caught.value.message
    assert "planmap-upload-" not in caught.value.message  # no temporary path leaks


def test_limits(tmp_path: Path) -> None:
    with pytest.raises(TooLarge):
        read_geometry(b"{" + b" " * upload.MAX_BYTES + b"}")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.shp", b"\0" * (upload.MAX_UNZIPPED + 1))
    assert len(bomb.getvalue()) < upload.MAX_BYTES
    with pytest.raises(TooLarge, match="unpacks to more than"):
        read_geometry(bomb.getvalue())
    (tmp_path / "s").mkdir()
    gpd.GeoDataFrame({"id": ["a"]}, geometry=[TRUTH], crs="EPSG:4326").to_file(
        tmp_path / "s" / "x.shp")
    (tmp_path / "s" / "x.dbf").unlink()
    with pytest.raises(BadRequest, match=r"lacks its \.dbf"):
        read_geometry(_zipped(tmp_path / "s", "x"))
    with pytest.raises(BadRequest, match="not offered"):
        read_geometry(_geojson(TRUTH), "EPSG:9999")


def test_sketch_and_words() -> None:
    info = sketch.describe(mapping(TRUTH))
    assert info is not None and info["type"] == "Polygon" and info["vertices"] == 5
    assert 2.5 < info["area_km2"] < 3.5  # 1.96 km × 1.56 km
    moved = sketch.moved_m(mapping(TRUTH), mapping(crs_math.offset(TRUTH, "GCJ-02")))
    assert moved is not None and 450 < moved < 700
    now, rev = sketch.sketch([mapping(TRUTH), mapping(Point(116.28, 40.05))])
    assert now.startswith("M") and now.endswith("Z") and rev.count("a3.0") == 2
    numbers = [float(n) for n in now.replace("M", " ").replace("L", " ").replace("Z", " ")
               .split()]
    assert min(numbers) >= 0 and max(numbers) <= 160
    assert sketch.sketch([None]) == [""] and sketch.describe(None) is None
