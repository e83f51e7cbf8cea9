"""Open every collection of an OGC API – Features service in headless QGIS and report, per
collection, the layer's geometry type and how many features QGIS would draw.

Run with Debian's system Python (python3-qgis), never planmap's venv, and
QT_QPA_PLATFORM=offscreen:  /usr/bin/python3 tests/qgis_oapif.py http://127.0.0.1:PORT/ogcapi
It prints one JSON object: {collection id: {"wkb": …, "features": n, "drawn": n,
"wrong_family": n, "fields": […], "excerpts": n, "detail_urls": n}}. A feature is drawn when its
geometry belongs to the layer's geometry type (QGIS's renderer skips the others); the numbers
are counted from the features QGIS's OAPIF provider returns, as a map canvas would get them.
"""

from __future__ import annotations

import json
import sys
import urllib.request

from qgis.core import (  # type: ignore[import-not-found]
    QgsApplication,
    QgsFeatureRequest,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QSize  # type: ignore[import-not-found]


def collection_ids(root: str) -> list[str]:
    with urllib.request.urlopen(f"{root}/collections?f=json", timeout=60) as r:
        return [c["id"] for c in json.load(r)["collections"]]


def inspect(root: str, cid: str) -> dict:
    layer = QgsVectorLayer(f"url='{root}' typename='{cid}' restrictToRequestBBOX='0'", cid, "OAPIF")
    if not layer.isValid():
        return {"valid": False}
    kind = layer.geometryType()
    counts = {"features": 0, "drawn": 0, "wrong_family": 0, "excerpts": 0, "detail_urls": 0}
    names = layer.fields().names()
    for f in layer.getFeatures(QgsFeatureRequest()):
        counts["features"] += 1
        geom = f.geometry()
        if not geom.isNull() and QgsWkbTypes.geometryType(geom.wkbType()) == kind:
            counts["drawn"] += 1
        elif not geom.isNull():
            counts["wrong_family"] += 1
        if "excerpts" in names and f["excerpts"]:
            counts["excerpts"] += 1
        if "detail_url" in names and str(f["detail_url"]).startswith("http"):
            counts["detail_urls"] += 1
    # A real draw: render the layer to an image (fails loudly if QGIS cannot draw it).
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setOutputSize(QSize(256, 256))
    extent = layer.extent()
    settings.setExtent(extent if not extent.isEmpty() else QgsRectangle(116, 39.8, 116.5, 40.2))
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    return {"valid": True, "wkb": QgsWkbTypes.displayString(layer.wkbType()),
            "fields": names, "rendered": not job.renderedImage().isNull(),
            "errors": [e.message for e in job.errors()], **counts}


def main(root: str) -> int:
    app = QgsApplication([], False)
    app.initQgis()
    try:
        report = {cid: inspect(root, cid) for cid in collection_ids(root)}
    finally:
        app.exitQgis()
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/")))
