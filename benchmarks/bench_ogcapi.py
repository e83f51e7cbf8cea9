"""OGC API – Features throughput and latency under gunicorn, next to the same bytes as static files.

Run: `.venv/bin/python benchmarks/bench_ogcapi.py [--requests 300] [--seconds 15] [--threads 4]`

Starts, on 127.0.0.1 only, (1) gunicorn serving `webmap:create_app()` with the synthetic layers
enabled and (2) `python -m http.server` over files holding exactly the bodies the API returned,
then fires the same requests at both from client threads (a new connection per request: gunicorn's
sync workers and http.server both close after each answer). Each scenario stops after a bounded
number of requests or seconds, whichever comes first. It also times the store's bbox query against
a full scan to show what the spatial index buys. Prints tables; asserts nothing.

With `--pygeoapi PYTHON` (the interpreter of a separate venv holding pygeoapi and gunicorn — never
planmap's venv), the synthetic scenarios also run against pygeoapi's GeoJSON provider over the same
features, as a third column: the reference implementation re-reads the file on every request.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    synthetic: bool = True  # pygeoapi serves the same features for these


PYGEOAPI_CONFIG = """\
server:
  bind: {{host: {host}, port: {port}}}
  url: http://{host}:{port}
  mimetype: application/json; charset=UTF-8
  encoding: utf-8
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
        name: GeoJSON
        data: {data}
        id_field: id
"""


def start_pygeoapi(python: str, tmp: Path, port: int) -> subprocess.Popen:
    """pygeoapi (GeoJSON provider) under gunicorn, over files of the same synthetic features."""
    import json

    from shapely.geometry import mapping

    from layers.synthetic import SYNTHETIC_LAYERS, generate

    resources = []
    for sl in SYNTHETIC_LAYERS:
        feats, geoms = generate(sl)
        for f, g in zip(feats, geoms, strict=True):
            f["geometry"] = mapping(g)
        data = tmp / f"pygeoapi-{sl.id}.geojson"
        data.write_text(json.dumps({"type": "FeatureCollection", "features": feats},
                                   ensure_ascii=False), encoding="utf-8")
        resources.append(PYGEOAPI_RESOURCE.format(id=sl.id, data=data))
    config = tmp / "pygeoapi.yml"
    config.write_text(PYGEOAPI_CONFIG.format(host=HOST, port=port,
                                             resources="".join(resources)), encoding="utf-8")
    openapi = tmp / "pygeoapi-openapi.yml"
    bindir = Path(python).parent
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    subprocess.run([str(bindir / "pygeoapi"), "openapi", "generate", str(config),
                    "--output-file", str(openapi)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return subprocess.Popen(
        [python, "-m", "gunicorn", "-w", "2", "-b", f"{HOST}:{port}", "--log-level", "warning",
         "--timeout", "120", "pygeoapi.flask_app:APP"], cwd=tmp, env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fetch(port: int, path: str, timeout: float = 120) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/geo+json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_up(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if fetch(port, path, timeout=30)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not answer {path}")


def load(port: int, path: str, requests: int, seconds: float, threads: int) -> dict:
    """Bounded load: stop at `requests` answers or `seconds`, whichever comes first."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    issued = 0
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal issued, errors
        while True:
            with lock:
                if issued >= requests or time.monotonic() > deadline:
                    return
                issued += 1
            t0 = time.perf_counter()
            try:
                status, _ = fetch(port, path)
                ok = status == 200
            except OSError:
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(dt)
                else:
                    errors += 1

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - start
    lat = sorted(latencies)
    return {
        "n": len(lat),
        "errors": errors,
        "rps": len(lat) / wall if wall else 0.0,
        "p50": statistics.median(lat) * 1000 if lat else float("nan"),
        "p95": lat[min(len(lat) - 1, int(0.95 * len(lat)))] * 1000 if lat else float("nan"),
    }


def index_timing() -> list[tuple[str, float, int]]:
    """In-process: the STRtree bbox query vs a vectorised full scan, on the 100 000 points."""
    import numpy as np
    import shapely

    from layers.query import bbox_geometry
    from layers.synthetic import synthetic_store

    store = synthetic_store("synthetic-points")
    box = bbox_geometry([116.25, 39.95, 116.35, 40.05])
    geoms = store.geometries

    def best(fn, reps: int = 20) -> tuple[float, int]:
        times, n = [], 0
        for _ in range(reps):
            t0 = time.perf_counter()
            n = len(fn())
            times.append(time.perf_counter() - t0)
        return min(times) * 1000, n

    tree_ms, n1 = best(lambda: store.select(bbox=box))
    scan_ms, n2 = best(lambda: np.flatnonzero(shapely.intersects(geoms, box)))
    loop_ms, n3 = best(lambda: [i for i, g in enumerate(geoms) if g.intersects(box)], reps=2)
    assert n1 == n2 == n3
    return [("STRtree query + exact test", tree_ms, n1),
            ("vectorised full scan (shapely)", scan_ms, n2),
            ("per-feature Python loop (a naive provider)", loop_ms, n3)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300, help="requests per scenario (max)")
    ap.add_argument("--seconds", type=float, default=15.0, help="seconds per scenario (max)")
    ap.add_argument("--threads", type=int, default=4, help="client threads")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--pygeoapi", metavar="PYTHON", default=None,
                    help="python of a separate venv with pygeoapi + gunicorn: compare with it")
    args = ap.parse_args()

    from layers.store import default_store

    store = default_store()
    real = max(store.layers, key=lambda layer: len(store.features(layer.id)))
    n_real = len(store.features(real.id))
    scenarios = [
        Scenario("small page (10 of 100 000 points)",
                 "/ogcapi/collections/synthetic-points/items?limit=10"),
        Scenario(f"full real layer ({real.id}, {n_real} places)",
                 f"/ogcapi/collections/{real.id}/items?limit=10000", synthetic=False),
        Scenario("full layer (10 000 polygons)",
                 "/ogcapi/collections/synthetic-polygons/items?limit=10000"),
        Scenario("bbox 0.1°×0.1° on 100 000 points",
                 "/ogcapi/collections/synthetic-points/items?limit=10000"
                 "&bbox=116.25,39.95,116.35,40.05"),
        Scenario("bbox + crs=EPSG:4548 on 100 000 points",
                 "/ogcapi/collections/synthetic-points/items?limit=10000"
                 "&bbox=116.25,39.95,116.35,40.05"
                 "&crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG%2F0%2F4548"),
    ]

    env = dict(os.environ, PLANMAP_OGC_SYNTHETIC="1")
    api_port, static_port, pga_port = free_port(), free_port(), free_port()
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="bench-ogcapi-") as tmp:
        try:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b",
                 f"{HOST}:{api_port}", "--log-level", "warning", "webmap:create_app()"],
                cwd=ROOT, env=env))
            wait_up(api_port, "/ogcapi/collections")
            static_paths: dict[str, str] = {}
            for i, sc in enumerate(scenarios):
                for _ in range(args.workers * 3):  # every worker builds its stores and caches
                    status, body = fetch(api_port, sc.path)
                    if status != 200:
                        raise SystemExit(f"{sc.path}: HTTP {status}: {body[:200]!r}")
                name = f"s{i}.geojson"
                (Path(tmp) / name).write_bytes(body)
                static_paths[sc.name] = f"/{name}"
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "http.server", str(static_port), "--bind", HOST,
                 "--directory", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_up(static_port, "/s0.geojson")

            if args.pygeoapi:
                procs.append(start_pygeoapi(args.pygeoapi, Path(tmp), pga_port))
                wait_up(pga_port, "/collections?f=json")

            rows = []
            for sc in scenarios:
                size = len(fetch(api_port, sc.path)[1])
                api = load(api_port, sc.path, args.requests, args.seconds, args.threads)
                static = load(static_port, static_paths[sc.name], args.requests, args.seconds,
                              args.threads)
                pga = None
                if args.pygeoapi and sc.synthetic:
                    pga_path = sc.path.removeprefix("/ogcapi") + "&f=json"
                    if "crs=" in pga_path:
                        pga_path = None  # pygeoapi's GeoJSON provider does not reproject
                    if pga_path:
                        fetch(pga_port, pga_path)  # warm-up
                        pga = load(pga_port, pga_path, args.requests, args.seconds, args.threads)
                rows.append((sc.name, size, api, static, pga))
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=10)

    print(f"OGC API under gunicorn ({args.workers} sync workers) vs python -m http.server, "
          f"loopback, {args.threads} client threads, ≤{args.requests} requests or "
          f"≤{args.seconds:.0f} s per cell\n")
    head = (f"{'scenario':52} {'bytes':>10} | {'API req/s':>9} {'p50 ms':>8} {'p95 ms':>8} | "
            f"{'static req/s':>12} {'p50 ms':>8} {'p95 ms':>8}"
            + (f" | {'pygeoapi r/s':>12} {'p50 ms':>8} {'p95 ms':>8}" if args.pygeoapi else ""))
    print(head)
    print("-" * len(head))
    for name, size, api, static, pga in rows:
        line = (f"{name:52} {size:>10,} | {api['rps']:>9.1f} {api['p50']:>8.1f} "
                f"{api['p95']:>8.1f} | {static['rps']:>12.1f} {static['p50']:>8.1f} "
                f"{static['p95']:>8.1f}")
        if args.pygeoapi:
            line += (f" | {pga['rps']:>12.1f} {pga['p50']:>8.1f} {pga['p95']:>8.1f}" if pga
                     else f" | {'—':>12} {'—':>8} {'—':>8}")
        errors = [r["errors"] for r in (api, static, pga) if r]
        print(line + (f"  (errors: {errors})" if any(errors) else ""))
    print("\nbbox query inside the store, 100 000 points (best of repeated runs):")
    for label, ms, n in index_timing():
        print(f"  {label:52} {ms:9.3f} ms  ({n} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
