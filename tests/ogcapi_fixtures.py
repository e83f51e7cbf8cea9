"""A small, fixed OGC catalog for exact-count tests, and a live server for real GIS clients.

The real layers change as the gazetteer is corrected; exact counts are checked on these hand-made
places instead (coordinates are illustrative, around Haidian).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from layers.place_query import place_store
from layers.protocol import PlanStore
from layers.query import FeatureStore
from layers.synthetic import synthetic_store
from webmap.ogcapi import blueprint
from webmap.ogcapi.catalog import Catalog, Collection
from webmap.ogcapi.flask_adapter import EXTENSION


def _passage(plan: str, year: int, text: str) -> dict:
    return {"plan_id": plan, "plan_title": "测试规划", "year": year, "date": f"{year}-01-01",
            "line": 1, "section": ["第一章"], "citation": f"《测试规划》第一章 (第1行) {plan}",
            "text": text, "mentions": [[0, 2]]}


def _place(pid: str, name: str, kind: str, geometry: dict, plans: list[str], years: list[int],
           text: str, name_en: str = "") -> dict:
    return {
        "type": "Feature",
        "id": pid,
        "geometry": geometry,
        "properties": {
            "id": pid, "name": name, "name_en": name_en, "kind": kind,
            "precision": "approximate", "layer": "test", "mention_count": len(plans),
            "plans": plans, "years": years,
            "first_year": min(years) if years else None, "last_year": max(years) if years else None,
            "passages": [_passage(p, y, text) for p, y in zip(plans, years, strict=True)],
            "source": "test fixture", "parent": None, "note": "",
        },
    }


def _pt(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


PLACES: list[dict] = [
    _place("zhongguancun", "中关村", "zone", _box(116.29, 39.96, 116.34, 40.00),
           ["haidian-14th-fyp", "haidian-13th-innovation-core"], [2016, 2021],
           "建设中关村科学城，打造世界领先科技园区", "Zhongguancun"),
    _place("yiheyuan", "颐和园", "park", _box(116.25, 39.99, 116.28, 40.01),
           ["haidian-14th-fyp"], [2021], "保护三山五园历史文化景区", "Summer Palace"),
    _place("beiqing-lu", "北清路", "road",
           {"type": "LineString", "coordinates": [[116.15, 40.07], [116.30, 40.08]]},
           ["beijing-2025-innovation-centre"], [2025], "北清路沿线创新走廊"),
    _place("shangdi", "上地", "innovation-node", _pt(116.305, 40.03),
           ["haidian-14th-fyp", "hongqi-2024-world-leading-park"], [2021, 2024],
           "上地信息产业基地提质升级", "Shangdi"),
    _place("wudaokou", "五道口", "innovation-node", _pt(116.338, 39.992),
           ["haidian-13th-innovation-core"], [2016], "五道口金融科技街区"),
    _place("qinghe", "清河（地区）", "other", _pt(116.33, 40.03),
           ["haidian-14th-fyp"], [2021], "清河地区城市更新"),
    _place("xishan", "西山", "mountain", _box(116.08, 39.95, 116.20, 40.08),
           ["beijing-2019-three-cities-report"], [2019], "西山生态屏障"),
    _place("kunminghu", "昆明湖", "water", _box(116.262, 39.990, 116.272, 40.000),
           ["haidian-14th-fyp"], [2021], "昆明湖水系"),
    _place("pku", "北京大学", "institution", _pt(116.3055, 39.9869),
           ["haidian-14th-fyp", "beijing-2025-innovation-centre"], [2021, 2025],
           "支持北京大学建设世界一流大学", "Peking University"),
    _place("tsinghua", "清华大学", "institution", _pt(116.3264, 40.0036),
           ["haidian-14th-fyp"], [2021], "支持清华大学建设世界一流大学", "Tsinghua University"),
    _place("wenquan", "温泉镇", "town", _box(116.14, 40.02, 116.22, 40.07),
           ["haidian-13th-innovation-core"], [2016], "温泉镇生态涵养"),
    _place("far-east", "远东测试点", "site", _pt(116.9, 39.5),
           ["beijing-2019-three-cities-report"], [2019], "区外测试点 <b>不应被转义漏掉</b>"),
]


FAMILY = {"Point": "points", "MultiPoint": "points", "LineString": "lines",
          "MultiLineString": "lines", "Polygon": "polygons", "MultiPolygon": "polygons"}


def expected_collections(store: PlanStore) -> dict[str, tuple[str, list[dict]]]:
    """collection id → (layer id, its features): a layer whose features share a geometry
    family keeps its id; a mixed one becomes <layer>-points/-lines/-polygons, in that order."""
    out: dict[str, tuple[str, list[dict]]] = {}
    for layer in store.layers:
        feats = store.features(layer.id)
        groups: dict[str, list[dict]] = {}
        for f in feats:
            groups.setdefault(FAMILY[f["geometry"]["type"]], []).append(f)
        if len(groups) <= 1:
            out[layer.id] = (layer.id, feats)
            continue
        for fam in ("points", "lines", "polygons"):
            if fam in groups:
                out[f"{layer.id}-{fam}"] = (layer.id, groups[fam])
    return out


def small_store() -> FeatureStore:
    return place_store(PLACES)


def small_catalog(synthetic: bool = False) -> Catalog:
    colls = {
        "places": Collection(id="places", title="测试地点", description="十二个测试地点",
                             loader=small_store, keywords=("test",)),
    }
    if synthetic:
        colls["synthetic-polygons"] = Collection(
            id="synthetic-polygons", title="合成面", description="10 000 synthetic polygons",
            loader=lambda: synthetic_store("synthetic-polygons"))
    return Catalog(colls)


def make_app(catalog: Catalog | None = None) -> Flask:
    """The OGC blueprint alone: over a fixed catalog, or (catalog None) over the default store,
    named by the STORE setting as webmap.create_app would."""
    app = Flask(__name__)
    app.config["TESTING"] = True
    app.register_blueprint(blueprint)
    if catalog is not None:
        app.extensions[EXTENSION] = catalog
    else:
        app.config["STORE"] = "layers.store:default_store"
    return app


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 at a free port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@contextmanager
def server_process(catalog: str = "small", log: Path | None = None) -> Iterator[str]:
    """Serve a catalog from a child process; yields the base URL.

    Needed for in-process GDAL clients (pyogrio): GDAL does its HTTP while holding the GIL, so a
    server thread in the same interpreter could never answer it.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), catalog]
    stderr = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"test server did not start: {line!r}")
        yield line
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if log:
            stderr.close()


def _serve_forever(catalog: str) -> None:
    app = make_app(small_catalog() if catalog == "small" else None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"http://127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    _serve_forever(sys.argv[1] if len(sys.argv) > 1 else "small")
