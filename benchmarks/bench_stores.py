"""Read throughput of the database stores next to the file store, on the same data, in one run.

    .venv/bin/python benchmarks/bench_stores.py [--seconds 10] [--tipg-venv build/bench-peers/tipg]

`planmap serve --workers 2` on loopback, one server at a time: the file store (DATABASE_URL=none),
SQLite (a file in a temporary folder) and PostgreSQL + PostGIS (a throwaway cluster made with
Debian's initdb/pg_ctl, as tests/db_fixtures.py does), each migrated by `planmap db upgrade`.
Each request: Debian `wrk`, 32 connections, 2 threads, gzip accepted, after a 2 s warm-up.
`--tipg-venv` (a venv with tipg and uvicorn, as the i17-speed branch's benchmarks/peers.py makes
it) adds tipg over the collection's features loaded by ogr2ogr into the same cluster.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANMAP = ROOT / ".venv" / "bin" / "planmap"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "127.0.0.1"
COLLECTION, LAYER = "parks-polygons", "parks"
STORES = ("file", "SQLite", "PostgreSQL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = answer.read()
        if answer.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return int(answer.status), body


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def as_postgres(argv: list[str]) -> list[str]:
    """initdb refuses to run as root: as root, run the server as the `postgres` account."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Cluster:
    """A throwaway PostgreSQL 15 + PostGIS cluster on 127.0.0.1 (and a socket in its folder)."""

    def __init__(self) -> None:
        assert (PG_BIN / "initdb").exists(), "apt-get install postgresql-15 postgresql-15-postgis-3"
        self.folder = Path(tempfile.mkdtemp(prefix="bench-stores-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.port = free_port()
        data = str(self.folder / "data")
        subprocess.run(as_postgres([str(PG_BIN / "initdb"), "-D", data, "-A", "trust", "-U",
                                    "postgres", "--no-sync"]), check=True, capture_output=True)
        subprocess.run(as_postgres([
            str(PG_BIN / "pg_ctl"), "-D", data, "-l", str(self.folder / "log"), "-w", "-o",
            f"-k {self.folder} -p {self.port} -c listen_addresses={HOST} -c fsync=off "
            "-c max_connections=200", "start"]), check=True, capture_output=True)

    def url(self, name: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@{HOST}:{self.port}/{name}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return subprocess.run(["psql", self.url(database, "postgresql"), "-v", "ON_ERROR_STOP=1",
                               "-qAtc", sql], check=True, capture_output=True, text=True
                              ).stdout.strip()

    def stop(self) -> None:
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"),
                                    "-m", "fast", "stop"]), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


class Server:
    """A server process in its own session, stopped with SIGTERM to that session."""

    def __init__(self, argv: list[str], env: dict[str, str], ready_path: str) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.proc = subprocess.Popen(argv, env={**os.environ, **env}, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        start = time.monotonic()
        while time.monotonic() - start < 180:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise SystemExit(f"{argv[0]} exited with {self.proc.returncode}: {err[-800:]}")
            try:
                if fetch(self.base + ready_path)[0] == 200:
                    self.startup = time.monotonic() - start
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{argv[0]} did not answer {ready_path} within 180 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def wrk(url: str, seconds: int) -> tuple[float, float]:
    """(requests per second, median latency in ms) of `url`; every answer must be a 2xx."""
    argv = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip",
            url]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    assert "Non-2xx" not in out and "Socket errors" not in out, out
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(base: str, paths: dict[str, str], seconds: int,
            check: Callable[[str, bytes], None]) -> dict[str, tuple[float, float]]:
    results = {}
    for name, path in paths.items():
        status, body = fetch(base + path)
        assert status == 200, f"{path}: HTTP {status}"
        check(name, body)
        wrk(base + path, 2)  # warm-up: every worker builds its caches
        results[name] = wrk(base + path, seconds)
        print(f"  {name}: {results[name][0]:,.0f} req/s, p50 {results[name][1]:.1f} ms "
              f"(load {load()})", flush=True)
    return results


def load_into_postgis(cluster: Cluster, features: bytes, tmp: Path) -> None:
    """The collection's features into table `parks_polygons` (fid from 1 in file order, so tipg's
    feature 1 is planmap's first feature) of database `tipg`, with a GiST index."""
    cluster.psql("CREATE DATABASE tipg")
    cluster.psql("CREATE EXTENSION postgis", "tipg")
    path = tmp / "parks_polygons.geojson"
    path.write_bytes(features)
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:host={HOST} port={cluster.port} "
                    "user=postgres dbname=tipg", str(path), "-nln", "parks_polygons",
                    "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-lco",
                    "SPATIAL_INDEX=GIST", "-nlt", "PROMOTE_TO_MULTI"], check=True)
    cluster.psql("ANALYZE", "tipg")


def paths_of(fid: str) -> dict[str, str]:
    return {"OGC items limit=10": f"/ogcapi/collections/{COLLECTION}/items?limit=10&f=json",
            "OGC single feature": f"/ogcapi/collections/{COLLECTION}/items/{fid}?f=json",
            f"layer {LAYER} GeoJSON": f"/api/layers/{LAYER}.geojson",
            "place page": f"/places/{fid}"}


def run_planmap(store: str, url: str, seconds: int, cluster: Cluster, sqlite: Path,
                first: dict[str, str]) -> dict[str, tuple[float, float]]:
    """One planmap server on `url` measured; `first` gets the collection's features (once)."""
    if url != "none":
        subprocess.run([str(PLANMAP), "db", "upgrade", "--database", url], check=True,
                       capture_output=True)
    server = Server([str(PLANMAP), "serve", "--workers", "2", "--host", HOST, "--port", "{port}"],
                    {"PLANMAP_DATABASE_URL": url, "PLANMAP_SECRET_KEY": secrets.token_hex(16)},
                    "/healthz")
    try:
        print(f"{store} store: /healthz after {server.startup:.1f} s", flush=True)
        if not first:
            status, body = fetch(f"{server.base}/ogcapi/collections/{COLLECTION}/items"
                                 "?limit=1000&f=json")
            assert status == 200, f"{COLLECTION} items: HTTP {status}"
            first.update(id=json.loads(body)["features"][0]["id"], features=body.decode())

        def same(name: str, body: bytes) -> None:
            assert first["id"] in body.decode(), f"{name}: no {first['id']}"

        results = measure(server.base, paths_of(first["id"]), seconds, same)
        # /healthz answers from the request's snapshot (no "database" member on main), so
        # make sure the server really has the database open
        if store == "SQLite":
            assert Path(f"{sqlite}-shm").exists(), "SQLite not in use"
        elif store == "PostgreSQL":
            held = cluster.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'planmap'")
            assert int(held) > 0, "PostgreSQL not in use"
            print(f"  PostgreSQL connections held by the server: {held}", flush=True)
        return results
    finally:
        server.stop()


def run_tipg(venv: Path, seconds: int, cluster: Cluster, tmp: Path,
             first: dict[str, str]) -> dict[str, tuple[float, float]]:
    load_into_postgis(cluster, first["features"].encode(), tmp)
    tipg = Server([str(venv / "bin" / "uvicorn"), "tipg.main:app", "--host", HOST, "--port",
                   "{port}", "--workers", "2", "--log-level", "warning", "--no-access-log"],
                  {"DATABASE_URL": cluster.url("tipg", "postgresql")}, "/collections")
    try:
        print(f"tipg: /collections after {tipg.startup:.1f} s", flush=True)
        table = "/collections/public.parks_polygons/items"

        def same(name: str, body: bytes) -> None:
            assert first["id"] in body.decode(), f"tipg {name}: no {first['id']}"

        return measure(tipg.base, {"OGC items limit=10": f"{table}?limit=10&f=geojson",
                                   "OGC single feature": f"{table}/1?f=geojson"}, seconds, same)
    finally:
        tipg.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--tipg-venv", type=Path, default=None)
    args = parser.parse_args(argv)
    load_before = load()
    print(f"# bench_stores {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: a SHARED "
          f"2-core machine ({os.cpu_count()} CPUs seen, other jobs running), load before "
          f"{load_before}; wrk -t2 -c32 -d{args.seconds}s, Accept-Encoding: gzip; "
          "planmap serve --workers 2 (gthread, 8 threads); one server at a time", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-stores-"))
    cluster = Cluster()
    results: dict[str, dict[str, tuple[float, float]]] = {}
    first: dict[str, str] = {}
    tipg_note = "tipg: not run (needs its venv: see benchmarks/bench_table.py)"
    try:
        cluster.psql("CREATE DATABASE planmap")
        sqlite = tmp / "planmap.sqlite"
        urls = {"file": "none", "SQLite": f"sqlite:///{sqlite}",
                "PostgreSQL": cluster.url("planmap")}
        for store, url in urls.items():
            results[store] = run_planmap(store, url, args.seconds, cluster, sqlite, first)
        if args.tipg_venv:
            results["tipg"] = run_tipg(args.tipg_venv, args.seconds, cluster, tmp, first)
            tipg_note = (f"tipg {tipg_version(args.tipg_venv)}: 2 uvicorn workers over table "
                         f"parks_polygons (the {COLLECTION} features loaded by ogr2ogr into the "
                         "same cluster; planmap's database holds no feature tables)")
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, load_before, tipg_note)
    return 0


def tipg_version(venv: Path) -> str:
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import tipg; print(tipg.__version__)"], capture_output=True, text=True)
    return out.stdout.strip()


def report(results: dict[str, dict[str, tuple[float, float]]], load_before: str,
           tipg_note: str) -> None:
    columns = [c for c in (*STORES, "tipg") if c in results]
    print(f"\n| request | {' | '.join(c + ' req/s (p50)' for c in columns)} "
          "| SQLite/file | PostgreSQL/file | PostgreSQL/tipg |")
    print("|---" * (len(columns) + 4) + "|")

    def ratio(row: str, a: str, b: str) -> str:
        if row not in results.get(a, {}) or row not in results.get(b, {}):
            return "—"
        return f"{results[a][row][0] / results[b][row][0]:.2f}"

    for row in results["file"]:
        cells = [f"{results[c][row][0]:,.0f} ({results[c][row][1]:.1f} ms)"
                 if row in results[c] else "—" for c in columns]
        print(f"| {row} | {' | '.join(cells)} | {ratio(row, 'SQLite', 'file')} | "
              f"{ratio(row, 'PostgreSQL', 'file')} | {ratio(row, 'PostgreSQL', 'tipg')} |")
    print(f"\nload average (1, 5, 15 min) before {load_before}, after {load()}; "
          "shared 2-core machine: compare columns within a row, not with other runs")
    print(tipg_note)


if __name__ == "__main__":
    sys.exit(main())
