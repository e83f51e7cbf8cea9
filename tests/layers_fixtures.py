"""A small, fully located data set for the layers and export tests.

The real gazetteer gains geometries over time, so exports are tested against a
copy in which only a handful of entries have geometries, known ones: a clockwise polygon (to
check the right-hand rule), lines, points, a note longer than a shapefile field, and text that a
spreadsheet would run as a formula. Names, aliases and plans are copied unchanged, so
layers.toml and the finder see real data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from shapely.geometry import LineString, Point, Polygon, mapping

from geo.paths import PROJECT_ROOT

# id -> (lon, lat) anchor; the shape follows the entry's geometry_type.
PLACES: dict[str, tuple[float, float]] = {
    "zhongguancunkexuechengbeiqu": (116.185, 40.062),
    "zhongguancunkexuecheng": (116.305, 39.982),
    "zhongguancunruanjianyuan": (116.280, 40.045),
    "beiqinglu": (116.140, 40.071),
    "zhongguancundajie": (116.320, 39.960),
    "qinghe": (116.280, 40.030),
    "yuyuantankejishangwujiedian": (116.310, 39.920),
    "qinghechuangxinjiedian": (116.335, 40.030),
    "qinghuadaxue": (116.326, 40.003),
    "yiheyuan": (116.273, 39.999),
    "xiangshan": (116.188, 39.992),
    "deguo": (13.40, 52.52),  # outside China: GCJ-02 leaves it unshifted
}
LONG_NOTE = "中关村软件园位于海淀区北部,是国家级软件产业基地。" * 12  # > 254 bytes in UTF-8
FORMULA_NOTE = "=HYPERLINK(\"http://example.invalid\",\"点我\")"
FORMULA_SOURCE = "@SUM(A1:A2) test fixture"


def _shape(kind: str, lon: float, lat: float):
    if kind == "point":
        return Point(lon, lat)
    if kind == "line":
        return LineString([(lon, lat), (lon + 0.021, lat + 0.0043), (lon + 0.047, lat - 0.0012)])
    # Clockwise on purpose: the exporters must turn it counter-clockwise (RFC 7946).
    return Polygon([(lon, lat), (lon, lat + 0.012), (lon + 0.017, lat + 0.0121),
                    (lon + 0.0173, lat - 0.0005), (lon, lat)])


def make_data_dir(root: Path) -> Path:
    """A copy of data/ (plans, gazetteer, layers.toml) with PLACES located."""
    data = root / "data"
    src = PROJECT_ROOT / "data"
    shutil.copytree(src / "plans", data / "plans")
    shutil.copytree(src / "gazetteer", data / "gazetteer")
    shutil.copy(src / "layers.toml", data / "layers.toml")
    for path in (data / "gazetteer").glob("*.geojson"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        changed = False
        for feature in doc["features"]:
            props = feature["properties"]
            # the fixture decides precision, so the defaults of that precision apply
            changed |= props.pop("basis", None) is not None
            changed |= props.pop("error_m", None) is not None
            if props["id"] not in PLACES:
                if feature["geometry"] is not None:  # the rest unlocated: small tests
                    feature["geometry"] = None
                    props.update(precision="unlocated", drawn_as=None, basis=None,
                                 error_m=None, note="not located in the test fixture")
                    changed = True
                continue
            lon, lat = PLACES[props["id"]]
            feature["geometry"] = mapping(_shape(props.get("geometry_type") or "point", lon, lat))
            props.update(precision="approximate", source="test fixture", drawn_as=None,
                         note="test fixture geometry")
            if props["id"] == "zhongguancunruanjianyuan":
                props["note"] = LONG_NOTE
            if props["id"] == "yiheyuan":
                props["note"] = FORMULA_NOTE
                props["source"] = FORMULA_SOURCE
            changed = True
        if changed:
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return data


def fixture_store(data: Path):
    """A LayerStore over a data directory, without touching the cached defaults."""
    from geo.corpus import load_corpus
    from geo.gazetteer import load_gazetteer
    from layers.definitions import load_definitions
    from layers.store import LayerStore

    corpus = load_corpus(data / "plans")
    gazetteer = load_gazetteer(data / "gazetteer", plan_ids=set(corpus.plans))
    return LayerStore(corpus, gazetteer, load_definitions(data / "layers.toml"))


# ---- a store on two plans and a small gazetteer ------------------------------------------------

TWO_PLANS = ("hongqi-2024-world-leading-park", "beijing-2025-innovation-centre")


def two_plan_store(basemap_dir: Path):
    """A LayerStore on two of the five plans and a gazetteer of about half the places they
    name (plus what the remaining layers need), built in memory from the real data.

    The other plans and the left-out places still exist in the default data, so any answer that
    reaches around the store to the process-wide defaults shows them. `basemap_dir` should hold
    no `boundaries/`: the basemap then comes from this gazetteer alone."""
    from dataclasses import replace

    from geo.corpus import Corpus
    from geo.finder import rules_for
    from geo.gazetteer import Alias, Gazetteer
    from layers.definitions import Definitions
    from layers.store import LayerStore, default_store

    full = default_store()
    corpus = Corpus([meta for meta in full.corpus if meta.id in TWO_PLANS])
    named = sorted({pid for plan in TWO_PLANS for pid in full.plan_places(plan)})
    keep = set(named[::2])
    layers = []
    for layer in full.definitions.layers:
        if layer.group == "structure":
            if layer.defined_at is None or layer.defined_at[0] not in TWO_PLANS:
                continue
            keep.update(layer.members)
        layers.append(layer)
    for pid in list(keep):  # an area-only entry needs the area it is drawn as
        while (drawn := full.gazetteer.get(pid).drawn_as) and drawn not in keep:
            keep.add(drawn)
            pid = drawn
    layers = [replace(layer, members=tuple(m for m in layer.members if m in keep),
                      exclude=tuple(x for x in layer.exclude if x in keep)) for layer in layers]
    layers = [layer for layer in layers if layer.members or layer.kinds or layer.themes]
    definitions = Definitions(full.definitions.themes, tuple(layers),
                              full.definitions.plan_template, full.definitions.path)

    def trimmed(alias: Alias) -> Alias | None:
        if alias.plans is None:
            return alias
        plans = tuple(p for p in alias.plans if p in TWO_PLANS)
        return replace(alias, plans=plans) if plans else None

    places = []
    for place in full.gazetteer:
        if place.id not in keep:
            continue
        aliases = tuple(a for a in map(trimmed, place.aliases) if a is not None)
        parent = place.parent if place.parent in keep else None
        places.append(replace(place, aliases=aliases, parent=parent))
    gazetteer = Gazetteer(places)
    return LayerStore(corpus, gazetteer, definitions, rules=rules_for(gazetteer),
                      basemap_dir=basemap_dir)
