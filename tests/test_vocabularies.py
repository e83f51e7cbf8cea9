"""The one-home vocabularies: CRS spellings, search normal form, output rounding, labels, looks."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Polygon

from geo import crs_names, geometry_out, vocabulary
from geo.errors import BadRequest
from geo.gazetteer import default_gazetteer
from geo.search import PlaceIndex, fold
from layers import styles


@pytest.mark.parametrize("spelling", ["EPSG:4548", "4548", "epsg:4548",
                                      "http://www.opengis.net/def/crs/EPSG/0/4548"])
def test_every_spelling_of_4548_is_one_crs(spelling: str) -> None:
    assert crs_names.parse_crs(spelling) is crs_names.GK117


def test_ogc_api_takes_uris_and_epsg_codes() -> None:
    uri = "http://www.opengis.net/def/crs/EPSG/0/4548"
    assert crs_names.parse_crs(uri, uri_only=True) is crs_names.GK117
    assert crs_names.parse_crs("[EPSG:4548]", uri_only=True) is crs_names.GK117
    assert crs_names.parse_crs(crs_names.OGC_CRS84, uri_only=True) is crs_names.CRS84
    assert crs_names.parse_crs("EPSG:4548", uri_only=True) is crs_names.GK117
    assert crs_names.parse_crs("4548", uri_only=True) is crs_names.GK117
    with pytest.raises(BadRequest, match="4548"):
        crs_names.parse_crs("wgs84", uri_only=True)
    with pytest.raises(BadRequest):
        crs_names.parse_crs("gcj02", uri_only=True)


def test_unknown_crs_lists_the_choices() -> None:
    with pytest.raises(BadRequest) as err:
        crs_names.parse_crs("EPSG:3857x")
    assert "4326" in err.value.message and "gcj02" in err.value.message


def test_crs84_in_files_is_epsg4326() -> None:
    assert crs_names.parse_crs("CRS84") is crs_names.WGS84
    assert crs_names.parse_crs(None) is crs_names.WGS84


def test_fold_meets_what_people_type() -> None:
    assert fold("Bei Qing") == fold("beiqing") == "beiqing"
    assert fold("清河（地区）") == fold("清河(地区)")


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(default_gazetteer())


@pytest.mark.parametrize("typed", ["北清路", "beiqing", "Bei Qing Lu", "beiqinglu"])
def test_lookup_finds_beiqing_road(index: PlaceIndex, typed: str) -> None:
    hit = index.lookup(typed)
    assert hit is not None
    assert default_gazetteer().get(hit.place_id).name == "北清路"


def test_lookup_prefers_the_unqualified_name(index: PlaceIndex) -> None:
    hit = index.lookup("qing he")
    assert hit is not None and "[" not in default_gazetteer().get(hit.place_id).name


def test_nearest_names_for_a_miss(index: PlaceIndex) -> None:
    assert index.lookup("颐和圆") is None or index.lookup("颐和圆").match != "exact"
    assert "颐和园" in index.nearest("颐和圆")


def test_output_rounding_and_orientation() -> None:
    clockwise = Polygon([(0, 0), (0, 1.123456789), (1, 1), (1, 0)])
    out = geometry_out.for_output(clockwise)
    assert out.exterior.is_ccw
    assert shapely.get_coordinates(out).max() == pytest.approx(1.1234568, abs=1e-12)
    assert geometry_out.geojson(None) is None


def test_every_kind_and_precision_has_both_languages() -> None:
    for table in (vocabulary.KIND_LABELS, vocabulary.PRECISION_LABELS):
        for labels in table.values():
            assert set(labels) == set(vocabulary.LANGS) and all(labels.values())
    assert vocabulary.kind_label("park", "en") == "park or heritage site"


def test_precision_look_is_one_rule() -> None:
    layer = {"color": "#123456", "dash_array": "3 2", "weight": 3}
    assert styles.feature_style(layer, "schematic")["dash_array"] == "3 2"
    assert styles.feature_style(layer, "surveyed")["dash_array"] is None
    area_only = styles.feature_style(layer, "area-only")
    assert area_only["fill_opacity"] == 0 and area_only["weight"] == 1.0
    assert set(styles.browser_config()["precision"]) == set(vocabulary.PRECISIONS)


def test_docs_show_the_one_crs_table() -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "crs.md").read_text(encoding="utf-8")
    table = text.split("<!-- crs-table")[1].split("<!-- /crs-table -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    expected = [f"| `{cid}` | {spelled} | {title} |"
                for cid, spelled, title in crs_names.spellings_table()]
    assert rows == expected


@pytest.mark.parametrize(("precision", "basis", "error_m", "lang", "expected"), [
    ("approximate", "osm-rail", 50, "zh", "位置依据：OpenStreetMap 地铁站位置；误差约 50 米"),
    ("schematic", "hand-placed", 1000, "zh", "示意位置，可能偏差 1 公里（参照地图示意标绘）"),
    ("schematic", "hand-placed", 1500, "en",
     "Schematic position; may be off by about 1.5 km (placed by hand from maps)"),
    ("area-only", "parent-area", None, "en",
     "Known only by the area it lies in, drawn as that area (the text names only the area it "
     "lies in)"),
])
def test_accuracy_in_a_planners_words(precision, basis, error_m, lang, expected) -> None:
    assert vocabulary.trust_text(precision, basis, error_m, lang) == expected


def test_every_place_says_how_far_it_may_be_off() -> None:
    for place in default_gazetteer():
        assert place.basis in vocabulary.BASES
        for lang in vocabulary.LANGS:
            assert place.accuracy(lang)
        if place.precision in ("surveyed", "approximate", "schematic"):
            assert place.error_m is not None and place.error_m > 0
