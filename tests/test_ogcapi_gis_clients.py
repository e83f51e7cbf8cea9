"""The whole real service through the GIS clients users have: GDAL's ogr2ogr into a GeoPackage
that GDAL's own validate_gpkg.py accepts, and headless QGIS (Debian's python3-qgis, run with the
system Python in a subprocess) drawing every feature of every collection.

Both need the server in another process (GDAL and QGIS do their HTTP while holding the GIL).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from ogcapi_fixtures import server_process

from layers.store import default_store

OGR2OGR = "/usr/bin/ogr2ogr"  # Debian gdal-bin
OGRINFO = "/usr/bin/ogrinfo"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's Python, with python3-gdal and python3-qgis
# Shipped by Debian's python3-gdal (GDAL's own GeoPackage validator), not a copy of it.
VALIDATE_GPKG = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
QGIS_SCRIPT = Path(__file__).resolve().parent / "qgis_oapif.py"
FAMILY = {"Point": "points", "MultiPoint": "points", "LineString": "lines",
          "MultiLineString": "lines", "Polygon": "polygons", "MultiPolygon": "polygons"}
OGR_FAMILY = {"Point": "points", "Multi Point": "points", "Line String": "lines",
              "Multi Line String": "lines", "Polygon": "polygons", "Multi Polygon": "polygons"}


@pytest.fixture(scope="module")
def real_service(tmp_path_factory):
    log = tmp_path_factory.mktemp("ogc-real") / "server.log"
    with server_process("real", log) as url:
        yield f"{url}/ogcapi"


def layer_ids_by_feature() -> dict[str, set[str]]:
    """layer id → the ids of its features, from the store the service reads."""
    store = default_store()
    return {layer.id: {f["id"] for f in store.features(layer.id)} for layer in store.layers}


@pytest.mark.gdal
@pytest.mark.slow
def test_ogr2ogr_copy_of_the_whole_service_passes_validate_gpkg(real_service, tmp_path):
    assert Path(VALIDATE_GPKG).is_file(), "Debian python3-gdal is missing (make test installs it)"
    out = tmp_path / "service.gpkg"
    run = subprocess.run([OGR2OGR, "-f", "GPKG", str(out), f"OAPIF:{real_service}"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    check = subprocess.run([SYSTEM_PYTHON, VALIDATE_GPKG, str(out)], capture_output=True,
                           text=True, timeout=300)
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr
    info = subprocess.run([OGRINFO, "-ro", "-so", str(out)], capture_output=True, text=True,
                          timeout=120).stdout
    tables = dict(re.findall(r"^\d+: (\S+) \(title: .*\) \((.+)\)$", info, flags=re.M))
    with urllib.request.urlopen(f"{real_service}/collections", timeout=60) as r:
        collections = json.load(r)["collections"]
    assert set(tables) == {c["id"] for c in collections}
    for c in collections:
        assert OGR_FAMILY[tables[c["id"]]] == FAMILY[c["geometryType"]], c["id"]
    # every feature of every layer is in the copy, in a table of its own geometry family
    copied: dict[str, set[str]] = {}
    for cid in tables:
        text = subprocess.run([OGRINFO, "-ro", "-q", "-al", "-geom=NO", "-fields=YES",
                               str(out), cid], capture_output=True, text=True, timeout=120).stdout
        layer = next(c for c in collections if c["id"] == cid)["id"]
        base = re.sub(r"-(points|lines|polygons)$", "", layer)
        copied.setdefault(base, set()).update(re.findall(r"^  id \(String\) = (.*)$", text,
                                                         flags=re.M))
    want = layer_ids_by_feature()
    assert {k: v for k, v in copied.items() if k in want} == want


@pytest.mark.slow
def test_qgis_draws_every_feature_of_every_collection(real_service):
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           text=True, timeout=60)
    assert probe.returncode == 0, "Debian python3-qgis is missing (make test installs it)"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp"}
    env.pop("PYTHONPATH", None)
    run = subprocess.run([SYSTEM_PYTHON, str(QGIS_SCRIPT), real_service], capture_output=True,
                         text=True, timeout=900, env=env, cwd="/")
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    want = layer_ids_by_feature()
    assert sum(len(v) for v in want.values()) == sum(r["features"] for r in report.values())
    for cid, r in report.items():
        assert r["valid"], cid
        assert r["wrong_family"] == 0 and r["drawn"] == r["features"] > 0, (cid, r)
        assert r["rendered"] and not r["errors"], (cid, r)
        # the flat fields survive where QGIS drops the nested passages
        assert {"excerpts", "detail_url"} <= set(r["fields"]), cid
        assert r["detail_urls"] == r["features"], cid
    # every feature whose place the plans name carries its excerpts, and only those
    store = default_store()
    named = sum(1 for ids in want.values() for pid in ids if store.place_record(pid)["passages"])
    assert sum(r["excerpts"] for r in report.values()) == named
    print(f"QGIS drew {sum(r['drawn'] for r in report.values())} features in {len(report)} "
          f"collections, 0 of the wrong geometry family", file=sys.stderr)
