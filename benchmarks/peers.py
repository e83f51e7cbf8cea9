"""The peers of the comparison: tipg and pygeoapi (PostgreSQL provider) over a PostGIS holding the
same features as planmap's OGC API, each in a venv of its own (never planmap's).

`ensure_venvs(dir)` makes the two venvs with pip when they are missing (pygeoapi 0.21 with
gunicorn and its SQL provider's drivers; tipg with uvicorn). `PostGIS` is a throwaway cluster as
in docs/deploy.md's note on databases: initdb as the `postgres` user in a temporary folder,
listening on 127.0.0.1 and a socket in that folder, removed at the end. `load_features` writes
GeoJSON files and loads them with ogr2ogr (GDAL), spatial index included.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PYGEOAPI_PACKAGES = ["pygeoapi==0.21.*", "gunicorn", "psycopg2-binary", "SQLAlchemy",
                     "GeoAlchemy2"]
TIPG_PACKAGES = ["tipg", "uvicorn"]


def ensure_venvs(root: Path) -> tuple[Path, Path]:
    """(pygeoapi venv, tipg venv) under `root`, created with pip when missing."""
    made = []
    for name, packages in (("pygeoapi", PYGEOAPI_PACKAGES), ("tipg", TIPG_PACKAGES)):
        venv = root / name
        marker = venv / ".bench-ready"
        if not marker.exists():
            print(f"peers: creating {venv} (pip install {' '.join(packages)}) …", flush=True)
            subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *packages], check=True)
            marker.touch()
        made.append(venv)
    return made[0], made[1]


class PostGIS:
    """A throwaway PostgreSQL 15 + PostGIS cluster on 127.0.0.1:`port`."""

    def __init__(self, port: int) -> None:
        if not (PG_BIN / "initdb").exists():
            raise SystemExit("PostgreSQL is missing: apt-get install -y --no-install-recommends "
                             "postgresql-15 postgresql-15-postgis-3")
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self._pg("initdb", "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres",
                 "--no-sync", quiet=True)
        self._pg("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-o",
                 f"-k {self.dir} -p {port} -c listen_addresses={HOST} -c fsync=off "
                 "-c max_connections=200 -c shared_buffers=256MB", "start", quiet=True)
        self.psql("CREATE DATABASE bench")
        self.psql("CREATE EXTENSION postgis", db="bench")

    def _pg(self, tool: str, *args: str, quiet: bool = False) -> None:
        cmd = ["runuser", "-u", "postgres", "--", str(PG_BIN / tool), *args]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL if quiet else None)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/bench"

    def psql(self, sql: str, db: str = "postgres") -> str:
        out = subprocess.run(["psql", "-h", HOST, "-p", str(self.port), "-U", "postgres", "-d",
                              db, "-At", "-c", sql], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D",
                        f"{self.dir}/data", "-m", "fast", "stop"], stdout=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


def load_features(pg_url: str, tables: dict[str, dict[str, Any]], tmp: Path) -> None:
    """Each FeatureCollection into a table of its name (fid the primary key, in file order,
    from 1; geometry column `geom` with a GiST index)."""
    dsn = pg_url.replace("postgresql://", "")
    user_host, _, db = dsn.partition("/")
    user, _, hostport = user_host.rpartition("@")
    host, _, port = hostport.partition(":")
    pg = f"PG:host={host} port={port or 5432} user={user or 'postgres'} dbname={db}"
    for table, collection in tables.items():
        path = tmp / f"{table}.geojson"
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", pg, str(path), "-nln", table,
                        "-overwrite", "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid",
                        "-lco", "SPATIAL_INDEX=GIST", "-nlt", "PROMOTE_TO_MULTI"
                        if table != "synthetic_points" else "POINT",
                        "--config", "PG_USE_COPY", "YES"], check=True)
    subprocess.run(["psql", pg_url, "-q", "-c", "ANALYZE"], check=True)


PYGEOAPI_CONFIG = """\
server:
  bind: {{host: {host}, port: {port}}}
  url: http://{host}:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
  gzip: true
  languages: [en-US]
  limits: {{default_items: 10, max_items: 10000}}
  map: {{url: "http://{host}/{{z}}/{{x}}/{{y}}.png", attribution: none}}
logging: {{level: ERROR}}
metadata:
  identification: {{title: bench, description: bench, keywords: [bench], keywords_type: theme,
                    terms_of_service: none, url: "http://{host}"}}
  license: {{name: MIT, url: "http://{host}"}}
  provider: {{name: bench, url: "http://{host}"}}
  contact: {{name: bench, position: bench, address: bench, city: bench, stateorprovince: bench,
            postalcode: "0", country: bench, phone: "0", fax: "0", email: a@b.c,
            url: "http://{host}", hours: bench, instructions: bench, role: pointOfContact}}
resources:
{resources}"""

PYGEOAPI_RESOURCE = """\
  {id}:
    type: collection
    title: {id}
    description: {id}
    keywords: [{id}]
    extents:
      spatial: {{bbox: [115.4, 39.4, 117.6, 41.1],
                crs: "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}}
    providers:
      - type: feature
        name: PostgreSQL
        data: {{host: {pg_host}, port: {pg_port}, dbname: bench, user: postgres, password: "",
               search_path: [public]}}
        id_field: id
        table: {table}
        geom_field: geom
"""


def start_pygeoapi(venv: Path, pg_port: int, collections: dict[str, str], tmp: Path,
                   port: int, workers: int) -> subprocess.Popen:
    """pygeoapi under gunicorn (sync workers, as its docs deploy it); `collections` maps a
    collection id to its table."""
    resources = "".join(PYGEOAPI_RESOURCE.format(id=cid, table=table, pg_host=HOST,
                                                 pg_port=pg_port)
                        for cid, table in collections.items())
    config = tmp / "pygeoapi.yml"
    config.write_text(PYGEOAPI_CONFIG.format(host=HOST, port=port, resources=resources),
                      encoding="utf-8")
    openapi = tmp / "pygeoapi-openapi.yml"
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    subprocess.run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(config),
                    "--output-file", str(openapi)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return subprocess.Popen(
        [str(venv / "bin" / "gunicorn"), "-w", str(workers), "-b", f"{HOST}:{port}",
         "--log-level", "warning", "--timeout", "120", "pygeoapi.flask_app:APP"],
        cwd=tmp, env=env, start_new_session=True, stdout=subprocess.DEVNULL)


def start_tipg(venv: Path, pg_url: str, port: int, workers: int) -> subprocess.Popen:
    """tipg under uvicorn with `workers` processes, over the public schema."""
    env = dict(os.environ, DATABASE_URL=pg_url, TIPG_MAX_FEATURES_PER_QUERY="10000")
    return subprocess.Popen(
        [str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", HOST, "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL)


def wait_ready(fetch: Any, port: int, path: str, proc: subprocess.Popen,
               seconds: float = 120) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if fetch(f"http://{HOST}:{port}{path}", timeout=5)[0] == 200:
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"port {port} did not answer {path} within {seconds:.0f} s")
