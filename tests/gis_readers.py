"""The real readers the export tests check files with: GDAL's GeoPackage validator (Debian
python3-gdal), the OGC KML 2.2 schema as the fastkml package ships it (validated by libxml2
through lxml, as xmllint does), and headless QGIS (Debian python3-qgis, run by Debian's own
Python in a subprocess: its bindings are built for it, not for the venv)."""

from __future__ import annotations

import json
import os
import subprocess
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lxml import etree

VALIDATE_GPKG = Path("/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def validate_gpkg(path: Path) -> str:
    """validate_gpkg.py's complaints about `path` ("" when it passes)."""
    assert VALIDATE_GPKG.is_file(), "Debian python3-gdal (make system-deps) ships validate_gpkg"
    run = subprocess.run([SYSTEM_PYTHON, str(VALIDATE_GPKG), str(path)], capture_output=True,
                         text=True, timeout=300)
    return (run.stdout + run.stderr).strip() + ("" if run.returncode == 0 else
                                                f"\nexit status {run.returncode}")


@lru_cache(maxsize=1)
def kml_schema() -> etree.XMLSchema:
    xsd = resources.files("fastkml") / "schema" / "ogckml22.xsd"
    with resources.as_file(xsd) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def kml_errors(path: Path) -> list[str]:
    """Every error of `path` against ogckml22.xsd."""
    schema = kml_schema()
    schema.validate(etree.parse(str(path)))
    return [f"{e.line}: {e.message}" for e in schema.error_log]


def run_qgis(script: str, *args: str, timeout: int = 300) -> dict:
    """Run `script` (PyQGIS, printing one JSON line last) with Debian's Python, headless."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp/runtime-qgis"}
    Path(env["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, exist_ok=True)
    run = subprocess.run([SYSTEM_PYTHON, "-c", script, *args], capture_output=True, text=True,
                         timeout=timeout, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])
