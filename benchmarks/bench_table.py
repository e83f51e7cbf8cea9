"""The speed table of issue 17 in one command: planmap direct, behind nginx, nginx serving the
very bytes planmap returned, and (when given) tipg and pygeoapi over PostGIS holding the same
features; then startup time, memory per worker, and the atlas in headless Chromium.

    .venv/bin/python benchmarks/bench_table.py                    # planmap + nginx columns
    .venv/bin/python benchmarks/bench_table.py --peers            # + tipg, pygeoapi, PostGIS
    .venv/bin/python benchmarks/bench_table.py --source /tmp/main --json before.json

`--source DIR` serves another checkout (e.g. `git archive main | tar -x -C DIR`) with this venv,
so the same command measures before and after a change. `--peers` creates the peers' venvs with
pip under build/bench-peers/ (never in planmap's venv) and a throwaway PostGIS cluster;
`--pygeoapi-venv`, `--tipg-venv` and `--pg-url` use existing ones instead. Everything listens on
127.0.0.1, every run is bounded (wrk -d), and everything started is stopped at the end. Needs
Debian's wrk and nginx (and postgresql-15-postgis-3, gdal-bin for the peers); says so if absent.

Measured with wrk: N connections, gzip accepted, a new connection per request (as the issue's
table). The load average (1 min) is printed with every figure: on a shared 2-core machine a
figure taken under load is not comparable. Asserts nothing; prints the "done when" checks.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import peers  # noqa: E402
from deploy_local import HOST, Layout, fetch, free_port, serve_command  # noqa: E402

BBOX = "116.25,39.95,116.35,40.05"
FEATURE = 123  # pt-000123; fid 124 in PostGIS (ogr2ogr numbers features from 1)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    path: str
    tipg: str | None = None
    pygeoapi: str | None = None


def rows(real_layer: str, layer: str, place: str, plan: str) -> list[Row]:
    pts = "/collections/synthetic-points/items"
    tpts = "/collections/public.synthetic_points/items"
    return [
        Row("ogc_small", "OGC items, limit=10, 100k points", f"/ogcapi{pts}?limit=10",
            f"{tpts}?limit=10", f"{pts}?limit=10&f=json"),
        Row("ogc_bbox", "OGC bbox 0.1°×0.1°, 100k points",
            f"/ogcapi{pts}?bbox={BBOX}&limit=10000", f"{tpts}?bbox={BBOX}&limit=10000",
            f"{pts}?bbox={BBOX}&limit=10000&f=json"),
        Row("ogc_feature", "OGC single feature", f"/ogcapi{pts}/pt-{FEATURE:06d}",
            f"{tpts}/{FEATURE + 1}", f"{pts}/pt-{FEATURE:06d}?f=json"),
        Row("ogc_real", f"OGC items, a real layer in full ({real_layer})",
            f"/ogcapi/collections/{real_layer}/items?limit=10000",
            "/collections/public.real_layer/items?limit=10000",
            "/collections/real-layer/items?limit=10000&f=json"),
        Row("layer", f"one real layer in full (GeoJSON, gzip; {layer})",
            f"/api/layers/{layer}.geojson"),
        Row("atlas", "the atlas page /", "/"),
        Row("place", f"a place page /places/{place}", f"/places/{place}"),
        Row("plan", f"a plan page /plans/{plan}", f"/plans/{plan}"),
    ]


def load() -> float:
    return round(os.getloadavg()[0], 2)


# ------------------------------------------------------------------ startup and memory

def startup(source: Path, path: str, runs: int) -> dict[str, Any]:
    """Seconds from starting `planmap serve --workers 2` to its first 200 on `path`, and the
    CPU seconds its processes had used by then (less sensitive to other load than wall time)."""
    walls, cpus = [], []
    for _ in range(runs):
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(source)}
        start = time.monotonic()
        proc = subprocess.Popen(serve_command(sys.executable, port, 2), cwd=source, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            while proc.poll() is None and time.monotonic() - start < 180:
                try:
                    if fetch(f"http://{HOST}:{port}{path}", timeout=10)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.01)
            walls.append(time.monotonic() - start)
            cpus.append(loadgen.cpu_seconds(loadgen.tree(proc.pid)))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus),
            "runs": walls, "load": load()}


def memory(pid: int) -> dict[str, Any]:
    workers = loadgen.children(pid)
    per = [loadgen.memory_kb(w) for w in workers]
    master = loadgen.memory_kb(pid)
    return {"workers": len(workers), "master_rss_mb": master[0] / 1024,
            "worker_rss_mb": [r / 1024 for r, _ in per],
            "worker_pss_mb": [p / 1024 for _, p in per]}


# ------------------------------------------------------------------ the browser

def browser(urls: dict[str, str], runs: int, mirror: Path | None) -> dict[str, Any]:
    """Median of `runs` cold loads per URL; the first load of the first URL also fills
    `mirror` with every file the page loaded (for nginx to serve the same files)."""
    from bench_web import ARGS, CHROMIUM, FIRST_LAYER, one_run
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        if mirror is not None:
            first = next(iter(urls.values()))
            context = b.new_context()
            page = context.new_page()
            page.add_init_script(FIRST_LAYER)
            saved: list[tuple[str, bytes]] = []

            def keep(resp: Any) -> None:
                if resp.ok and resp.request.method == "GET":
                    path = resp.url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
                    saved.append((path or "index.html", resp.body()))

            page.on("response", keep)
            page.goto(first)
            page.wait_for_selector("body[data-planmap-ready]", timeout=60000)
            page.wait_for_function("window.__t.basemap !== undefined", timeout=60000)
            page.wait_for_timeout(1000)
            context.close()
            for path, body in saved:
                loadgen.write_captured(mirror, path, body, None)
        for name, url in urls.items():
            try:
                one_run(b, url)  # the server's caches warm, the browser's never (new contexts)
                results = [one_run(b, url) for _ in range(runs)]
            except PlaywrightError as exc:
                print(f"browser {name}: {str(exc).splitlines()[0]}", flush=True)
                continue
            out[name] = {k: statistics.median(r[k] for r in results)
                         for k in ("first_layer_ms", "ready_ms", "transferred", "requests")}
            out[name]["load"] = load()
        b.close()
    return out


# ------------------------------------------------------------------ the table

def measure(url: str, args: argparse.Namespace) -> dict[str, float]:
    loadgen.wrk(url, seconds=1, connections=args.connections)  # warm
    return loadgen.wrk(url, seconds=args.seconds, connections=args.connections).as_dict()


def fmt(cell: dict[str, float] | None) -> str:
    if not cell:
        return "—"
    err = f" ({cell['errors']:.0f} err)" if cell["errors"] else ""
    return f"{cell['rps']:,.0f} ({cell['p50_ms']:.1f}/{cell['p99_ms']:.0f} ms){err}"


def ratio(a: dict | None, b: dict | None) -> str:
    return f"{a['rps'] / b['rps']:.2f}" if a and b and b["rps"] else "—"


def report(result: dict[str, Any]) -> None:
    table = result["table"]
    print(f"\n## {result['label']} — {result['connections']} connections, {result['seconds']:g} s "
          "per cell, req/s (p50/p99 ms), gzip accepted, new connection per request\n")
    print("| request | bytes | planmap | behind nginx | nginx same bytes | tipg | pygeoapi PG "
          "| planmap/same | nginx/same | planmap/tipg | planmap/pygeoapi | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in table.values():
        c = row["cells"]
        print(f"| {row['label']} | {row['bytes']:,} | {fmt(c.get('planmap'))} | "
              f"{fmt(c.get('nginx'))} | {fmt(c.get('same'))} | {fmt(c.get('tipg'))} | "
              f"{fmt(c.get('pygeoapi'))} | {ratio(c.get('planmap'), c.get('same'))} | "
              f"{ratio(c.get('nginx'), c.get('same'))} | {ratio(c.get('planmap'), c.get('tipg'))}"
              f" | {ratio(c.get('planmap'), c.get('pygeoapi'))} | "
              f"{c.get('planmap', {}).get('load', '—')} |")
    for name, s in result.get("startup", {}).items():
        print(f"\nstartup {name}: {s['wall_s']:.2f} s wall (runs "
              f"{', '.join(f'{x:.2f}' for x in s['runs'])}), {s['cpu_s']:.2f} s CPU, "
              f"load {s['load']}")
    for name, m in result.get("memory", {}).items():
        print(f"memory {name}: {m['workers']} workers, RSS "
              f"{', '.join(f'{x:.0f}' for x in m['worker_rss_mb'])} MB, PSS "
              f"{', '.join(f'{x:.0f}' for x in m['worker_pss_mb'])} MB; master "
              f"{m['master_rss_mb']:.0f} MB")
    for name, b in result.get("browser", {}).items():
        print(f"browser {name}: first overlay {b['first_layer_ms']:.0f} ms, all default layers "
              f"{b['ready_ms']:.0f} ms, {b['transferred'] / 1024:.0f} kB in {b['requests']:.0f} "
              f"requests (median of {result['browser_runs']}), load {b['load']}")
    checks(result)


def checks(result: dict[str, Any]) -> None:
    t = {k: v["cells"] for k, v in result["table"].items()}

    def rps(key: str, col: str) -> float:
        return t.get(key, {}).get(col, {}).get("rps", 0.0)

    lines = []
    if "layer" in t:
        for key in ("atlas", "place"):
            lines.append((f"{key} ≥ ½ layer GeoJSON req/s", rps(key, "planmap")
                          >= 0.5 * rps("layer", "planmap")))
    if "plan" in t:
        lines.append(("plan page p50 < 100 ms", t["plan"]["planmap"]["p50_ms"] < 100))
    for key, cells in t.items():
        if cells.get("nginx") and cells.get("same"):
            lines.append((f"{key}: behind nginx ≥ 50 % of nginx same bytes",
                          rps(key, "nginx") >= 0.5 * rps(key, "same")))
        for peer in ("tipg", "pygeoapi"):
            if cells.get(peer):
                lines.append((f"{key}: ≥ 3× {peer}", rps(key, "planmap") >= 3 * rps(key, peer)))
    if "browser" in result and "planmap" in result["browser"]:
        lines.append(("first overlay ≤ 500 ms",
                      result["browser"]["planmap"]["first_layer_ms"] <= 500))
    if "startup" in result and "/healthz" in result["startup"]:
        lines.append(("serve --workers 2 first answer ≤ 0.8 s",
                      result["startup"]["/healthz"]["wall_s"] <= 0.8))
    print("\ndone-when checks (figures under load are not final):")
    for text, ok in lines:
        print(f"  [{'x' if ok else ' '}] {text}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=ROOT, help="planmap checkout to serve")
    ap.add_argument("--label", default=None, help="title of the printed table")
    ap.add_argument("--seconds", type=float, default=5, help="wrk seconds per cell")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (and peers')")
    ap.add_argument("--only", default=None, help="comma-separated row keys")
    ap.add_argument("--real-layer", default="plan-haidian-14th-fyp",
                    help="layer of the OGC full-layer row (the largest: 273 places)")
    ap.add_argument("--layer", default="zones",
                    help="layer of the GeoJSON row (an atlas default layer)")
    ap.add_argument("--place", default="zhongguancunkexuecheng")
    ap.add_argument("--plan", default="haidian-14th-fyp")
    ap.add_argument("--peers", action="store_true",
                    help="create the peers' venvs (build/bench-peers) and a PostGIS cluster")
    ap.add_argument("--pygeoapi-venv", type=Path, default=None)
    ap.add_argument("--tipg-venv", type=Path, default=None)
    ap.add_argument("--pg-url", default=None, help="an existing PostGIS (tables are replaced)")
    ap.add_argument("--no-nginx", action="store_true")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-startup", action="store_true")
    ap.add_argument("--browser-runs", type=int, default=5)
    ap.add_argument("--startup-runs", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    loadgen.need(loadgen.WRK, "wrk")
    if not args.no_nginx:
        loadgen.need(loadgen.NGINX, "nginx")
    source = args.source.resolve()
    if args.peers:
        args.pygeoapi_venv, args.tipg_venv = peers.ensure_venvs(ROOT / "build" / "bench-peers")
    want_peers = bool(args.pygeoapi_venv or args.tipg_venv)
    all_rows = rows(args.real_layer, args.layer, args.place, args.plan)
    if args.only:
        keys = set(args.only.split(","))
        all_rows = [r for r in all_rows if r.key in keys]

    result: dict[str, Any] = {
        "label": args.label or f"{source} at {time.strftime('%Y-%m-%d %H:%M')}",
        "connections": args.connections, "seconds": args.seconds,
        "browser_runs": args.browser_runs, "load_start": load(), "table": {}}
    if not args.no_startup:
        result["startup"] = {path: startup(source, path, args.startup_runs)
                             for path in ("/healthz", "/")}
    stop: list[Any] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-table-"))
    tmp.chmod(0o755)
    try:
        layout = Layout(workers=args.workers, source=source,
                        env={"PLANMAP_OGC_SYNTHETIC": "1"}).start()
        stop.append(layout)
        app = f"http://{HOST}:{layout.app_ports[0]}"
        same_root = tmp / "same"
        for i, row in enumerate(all_rows):
            for _ in range(args.workers * 4):  # every worker builds its caches
                status, headers, body = fetch(app + row.path, timeout=120,
                                              headers={"Accept-Encoding": "gzip"})
                if status != 200:
                    raise SystemExit(f"{row.path}: HTTP {status}: {body[:200]!r}")
            loadgen.write_captured(same_root, f"r{i}", body, headers.get("Content-Encoding"))
            result["table"][row.key] = {"label": row.label, "bytes": len(body), "cells": {}}
        same = loadgen.StaticNginx(same_root, free_port())
        stop.append(same)
        peer_ports: dict[str, int] = {}
        if want_peers:
            peer_ports = start_peers(args, app, tmp, stop, result)
        for i, row in enumerate(all_rows):
            cells = result["table"][row.key]["cells"]
            print(f"… {row.label}", flush=True)
            cells["planmap"] = measure(app + row.path, args)
            if not args.no_nginx:
                cells["nginx"] = measure(layout.url + row.path, args)
            cells["same"] = measure(f"http://{HOST}:{same.port}/r{i}", args)
            for peer, port in peer_ports.items():
                path = getattr(row, peer)
                if path:
                    cells[peer] = measure(f"http://{HOST}:{port}{path}", args)
        result["memory"] = {"planmap": memory(layout.procs[0].pid)}
        for peer, proc in result.pop("_peer_procs", {}).items():
            result["memory"][peer] = memory(proc.pid)
        if not args.no_browser:
            mirror = tmp / "mirror"
            urls = {"planmap": app + "/"}
            if not args.no_nginx:
                urls["behind nginx"] = layout.url + "/"
            result["browser"] = browser(urls, args.browser_runs, mirror)
            files = loadgen.StaticNginx(mirror, free_port(), gzip_on_the_fly=True)
            stop.append(files)
            result["browser"].update(browser({"nginx same files": f"http://{HOST}:{files.port}/"},
                                             args.browser_runs, None))
    finally:
        for thing in reversed(stop):
            thing.stop()
        subprocess.run(["rm", "-rf", str(tmp)], check=False)
        result.pop("_peer_procs", None)
        result["load_end"] = load()
        if args.json:
            args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False),
                                 encoding="utf-8")
        report(result)
    return 0


def start_peers(args: argparse.Namespace, app: str, tmp: Path, stop: list[Any],
                result: dict[str, Any]) -> dict[str, int]:
    """PostGIS with the same features as planmap's OGC API, then tipg and pygeoapi on it."""
    from shapely.geometry import mapping

    from layers.synthetic import SYNTHETIC_LAYERS, generate

    pg_url = args.pg_url
    if pg_url is None:
        pg = peers.PostGIS(free_port())
        stop.append(pg)
        pg_url = pg.url
    points = SYNTHETIC_LAYERS[0]
    feats, geoms = generate(points)
    for f, g in zip(feats, geoms, strict=True):
        f["geometry"] = mapping(g)
    status, _, body = fetch(f"{app}/ogcapi/collections/{args.real_layer}/items?limit=10000",
                            timeout=120)
    real = json.loads(body)
    print(f"peers: loading {len(feats):,} points and {len(real['features'])} real features "
          "into PostGIS …", flush=True)
    peers.load_features(pg_url, {"synthetic_points": {"type": "FeatureCollection",
                                                      "features": feats},
                                 "real_layer": real}, tmp)
    ports: dict[str, int] = {}
    procs: dict[str, subprocess.Popen] = {}
    result["startup"] = result.get("startup", {})
    if args.tipg_venv:
        port = free_port()
        proc = peers.start_tipg(args.tipg_venv, pg_url, port, args.workers)
        stop.append(Stopper(proc))
        took = peers.wait_ready(fetch, port, "/collections", proc)
        result["startup"]["tipg /collections"] = {"wall_s": took, "cpu_s": loadgen.cpu_seconds(
            loadgen.tree(proc.pid)), "runs": [took], "load": load()}
        ports["tipg"], procs["tipg"] = port, proc
    if args.pygeoapi_venv:
        port = free_port()
        pg_port = int(pg_url.rsplit(":", 1)[1].split("/")[0])
        proc = peers.start_pygeoapi(args.pygeoapi_venv, pg_port,
                                    {"synthetic-points": "synthetic_points",
                                     "real-layer": "real_layer"}, tmp, port, args.workers)
        stop.append(Stopper(proc))
        took = peers.wait_ready(fetch, port, "/collections?f=json", proc)
        result["startup"]["pygeoapi /collections"] = {
            "wall_s": took, "cpu_s": loadgen.cpu_seconds(loadgen.tree(proc.pid)),
            "runs": [took], "load": load()}
        ports["pygeoapi"], procs["pygeoapi"] = port, proc
    for peer, port in ports.items():
        row = rows(args.real_layer, args.layer, args.place, args.plan)[2]
        status, _, body = fetch(f"http://{HOST}:{port}{getattr(row, peer)}", timeout=60)
        if status != 200 or f"pt-{FEATURE:06d}".encode() not in body:
            raise SystemExit(f"{peer} does not serve feature pt-{FEATURE:06d} as expected: "
                             f"HTTP {status} {body[:200]!r}")
    result["_peer_procs"] = procs
    return ports


class Stopper:
    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


if __name__ == "__main__":
    sys.exit(main())
